/** `elava scan`: one scan, then exit with its status. */
import { streamLimitsOf } from "../../publisher/stream.ts";
import type { Command } from "../command.ts";
import { createProvider } from "../providers.ts";
import { MeasuredPublisher, scanExitCode, scanOnce } from "../scan-cycle.ts";
import { closeNats, openNats, openStream } from "../session.ts";

export const command: Command = {
  name: "scan",
  summary: "scan once: publish a snapshot of every resource and a marker per partition",
  description: `Connects to NATS, discovers the units to scan (accounts x regions: this is where
missing credentials show), ensures the stream (or verifies it with --stream-verify-only),
lists every partition (resource type x account x region) of the provider and publishes
one snapshot per resource, then the partition's marker (OK or FAILED).

If NATS is lost mid-scan, the connection is retried for up to --publish-deadline; what
was not acknowledged is sent again (the duplicate window makes that safe). If it does not
come back, or the server stops answering, the scan ends at once: every partition is
reported, none gets an OK marker it has not earned, and the exit status is 1.

Exit status: 0 when every partition is OK; 1 when any is FAILED (or NATS was lost); 2 on
a bad command line or configuration: unreachable NATS, no credentials, a stream that is
missing (--stream-verify-only), would be weakened (see --stream-force-update) or whose
subjects another stream holds, all found before anything is published; and a stream
whose limits discard this scan's own messages, found during the scan, which then stops.
On SIGINT/SIGTERM no new partition starts, the running ones get --shutdown-grace to
finish, unfinished ones get no marker, and the scan exits 0.

On a terminal: a live progress line and a table per resource type. Otherwise: JSON log
lines on stderr, one per partition and one for the scan.`,
  groups: ["nats", "stream", "stream-settings", "provider", "scan"],
  async run(ctx) {
    const v = ctx.config.values;
    const nc = await openNats(ctx.config, "scan", { withinMs: v.publishDeadline }, ctx.log);
    try {
      const provider = await createProvider(ctx.config, 0, ctx.log);
      try {
        // Discovery and the publisher's settings first: no credentials or a deadline under
        // the ack timeout is a configuration error, and nothing has been created or
        // changed on the NATS side yet.
        const units = await provider.units(ctx.signal);
        const publisher = new MeasuredPublisher(nc, {
          window: v.publishWindow,
          ackTimeoutMs: v.publishAckTimeout,
          publishDeadlineMs: v.publishDeadline,
        });
        try {
          const { info } = await openStream(nc, ctx.config, ctx.log);
          const report = await scanOnce({
            ctx,
            provider,
            publisher,
            stop: ctx.signal,
            units,
            streamLimits: streamLimitsOf(info.config),
          });
          return scanExitCode(report);
        } finally {
          await publisher.close();
        }
      } finally {
        await provider.close?.();
      }
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
