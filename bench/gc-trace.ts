/**
 * The garbage collector's time in a Node process, from V8's `--trace-gc-nvp` output: one
 * line of name=value pairs per collection. Summed over a run:
 *
 * - main thread: `pause` of every collection (scavenges `gc=s`, minor mark-sweeps
 *   `gc=ms`, mark-compacts `gc=mc`), plus `incremental` of each mark-compact, the
 *   incremental marking steps the main thread took between allocations before it;
 * - background: every `background.*` scope (parallel scavenging, concurrent marking,
 *   sweeping, evacuation on V8's worker threads).
 *
 * V8 times these scopes with a wall clock, so on a busy machine they also count the time
 * their thread was runnable but waited for a core: with two cores and a load of eight, a
 * pause's wall time can be four times its CPU time. `gcCpuSeconds` turns them into CPU
 * time with what the kernel says about the threads (gc-trace's sums times the share of
 * their runnable time the threads ran, from /proc/<pid>/task/<tid>/schedstat). Lines that
 * are not NVP trace lines (the process's own stdout) are skipped.
 */
import { onCpuShare, type ThreadTimes } from "./cpu.ts";

/** Garbage collection over a run, in milliseconds. */
export interface GcTotals {
  readonly collections: number;
  /** Mark-compacts among them (full collections of the old generation). */
  readonly markCompacts: number;
  /** Pauses plus incremental marking steps: GC time on the main thread. */
  readonly mainThreadMs: number;
  /** GC work on V8's background threads. */
  readonly backgroundMs: number;
}

const PAIR = /([A-Za-z_][\w.]*)=([-\d.]+)/gu;

/** Sums the GC time of a `--trace-gc-nvp` output. */
export function parseGcTrace(text: string): GcTotals {
  let collections = 0;
  let markCompacts = 0;
  let mainThreadMs = 0;
  let backgroundMs = 0;
  for (const line of text.split("\n")) {
    const kind = / gc=(\w+) /u.exec(line)?.[1];
    if (kind === undefined || !line.includes(" pause=")) continue;
    collections += 1;
    if (kind === "mc") markCompacts += 1;
    for (const [, name, value] of line.matchAll(PAIR)) {
      const ms = Number(value);
      if (!Number.isFinite(ms)) continue;
      if (name === "pause" || (name === "incremental" && kind === "mc")) mainThreadMs += ms;
      else if (name?.startsWith("background.")) backgroundMs += ms;
    }
  }
  return { collections, markCompacts, mainThreadMs, backgroundMs };
}

/**
 * The GC's CPU seconds, from the trace's wall-clock sums and what the threads did (read
 * from /proc): each sum times the share of their runnable time the threads it ran on
 * actually ran (so a collection that waited for a core as long as it ran counts half), the
 * background part at most the CPU time of V8's worker threads.
 */
export function gcCpuSeconds(
  gc: GcTotals,
  mainThread: ThreadTimes | undefined,
  workers: ThreadTimes | undefined,
): number {
  const background = (gc.backgroundMs / 1000) * onCpuShare(workers);
  return (
    (gc.mainThreadMs / 1000) * onCpuShare(mainThread) +
    (workers === undefined ? background : Math.min(background, workers.cpu))
  );
}
