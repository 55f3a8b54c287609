/**
 * Prometheus metrics, all prefixed `elava_`, in a registry of our own (not prom-client's
 * global one, so tests and several scans in one process do not collide). The scan
 * session feeds them from the scanner's observer, the publisher's acknowledgements and
 * the provider's per-operation call counts; `/metrics` serves them.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ResourceType } from "../contract/resource-types.ts";

/** What a finished partition reports to the metrics. */
export interface PartitionMetric {
  readonly resourceType: ResourceType;
  readonly status: "OK" | "FAILED" | "INTERRUPTED";
  /** The failure reason when FAILED; empty otherwise. */
  readonly reason: string;
  readonly resourceCount: number;
}

/** The metrics of one process. */
export class ElavaMetrics {
  /** The registry `/metrics` serves. */
  readonly registry = new Registry();
  readonly #scanDuration = new Histogram({
    name: "elava_scan_duration_seconds",
    help: "Duration of a scan, from its start to its last marker",
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers: [this.registry],
  });
  readonly #scans = new Counter({
    name: "elava_scans_total",
    help: "Scans finished, by result (ok: every partition OK; failed: any FAILED; interrupted)",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly #lastScanFinished = new Gauge({
    name: "elava_last_scan_finished_timestamp_seconds",
    help: "Unix time the last scan finished",
    registers: [this.registry],
  });
  readonly #resources = new Gauge({
    name: "elava_resources",
    help: "Resources published by the last scan, per resource type",
    labelNames: ["resource_type"],
    registers: [this.registry],
  });
  readonly #published = new Counter({
    name: "elava_snapshots_published_total",
    help: "Snapshots acknowledged by JetStream (markers are not counted)",
    registers: [this.registry],
  });
  readonly #partitions = new Counter({
    name: "elava_partitions_total",
    help: "Partitions scanned, by status and failure reason",
    labelNames: ["resource_type", "status", "reason"],
    registers: [this.registry],
  });
  readonly #lastPartitions = new Gauge({
    name: "elava_last_scan_partitions",
    help: "Partitions of the last scan, by status and failure reason",
    labelNames: ["status", "reason"],
    registers: [this.registry],
  });
  readonly #publishLatency = new Histogram({
    name: "elava_publish_latency_seconds",
    help: "Time from publishing a message (snapshot or marker) to its JetStream acknowledgement",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly #publishFailures = new Counter({
    name: "elava_publish_failures_total",
    help: "Messages (snapshots or markers) not known to be stored, by kind: too_large, rejected, not_acknowledged, unavailable, abandoned",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly #apiCalls = new Counter({
    name: "elava_aws_api_calls_total",
    help: "AWS API calls, by operation (service:Operation)",
    labelNames: ["operation"],
    registers: [this.registry],
  });
  readonly #throttles = new Counter({
    name: "elava_aws_throttles_total",
    help: "Throttled AWS API attempts, by operation",
    labelNames: ["operation"],
    registers: [this.registry],
  });
  readonly #natsConnected = new Gauge({
    name: "elava_nats_connected",
    help: "1 while connected to NATS",
    registers: [this.registry],
  });
  readonly #scanRunning = new Gauge({
    name: "elava_scan_running",
    help: "1 while a scan is running",
    registers: [this.registry],
  });
  #lastApiCalls = new Map<string, number>();
  #lastThrottles = new Map<string, number>();
  #scanPartitions = new Map<string, number>();
  #scanResources = new Map<string, number>();

  /** A scan started. */
  scanStarted(): void {
    this.#scanRunning.set(1);
    this.#scanPartitions = new Map();
    this.#scanResources = new Map();
  }

  /** A partition finished (with or without a marker). */
  partitionFinished(p: PartitionMetric): void {
    this.#partitions.inc({ resource_type: p.resourceType, status: p.status, reason: p.reason });
    const key = `${p.status}\u0000${p.reason}`;
    this.#scanPartitions.set(key, (this.#scanPartitions.get(key) ?? 0) + 1);
    this.#scanResources.set(
      p.resourceType,
      (this.#scanResources.get(p.resourceType) ?? 0) + p.resourceCount,
    );
  }

  /** A scan ended, or failed before its partitions ran: its duration and result, and the per-scan gauges. */
  scanFinished(
    durationSeconds: number,
    result: "ok" | "failed" | "interrupted",
    at: Date = new Date(),
  ): void {
    this.#scanRunning.set(0);
    this.#scanDuration.observe(durationSeconds);
    this.#scans.inc({ result });
    this.#lastScanFinished.set(at.getTime() / 1000);
    if (result === "interrupted") return;
    this.#lastPartitions.reset();
    for (const [key, n] of this.#scanPartitions) {
      const [status = "", reason = ""] = key.split("\u0000");
      this.#lastPartitions.set({ status, reason }, n);
    }
    this.#resources.reset();
    for (const [type, n] of this.#scanResources) this.#resources.set({ resource_type: type }, n);
  }

  /** A message (snapshot or marker) was acknowledged, `latencySeconds` after it was published. */
  acknowledged(latencySeconds: number): void {
    this.#publishLatency.observe(latencySeconds);
  }

  /** `count` more snapshots were acknowledged. */
  snapshotsPublished(count: number): void {
    this.#published.inc(count);
  }

  /** A message was not stored. */
  publishFailed(kind: string): void {
    this.#publishFailures.inc({ kind });
  }

  /** The provider's cumulative per-operation counts; the counters grow by the difference. */
  apiCalls(calls: ReadonlyMap<string, number>, throttles?: ReadonlyMap<string, number>): void {
    this.#lastApiCalls = addDelta(this.#apiCalls, calls, this.#lastApiCalls);
    if (throttles) this.#lastThrottles = addDelta(this.#throttles, throttles, this.#lastThrottles);
  }

  /** The provider was replaced: its counts start again from zero. */
  resetApiBaseline(): void {
    this.#lastApiCalls = new Map();
    this.#lastThrottles = new Map();
  }

  natsConnected(connected: boolean): void {
    this.#natsConnected.set(connected ? 1 : 0);
  }

  /** The text of `/metrics`. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function addDelta(
  counter: Counter<"operation">,
  now: ReadonlyMap<string, number>,
  before: ReadonlyMap<string, number>,
): Map<string, number> {
  for (const [operation, n] of now) {
    const delta = n - (before.get(operation) ?? 0);
    if (delta > 0) counter.inc({ operation }, delta);
  }
  return new Map(now);
}
