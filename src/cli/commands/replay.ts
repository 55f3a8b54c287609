/** `elava replay`: the current inventory rebuilt from the stream. */
import { formatSummary, inventoryJsonLines, replay } from "../../consumer/replay.ts";
import { type Command, ExitCode } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import { streamLocation } from "./consumer-location.ts";

export const command: Command = {
  name: "replay",
  summary: "rebuild the current inventory from the stream",
  description: `Reads the latest snapshot of every resource and the latest marker of every
partition (LastPerSubject). Resources from an older scan than their partition's latest OK
marker are gone; partitions whose latest marker is FAILED, or that have none, are
unconfirmed: their resources are kept and flagged. Prints a summary by type, account and
region, or with --json every resource as one JSON line.`,
  groups: ["nats", "stream"],
  options: { json: { type: "boolean", help: "print every resource as a JSON line" } },
  async run(ctx) {
    const nc = await openNats(ctx.config, "replay", "never", ctx.log);
    try {
      const inventory = await replay(nc, streamLocation(ctx), ctx.signal);
      if (ctx.args.flag("json")) {
        for (const line of inventoryJsonLines(inventory)) ctx.stdout.write(`${line}\n`);
      } else {
        ctx.stdout.write(`${formatSummary(inventory)}\n`);
      }
      return ExitCode.Ok;
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
