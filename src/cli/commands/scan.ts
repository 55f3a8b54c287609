/** `elava scan`: one scan, then exit with its status. */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Command } from "../command.ts";
import { createProvider } from "../providers.ts";
import { MeasuredPublisher, scanExitCode, scanOnce } from "../scan-cycle.ts";
import { closeNats, openNats, openStream } from "../session.ts";

export const command: Command = {
  name: "scan",
  summary: "scan once: publish a snapshot of every resource and a marker per partition",
  description: `Connects to NATS, ensures the stream (or verifies it with --stream-verify-only),
lists every partition (resource type x account x region) of the provider and publishes
one snapshot per resource, then the partition's marker (OK or FAILED).

Exit status: 0 when every partition is OK, 1 when any is FAILED, 2 on a bad command line
or configuration, an unreachable NATS or a missing stream under --stream-verify-only
(nothing was published). On SIGINT/SIGTERM no new partition starts, the running ones
get --shutdown-grace to finish, unfinished ones get no marker, and the scan exits 0.

On a terminal: a live progress line and a table per resource type. Otherwise: JSON log
lines on stderr, one per partition and one for the scan.`,
  groups: ["nats", "stream", "stream-settings", "provider", "scan"],
  async run(ctx) {
    const nc: NatsConnection = await openNats(ctx.config, "scan", "never", ctx.log);
    try {
      await openStream(nc, ctx.config, ctx.log);
      const v = ctx.config.values;
      const publisher = new MeasuredPublisher(nc, {
        window: v.publishWindow,
        ackTimeoutMs: v.publishAckTimeout,
        publishDeadlineMs: v.publishDeadline,
      });
      const provider = await createProvider(ctx.config, 0, ctx.log);
      try {
        const report = await scanOnce({ ctx, provider, publisher, stop: ctx.signal });
        return scanExitCode(report);
      } finally {
        await publisher.close();
        await provider.close?.();
      }
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
