/**
 * Bench 1, publish: the shipped scan against reference publishers, in one run, against one
 * nats-server.
 *
 * What users run is `bin/elava scan` (the image runs the same launcher), with the heap
 * flags the launcher gives `scan`. So the figure is that process, run as a child
 * (shipped-scan.ts), at N sample resources, and again with Node's default heap. The
 * references publish the very messages that scan publishes (same subjects, headers and
 * bytes, encoded once into a file before anything is timed: messages-file.ts), each in a
 * process of its own, each with the same window of publishes awaiting their ack as Elava's
 * publisher (reference-child.ts):
 *
 * - nats.go's `PublishAsync` (go-reference/), what a Go client does with these messages;
 * - nats.js's `js.publish` (publish-reference.ts), the JavaScript client's own way;
 * - Elava's `JetStreamPublisher` on the pre-encoded messages ("raw"): the publishing part
 *   of a scan without the scan, for the breakdown.
 *
 * Every measurement starts from an empty stream (deleted and created), so no publish is
 * answered as a cheap duplicate and the server stores the same amount each time. Rounds
 * interleave the contenders and the best rate of each is kept: the machine is shared, and
 * the best round is the least disturbed. Ratios are of figures from this run only.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PUBLISHER_OPTIONS } from "../src/publisher/publisher.ts";
import { measurePartsChild, type PartsBudget, shippedScanFlags } from "./budget.ts";
import { onCpuShare } from "./cpu.ts";
import { type EventLoopDelay, worse as worseDelay } from "./event-loop.ts";
import type { Figure } from "./figures.ts";
import { buildGoReference } from "./go-reference.ts";
import { writeSampleScanMessages } from "./messages-file.ts";
import {
  goReferenceCommand,
  jsReferenceCommand,
  type ReferenceCommand,
  type ReferenceRun,
  runReferenceChild,
} from "./reference-child.ts";
import { openBenchSession } from "./session.ts";
import { buildDist, runShippedScan, type ShippedRun } from "./shipped-scan.ts";

/** Options of the publish bench. */
export interface PublishBenchOptions {
  /** Sample resources of the scan, 300,000 for the figures. */
  resources: number;
  /** Rounds of every contender; the best of each is reported. */
  rounds: number;
  log: (line: string) => void;
}

/**
 * NODE_OPTIONS for the comparison run with Node's default heap: an explicit old-space
 * size makes the launcher leave out its heap flags, and 4096 MiB is Node's own default on
 * a 64-bit machine with 16 GiB or more (the young generation keeps its default).
 */
export const DEFAULT_HEAP_NODE_OPTIONS = "--max-old-space-size=4096";

/** Resources of the parts' measurement (budget.ts): enough for steady rates, a few seconds. */
const BUDGET_RESOURCES = 100_000;

/** A reference that did not run, and why. */
export interface NotMeasured {
  readonly unavailable: string;
}

/** The best run of each contender, and what the figures are computed from. */
export interface PublishResults {
  readonly resources: number;
  readonly rounds: number;
  readonly window: number;
  readonly cores: number;
  readonly shipped: ShippedRun;
  /** The highest peak RSS and GC share among the shipped rounds (targets are upper bounds). */
  readonly shippedWorst: { readonly peakKiB: number; readonly gcShare: number };
  /** The largest event-loop delay of the shipped scans (from their summary lines), when known. */
  readonly shippedEventLoop?: EventLoopDelay;
  readonly defaultHeap: ShippedRun;
  readonly defaultHeapWorst: { readonly peakKiB: number; readonly gcShare: number };
  readonly go: ReferenceRun | NotMeasured;
  readonly natsJs: ReferenceRun | NotMeasured;
  readonly raw: ReferenceRun | NotMeasured;
  /** `go version`, for the note. */
  readonly goVersion?: string;
  /** The parts' CPU per event, measured alone with each heap's flags (budget.ts). */
  readonly budgets?: {
    readonly shipped: PartsBudget;
    readonly defaultHeap: PartsBudget;
    /** The launcher's flags for `scan`. */
    readonly flags: readonly string[];
  };
}

/** A heap's CPU per message split into its parts; `rest` is what the parts do not explain. */
export interface MessageBudget {
  readonly total: number;
  readonly generate: number;
  readonly encode: number;
  readonly sha256: number;
  readonly publish: number;
  readonly gc: number;
  readonly rest: number;
}

