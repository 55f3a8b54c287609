/**
 * A provider on a thread of its own: the scan's thread keeps encoding, publishing and the
 * event loop (signals, /healthz, publish timers), while the provider's thread makes the
 * API calls and parses their answers. The AWS SDK parses each answer in one go (a page of
 * 1,000 EC2 instances is tens of milliseconds of CPU), so on the scan's thread every big
 * page held the event loop and everything waiting on it; on its own thread the parsing
 * also runs on a second core. docs/benchmarks.md has the measurement.
 *
 * The returned object is a Provider like any other: the scanner cannot tell. Pages cross
 * by structured clone, one page per partition at a time (worker.ts); errors keep their
 * class, message and failure reason (protocol.ts). Call counts come with every answer, so
 * `apiCalls()` stays synchronous. When the thread dies, every request waiting on it fails
 * with the reason, and so does every later one.
 */
import { Worker } from "node:worker_threads";
import type { ObservedResource } from "../../contract/encode.ts";
import type { PartitionKey } from "../../contract/subject.ts";
import type { Provider, Unit } from "../provider.ts";
import {
  type Counts,
  type LogLevel,
  type Reply,
  type Request,
  receiveError,
  receiveUnit,
  type ThreadStart,
} from "./protocol.ts";

/** What to run on the thread. */
export interface ProviderThreadOptions {
  /** The module exporting the factory: `moduleBeside(import.meta.url, "./aws/provider")`. */
  readonly module: URL;
  /** The factory's export name (`createAwsProvider`). */
  readonly factory: string;
  /** The factory's options: data only (they are cloned); its `log` is this `log`. */
  readonly options: object;
  /** Where the provider's log lines go. */
  readonly log: (
    level: LogLevel,
    message: string,
    fields: Readonly<Record<string, unknown>>,
  ) => void;
}

/** A provider on its own thread, with the AWS provider's counters. */
export interface ThreadedProvider extends Provider {
  apiCalls(): ReadonlyMap<string, number>;
  throttledCalls(): ReadonlyMap<string, number>;
  broken(): string | undefined;
  close(): Promise<void>;
}

/**
 * The URL of a module next to `base` (an `import.meta.url`), with base's extension:
 * `.ts` when running from source, `.js` from dist/.
 */
export function moduleBeside(base: string, path: string): URL {
  return new URL(`${path}${base.endsWith(".ts") ? ".ts" : ".js"}`, base);
}

/** A list's answers, in order, for the one reader that waits on them. */
class Mailbox {
  readonly #queue: Reply[] = [];
  #waiter: ((r: Reply) => void) | undefined;

  put(reply: Reply): void {
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w(reply);
    } else {
      this.#queue.push(reply);
    }
  }

  take(): Promise<Reply> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }
}

/** Starts the provider's thread and resolves once its provider is built. */
export async function startProviderThread(
  options: ProviderThreadOptions,
): Promise<ThreadedProvider> {
  const entry = moduleBeside(import.meta.url, "./worker");
  const fromSource = entry.pathname.endsWith(".ts");
  const start: ThreadStart = {
    module: options.module.href,
    factory: options.factory,
    options: options.options,
  };
  const worker = new Worker(entry, {
    workerData: start,
    // Not the scan thread's arguments (`-e`, `--input-type`, ... would stop the thread);
    // V8's flags, the heap's size among them, are the process's and apply all the same.
    // From source the thread needs the TypeScript loader.
    execArgv: fromSource ? ["--import", "tsx"] : [],
  });

  let nextId = 1;
  let dead: Error | undefined;
  let calls = new Map<string, number>();
  let throttled = new Map<string, number>();
  const waiting = new Map<number, Mailbox>();
  const keepCounts = (c: { calls: Counts; throttled?: Counts } | undefined) => {
    if (c === undefined) return;
    calls = new Map(c.calls);
    if (c.throttled !== undefined) throttled = new Map(c.throttled);
  };
  // The thread keeps the process alive only while the scan waits on it.
  const hold = () => {
    if (waiting.size === 1) worker.ref();
  };
  const release = (id: number) => {
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
  };
  const send = (request: Request) => {
    if (dead === undefined) worker.postMessage(request);
  };
  const ask = (request: Request): Mailbox => {
    const box = new Mailbox();
    waiting.set(request.id, box);
    hold();
    if (dead !== undefined) box.put({ t: "failed", id: request.id, error: dead });
    else worker.postMessage(request);
    return box;
  };

  const ready = new Promise<{ name: string; concurrency: number | undefined }>(
    (resolve, reject) => {
      const die = (why: Error) => {
        if (dead !== undefined) return;
        dead = new Error(`the provider's thread stopped: ${why.message}`);
        reject(dead);
        for (const [id, box] of waiting) box.put({ t: "failed", id, error: dead });
      };
      worker.on("message", (reply: Reply) => {
        switch (reply.t) {
          case "ready":
            if (reply.error !== undefined) {
              const err = receiveError(reply.error);
              dead = err;
              reject(err);
            } else {
              resolve({ name: reply.name, concurrency: reply.concurrency });
            }
            return;
          case "log":
            options.log(reply.level, reply.message, reply.fields);
            return;
          default:
            if ("counts" in reply) keepCounts(reply.counts);
            waiting.get(reply.id)?.put(reply);
        }
      });
      worker.on("error", (err) => die(err));
      worker.on("exit", (code) => die(new Error(`it exited with code ${code}`)));
    },
  );
  const { name, concurrency } = await ready;
  worker.unref();

  const threadError = (reply: Reply): Error => {
    if (reply.t === "failed") return receiveError(reply.error);
    return new Error(`the provider's thread answered "${reply.t}" out of turn`);
  };

  return {
    name,
    ...(concurrency !== undefined ? { concurrency } : {}),

    async units(signal: AbortSignal): Promise<Unit[]> {
      const id = nextId++;
      const abort = () => send({ t: "abort", id });
      signal.addEventListener("abort", abort, { once: true });
      try {
        const box = ask({ t: "units", id });
        if (signal.aborted) abort();
        const reply = await box.take();
        if (reply.t !== "units") throw threadError(reply);
        return reply.units.map(receiveUnit);
      } finally {
        signal.removeEventListener("abort", abort);
        release(id);
      }
    },

    async *list(key: PartitionKey, signal: AbortSignal): AsyncGenerator<ObservedResource[]> {
      const id = nextId++;
      let ended = false;
      const abort = () => send({ t: "abort", id });
      signal.addEventListener("abort", abort, { once: true });
      try {
        const box = ask({ t: "list", id, key });
        if (signal.aborted) abort();
        for (;;) {
          const reply = await box.take();
          if (reply.t === "page") {
            yield reply.page;
            send({ t: "next", id });
            continue;
          }
          ended = true;
          if (reply.t === "done") return;
          throw threadError(reply);
        }
      } finally {
        signal.removeEventListener("abort", abort);
        // The scan stopped reading before the end (it broke out, or threw).
        if (!ended) abort();
        release(id);
      }
    },

    apiCalls: () => calls,
    throttledCalls: () => throttled,
    broken: () => dead?.message,

    async close(): Promise<void> {
      if (dead === undefined) {
        // The provider closes its clients; a thread that dies meanwhile answers too (die).
        const id = nextId++;
        try {
          await ask({ t: "close", id }).take();
        } finally {
          release(id);
        }
      }
      await worker.terminate();
    },
  };
}
