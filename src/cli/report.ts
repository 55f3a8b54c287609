/**
 * What a scan shows while it runs and when it ends. On a terminal: a live progress line
 * on stderr (partitions done of those planned, snapshots published, events/s, elapsed
 * time and an estimate of the time left) and, at the end, a table per resource type on
 * stdout. Otherwise (pipes, containers): JSON lines on stderr, one per partition and one
 * per scan, for a log collector to parse.
 *
 * The progress line is redrawn in place; anything else written to stderr meanwhile (a
 * log line, a FAILED partition) would land in the middle of it, so while the line is
 * shown the reporter erases it before any other write to stderr, and draws it again on
 * its next tick.
 */
import { type PartitionKey, partitionId } from "../contract/subject.ts";
import type { Output } from "./command.ts";
import type { Logger } from "./log.ts";

/** A finished partition, as the scanner reports it. */
export interface PartitionEnd {
  readonly partition: PartitionKey;
  readonly status: "OK" | "FAILED" | "INTERRUPTED";
  readonly reason?: string | undefined;
  readonly error?: string | undefined;
  readonly resourceCount: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** What the stream holds of the partition's marker (see the scanner). */
  readonly marker: "stored" | "unconfirmed" | "none";
}

/** The summary of a finished scan. */
export interface ScanSummary {
  readonly scanId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly published: number;
  readonly interrupted: boolean;
  /** Why JetStream became unavailable, when it did. */
  readonly unavailable?: string | undefined;
  /** The stream limit that stopped the scan, when one did. */
  readonly streamLimit?: string | undefined;
}

interface TypeRow {
  resources: number;
  ok: number;
  failed: number;
  interrupted: number;
  /** The longest partition of the type, in milliseconds. */
  ms: number;
}

/** Partitions of a scan by outcome. */
export interface ScanTotals {
  ok: number;
  failed: number;
  interrupted: number;
  /** Markers sent whose acknowledgement never came. */
  unconfirmed: number;
}

const ERASE = "\r\u001b[K";

/** `90` -> `1m30s`. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Collects a scan's progress and writes it (see the module comment). */
export class ScanReporter {
  #planned: number | undefined;
  #done = 0;
  #published = 0;
  readonly #startedAt = Date.now();
  readonly #rows = new Map<string, TypeRow>();
  readonly #totals: ScanTotals = { ok: 0, failed: 0, interrupted: 0, unconfirmed: 0 };
  #timer: NodeJS.Timeout | undefined;
  /** The progress line is on the screen. */
  #shown = false;
  #restoreStderr: (() => void) | undefined;