/**
 * The budget of a shipped run: its CPU per message (every thread, startup included), the
 * parts measured alone with the same heap flags (generating, encoding, of it SHA-256), the
 * client CPU per message of Elava's publisher on pre-encoded messages (publishing and
 * reading acks), and the rest. The parts include the garbage collection they cause; `gc`
 * is the run's whole GC time per message, for comparison, not another part.
 */
export function messageBudget(
  run: ShippedRun,
  parts: PartsBudget,
  publishMicros: number,
): MessageBudget {
  const total = (run.cpuSeconds / run.messages) * 1e6;
  const encode = parts.generateEncodeUs - parts.generateUs;
  return {
    total,
    generate: parts.generateUs,
    encode,
    sha256: parts.sha256Us,
    publish: publishMicros,
    gc: (run.gcCpuSeconds / run.messages) * 1e6,
    rest: total - parts.generateUs - encode - publishMicros,
  };
}

/** `63.0 µs = generate 5.1 + encode 7.9 (SHA-256 0.8) + publish 7.4 + rest 42.6; GC 30.1 of the total`. */
export function formatBudget(b: MessageBudget): string {
  const f = (x: number) => x.toFixed(1);
  return `${f(b.total)} µs = generate ${f(b.generate)} + encode ${f(b.encode)} (SHA-256 ${f(b.sha256)}) + publish and acks ${f(b.publish)} + rest ${f(b.rest)}; GC ${f(b.gc)} of the total`;
}

/** Messages per second of a run. */
export function rateOf(run: { messages: number; seconds: number }): number {
  return run.messages / run.seconds;
}

/** The GC's share of a shipped run's CPU time, in percent. */
export function gcShare(run: ShippedRun): number {
  return (run.gcCpuSeconds / run.cpuSeconds) * 100;
}

function measured(r: ReferenceRun | NotMeasured): ReferenceRun | undefined {
  return "unavailable" in r ? undefined : r;
}

