/**
 * How long the event loop waited while a bench ran: a scan that holds it delays signal
 * handling, timers and `/healthz`. `perf_hooks.monitorEventLoopDelay` samples the delay
 * every RESOLUTION_MS; the p99 and the maximum of those samples are the figures. The
 * shipped scan (a child process) measures itself the same way and reports both in its
 * summary line.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

const RESOLUTION_MS = 10;

/** Event-loop delay over a run, in milliseconds. */
export interface EventLoopDelay {
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Runs `fn` and measures the event-loop delay while it runs. */
export async function measureEventLoop<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; delay: EventLoopDelay }> {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  try {
    const result = await fn();
    return {
      result,
      delay: { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 },
    };
  } finally {
    histogram.disable();
  }
}

/** The worse of two measurements (the larger maximum, with its p99). */
export function worse(a: EventLoopDelay | undefined, b: EventLoopDelay): EventLoopDelay {
  return a === undefined || b.maxMs > a.maxMs ? b : a;
}
