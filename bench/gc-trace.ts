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
 * V8 times these scopes with a wall clock, so on a busy machine a background scope also
 * counts time its thread waited for a core, and the sum of the background scopes can
 * exceed the CPU time V8's worker threads actually had. Those threads' CPU time (read from
 * /proc) is the other upper bound: it also holds the JIT compiler's background jobs. The
 * GC's CPU is taken as the main thread's GC time plus the smaller of the two, an upper
 * bound (`gcCpuSeconds`). Lines that are not NVP trace lines (the process's own stdout)
 * are skipped.
 */

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
 * The GC's CPU seconds: main-thread GC time, plus background GC time bounded by the CPU
 * time of V8's worker threads (`workerCpuSeconds`, NaN when unknown).
 */
export function gcCpuSeconds(gc: GcTotals, workerCpuSeconds: number): number {
  const background = gc.backgroundMs / 1000;
  return (
    gc.mainThreadMs / 1000 +
    (Number.isNaN(workerCpuSeconds) ? background : Math.min(background, workerCpuSeconds))
  );
}
