/** `elava run`: the daemon. A scan at start, then one per interval, never two at once. */
import type { NatsConnection } from "@nats-io/transport-node";
import { type HttpListener, startHttp } from "../../daemon/http.ts";
import { runLoop } from "../../daemon/loop.ts";
import { ElavaMetrics } from "../../daemon/metrics.ts";
import { Readiness } from "../../daemon/readiness.ts";
import { errorMessage } from "../../errors.ts";
import type { Provider } from "../../providers/provider.ts";
import { streamLimitsOf } from "../../publisher/stream.ts";
import { type Command, ExitCode, type RunContext } from "../command.ts";
import { createProvider } from "../providers.ts";
import { MeasuredPublisher, scanOnce } from "../scan-cycle.ts";
import { closeNats, openNats, openStream } from "../session.ts";

/** Follows the connection's status into readiness and metrics until it closes. */
async function watchNats(
  nc: NatsConnection,
  ctx: RunContext,
  readiness: Readiness,
  metrics: ElavaMetrics,
): Promise<void> {
  const set = (connected: boolean) => {
    readiness.natsConnected(connected);
    metrics.natsConnected(connected);
  };
  set(true);
  for await (const s of nc.status()) {
    if (s.type === "disconnect") {
      set(false);
      ctx.log.warn("disconnected from NATS; reconnecting", { server: s.server });
    } else if (s.type === "reconnect") {
      set(true);
      ctx.log.info("reconnected to NATS", { server: s.server });
    } else if (s.type === "close") {
      set(false);
    }
  }
  set(false);
}

export const command: Command = {
  name: "run",
  summary: "the daemon: scan now and every --interval, with /healthz, /readyz and /metrics",
  description: `Runs a scan at start and then every --interval (measured from the start of the
previous scan). Scans never overlap: a scan slower than the interval delays the next,
which starts as soon as it finishes. The NATS connection reconnects forever.

A scan that loses NATS ends at once (its partitions FAILED, with no marker) and the next
starts at the next interval.

HTTP (--http-port, 0 turns it off): /healthz answers while the process runs; /readyz is
200 when connected to NATS and the last scan finished within two intervals, 503 with the
reasons otherwise; /metrics is Prometheus text, every metric prefixed elava_.

On SIGINT/SIGTERM: no new partition starts, running ones get --shutdown-grace to finish,
unfinished ones get no marker, NATS is drained, and the process exits 0.`,
  groups: ["nats", "stream", "stream-settings", "provider", "scan", "daemon"],
  async run(ctx) {
    const v = ctx.config.values;
    const metrics = new ElavaMetrics();
    const readiness = new Readiness(v.interval);
    let http: HttpListener | undefined;
    if (v.httpPort !== 0) {
      http = await startHttp(v.httpPort, "0.0.0.0", readiness, metrics);
      ctx.log.info("listening for /healthz, /readyz and /metrics", { port: http.port });
    }
    let nc: NatsConnection | undefined;
    try {
      nc = await openNats(ctx.config, "run", "forever", ctx.log);
      void watchNats(nc, ctx, readiness, metrics);
      const { info } = await openStream(nc, ctx.config, ctx.log);
      const streamLimits = streamLimitsOf(info.config);
      const publisher = new MeasuredPublisher(nc, {
        window: v.publishWindow,
        ackTimeoutMs: v.publishAckTimeout,
        publishDeadlineMs: v.publishDeadline,
      }).measure(metrics);
      // AWS keeps its clients and credentials across scans; the sample estate advances.
      let provider: Provider | undefined;
      try {
        const scans = await runLoop({
          intervalMs: v.interval,
          signal: ctx.signal,
          scan: async (cycle) => {
            try {
              const broken = provider?.broken?.();
              if (broken !== undefined) {
                ctx.log.warn("building the provider again", { provider: v.provider, why: broken });
              }
              if (provider === undefined || v.provider === "sample" || broken !== undefined) {
                await provider?.close?.();
                provider = await createProvider(ctx.config, cycle, ctx.log);
                metrics.resetApiBaseline();
              }
              const report = await scanOnce({
                ctx,
                provider,
                publisher,
                metrics,
                stop: ctx.signal,
                streamLimits,
              });
              // A scan that could not publish did not finish: readiness says so in time.
              if (report.unavailable === undefined) readiness.scanFinished();
            } catch (err) {
              // One scan's failure (e.g. no credentials for discovery) must not end the
              // daemon; readiness reports it after two intervals without a finished scan.
              ctx.log.error("scan failed before its partitions ran", { error: errorMessage(err) });
            }
          },
        });
        ctx.log.info("stopping", { scans, reason: errorMessage(ctx.signal.reason) });
      } finally {
        await publisher.close();
        await provider?.close?.();
      }
      return ExitCode.Ok;
    } finally {
      if (nc !== undefined) await closeNats(nc, ctx.log);
      await http?.close();
    }
  },
};
