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
 * aborted while it was listing, or the shutdown abandoned its snapshots) gets no marker at
 * all, so consumers see neither "complete" nor "failed" for it, and the next scan's marker
 * speaks for it.
 *
 * Every planned partition is reported, and each report says what the stream holds of its
 * marker (`marker`): stored, none, or unconfirmed when the marker was sent but its ack
 * never came (a server that died or froze may still have written it). When JetStream is
 * gone (the publisher is unavailable) nothing more can be stored: listing stops, and the
 * partitions not yet closed end FAILED with no marker.
 *
 * The stream's own limits can discard this scan's messages before anyone reads them: with
 * discard old, once the scan alone stored more than max_bytes or max_msgs, or ran longer
 * than max_age, its first messages are gone. The scanner counts what it stored (the file
 * store's record size: 30 bytes + subject + headers + payload) and, from that moment,
 * publishes no more markers: the scan stops as a configuration error naming the limit.
 *
 * A scan must not hold the event loop: signals, /healthz and the publisher's own timers
 * wait behind it. Promises alone never give it back: an ack read from the socket wakes a
 * worker, which encodes and publishes in the same microtask run, and libuv reads the
 * socket again (up to 32 times per poll) while the server answers, so one poll could
 * publish tens of thousands of messages. Workers therefore give the event loop a turn
 * (setImmediate) once the scan has run SLICE_MS without one.
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
import {
  headerBytes,
  type JetStreamPublisher,
  type OnSettled,
  type PublishOutcome,
} from "../publisher/publisher.ts";
import type { StreamLimits } from "../publisher/stream.ts";

/** The longest error text a marker carries, in UTF-8 bytes; longer ones are cut. */
export const MARKER_ERROR_MAX_BYTES = 1024;

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
  /** The stream's limits, to stop before they discard this scan's messages and to size markers. */
  streamLimits?: StreamLimits;
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
  /** What the stream holds of this scan's marker for the partition. */
  marker: MarkerState;
}

/**
 * `stored`: acknowledged, with the result's status. `unconfirmed`: sent but never
 * acknowledged; the stream may hold it (with the result's status) or not. `none`: the
 * stream holds no marker of this scan for the partition.
 */
export type MarkerState = "stored" | "unconfirmed" | "none";

/** Progress callbacks (logs, metrics). */
export interface ScanObserver {
  /** The number of partitions the scan will report, known once the units are. */
  onPlanned?(count: number): void;
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
  /** Every planned partition, in the order they were planned. */
  partitions: PartitionResult[];
  /** Snapshots acknowledged. */
  published: number;
  /** The signal aborted before every partition finished. */
  interrupted: boolean;
  /** Why JetStream became unavailable during the scan, when it did. */
  unavailable?: string;
  /** The stream limit that would discard this scan's messages, when one was reached. */
  streamLimit?: string;
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

/** The file store's size of a stored message (nats-server's fileStoreMsgSize). */
function storedSize(o: PublishOutcome): number {
  const m = o.message;
  return 30 + m.subject.length + headerBytes(m) + m.data.length;
}

/** What the scan stored, against the stream's limits (see the module comment). */
class LimitGuard {
  #bytes = 0;
  #msgs = 0;
  #crossed: string | undefined;
  readonly #stop = new AbortController();

  constructor(
    private readonly limits: StreamLimits | undefined,
    private readonly startedAt: number,
  ) {}