/** The figures of the publish bench, from the best runs. */
export function publishFigures(r: PublishResults): Figure[] {
  const bench = "1 publish";
  const n = r.resources.toLocaleString("en-US");
  const micros = (cpu: number, messages: number) => (cpu / messages) * 1e6;
  const go = measured(r.go);
  const natsJs = measured(r.natsJs);
  const raw = measured(r.raw);
  const why = (x: ReferenceRun | NotMeasured) => ("unavailable" in x ? x.unavailable : "");
  const ratio = (a: number, b: ReferenceRun | NotMeasured) => {
    const ref = measured(b);
    return ref === undefined ? Number.NaN : a / rateOf(ref);
  };
  const shippedRate = rateOf(r.shipped);
  const defaultRate = rateOf(r.defaultHeap);
  const common = `${r.shipped.snapshots.toLocaleString("en-US")} snapshots + ${(r.shipped.messages - r.shipped.snapshots).toLocaleString("en-US")} markers, best of ${r.rounds} rounds, empty stream each`;
  const seconds = (s: number) => `${s.toFixed(2)} s`;
  const threadNote = (t: ShippedRun["mainThread"]) =>
    t === undefined
      ? "not read"
      : `${seconds(t.cpu)} CPU, ${(onCpuShare(t) * 100).toFixed(0)}% of its runnable time on a core`;
  const gcNote = (run: ShippedRun) =>
    `${run.gc.collections} collections (${run.gc.markCompacts} mark-compact), GC ${seconds(run.gcCpuSeconds)} of ${seconds(run.cpuSeconds)} CPU; the trace's wall-clock sums: main thread ${seconds(run.gc.mainThreadMs / 1000)} (main thread ${threadNote(run.mainThread)}), background ${seconds(run.gc.backgroundMs / 1000)} (V8's workers ${threadNote(run.v8Workers)})`;
  const heapRows = (
    label: string,
    run: ShippedRun,
    worst: PublishResults["shippedWorst"],
    shipped: boolean,
  ): Figure[] => [
    {
      bench,
      name: `  ${label}: peak RSS`,
      value: worst.peakKiB / 1024,
      unit: "MiB",
      ...(shipped ? { target: { direction: "at-most", value: 128 } as const } : {}),
      note: `highest VmHWM of the ${r.rounds} rounds, from /proc, polled every 50 ms`,
    },
    {
      bench,
      name: `  ${label}: garbage collection / process CPU`,
      value: worst.gcShare,
      unit: "%",
      ...(shipped ? { target: { direction: "at-most", value: 15 } as const } : {}),
      note: `highest of the ${r.rounds} rounds; fastest round: ${gcNote(run)}`,
    },
    {
      bench,
      name: `  ${label}: process CPU per message`,
      value: micros(run.cpuSeconds, run.messages),
      unit: "µs",
      note: `every thread, startup included; of it GC ${micros(run.gcCpuSeconds, run.messages).toFixed(1)} µs; nats-server meanwhile ${micros(run.serverCpuSeconds, run.messages).toFixed(1)} µs per message`,
    },
  ];
  const referenceRows = (name: string, x: ReferenceRun | NotMeasured, how: string): Figure[] => {
    const run = measured(x);
    return [
      {
        bench,
        name,
        value: run === undefined ? Number.NaN : rateOf(run),
        unit: "msgs/s",
        note:
          run === undefined
            ? `not measured: ${why(x)}`
            : `${how}; publish alone (messages read and connection made before the clock); client CPU ${micros(run.cpuSeconds, run.messages).toFixed(1)} µs per message, nats-server ${micros(run.serverCpuSeconds, run.messages).toFixed(1)} µs`,
      },
    ];
  };
  const budgetRows = (label: string, run: ShippedRun, parts: PartsBudget | undefined): Figure[] => {
    if (parts === undefined || raw === undefined) return [];
    const b = messageBudget(run, parts, micros(raw.cpuSeconds, raw.messages));
    return [
      {
        bench,
        name: `  ${label}: CPU per message, part by part`,
        value: b.total,
        unit: "µs",
        note: `${formatBudget(b)}. Generating and encoding measured alone (bench/budget.ts, ${parts.resources} resources, the same heap flags, GC they cause included); publishing is Elava's publisher's client CPU per message on the pre-encoded messages (its own process); the rest is the scanner, its bookkeeping, startup, the JIT and the collections the parts alone do not cause`,
      },
    ];
  };
  const cpuBudget =
    go === undefined
      ? Number.NaN
      : 0.6 *
        rateOf(go) *
        ((r.shipped.cpuSeconds + r.shipped.serverCpuSeconds) / r.shipped.messages);
  return [
    {
      bench,
      name: `bin/elava scan as shipped, ${n} sample resources: msgs/s`,
      value: shippedRate,
      unit: "msgs/s",
      note: `bin/elava scan --provider sample --sample-resources ${r.resources} as a child, the launcher's heap flags, CLI defaults (the sample provider's 4 partitions at once, window ${r.window}); messages / wall time of the whole process, startup included (the scan itself: ${r.shipped.scanSeconds.toFixed(2)} s of ${r.shipped.seconds.toFixed(2)} s); ${common}`,
    },
    {
      bench,
      name: "  shipped / Go nats.go PublishAsync",
      value: ratio(shippedRate, r.go),
      unit: "x",
      target: { direction: "at-least", value: 0.6 },
      ...(go === undefined ? { note: `Go reference not measured: ${why(r.go)}` } : {}),
    },
    {
      bench,
      name: "  shipped / nats.js js.publish",
      value: ratio(shippedRate, r.natsJs),
      unit: "x",
    },
    {
      bench,
      name: "  shipped / Elava publisher on pre-encoded messages",
      value: ratio(shippedRate, r.raw),
      unit: "x",
      note: "what generating and encoding cost on top of publishing, with the heap flags and startup",
    },
    ...heapRows("shipped", r.shipped, r.shippedWorst, true),
    ...budgetRows("shipped", r.shipped, r.budgets?.shipped),
    ...(r.shippedEventLoop === undefined
      ? []
      : [
          {
            bench,
            name: "  shipped: event-loop delay during the scan, max",
            value: r.shippedEventLoop.maxMs,
            unit: "ms",
            target: { direction: "at-most", value: 100 } as const,
            note: `the worst of the ${r.rounds} shipped scans, from their summary lines (perf_hooks.monitorEventLoopDelay, 10 ms resolution); p99 ${r.shippedEventLoop.p99Ms.toFixed(1)} ms; a busy machine adds its own scheduling delay`,
          },
        ]),
    {
      bench,
      name: "  cores 0.6x Go would need at the shipped costs",
      value: cpuBudget,
      unit: "cores",
      note: `0.6 x Go's rate x (the shipped process's CPU + nats-server's CPU) per message; this machine has ${r.cores}`,
    },
    {
      bench,
      name: `bin/elava scan, Node's default heap: msgs/s`,
      value: defaultRate,
      unit: "msgs/s",
      note: `the same child with NODE_OPTIONS=${DEFAULT_HEAP_NODE_OPTIONS}, which replaces the launcher's heap flags (the young generation keeps Node's default); for comparison`,
    },
    {
      bench,
      name: "  default heap / Go",
      value: ratio(defaultRate, r.go),
      unit: "x",
    },
    ...heapRows("default heap", r.defaultHeap, r.defaultHeapWorst, false),
    ...budgetRows("default heap", r.defaultHeap, r.budgets?.defaultHeap),
    ...referenceRows(
      `Go nats.go PublishAsync, window ${r.window}: msgs/s`,
      r.go,
      `bench/go-reference, ${r.goVersion ?? "go"}, the same pre-encoded messages, PublishAsyncMaxPending(${r.window}), every ack awaited`,
    ),
    ...referenceRows(
      `nats.js js.publish, window ${r.window}: msgs/s`,
      r.natsJs,
      `@nats-io/jetstream js.publish from bench/publish-reference.ts, at most ${r.window} promises in flight, refilled in batches`,
    ),
    ...referenceRows(
      `Elava publisher, pre-encoded (raw): msgs/s`,
      r.raw,
      "JetStreamPublisher + publishAll with its defaults from bench/publish-reference.ts",
    ),
    {
      bench,
      name: "  raw / Go",
      value: raw === undefined ? Number.NaN : ratio(rateOf(raw), r.go),
      unit: "x",
    },
    {
      bench,
      name: "  nats.js / Go",
      value: natsJs === undefined ? Number.NaN : ratio(rateOf(natsJs), r.go),
      unit: "x",
    },
  ];
}

