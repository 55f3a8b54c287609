/**
 * The scanner: the one generic pipeline from a provider to the stream.
 *
 * A scan asks the provider for its units (account x region), expands them into partitions
 * (unit x resource type) and lists up to `concurrency` partitions at once. Each partition
 * streams: every page the provider yields is encoded and handed to the publisher as it
 * comes, and the partition only counts acknowledgements (counters, not a list of
 * promises), so memory is bounded by the publisher's window, never by the scan. Once a
 * partition is listed, waiting for its acks and publishing its marker happen in the
 * background while the next partition is listed: most partitions are small, and two idle
 * round trips each would otherwise dominate a scan.
 *
 * The partition's marker is published only after every one of its snapshots has settled,
 * which is what puts it after them in stream order. It is FAILED, never an empty OK, when
 * anything went wrong: the unit could not be scanned, listing threw, a resource could not
 * be encoded, or a snapshot was not acknowledged. An interrupted partition (the signal
 * aborted while it was listing) gets no marker at all, so consumers see neither "complete"
 * nor "failed" for it, and the next scan's marker speaks for it.
 */
import {
  type EncodedSnapshot,
  encodeMarker,
  encodeSnapshot,
  type OutgoingMessage,
  type PartitionOutcome,
  type ScanContext,
} from "../contract/encode.ts";
import { newScanId } from "../contract/ids.ts";
import { type ResourceType, typesForRegion } from "../contract/resource-types.ts";
import { type PartitionKey, parseSubject, partitionId } from "../contract/subject.ts";
import {
  asPartitionFailure,
  errorMessage,
  type FailureReason,
  PartitionFailure,
} from "../errors.ts";
import type { Provider, Unit } from "../providers/provider.ts";
import type { JetStreamPublisher, OnSettled, PublishOutcome } from "../publisher/publisher.ts";

/** How to run one scan. */
export interface ScanOptions {
  /** Subject prefix, `elava` by default in the CLI. */
  prefix: string;
  /** Partitions scanned at once. */
  concurrency: number;
  /** Only these resource types; all when absent. */
  types?: readonly ResourceType[];
  /** Only the units this accepts (sharding across replicas); all when absent. */
  includeUnit?: (u: Unit) => boolean;
  /** Abort = interrupt: no new partitions start, unfinished ones get no marker. */
  signal: AbortSignal;
  /** The scan id; a new ULID when absent. Reusing one republishes a scan idempotently. */
  scanId?: string;
  /** The clock (tests). */
  now?: () => Date;
}

/** The outcome of one partition. */
export interface PartitionResult {
  partition: PartitionKey;
  status: "OK" | "FAILED" | "INTERRUPTED";
  reason?: FailureReason;
  error?: string;
  /** Snapshots acknowledged by JetStream. */
  resourceCount: number;
  startedAt: Date;
  finishedAt: Date;
}

/** Progress callbacks (logs, metrics). */
export interface ScanObserver {
  onPartitionStart?(p: PartitionKey): void;
  onPartitionEnd?(r: PartitionResult): void;
  /** `count` more snapshots were acknowledged. */
  onPublished?(count: number): void;
}

/** What a scan did. */
export interface ScanReport {
  scanId: string;
  startedAt: Date;
  finishedAt: Date;
  /** The partitions started, in the order they were planned. */
  partitions: PartitionResult[];
  /** Snapshots acknowledged. */
  published: number;
  /** The signal aborted before every partition finished. */
  interrupted: boolean;
  apiCalls?: ReadonlyMap<string, number>;
}

interface PlannedPartition {
  readonly unit: Unit;
  readonly key: PartitionKey;
}

/** The partitions of the units, restricted to `types` when given. */
export function planPartitions(
  units: readonly Unit[],
  types?: readonly ResourceType[],
): PlannedPartition[] {
  const wanted = types === undefined ? undefined : new Set<ResourceType>(types);
  const out: PlannedPartition[] = [];
  for (const unit of units) {
    for (const resourceType of typesForRegion(unit.region)) {
      if (wanted !== undefined && !wanted.has(resourceType)) continue;
      out.push({
        unit,
        key: {
          provider: unit.provider,
          resourceType,
          accountId: unit.accountId,
          region: unit.region,
        },
      });
    }
  }
  return out;
}

/** Counts one partition's snapshots as they settle and wakes the partition when all have. */
class AckCounter {
  sent = 0;
  acked = 0;
  settled = 0;
  failure: PartitionFailure | undefined;
  #whenDrained: (() => void) | undefined;

  constructor(
    private readonly prefix: string,
    private readonly observer: ScanObserver,
  ) {}

  readonly onSettled: OnSettled = (o: PublishOutcome) => {
    this.settled += 1;
    if (o.ok) {
      this.acked += 1;
      this.observer.onPublished?.(1);
    } else if (this.failure === undefined) {
      const parsed = parseSubject(this.prefix, o.message.subject);
      const what =
        parsed?.kind === "snapshot" ? `snapshot of ${parsed.resourceId}` : o.message.subject;
      this.failure = new PartitionFailure(
        "publish_failed",
        `${what} was not stored: ${o.error.message}`,
        {
          cause: o.error,
        },
      );
    }
    if (this.settled === this.sent) this.#whenDrained?.();
  };

  /** Resolves when every snapshot sent so far has settled. */
  drained(): Promise<void> {
    if (this.settled === this.sent) return Promise.resolve();
    return new Promise((resolve) => {
      this.#whenDrained = resolve;
    });
  }
}

/** Publishes one message and waits for its outcome (markers). */
function publishOne(
  publisher: JetStreamPublisher,
  message: OutgoingMessage,
): Promise<PublishOutcome> {
  // The outcome arrives through `resolve`; what `send` returns only says the message left.
  return new Promise((resolve) => void publisher.send(message, resolve));
}

