/**
 * A provider's thread: builds the provider named in `workerData` (host.ts starts it) and
 * answers the scan thread's requests, one page of a partition at a time.
 *
 * A list lists its next page only when the scan thread has taken the last one (`next`),
 * as a generator in the scan's own thread would: what waits between the threads is at
 * most one page per partition.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import type { PartitionKey } from "../../contract/subject.ts";
import type { Provider } from "../provider.ts";
import {
  type CallCounts,
  type LogLevel,
  type Reply,
  type Request,
  sendError,
  sendUnit,
  type ThreadStart,
} from "./protocol.ts";

if (parentPort === null) {
  throw new Error("src/providers/thread/worker.ts runs as a worker thread only");
}
const port: MessagePort = parentPort;
const start = workerData as ThreadStart;
const post = (reply: Reply) => port.postMessage(reply);

const log = (level: LogLevel, message: string, fields: Readonly<Record<string, unknown>>) =>
  post({ t: "log", level, message, fields });
type Threaded = Provider & { throttledCalls?(): ReadonlyMap<string, number> };

async function build(): Promise<Threaded> {
  const mod = (await import(start.module)) as Record<string, unknown>;
  const factory = mod[start.factory];
  if (typeof factory !== "function") {
    throw new Error(`${start.module} exports no function ${start.factory}`);
  }
  return (await factory({ ...start.options, log })) as Threaded;
}

let built: Threaded | undefined;
try {
  built = await build();
} catch (err) {
  // The host rejects every request with this error; the thread then ends.
  post({ t: "ready", name: "", concurrency: undefined, error: sendError(err) });
  port.close();
}
if (built !== undefined) serve(built);

function serve(provider: Threaded): void {
  function counts(): CallCounts {
    const throttled = provider.throttledCalls?.();
    return {
      calls: [...(provider.apiCalls?.() ?? [])],
      ...(throttled !== undefined ? { throttled: [...throttled] } : {}),
    };
  }

  /** A request in progress: its abort, and for a list the go-ahead for the next page. */
  interface Running {
    readonly abort: AbortController;
    resume?: () => void;
  }
  const running = new Map<number, Running>();

  async function list(id: number, key: PartitionKey): Promise<void> {
    const listing: Running = { abort: new AbortController() };
    running.set(id, listing);
    const { signal } = listing.abort;
    try {
      for await (const page of provider.list(key, signal)) {
        const taken = new Promise<void>((resolve) => {
          listing.resume = resolve;
        });
        post({ t: "page", id, page, counts: counts() });
        await taken;
        if (signal.aborted) break;
      }
      post({ t: "done", id, counts: counts() });
    } catch (err) {
      post({ t: "failed", id, error: sendError(err), counts: counts() });
    } finally {
      running.delete(id);
    }
  }

  port.on("message", (request: Request) => {
    switch (request.t) {
      case "units": {
        const { id } = request;
        const pending: Running = { abort: new AbortController() };
        running.set(id, pending);
        provider
          .units(pending.abort.signal)
          .then(
            (units) => post({ t: "units", id, units: units.map(sendUnit), counts: counts() }),
            (err: unknown) => post({ t: "failed", id, error: sendError(err), counts: counts() }),
          )
          .finally(() => running.delete(id));
        break;
      }
      case "list":
        void list(request.id, request.key);
        break;
      case "next":
        running.get(request.id)?.resume?.();
        break;
      case "abort": {
        const pending = running.get(request.id);
        pending?.abort.abort(new Error("the scan stopped waiting for this answer"));
        pending?.resume?.();
        break;
      }
      case "close":
        void Promise.resolve(provider.close?.()).finally(() => {
          post({ t: "closed", id: request.id });
          port.close();
        });
        break;
    }
  });

  post({ t: "ready", name: provider.name, concurrency: provider.concurrency });
}
