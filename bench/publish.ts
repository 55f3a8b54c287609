/**
 * Bench 1, publish: how fast a scan reaches JetStream end to end, against how fast the same
 * publisher pushes bytes that are already encoded, on the same connection.
 *
 * End to end is `runScan` over the sample provider: generation, protobuf encoding,
 * subjects, headers, msg ids, the pipelined publisher and every ack, plus one marker per
 * partition. The raw baseline is the very same messages (snapshots and markers, encoded
 * before the clock starts) through `publishAll` on the same `JetStreamPublisher`. Their
 * ratio is what the product costs over the wire and the server.
 *
 * Every measurement starts from an empty stream (the stream is deleted and created), so
 * msg-id deduplication never turns a publish into a cheap duplicate ack, and the server's
 * store does the same work each time. Rounds alternate end to end and raw, and the best of
 * each is kept: other processes share the CPU, and the best round is the least disturbed.
 */

import { cpus } from "node:os";
import {
  encodeMarker,
  encodeSnapshot,
  type OutgoingMessage,
  type ScanContext,
} from "../src/contract/encode.ts";
import { newScanId } from "../src/contract/ids.ts";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../src/providers/sample/index.ts";
import { JetStreamPublisher, publishAll } from "../src/publisher/publisher.ts";
import { planPartitions, runScan } from "../src/scanner/scanner.ts";
import { measureCpu } from "./cpu.ts";
import type { Figure } from "./figures.ts";
import { openBenchSession } from "./session.ts";

/** Options of the publish bench. */
export interface PublishBenchOptions {
  /** Sample resources per measurement; at least 200,000 for the figure. */
  resources: number;
  /** Rounds of (end to end, raw); the best of each is reported. */
  rounds: number;
  /**
   * Partitions scanned at once, as `--concurrency`. The bench uses 8, not the CLI's 64:
   * the sample provider is CPU-bound, so more partitions at once only add pages in memory.
   */
  concurrency: number;
  log: (line: string) => void;
}

/** One timed publish. */
interface Run {
  readonly snapshots: number;
  readonly messages: number;
  readonly seconds: number;
  /** CPU seconds of this process (every thread) and of the nats-server process. */
  readonly clientCpu: number;
  readonly serverCpu: number;
}

const PREFIX = "elava";

/** Every message a scan of the provider publishes, in scan order, encoded now. */
async function preEncode(resources: number): Promise<OutgoingMessage[]> {
  const provider = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources });
  const signal = new AbortController().signal;
  const startedAt = new Date();
  const scan: ScanContext = {
    scanId: newScanId(startedAt),
    scanStartedAt: startedAt,
    prefix: PREFIX,
  };
  const out: OutgoingMessage[] = [];
  for (const { key } of planPartitions(await provider.units(signal))) {
    let count = 0;
    for await (const page of provider.list(key, signal)) {
      const observedAt = new Date();
      for (const r of page) out.push(encodeSnapshot(scan, key, r, observedAt));
      count += page.length;
    }
    out.push(
      encodeMarker(scan, key, {
        status: "OK",
        resourceCount: count,
        startedAt,
        finishedAt: new Date(),
        error: "",
      }),
    );
  }
  return out;
}