/**
 * Runs one scan: every partition of every unit the provider reports, published through
 * the publisher, each closed by its marker. Resolves with the report; rejects only when
 * the provider cannot list its units.
 */
export async function runScan(
  provider: Provider,
  publisher: JetStreamPublisher,
  options: ScanOptions,
  observer: ScanObserver = {},
): Promise<ScanReport> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new Error(`scan concurrency must be a whole number >= 1, got ${options.concurrency}`);
  }
  const now = options.now ?? (() => new Date());
  const { signal } = options;
  const startedAt = now();
  const scan: ScanContext = {
    scanId: options.scanId ?? newScanId(startedAt),
    scanStartedAt: startedAt,
    prefix: options.prefix,
  };
  let units = await provider.units(signal);
  if (options.includeUnit !== undefined) units = units.filter(options.includeUnit);
  const planned = planPartitions(units, options.types);

  const results: Array<PartitionResult | undefined> = new Array(planned.length);
  let published = 0;
  const counting: ScanObserver = {
    ...observer,
    onPublished: (count) => {
      published += count;
      observer.onPublished?.(count);
    },
  };
  let next = 0;
  // A worker lists one partition at a time; once listed, the partition waits for its acks
  // and publishes its marker in the background while the worker lists the next one, so
  // many small partitions do not each cost two round trips of idle time.
  const closing = new Set<Promise<void>>();
  const worker = async (): Promise<void> => {
    while (next < planned.length && !signal.aborted) {
      const index = next++;
      const item = planned[index] as PlannedPartition;
      observer.onPartitionStart?.(item.key);
      const listed = await listPartition(provider, publisher, scan, item, signal, now, counting);
      const done = closePartition(publisher, scan, item.key, listed, now).then((result) => {
        results[index] = result;
        closing.delete(done);
        observer.onPartitionEnd?.(result);
      });
      closing.add(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, planned.length) }, worker));
  while (closing.size > 0) await Promise.all(closing);

  const partitions = results.filter((r): r is PartitionResult => r !== undefined);
  const report: ScanReport = {
    scanId: scan.scanId,
    startedAt,
    finishedAt: now(),
    partitions,
    published,
    interrupted:
      signal.aborted &&
      (partitions.length < planned.length || partitions.some((r) => r.status === "INTERRUPTED")),
  };
  const calls = provider.apiCalls?.();
  if (calls !== undefined) report.apiCalls = calls;
  return report;
}

/** A partition whose listing ended: its acks may still be coming. */
interface ListedPartition {
  readonly startedAt: Date;
  readonly counter: AckCounter;
  readonly interrupted: boolean;
}

/** Lists a partition and sends its snapshots (the worker's part). */
async function listPartition(
  provider: Provider,
  publisher: JetStreamPublisher,
  scan: ScanContext,
  { unit, key }: PlannedPartition,
  signal: AbortSignal,
  now: () => Date,
  observer: ScanObserver,
): Promise<ListedPartition> {
  const startedAt = now();
  const counter = new AckCounter(scan.prefix, observer);
  let interrupted = false;
  if (unit.failure !== undefined) {
    counter.failure = unit.failure;
  } else {
    try {
      pages: for await (const page of provider.list(key, signal)) {
        const observedAt = now();
        for (const resource of page) {
          if (signal.aborted) {
            interrupted = true;
            break pages;
          }
          let snapshot: EncodedSnapshot;
          try {
            snapshot = encodeSnapshot(scan, key, resource, observedAt);
          } catch (err) {
            counter.failure ??= new PartitionFailure(
              "invalid_data",
              `resource ${resource.id || "(no id)"} of ${partitionId(key)} cannot be published: ${errorMessage(err)}`,
              { cause: err },
            );
            continue;
          }
          counter.sent += 1;
          const wait = publisher.send(snapshot, counter.onSettled);
          if (wait !== undefined) await wait;
        }
      }
      if (signal.aborted) interrupted = true;
    } catch (err) {
      if (signal.aborted) interrupted = true;
      else counter.failure ??= asPartitionFailure(err);
    }
  }
  return { startedAt, counter, interrupted };
}

/** Waits for a listed partition's acks and publishes its marker. */
async function closePartition(
  publisher: JetStreamPublisher,
  scan: ScanContext,
  key: PartitionKey,
  { startedAt, counter, interrupted }: ListedPartition,
  now: () => Date,
): Promise<PartitionResult> {
  await counter.drained();

  if (interrupted) {
    return {
      partition: key,
      status: "INTERRUPTED",
      resourceCount: counter.acked,
      startedAt,
      finishedAt: now(),
    };
  }
  const failure = counter.failure;
  const outcome: PartitionOutcome = {
    status: failure === undefined ? "OK" : "FAILED",
    resourceCount: counter.acked,
    startedAt,
    finishedAt: now(),
    error: failure?.markerText ?? "",
  };
  const marker = await publishOne(publisher, encodeMarker(scan, key, outcome));
  const result: PartitionResult = {
    partition: key,
    status: outcome.status,
    resourceCount: outcome.resourceCount,
    startedAt,
    finishedAt: outcome.finishedAt,
  };
  if (failure !== undefined) {
    result.reason = failure.reason;
    result.error = failure.markerText;
  }
  if (!marker.ok) {
    result.status = "FAILED";
    result.reason = "publish_failed";
    result.error = `publish_failed: the marker of ${partitionId(key)} was not stored: ${marker.error.message}${failure === undefined ? "" : `; before that: ${failure.markerText}`}`;
  }
  return result;
}
