/**
 * Readiness of the daemon: connected to NATS, and the last scan finished within two
 * intervals. Before the first scan has finished the process start stands in for it, so
 * a freshly started daemon is ready while its first scan runs, and one whose scans hang
 * or keep failing to finish becomes unready after two intervals.
 */

/** The answer of `/readyz`. */
export interface ReadinessState {
  readonly ready: boolean;
  /** Why not ready; empty when ready. */
  readonly reasons: readonly string[];
}

/** Tracks what readiness depends on. */
export class Readiness {
  #natsConnected = false;
  #lastScanFinished: number | undefined;
  readonly #startedAt: number;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now();
  }

  /** The NATS connection went up or down. */
  natsConnected(connected: boolean): void {
    this.#natsConnected = connected;
  }

  /** A scan finished (whatever its partitions' status). */
  scanFinished(at: number = this.now()): void {
    this.#lastScanFinished = at;
  }

  check(): ReadinessState {
    const reasons: string[] = [];
    if (!this.#natsConnected) reasons.push("not connected to NATS");
    const since = this.#lastScanFinished ?? this.#startedAt;
    const age = this.now() - since;
    if (age > 2 * this.intervalMs) {
      reasons.push(
        this.#lastScanFinished === undefined
          ? `no scan has finished in the ${Math.round(age / 1000)}s since start (two intervals are ${Math.round((2 * this.intervalMs) / 1000)}s)`
          : `the last scan finished ${Math.round(age / 1000)}s ago, more than two intervals (${Math.round((2 * this.intervalMs) / 1000)}s)`,
      );
    }
    return { ready: reasons.length === 0, reasons };
  }
}
