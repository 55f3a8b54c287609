/**
 * `bin/elava scan --provider sample` run as a child exactly as users run it: the launcher
 * picks Node and the command's heap flags, and runs the compiled dist/ (built first, as
 * `npm ci` builds it and as the image holds it). Measured from outside: wall time of the
 * whole process (startup included), its CPU time (every thread, from the kernel's account
 * of reaped children), its peak RSS (VmHWM), the nats-server's CPU over the same time, and
 * the garbage collector's share.
 *
 * The GC's time comes from V8's `--trace-gc-nvp` (gc-trace.ts). Node refuses that flag in
 * NODE_OPTIONS, and the launcher passes its arguments to the CLI, so the child's Node is a
 * two-line wrapper (`ELAVA_NODE`, which the launcher honours) that execs the same Node with
 * the flag added: the same process, the same heap flags, one more flag that only prints.
 * The trace goes to a file, so the bench reads nothing while the child runs.
 */
import { execFileSync } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { processCpuSeconds, type ThreadTimes } from "./cpu.ts";
import type { EventLoopDelay } from "./event-loop.ts";
import { type GcTotals, gcCpuSeconds, parseGcTrace } from "./gc-trace.ts";
import { measurePeakRss } from "./peak-rss.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The names Node gives its JavaScript thread and V8's platform threads (background GC, JIT). */
const MAIN_THREAD = "MainThread";
const V8_WORKER_THREAD = "V8Worker";

/** Runs `npm run build`; undefined when it succeeds, else what it printed. */
export function buildDist(): string | undefined {
  try {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "pipe" });
    return undefined;
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? "";
    return out.slice(0, 2000) || (err as Error).message;
  }
}

/** One run of the shipped scan. */
export interface ShippedRun {
  /** Snapshots and markers published. */
  readonly messages: number;
  readonly snapshots: number;
  /** Wall time of the whole process. */
  readonly seconds: number;
  /** The scan's own duration, from its summary line (no startup, no connect). */
  readonly scanSeconds: number;
  readonly cpuSeconds: number;
  readonly serverCpuSeconds: number;
  readonly peakKiB: number;
  readonly gc: GcTotals;
  /** The main thread's CPU time and run-queue wait; undefined when unread. */
  readonly mainThread: ThreadTimes | undefined;
  /** V8's worker threads' (background GC and JIT compiling); undefined when unread. */
  readonly v8Workers: ThreadTimes | undefined;
  /** The GC's CPU time, from its trace and the threads' (gc-trace.ts). */
  readonly gcCpuSeconds: number;
  /** How long the event loop waited during the scan, from its summary line. */
  readonly eventLoopDelay?: EventLoopDelay;
}

/**
 * Runs `bin/elava scan --provider sample --sample-resources N` against `natsUrl`, with
 * `nodeOptions` as NODE_OPTIONS ("" for the shipped settings), and measures it.
 */
export async function runShippedScan(options: {
  resources: number;
  natsUrl: string;
  serverPid: number | undefined;
  nodeOptions: string;
  /** A directory for the Node wrapper and the GC trace. */
  dir: string;
}): Promise<ShippedRun> {
  const wrapper = join(options.dir, "node-trace-gc");
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" --trace-gc-nvp "$@"\n`, {
    mode: 0o755,
  });
  const tracePath = join(options.dir, "gc-trace.txt");
  const trace = openSync(tracePath, "w");
  const server0 = processCpuSeconds(options.serverPid);
  let run: Awaited<ReturnType<typeof measurePeakRss>>;
  try {
    run = await measurePeakRss(
      `${ROOT}bin/elava`,
      [
        "scan",
        "--provider",
        "sample",
        "--sample-resources",
        String(options.resources),
        "--nats-url",
        options.natsUrl,
      ],
      {
        env: { ...process.env, ELAVA_NODE: wrapper, NODE_OPTIONS: options.nodeOptions },
        stdout: trace,
      },
    );
  } finally {
    closeSync(trace);
  }
  const serverCpuSeconds = processCpuSeconds(options.serverPid) - server0;
  const summary = parseScanSummary(run.stderrTail);
  if (run.exitCode !== 0 || summary === undefined || summary.partitionsFailed > 0) {
    throw new Error(
      `bin/elava scan (NODE_OPTIONS="${options.nodeOptions}") exited with ${run.exitCode ?? run.signal}${summary === undefined ? " without its summary" : `, ${summary.partitionsFailed} partition(s) FAILED`}; its last lines:\n${run.stderrTail.join("\n")}`,
    );
  }
  const gc = parseGcTrace(readFileSync(tracePath, "utf8"));
  const mainThread = run.threads.get(MAIN_THREAD);
  const v8Workers = run.threads.get(V8_WORKER_THREAD);
  return {
    messages: summary.published + summary.partitionsOk,
    snapshots: summary.published,
    seconds: run.seconds,
    scanSeconds: summary.durationSeconds,
    cpuSeconds: run.cpuSeconds,
    serverCpuSeconds,
    peakKiB: run.peakKiB,
    gc,
    mainThread,
    v8Workers,
    gcCpuSeconds: gcCpuSeconds(gc, mainThread, v8Workers),
    ...(summary.eventLoopDelay !== undefined ? { eventLoopDelay: summary.eventLoopDelay } : {}),
  };
}

/** The fields of the scan's final JSON log line that the bench reads. */
export interface ScanSummaryLine {
  readonly published: number;
  readonly partitionsOk: number;
  readonly partitionsFailed: number;
  /** The scan's `duration_s`; NaN when the line has none. */
  readonly durationSeconds: number;
  /** `event_loop_delay_p99_ms` and `_max_ms`, when the line has them. */
  readonly eventLoopDelay?: EventLoopDelay;
}

/** Finds the scan's summary among the last JSON log lines of `elava scan`. */
export function parseScanSummary(lines: readonly string[]): ScanSummaryLine | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(lines[i] ?? "");
    } catch {
      continue;
    }
    const o = parsed as Record<string, unknown>;
    if (typeof o.scan_id === "string" && typeof o.published === "number") {
      return {
        published: o.published,
        partitionsOk: typeof o.partitions_ok === "number" ? o.partitions_ok : 0,
        partitionsFailed: typeof o.partitions_failed === "number" ? o.partitions_failed : 0,
        durationSeconds: typeof o.duration_s === "number" ? o.duration_s : Number.NaN,
        ...(typeof o.event_loop_delay_max_ms === "number" &&
        typeof o.event_loop_delay_p99_ms === "number"
          ? {
              eventLoopDelay: {
                p99Ms: o.event_loop_delay_p99_ms,
                maxMs: o.event_loop_delay_max_ms,
              },
            }
          : {}),
      };
    }
  }
  return undefined;
}
