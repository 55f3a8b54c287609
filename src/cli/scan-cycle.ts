/**
 * One scan as the CLI runs it: the scanner, plus what an operator needs around it
 * (progress or JSON logs, metrics, sharding, publish latency) and graceful shutdown.
 *
 * Graceful shutdown. The scanner has one signal, and aborting it interrupts every
 * running partition at once. On SIGTERM we want less: stop starting partitions, let the
 * running ones finish (with their markers) for up to the grace period, and only then
 * interrupt what is left, which gets no marker. So the scanner gets its own signal
 * (`hard`), aborted when the grace period ends or as soon as every partition that was
 * running at SIGTERM has finished; meanwhile any partition the scanner starts after
 * SIGTERM waits in `list` for that abort and ends INTERRUPTED, without a marker. When the
 * grace period ends, the publisher also stops waiting for acknowledgements (a hung server
 * would otherwise hold the exit for the whole publish deadline): partitions whose
 * snapshots were still unacknowledged end INTERRUPTED, and markers still unacknowledged
 * are reported unconfirmed, since the server may yet write them.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { OutgoingMessage, ScanContext } from "../contract/encode.ts";
import { partitionId } from "../contract/subject.ts";
import type { ElavaMetrics } from "../daemon/metrics.ts";
import { shardOf } from "../daemon/shard.ts";
import type { Provider, Unit } from "../providers/provider.ts";
import { JetStreamPublisher, type OnSettled } from "../publisher/publisher.ts";
import type { StreamLimits } from "../publisher/stream.ts";
import {
  type PartitionResult,
  runScan,
  type ScanObserver,
  type ScanReport,
} from "../scanner/scanner.ts";
import { ExitCode, type RunContext } from "./command.ts";
import { ScanReporter } from "./report.ts";

export type { ScanContext };

/** A JetStream publisher that reports each message's publish-to-ack latency and failures. */
export class MeasuredPublisher extends JetStreamPublisher {
  #metrics: ElavaMetrics | undefined;

  /** Sends latencies and failures to `metrics` from now on. */
  measure(metrics: ElavaMetrics | undefined): this {
    this.#metrics = metrics;
    return this;
  }

  override send(
    message: OutgoingMessage,
    onSettled: OnSettled,
  ): ReturnType<JetStreamPublisher["send"]> {
    const metrics = this.#metrics;
    if (metrics === undefined) return super.send(message, onSettled);
    const started = performance.now();
    const measured: OnSettled = (outcome) => {
      if (outcome.ok) metrics.acknowledged((performance.now() - started) / 1000);
      else metrics.publishFailed(outcome.error.kind);
      onSettled(outcome);
    };
    return super.send(message, measured);
  }
}

/** Stops a scan gracefully (see the module comment). */
export class GracefulStop {
  readonly #hard = new AbortController();
  /** Settles when the hard signal aborts; one listener however many partitions wait on it. */
  readonly #hardAborted: Promise<void>;
  readonly #running = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  readonly #onStop = () => {
    this.onStopping?.();
    this.#timer = setTimeout(() => {
      this.#abort("grace period over");
      this.onGraceOver?.();
    }, this.graceMs);
    this.#check();
  };

  constructor(
    private readonly stop: AbortSignal,
    private readonly graceMs: number,
    /** Called when the stop begins (to say so). */
    private readonly onStopping?: () => void,
    /** Called when the grace period ends with partitions still running. */
    private readonly onGraceOver?: () => void,
  ) {
    this.#hardAborted = new Promise((resolve) => {
      this.#hard.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    if (stop.aborted) this.#hard.abort(stop.reason);
    else stop.addEventListener("abort", this.#onStop, { once: true });
  }

  /** The scanner's signal. */
  get signal(): AbortSignal {
    return this.#hard.signal;
  }

  /** The provider, with `list` held for partitions that start after the stop. */
  provider(inner: Provider): Provider {
    const hardAborted = this.#hardAborted;
    const stop = this.stop;
    return {
      ...inner,
      name: inner.name,
      units: (signal) => inner.units(signal),
      list: (partition, signal) => {
        if (!stop.aborted) return inner.list(partition, signal);
        // Yields nothing, once the hard stop came: the partition ends INTERRUPTED.
        return {
          [Symbol.asyncIterator]: () => ({
            next: async () => {
              await hardAborted;
              return { done: true as const, value: undefined };
            },
          }),
        };
      },
    };
  }
  /** Wraps an observer to know which partitions are running. */
  observer(inner: ScanObserver): ScanObserver {
    return {
      onPartitionStart: (p) => {
        if (!this.stop.aborted) this.#running.add(partitionId(p));
        inner.onPartitionStart?.(p);
      },
      onPartitionEnd: (r) => {
        this.#running.delete(partitionId(r.partition));
        inner.onPartitionEnd?.(r);
        this.#check();
      },
      onPublished: (n) => inner.onPublished?.(n),
      ...(inner.onPlanned ? { onPlanned: (n: number) => inner.onPlanned?.(n) } : {}),
    };
  }

  /** Releases the timer and the listener. */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.stop.removeEventListener("abort", this.#onStop);
  }

  #check(): void {
    if (this.stop.aborted && this.#running.size === 0) this.#abort("running partitions finished");
  }

  #abort(why: string): void {
    if (!this.#hard.signal.aborted) this.#hard.abort(new Error(`scan stopped: ${why}`));
  }
}