  constructor(
    private readonly out: { stdout: Output; stderr: Output; isTTY: boolean },
    private readonly log: Logger,
  ) {
    if (out.isTTY) {
      this.#timer = setInterval(() => this.#draw(), 250);
      this.#timer.unref();
      const stderr = out.stderr;
      const write = stderr.write;
      // Every argument passes through: process.stderr.write also takes an encoding and a callback.
      stderr.write = (...args: Parameters<Output["write"]>) => {
        this.#erase(write.bind(stderr));
        return write.apply(stderr, args);
      };
      this.#restoreStderr = () => {
        stderr.write = write;
      };
    }
  }

  /** How many partitions the scan will report. */
  planned(count: number): void {
    this.#planned = count;
  }

  published(n: number): void {
    this.#published += n;
  }

  /** The shutdown began: say so, on a line of its own. */
  stopping(graceMs: number): void {
    const text = `stopping: no new partition starts; running ones get up to ${clock(graceMs / 1000)} to finish, then get no marker`;
    if (this.out.isTTY) this.out.stderr.write(`${text}\n`);
    else this.log.warn("stopping the scan", { grace_s: graceMs / 1000 });
  }

  partitionFinished(p: PartitionEnd): void {
    this.#done += 1;
    const type = p.partition.resourceType;
    const row = this.#rows.get(type) ?? { resources: 0, ok: 0, failed: 0, interrupted: 0, ms: 0 };
    row.resources += p.resourceCount;
    if (p.status === "OK") row.ok += 1;
    else if (p.status === "FAILED") row.failed += 1;
    else row.interrupted += 1;
    row.ms = Math.max(row.ms, p.finishedAt.getTime() - p.startedAt.getTime());
    this.#rows.set(type, row);
    if (p.status === "OK") this.#totals.ok += 1;
    else if (p.status === "FAILED") this.#totals.failed += 1;
    else this.#totals.interrupted += 1;
    if (p.marker === "unconfirmed") this.#totals.unconfirmed += 1;
    const fields = {
      partition: partitionId(p.partition),
      resource_type: type,
      account_id: p.partition.accountId,
      region: p.partition.region,
      status: p.status,
      marker: p.marker,
      resources: p.resourceCount,
      duration_ms: p.finishedAt.getTime() - p.startedAt.getTime(),
      ...(p.reason ? { reason: p.reason } : {}),
      ...(p.error ? { error: p.error } : {}),
    };
    if (this.out.isTTY) {
      if (p.status === "FAILED") {
        this.out.stderr.write(
          `FAILED ${fields.partition}${p.marker === "stored" ? "" : ` (marker ${p.marker})`}: ${p.error ?? p.reason ?? ""}\n`,
        );
      } else if (p.marker === "unconfirmed") {
        this.out.stderr.write(`${p.status} ${fields.partition}, marker unconfirmed: ${p.error}\n`);
      }
    } else if (p.status === "FAILED") {
      this.log.warn("partition failed", fields);
    } else if (p.status === "INTERRUPTED") {
      this.log.info("partition interrupted", fields);
    } else if (p.marker === "unconfirmed") {
      this.log.warn("partition scanned, marker unconfirmed", fields);
    } else {
      this.log.info("partition scanned", fields);
    }
  }

  /** Stops the progress line and gives stderr back, without a summary (the scan threw). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    const restore = this.#restoreStderr;
    this.#restoreStderr = undefined;
    restore?.();
    this.#erase((s) => this.out.stderr.write(s));
  }

  /** Ends the progress line and writes the table or the scan log line. */
  finish(s: ScanSummary, extra: Readonly<Record<string, unknown>> = {}): void {
    this.close();
    const totals = { ...this.#totals };
    const seconds = (s.finishedAt.getTime() - s.startedAt.getTime()) / 1000;
    if (!this.out.isTTY) {
      const fields = {
        scan_id: s.scanId,
        duration_s: seconds,
        published: s.published,
        partitions_ok: totals.ok,
        partitions_failed: totals.failed,
        partitions_interrupted: totals.interrupted,
        markers_unconfirmed: totals.unconfirmed,
        interrupted: s.interrupted,
        ...(s.unavailable !== undefined
          ? { error: `JetStream is unavailable: ${s.unavailable}` }
          : {}),
        ...(s.streamLimit !== undefined ? { error: s.streamLimit } : {}),
        ...extra,
      };
      if (s.streamLimit !== undefined)
        this.log.error("scan stopped by the stream's limits", fields);
      else if (s.unavailable !== undefined)
        this.log.error("scan ended: JetStream unavailable", fields);
      else if (s.interrupted) this.log.warn("scan interrupted", fields);
      else if (totals.failed > 0) this.log.warn("scan finished with FAILED partitions", fields);
      else this.log.info("scan finished", fields);
      return;
    }
    this.out.stdout.write(this.table(s, seconds, totals));
  }

  /** The per-type table printed at the end of a scan on a terminal. */
  table(s: ScanSummary, seconds: number, totals: ScanTotals): string {
    const head = [
      "resource type",
      "resources",
      "partitions OK",
      "FAILED",
      "interrupted",
      "slowest partition",
    ];
    const body = [...this.#rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, r]) => [
        type,
        String(r.resources),
        String(r.ok),
        String(r.failed),
        String(r.interrupted),
        `${(r.ms / 1000).toFixed(1)}s`,
      ]);
    const widths = head.map((h, i) =>
      Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)),
    );
    const line = (row: string[]) =>
      row
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join("  ");
    const outcome = [
      `${totals.ok} partitions OK`,
      ...(totals.failed > 0 ? [`${totals.failed} FAILED`] : []),
      ...(totals.interrupted > 0 ? [`${totals.interrupted} interrupted (no marker)`] : []),
      ...(totals.unconfirmed > 0 ? [`${totals.unconfirmed} marker(s) unconfirmed`] : []),
    ].join(", ");
    const why =
      s.streamLimit !== undefined
        ? [`stopped: ${s.streamLimit}`]
        : s.unavailable !== undefined
          ? [`ended: JetStream is unavailable: ${s.unavailable}`]
          : [];
    return `${[
      line(head),
      ...body.map(line),
      "",
      `scan ${s.scanId}${s.interrupted ? " (interrupted)" : ""}: ${s.published} snapshots in ${seconds.toFixed(1)}s; ${outcome}`,
      ...why,
    ].join("\n")}\n`;
  }

  #erase(write: (s: string) => unknown): void {
    if (!this.#shown) return;
    this.#shown = false;
    write(ERASE);
  }

  /** The progress line: partitions done of planned, snapshots, rate, elapsed, time left. */
  progressLine(now: number = Date.now()): string {
    const seconds = Math.max((now - this.#startedAt) / 1000, 0.001);
    const rate = Math.round(this.#published / seconds);
    const planned = this.#planned;
    const parts = [
      planned === undefined ? "discovering partitions" : `partitions ${this.#done}/${planned} done`,
      `${this.#published} snapshots`,
      `${rate}/s`,
      `elapsed ${clock(seconds)}`,
    ];
    if (planned !== undefined && this.#done > 0 && this.#done < planned) {
      parts.push(`about ${clock((seconds * (planned - this.#done)) / this.#done)} left`);
    }
    return parts.join("  ");
  }

  #draw(): void {
    const line = this.progressLine();
    const stderr = this.out.stderr;
    this.#shown = false;
    // Through the wrapper: it erases the previous line first.
    stderr.write(`${ERASE}${line}`);
    this.#shown = true;
  }
}
