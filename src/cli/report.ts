/**
 * What a scan shows while it runs and when it ends. On a terminal: a live progress line
 * on stderr (partitions done/started, snapshots published, events/s) and, at the end, a
 * table per resource type on stdout. Otherwise (pipes, containers): JSON lines on stderr,
 * one per finished partition and one per scan, for a log collector to parse.
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
}

/** The summary of a finished scan. */
export interface ScanSummary {
  readonly scanId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly published: number;
  readonly interrupted: boolean;
}

interface TypeRow {
  resources: number;
  ok: number;
  failed: number;
  interrupted: number;
  /** The longest partition of the type, in milliseconds. */
  ms: number;
}

/** Collects a scan's progress and writes it (see the module comment). */
export class ScanReporter {
  #started = 0;
  #done = 0;
  #published = 0;
  readonly #startedAt = Date.now();
  readonly #rows = new Map<string, TypeRow>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: { stdout: Output; stderr: Output; isTTY: boolean },
    private readonly log: Logger,
  ) {
    if (out.isTTY) {
      this.#timer = setInterval(() => this.#draw(), 250);
      this.#timer.unref();
    }
  }

  partitionStarted(): void {
    this.#started += 1;
  }

  published(n: number): void {
    this.#published += n;
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
    const fields = {
      partition: partitionId(p.partition),
      resource_type: type,
      account_id: p.partition.accountId,
      region: p.partition.region,
      status: p.status,
      resources: p.resourceCount,
      duration_ms: p.finishedAt.getTime() - p.startedAt.getTime(),
      ...(p.reason ? { reason: p.reason } : {}),
      ...(p.error ? { error: p.error } : {}),
    };
    if (this.out.isTTY) {
      if (p.status === "FAILED") {
        this.#clear();
        this.out.stderr.write(`FAILED ${fields.partition}: ${p.error ?? p.reason ?? ""}\n`);
      }
    } else if (p.status === "FAILED") {
      this.log.warn("partition failed", fields);
    } else {
      this.log.info("partition scanned", fields);
    }
  }

  /** Ends the progress line and writes the table or the scan log line. */
  finish(s: ScanSummary, extra: Readonly<Record<string, unknown>> = {}): void {
    if (this.#timer) clearInterval(this.#timer);
    const totals = [...this.#rows.values()].reduce(
      (a, r) => ({
        ok: a.ok + r.ok,
        failed: a.failed + r.failed,
        interrupted: a.interrupted + r.interrupted,
      }),
      { ok: 0, failed: 0, interrupted: 0 },
    );
    const seconds = (s.finishedAt.getTime() - s.startedAt.getTime()) / 1000;
    if (!this.out.isTTY) {
      const fields = {
        scan_id: s.scanId,
        duration_s: seconds,
        published: s.published,
        partitions_ok: totals.ok,
        partitions_failed: totals.failed,
        partitions_interrupted: totals.interrupted,
        interrupted: s.interrupted,
        ...extra,
      };
      if (s.interrupted) this.log.warn("scan interrupted", fields);
      else if (totals.failed > 0) this.log.warn("scan finished with FAILED partitions", fields);
      else this.log.info("scan finished", fields);
      return;
    }
    this.#clear();
    this.out.stdout.write(this.table(s, seconds, totals));
  }

  /** The per-type table printed at the end of a scan on a terminal. */
  table(
    s: ScanSummary,
    seconds: number,
    totals: { ok: number; failed: number; interrupted: number },
  ): string {
    const head = ["resource type", "resources", "partitions OK", "FAILED", "slowest partition"];
    const body = [...this.#rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, r]) => [
        type,
        String(r.resources),
        String(r.ok),
        String(r.failed + r.interrupted),
        `${(r.ms / 1000).toFixed(1)}s`,
      ]);
    const widths = head.map((h, i) =>
      Math.max(h.length, ...body.map((row) => (row[i] ?? "").length)),
    );
    const line = (row: string[]) =>
      row
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join("  ");
    const status = s.interrupted
      ? "interrupted"
      : totals.failed > 0
        ? `${totals.failed} partition(s) FAILED`
        : "all partitions OK";
    return `${[
      line(head),
      ...body.map(line),
      "",
      `scan ${s.scanId}: ${s.published} snapshots in ${seconds.toFixed(1)}s, ${totals.ok} partitions OK, ${status}`,
    ].join("\n")}\n`;
  }

  #clear(): void {
    if (this.out.isTTY) this.out.stderr.write("\r\u001b[K");
  }

  #draw(): void {
    const seconds = Math.max((Date.now() - this.#startedAt) / 1000, 0.001);
    const rate = Math.round(this.#published / seconds);
    this.out.stderr.write(
      `\r\u001b[Kpartitions ${this.#done}/${this.#started}  published ${this.#published}  ${rate} events/s  ${seconds.toFixed(0)}s`,
    );
  }
}