  /** Aborted once a limit is crossed. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  stored(o: PublishOutcome): void {
    if (this.limits === undefined) return;
    this.#bytes += storedSize(o);
    this.#msgs += 1;
  }

  /** The limit this scan crossed, or undefined. */
  check(): string | undefined {
    const l = this.limits;
    if (this.#crossed !== undefined || l === undefined) return this.#crossed;
    const fix =
      "before a consumer can read them, so markers would claim what the stream no longer holds";
    const elapsed = Date.now() - this.startedAt;
    if (l.maxBytes >= 0 && this.#bytes > l.maxBytes) {
      this.#crossed = `stream ${l.stream} keeps at most ${l.maxBytes} bytes (max_bytes) and this scan alone stored about ${this.#bytes}: the stream discards this scan's first messages ${fix}; raise --stream-max-bytes well above the size of a scan, or -1 for no byte limit`;
    } else if (l.maxMsgs >= 0 && this.#msgs > l.maxMsgs) {
      this.#crossed = `stream ${l.stream} keeps at most ${l.maxMsgs} messages (max_msgs) and this scan alone stored ${this.#msgs}: the stream discards this scan's first messages ${fix}; raise the stream's max_msgs (nats stream edit ${l.stream} --max-msgs=-1)`;
    } else if (l.maxAgeMs > 0 && elapsed > l.maxAgeMs) {
      this.#crossed = `stream ${l.stream} keeps messages for ${l.maxAgeMs} ms (max_age) and this scan has run for ${elapsed} ms: the stream discards this scan's first messages ${fix}; raise --stream-max-age well above the duration of a scan`;
    }
    if (this.#crossed !== undefined) this.#stop.abort(new Error(this.#crossed));
    return this.#crossed;
  }
}

/** Counts one partition's snapshots as they settle and wakes the partition when all have. */
class AckCounter {
  sent = 0;
  acked = 0;
  settled = 0;
  /** The shutdown stopped waiting for some snapshot. */
  abandoned = false;
  failure: PartitionFailure | undefined;
  #whenDrained: (() => void) | undefined;

  constructor(
    private readonly prefix: string,
    private readonly observer: ScanObserver,
    private readonly guard: LimitGuard,
  ) {}

  readonly onSettled: OnSettled = (o: PublishOutcome) => {
    this.settled += 1;
    if (o.ok) {
      this.acked += 1;
      this.guard.stored(o);
      this.observer.onPublished?.(1);
    } else if (o.error.kind === "abandoned") {
      this.abandoned = true;
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

/** `text` cut to at most `maxBytes` UTF-8 bytes, saying so. */
function cut(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const suffix = ` ... (cut from ${Buffer.byteLength(text)} bytes)`;
  let out = text.slice(0, Math.max(0, maxBytes - suffix.length));
  while (out.length > 0 && Buffer.byteLength(out) + suffix.length > maxBytes) {
    out = out.slice(0, -1);
  }
  return `${out}${suffix}`;
}

/**
 * The partition's marker, its error text cut so that the marker fits `maxBytes` (headers
 * and payload; the smaller of the server's max_payload and the stream's max_msg_size) and
 * MARKER_ERROR_MAX_BYTES: an error naming many ARNs must not leave a partition without its
 * FAILED marker.
 */
function boundedMarker(
  scan: ScanContext,
  key: PartitionKey,
  outcome: PartitionOutcome,
  maxBytes: number,
): OutgoingMessage {
  let error = cut(outcome.error, MARKER_ERROR_MAX_BYTES);
  for (;;) {
    const marker = encodeMarker(scan, key, { ...outcome, error });
    const over = marker.data.length + headerBytes(marker) - maxBytes;
    if (over <= 0 || error === "") return marker;
    error = cut(error, Math.max(0, Buffer.byteLength(error) - over - 8));
    if (Buffer.byteLength(error) < 64) error = "";
  }
}

/** The longest the scan runs before it lets the event loop take a turn. */
const SLICE_MS = 10;

/**
 * Tracks how long the scan has held the event loop (see the module comment). The budget
 * is shared: every worker that finds it spent waits for the same next turn, and the
 * workers resumed there share a fresh SLICE_MS (a budget per worker would let 64 workers
 * run one after the other in a single turn).
 */
class Slicer {
  #since = performance.now();
  #turn: Promise<void> | undefined;

  /** Whether the scan has held the event loop for SLICE_MS. */
  due(): boolean {
    return performance.now() - this.#since >= SLICE_MS;
  }

  /** Resolves on the event loop's next turn. */
  yield(): Promise<void> {
    this.#turn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.#turn = undefined;
        this.#since = performance.now();
        resolve();
      }),
    );
    return this.#turn;
  }
}

/** What one run of `runScan` shares between its workers. */
interface ScanRun {
  readonly provider: Provider;
  readonly publisher: JetStreamPublisher;
  readonly scan: ScanContext;
  /** Aborted on interrupt or when a stream limit is crossed. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly observer: ScanObserver;
  readonly guard: LimitGuard;
  /** The largest marker the server and the stream take. */
  readonly maxMessageBytes: number;
  readonly slicer: Slicer;
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
  observer.onPlanned?.(planned.length);
  // A daemon's earlier scan may have found the server gone; try it again.
  publisher.resume();

  const results: Array<PartitionResult | undefined> = new Array(planned.length);
  let published = 0;
  const counting: ScanObserver = {
    ...observer,
    onPublished: (count) => {
      published += count;
      observer.onPublished?.(count);
    },
  };
  const guard = new LimitGuard(options.streamLimits, startedAt.getTime());
  const maxMsgSize = options.streamLimits?.maxMsgSize ?? -1;
  const run: ScanRun = {
    provider,
    publisher,
    scan,
    signal: AbortSignal.any([signal, guard.signal]),
    now,
    observer: counting,
    guard,
    slicer: new Slicer(),
    maxMessageBytes: Math.min(
      publisher.maxPayload,
      maxMsgSize >= 0 ? maxMsgSize : Number.POSITIVE_INFINITY,
    ),
  };
  let next = 0;
  // A worker lists one partition at a time; once listed, the partition waits for its acks
  // and publishes its marker in the background while the worker lists the next one, so
  // many small partitions do not each cost two round trips of idle time.
  const closing = new Set<Promise<void>>();
  const worker = async (): Promise<void> => {
    while (next < planned.length && !run.signal.aborted && publisher.unavailable === undefined) {
      const index = next++;
      const item = planned[index] as PlannedPartition;
      observer.onPartitionStart?.(item.key);
      const listed = await listPartition(run, item);
      const done = closePartition(run, item.key, listed).then((result) => {
        results[index] = result;
        closing.delete(done);
        observer.onPartitionEnd?.(result);
      });
      closing.add(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, planned.length) }, worker));
  while (closing.size > 0) await Promise.all(closing);

  // The partitions never started: the scan was interrupted, or could not go on.
  const unavailable = publisher.unavailable;
  const streamLimit = guard.check();
  for (let index = next; index < planned.length; index++) {
    const at = now();
    const result: PartitionResult = {
      partition: (planned[index] as PlannedPartition).key,
      status: "INTERRUPTED",
      resourceCount: 0,
      startedAt: at,
      finishedAt: at,
      marker: "none",
    };
    if (unavailable !== undefined) {
      const failure = new PartitionFailure(
        "publish_failed",
        `not scanned: JetStream is unavailable: ${unavailable}`,
      );
      Object.assign(result, {
        status: "FAILED",
        reason: failure.reason,
        error: failure.markerText,
      });
    } else if (streamLimit !== undefined) {
      result.error = `not scanned: ${streamLimit}`;
    }
    results[index] = result;
    observer.onPartitionEnd?.(result);
  }

  const partitions = results.filter((r): r is PartitionResult => r !== undefined);
  const report: ScanReport = {
    scanId: scan.scanId,
    startedAt,
    finishedAt: now(),
    partitions,
    published,
    interrupted: signal.aborted && partitions.some((r) => r.status === "INTERRUPTED"),
  };
  if (unavailable !== undefined) report.unavailable = unavailable;
  if (streamLimit !== undefined) report.streamLimit = streamLimit;
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
  run: ScanRun,
  { unit, key }: PlannedPartition,
): Promise<ListedPartition> {
  const { publisher, scan, signal, now } = run;
  const startedAt = now();
  const counter = new AckCounter(scan.prefix, run.observer, run.guard);
  let interrupted = false;
  if (unit.failure !== undefined) {
    counter.failure = unit.failure;
  } else {
    try {
      pages: for await (const page of run.provider.list(key, signal)) {
        run.guard.check();
        const observedAt = now();
        // The whole page is encoded before any of it is sent, and then emptied (the provider
        // handed it over, and its generator still holds it): the decoded resources die
        // young, and only their bytes wait for the publish window. Held across the wait,
        // with 64 partitions listing at once, they outlived the young generation and made
        // a third of the garbage collector's work (docs/benchmarks.md).
        const encoded: EncodedSnapshot[] = [];
        for (const resource of page) {
          try {
            encoded.push(encodeSnapshot(scan, key, resource, observedAt));
          } catch (err) {
            counter.failure ??= new PartitionFailure(
              "invalid_data",
              `resource ${resource.id || "(no id)"} of ${partitionId(key)} cannot be published: ${errorMessage(err)}`,
              { cause: err },
            );
          }
        }
        page.length = 0;
        for (const snapshot of encoded) {
          if (signal.aborted) {
            interrupted = true;
            break pages;
          }
          const unavailable = publisher.unavailable;
          if (unavailable !== undefined) {
            counter.failure ??= new PartitionFailure(
              "publish_failed",
              `listing stopped: JetStream is unavailable: ${unavailable}`,
            );
            break pages;
          }
          counter.sent += 1;
          const wait = publisher.send(snapshot, counter.onSettled);
          if (wait !== undefined) await wait;
          if (run.slicer.due()) await run.slicer.yield();
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
  run: ScanRun,
  key: PartitionKey,
  { startedAt, counter, interrupted }: ListedPartition,
): Promise<PartitionResult> {
  const { publisher, scan, now } = run;
  await counter.drained();

  const streamLimit = run.guard.check();
  if (interrupted || counter.abandoned || streamLimit !== undefined) {
    const result: PartitionResult = {
      partition: key,
      status: "INTERRUPTED",
      resourceCount: counter.acked,
      startedAt,
      finishedAt: now(),
      marker: "none",
    };
    if (streamLimit !== undefined) result.error = streamLimit;
    return result;
  }
  const failure = counter.failure;
  const outcome: PartitionOutcome = {
    status: failure === undefined ? "OK" : "FAILED",
    resourceCount: counter.acked,
    startedAt,
    finishedAt: now(),
    error: failure?.markerText ?? "",
  };
  const marker = await publishOne(
    publisher,
    boundedMarker(scan, key, outcome, run.maxMessageBytes),
  );
  const result: PartitionResult = {
    partition: key,
    status: outcome.status,
    resourceCount: outcome.resourceCount,
    startedAt,
    finishedAt: outcome.finishedAt,
    marker: "stored",
  };
  if (failure !== undefined) {
    result.reason = failure.reason;
    result.error = failure.markerText;
  }
  if (marker.ok) return result;
  const why = `the marker of ${partitionId(key)} was not stored: ${marker.error.message}`;
  if (marker.error.maybeStored) {
    // Sent: the stream may yet hold it, with the status it carries.
    result.marker = "unconfirmed";
    result.error = failure === undefined ? why : `${failure.markerText}; ${why}`;
  } else if (marker.error.kind === "abandoned") {
    result.status = "INTERRUPTED";
    result.marker = "none";
    delete result.reason;
    delete result.error;
  } else {
    result.status = "FAILED";
    result.reason = "publish_failed";
    result.marker = "none";
    result.error = `publish_failed: ${why}${failure === undefined ? "" : `; before that: ${failure.markerText}`}`;
  }
  return result;
}
