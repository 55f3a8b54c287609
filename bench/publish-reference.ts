/**
 * The JavaScript reference publishers, each run as a process of its own, as the Go one is
 * (bench/go-reference): they read the messages file (bench/messages-file.ts), connect,
 * print "ready", wait for a line on stdin, publish every message and wait for every ack,
 * and print one JSON line with the publish's wall time and their own CPU time. The client's
 * input (headers objects, message views) is built before the clock starts.
 *
 *   node --import tsx bench/publish-reference.ts --client nats.js --file F --url U --window W
 *
 * - `nats.js`: @nats-io/jetstream's `js.publish`, at most `--window` promises in flight,
 *   refilled in batches once a quarter of the window is free, as Elava's publisher refills
 *   (awaiting each ack alone would write one message per socket write, and the comparison
 *   is of the clients, not of the refill).
 * - `elava`: Elava's `JetStreamPublisher` (`publishAll`) with its default options, on a
 *   connection made as the CLI makes it: the publishing part of a scan, without the scan.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers, type MsgHdrs } from "@nats-io/transport-node";
import { Header } from "../src/contract/headers.ts";
import { connectNats } from "../src/publisher/connection.ts";
import {
  DEFAULT_PUBLISHER_OPTIONS,
  JetStreamPublisher,
  publishAll,
} from "../src/publisher/publisher.ts";
import { type FramedMessage, headerPairs, readMessagesFile } from "./messages-file.ts";
import type { ReferenceResult } from "./reference-child.ts";

/** The JavaScript clients this script can run. */
export const JS_REFERENCE_CLIENTS = ["nats.js", "elava"] as const;
export type JsReferenceClient = (typeof JS_REFERENCE_CLIENTS)[number];

/** What a publish counted. */
interface Outcome {
  acked: number;
  failed: number;
  firstError?: string;
}

/**
 * Calls `publish` for every item with at most `window` unsettled, refilling once the
 * in-flight count is down to three quarters of the window; resolves when all settled.
 */
export async function publishWindowed<T>(
  items: readonly T[],
  window: number,
  publish: (item: T) => Promise<unknown>,
): Promise<Outcome> {
  const outcome: Outcome = { acked: 0, failed: 0 };
  const lowWater = window - Math.max(1, Math.floor(window / 4));
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settled = () => {
    inFlight -= 1;
    if (wake !== undefined && (inFlight <= lowWater || inFlight === 0)) {
      const w = wake;
      wake = undefined;
      w();
    }
  };
  const waitBelow = (limit: number) =>
    inFlight < limit ? undefined : new Promise<void>((resolve) => (wake = resolve));
  for (const item of items) {
    const full = waitBelow(window);
    if (full !== undefined) await full;
    inFlight += 1;
    publish(item).then(
      () => {
        outcome.acked += 1;
        settled();
      },
      (err: unknown) => {
        outcome.failed += 1;
        outcome.firstError ??= err instanceof Error ? err.message : String(err);
        settled();
      },
    );
  }
  while (inFlight > 0) await waitBelow(1);
  return outcome;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      client: { type: "string" },
      file: { type: "string" },
      url: { type: "string" },
      window: { type: "string", default: String(DEFAULT_PUBLISHER_OPTIONS.window) },
    },
  });
  const client = values.client as JsReferenceClient;
  if (!JS_REFERENCE_CLIENTS.includes(client)) {
    throw new Error(`--client must be one of ${JS_REFERENCE_CLIENTS.join(", ")}`);
  }
  if (values.file === undefined || values.url === undefined) {
    throw new Error("--file and --url are required");
  }
  const window = Number(values.window);
  const messages = readMessagesFile(readFileSync(values.file));
  const run =
    client === "nats.js"
      ? await natsJs(values.url, messages, window)
      : await elava(values.url, messages, window);

  process.stdout.write("ready\n");
  const lines = createInterface({ input: process.stdin });
  await new Promise((resolve) => lines.once("line", resolve));
  lines.close();

  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const outcome = await run.publish();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await run.close();
  const result: ReferenceResult = {
    client,
    messages: messages.length,
    acked: outcome.acked,
    failed: outcome.failed,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(outcome.firstError === undefined ? {} : { firstError: outcome.firstError }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

interface PreparedRun {
  publish(): Promise<Outcome>;
  close(): Promise<void>;
}

async function natsJs(
  url: string,
  messages: readonly FramedMessage[],
  window: number,
): Promise<PreparedRun> {
  const nc = await connect({ servers: url, name: "elava-bench-nats-js", reconnect: false });
  const js = jetstream(nc);
  const prepared = messages.map((m) => {
    const h = headers();
    for (const [name, value] of headerPairs(m.headers)) h.set(name, value);
    return { subject: m.subject, data: m.data, headers: h as MsgHdrs };
  });
  return {
    publish: () =>
      publishWindowed(prepared, window, (m) =>
        js.publish(m.subject, m.data, { headers: m.headers }),
      ),
    close: () => nc.drain(),
  };
}

async function elava(
  url: string,
  messages: readonly FramedMessage[],
  window: number,
): Promise<PreparedRun> {
  const nc = await connectNats({
    servers: [url],
    name: "elava-bench-raw",
    connectTimeoutMs: 5_000,
    reconnect: "never",
  });
  const publisher = new JetStreamPublisher(nc, { ...DEFAULT_PUBLISHER_OPTIONS, window });
  const prepared = messages.map((m) => {
    const headers = headerPairs(m.headers);
    return {
      subject: m.subject,
      msgId: headers.find(([name]) => name === Header.MsgId)?.[1] ?? "",
      headers,
      data: m.data,
    };
  });
  return {
    async publish() {
      const r = await publishAll(publisher, prepared);
      return {
        acked: r.acked,
        failed: r.failed,
        ...(r.errors[0] === undefined ? {} : { firstError: r.errors[0].message }),
      };
    },
    async close() {
      await publisher.close();
      await nc.drain();
    },
  };
}

// Run as a script; imported (by its test) it only defines.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `publish-reference: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