/** Keeps the faster of two runs. */
function faster<T extends { messages: number; seconds: number }>(best: T | undefined, run: T): T {
  return best === undefined || rateOf(run) > rateOf(best) ? run : best;
}

/** Runs the publish bench and returns its figures. */
export async function benchPublish(options: PublishBenchOptions): Promise<Figure[]> {
  const { resources, rounds, log } = options;
  const window = DEFAULT_PUBLISHER_OPTIONS.window;
  const dir = await mkdtemp(join(tmpdir(), "elava-bench-publish-"));
  const session = await openBenchSession("publish");
  try {
    const buildFailed = buildDist();
    if (buildFailed !== undefined) {
      log(`publish: npm run build failed; bin/elava runs the sources through tsx:\n${buildFailed}`);
    }
    const file = join(dir, "messages.bin");
    log(
      `publish: encoding the sample scan of ${resources.toLocaleString("en-US")} resources into ${file} (not timed)`,
    );
    const summary = await writeSampleScanMessages(file, resources, session.stream.subjectPrefix);
    log(
      `publish: ${summary.snapshots} snapshots + ${summary.markers} markers, ${(summary.bytes / 2 ** 20).toFixed(1)} MiB of subjects, headers and payloads`,
    );

    const goBuild = buildGoReference(dir, log);
    if ("unavailable" in goBuild)
      log(`publish: the Go reference is not measured: ${goBuild.unavailable}`);
    else log(`publish: Go reference built with ${goBuild.version}`);

    const url = session.server.url;
    const pid = session.server.pid;
    const input = { file, url, window };
    const references: Record<
      "go" | "natsJs" | "raw",
      { command?: ReferenceCommand; best?: ReferenceRun; unavailable?: string }
    > = {
      go:
        "unavailable" in goBuild
          ? { unavailable: goBuild.unavailable }
          : { command: goReferenceCommand(goBuild.binary, input) },
      natsJs: { command: jsReferenceCommand("nats.js", input) },
      raw: { command: jsReferenceCommand("elava", input) },
    };
    const shippedScan = async (nodeOptions: string) => {
      await session.resetStream();
      const run = await runShippedScan({
        resources,
        natsUrl: url,
        serverPid: pid,
        nodeOptions,
        dir,
      });
      if (run.messages !== summary.messages) {
        throw new Error(
          `the scan published ${run.messages} messages but the pre-encoded scan has ${summary.messages}: the contenders would not publish the same messages`,
        );
      }
      return run;
    };
    const describe = (run: { messages: number; seconds: number; cpuSeconds: number }) =>
      `${Math.round(rateOf(run))} msgs/s (${run.seconds.toFixed(2)} s, ${((run.cpuSeconds / run.messages) * 1e6).toFixed(1)} µs CPU per message)`;

    let shipped: ShippedRun | undefined;
    let defaultHeap: ShippedRun | undefined;
    const shippedWorst = { peakKiB: 0, gcShare: 0 };
    let shippedEventLoop: EventLoopDelay | undefined;
    const defaultHeapWorst = { peakKiB: 0, gcShare: 0 };
    const worse = (w: { peakKiB: number; gcShare: number }, run: ShippedRun) => {
      w.peakKiB = Math.max(w.peakKiB, run.peakKiB);
      w.gcShare = Math.max(w.gcShare, gcShare(run));
    };
    // The server warmed first, unmeasured: the first contender of round 1 otherwise meets
    // a server that has never stored anything (its heap, its file store) and pays for it.
    const warmUp = references.raw.command;
    if (warmUp !== undefined) {
      await session.resetStream();
      const w = await runReferenceChild(warmUp, pid);
      log(`publish: warm-up (not measured): raw ${describe(w)}`);
    }
    for (let round = 1; round <= rounds; round++) {
      const s = await shippedScan("");
      log(
        `publish: round ${round}: shipped ${describe(s)}, peak ${(s.peakKiB / 1024).toFixed(1)} MiB, GC ${gcShare(s).toFixed(1)}% of CPU`,
      );
      shipped = faster(shipped, s);
      worse(shippedWorst, s);
      if (s.eventLoopDelay !== undefined) {
        shippedEventLoop = worseDelay(shippedEventLoop, s.eventLoopDelay);
      }
      for (const [name, ref] of Object.entries(references)) {
        if (ref.command === undefined) continue;
        await session.resetStream();
        try {
          const run = await runReferenceChild(ref.command, pid);
          if (run.messages !== summary.messages) {
            throw new Error(
              `it read ${run.messages} messages from the file, which holds ${summary.messages}`,
            );
          }
          log(`publish: round ${round}: ${name} ${describe(run)}`);
          ref.best = faster(ref.best, run);
        } catch (err) {
          ref.unavailable = `it failed: ${(err as Error).message}`;
          delete ref.command;
          log(
            `publish: round ${round}: ${name} failed, and is not measured again: ${(err as Error).message}`,
          );
        }
      }
      const d = await shippedScan(DEFAULT_HEAP_NODE_OPTIONS);
      log(
        `publish: round ${round}: default heap ${describe(d)}, peak ${(d.peakKiB / 1024).toFixed(1)} MiB, GC ${gcShare(d).toFixed(1)}% of CPU`,
      );
      defaultHeap = faster(defaultHeap, d);
      worse(defaultHeapWorst, d);
    }
    if (shipped === undefined || defaultHeap === undefined)
      throw new Error("publish: no rounds ran");
    let budgets: PublishResults["budgets"];
    try {
      const flags = shippedScanFlags();
      log(
        `publish: the parts' CPU per event alone, with ${flags.join(" ")} and with Node's defaults`,
      );
      budgets = {
        flags,
        shipped: measurePartsChild(flags, BUDGET_RESOURCES),
        defaultHeap: measurePartsChild([DEFAULT_HEAP_NODE_OPTIONS], BUDGET_RESOURCES),
      };
      log(`publish: parts, shipped flags: ${JSON.stringify(budgets.shipped)}`);
      log(`publish: parts, default heap: ${JSON.stringify(budgets.defaultHeap)}`);
    } catch (err) {
      log(`publish: the parts could not be measured: ${(err as Error).message}`);
    }
    const result = (ref: {
      best?: ReferenceRun;
      unavailable?: string;
    }): ReferenceRun | NotMeasured =>
      ref.best ?? { unavailable: ref.unavailable ?? "no round ran" };
    return publishFigures({
      resources,
      rounds,
      window,
      cores: cpus().length,
      shipped,
      shippedWorst,
      ...(shippedEventLoop !== undefined ? { shippedEventLoop } : {}),
      defaultHeap,
      defaultHeapWorst,
      go: result(references.go),
      natsJs: result(references.natsJs),
      raw: result(references.raw),
      ...("unavailable" in goBuild ? {} : { goVersion: goBuild.version }),
      ...(budgets !== undefined ? { budgets } : {}),
    });
  } finally {
    await session.close();
    await rm(dir, { recursive: true, force: true });
  }
}