/** Runs the publish bench and returns its figures. */
export async function benchPublish(options: PublishBenchOptions): Promise<Figure[]> {
  const { resources, rounds, concurrency, log } = options;
  const session = await openBenchSession("publish");
  try {
    const publisher = new JetStreamPublisher(session.nc, {
      window: 1024,
      ackTimeoutMs: 5_000,
      publishDeadlineMs: 60_000,
    });
    const endToEnd = async (n: number): Promise<Run> => {
      await session.resetStream();
      const provider = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources: n });
      const {
        result: report,
        seconds,
        ownCpu,
        otherCpu,
      } = await measureCpu(session.server.pid, () =>
        runScan(provider, publisher, {
          prefix: PREFIX,
          concurrency,
          signal: new AbortController().signal,
        }),
      );
      const failed = report.partitions.filter((p) => p.status !== "OK");
      if (failed.length > 0) {
        throw new Error(
          `the publish bench's scan had ${failed.length} partition(s) not OK, first: ${failed[0]?.error ?? failed[0]?.status}`,
        );
      }
      return {
        snapshots: report.published,
        messages: report.published + report.partitions.length,
        seconds,
        clientCpu: ownCpu,
        serverCpu: otherCpu,
      };
    };
    const raw = async (messages: readonly OutgoingMessage[], snapshots: number): Promise<Run> => {
      await session.resetStream();
      const { result, seconds, ownCpu, otherCpu } = await measureCpu(session.server.pid, () =>
        publishAll(publisher, messages),
      );
      if (result.failed > 0) {
        throw new Error(
          `the raw publish failed for ${result.failed} message(s): ${result.errors[0]?.message}`,
        );
      }
      return {
        snapshots,
        messages: result.acked,
        seconds,
        clientCpu: ownCpu,
        serverCpu: otherCpu,
      };
    };

    log(`publish: warming up (20,000 resources)`);
    await endToEnd(20_000);
    await raw(await preEncode(20_000), 0);

    const markers = planPartitions(
      await createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources }).units(
        new AbortController().signal,
      ),
    ).length;

    let bestE2e: Run | undefined;
    let bestRaw: Run | undefined;
    const rate = (r: Run) => r.snapshots / r.seconds;
    for (let round = 1; round <= rounds; round++) {
      const e = await endToEnd(resources);
      // Encoded after the end-to-end run and dropped after the raw one: 200,000 retained
      // messages would slow the end-to-end run's garbage collection, not the raw one's.
      log(
        `publish: round ${round}: pre-encoding ${resources.toLocaleString("en-US")} resources (not timed)`,
      );
      const messages = await preEncode(resources);
      const snapshots = messages.length - markers;
      if (e.snapshots !== snapshots) {
        throw new Error(
          `the scan published ${e.snapshots} snapshots but the pre-encoded scan has ${snapshots}: the two runs do not publish the same messages`,
        );
      }
      const r = await raw(messages, snapshots);
      log(
        `publish: round ${round}: end to end ${Math.round(rate(e))} events/s (${e.seconds.toFixed(2)} s), raw ${Math.round(rate(r))} events/s (${r.seconds.toFixed(2)} s)`,
      );
      if (bestE2e === undefined || rate(e) > rate(bestE2e)) bestE2e = e;
      if (bestRaw === undefined || rate(r) > rate(bestRaw)) bestRaw = r;
    }
    await publisher.close();
    if (bestE2e === undefined || bestRaw === undefined) throw new Error("publish: no rounds ran");
    // Where the time went: CPU per message of this process and of the server, and how busy
    // the machine's cores were. A rate held back by a full machine is not a slow client.
    const cores = cpus().length;
    const micros = (cpu: number, r: Run) => (cpu / r.messages) * 1e6;
    const clientE2e = micros(bestE2e.clientCpu, bestE2e);
    const serverRaw = micros(bestRaw.serverCpu, bestRaw);
    const busy = (r: Run) => (r.clientCpu + r.serverCpu) / (r.seconds * cores);
    const note = `${bestE2e.snapshots.toLocaleString("en-US")} snapshots + ${markers} markers, best of ${rounds} rounds, fresh stream each`;
    return [
      {
        bench: "1 publish",
        name: "end-to-end events/s (runScan, sample)",
        value: rate(bestE2e),
        unit: "events/s",
        target: { direction: "at-least", value: 70_000 },
        note: `sample provider -> protobuf -> JetStreamPublisher -> ack through runScan (concurrency ${concurrency}, window 1024); ${note}`,
      },
      {
        bench: "1 publish",
        name: "raw pre-encoded events/s (publishAll)",
        value: rate(bestRaw),
        unit: "events/s",
        note: `the same messages encoded before the clock started, through the same publisher and connection; ${note}`,
      },
      {
        bench: "1 publish",
        name: "end to end / raw",
        value: rate(bestE2e) / rate(bestRaw),
        unit: "x",
        target: { direction: "at-least", value: 0.8 },
      },
      {
        bench: "1 publish",
        name: "client CPU per message, end to end",
        value: clientE2e,
        unit: "µs",
        note: "CPU of the bench process (every thread: generation, encoding, publishing, acks, garbage collection) / messages",
      },
      {
        bench: "1 publish",
        name: "client CPU per message, raw",
        value: micros(bestRaw.clientCpu, bestRaw),
        unit: "µs",
      },
      {
        bench: "1 publish",
        name: "nats-server CPU per message, raw",
        value: serverRaw,
        unit: "µs",
        note: `end to end: ${micros(bestE2e.serverCpu, bestE2e).toFixed(1)} µs (the server does more per message at lower rates)`,
      },
      {
        bench: "1 publish",
        name: "cores busy (client + server), end to end",
        value: busy(bestE2e) * 100,
        unit: "%",
        note: `of ${cores} cores; raw: ${(busy(bestRaw) * 100).toFixed(0)}%`,
      },
      {
        bench: "1 publish",
        name: "cores 70k events/s end to end would need",
        value: (70_000 * (clientE2e + serverRaw)) / 1e6,
        unit: "cores",
        note: `70,000 x (client CPU per message end to end + nats-server CPU per message raw); this machine has ${cores}`,
      },
    ];
  } finally {
    await session.close();
  }
}
