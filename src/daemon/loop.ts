/**
 * The daemon's interval loop: a scan at start, then one every interval measured from
 * the previous scan's start. Scans never overlap: a scan that takes longer than the
 * interval delays the next one, which then starts as soon as it finishes (no burst of
 * missed scans). The loop ends when the signal aborts, after the running scan returns.
 */

/** Options of the loop. */
export interface LoopOptions {
  readonly intervalMs: number;
  readonly signal: AbortSignal;
  /** Runs one scan; the loop awaits it before scheduling the next. */
  readonly scan: (cycle: number) => Promise<void>;
  readonly now?: () => number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Runs scans on the interval until the signal aborts; resolves with the number of scans started. */
export async function runLoop(options: LoopOptions): Promise<number> {
  const now = options.now ?? Date.now;
  let cycle = 0;
  while (!options.signal.aborted) {
    const started = now();
    await options.scan(cycle);
    cycle += 1;
    await sleep(started + options.intervalMs - now(), options.signal);
  }
  return cycle;
}