/** What `scanOnce` needs. */
export interface ScanOnceOptions {
  readonly ctx: RunContext;
  readonly provider: Provider;
  readonly publisher: JetStreamPublisher;
  readonly metrics?: ElavaMetrics | undefined;
  /** Aborted on SIGTERM/SIGINT. */
  readonly stop: AbortSignal;
  /** The stream's limits (from its info), so the scan stops before they discard its messages. */
  readonly streamLimits?: StreamLimits | undefined;
  /** The units, when already discovered (`scan` discovers them before touching the stream). */
  readonly units?: readonly Unit[] | undefined;
}

/**
 * The exit status a scan's report calls for: 2 when the stream's limits stopped it (a
 * configuration error), 1 when any partition FAILED or, in a scan that was not
 * interrupted, a marker went unconfirmed; else 0 (an interrupted scan is not a failure).
 */
export function scanExitCode(report: ScanReport): number {
  if (report.streamLimit !== undefined) return ExitCode.Config;
  if (report.partitions.some((p) => p.status === "FAILED")) return ExitCode.Failed;
  if (!report.interrupted && report.partitions.some((p) => p.marker === "unconfirmed")) {
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}

/** Runs one scan with progress, logs, metrics, sharding and graceful stop. */
export async function scanOnce(options: ScanOnceOptions): Promise<ScanReport> {
  const { ctx, provider, publisher, metrics } = options;
  const v = ctx.config.values;
  const reporter = new ScanReporter(ctx, ctx.log);
  const graceful = new GracefulStop(
    options.stop,
    v.shutdownGrace,
    () => reporter.stopping(v.shutdownGrace),
    () => publisher.abandon("the shutdown grace period ended"),
  );
  const startedAt = Date.now();
  // How long timers, signals and /healthz waited behind the scan: in the summary line.
  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  eventLoop.enable();
  metrics?.scanStarted();
  const observer = graceful.observer({
    onPlanned: (n) => reporter.planned(n),
    onPartitionEnd: (r: PartitionResult) => {
      reporter.partitionFinished(r);
      metrics?.partitionFinished({
        resourceType: r.partition.resourceType,
        status: r.status,
        reason: r.reason ?? "",
        resourceCount: r.resourceCount,
      });
    },
    onPublished: (n) => {
      reporter.published(n);
      metrics?.snapshotsPublished(n);
    },
  });
  const shard = v.shard;
  const inner = graceful.provider(provider);
  const units = options.units;
  let report: ScanReport;
  try {
    report = await runScan(
      units === undefined ? inner : { ...inner, units: async () => [...units] },
      publisher,
      {
        prefix: v.subjectPrefix,
        concurrency:
          ctx.config.sources.concurrency.kind === "default"
            ? (provider.concurrency ?? v.concurrency)
            : v.concurrency,
        signal: graceful.signal,
        ...(v.types.length > 0 ? { types: v.types } : {}),
        ...(shard.count > 1 ? { includeUnit: (u) => shardOf(u, shard.count) === shard.index } : {}),
        ...(options.streamLimits !== undefined ? { streamLimits: options.streamLimits } : {}),
      },
      observer,
    );
  } catch (err) {
    // The scan could not even start its partitions (no credentials for discovery, ...).
    reporter.close();
    metrics?.scanFinished((Date.now() - startedAt) / 1000, "failed", new Date());
    throw err;
  } finally {
    graceful.dispose();
    eventLoop.disable();
  }
  const failed = scanExitCode(report) !== ExitCode.Ok;
  metrics?.scanFinished(
    (report.finishedAt.getTime() - report.startedAt.getTime()) / 1000,
    report.interrupted ? "interrupted" : failed ? "failed" : "ok",
    report.finishedAt,
  );
  const calls = provider.apiCalls?.();
  const throttles = (
    provider as { throttledCalls?: () => ReadonlyMap<string, number> }
  ).throttledCalls?.();
  if (calls) metrics?.apiCalls(calls, throttles);
  reporter.finish(report, {
    event_loop_delay_p99_ms: Math.round(eventLoop.percentile(99) / 1e5) / 10,
    event_loop_delay_max_ms: Math.round(eventLoop.max / 1e5) / 10,
    provider: provider.name,
    ...(shard.count > 1 ? { shard: `${shard.index}/${shard.count}` } : {}),
  });
  return report;
}
