/** `elava replay`: the current inventory rebuilt from the stream. */
import { formatSummary, replay, writeInventoryJson } from "../../consumer/replay.ts";
import type { Command } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import {
  consumerExit,
  consumerExitHelp,
  loggedBadMessages,
  openReader,
  output,
} from "./consumer-location.ts";

export const command: Command = {
  name: "replay",
  summary: "rebuild the current inventory from the stream",
  description: `Each partition's resources are those of its latest OK marker in stream order, the newest
snapshot of each (scan ids are never compared). A partition is:
  ok           its latest marker is OK and every snapshot it counts is stored
  unconfirmed  a later scan FAILED, or published snapshots without a marker (interrupted,
               or still running): the resources of the OK scan are kept, none is gone
  incomplete   its OK marker counts more snapshots than the stream still holds (trimmed
               by the stream's limits): the stored ones are listed, none is gone
  unknown      no OK marker is stored: the latest snapshot of each resource is listed
Prints a table by partition and a summary line, or with --json one line per resource
({"kind":"resource", the snapshot's protobuf JSON, "status", "unconfirmed"}), one per
partition ({"kind":"partition", ...}) and a last {"kind":"summary", ...} line.`,
  groups: ["nats", "stream", "read"],
  options: { json: { type: "boolean", help: "JSON lines: resources, partitions, summary" } },
  exitStatus: consumerExitHelp(),
  async run(ctx) {
    const nc = await openNats(ctx.config, "replay", "never", ctx.log);
    try {
      const reader = await openReader(ctx, nc);
      const bad = loggedBadMessages(ctx);
      const plan = await replay(reader, { bad, signal: ctx.signal });
      const out = output(ctx);
      const { stream, prefix } = reader.location;
      if (ctx.args.flag("json")) {
        await writeInventoryJson(reader, plan, out, bad, ctx.signal);
      } else {
        for (const line of formatSummary(plan, bad.count, stream, prefix).split("\n")) {
          await out.line(line);
        }
      }
      return consumerExit(bad);
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
