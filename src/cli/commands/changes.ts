/** `elava changes`: created, modified and disappeared resources derived from the stream. */
import { changeJsonLine, deriveChanges, formatChanges } from "../../consumer/changes.ts";
import { type Command, ExitCode } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import { startOption, streamLocation } from "./consumer-location.ts";

export const command: Command = {
  name: "changes",
  summary: "derive created / modified / disappeared resources from the stream",
  description: `Reads the stream since --since (default 24h) and, per partition, compares each
complete OK scan (its marker's count equals the snapshots seen) with the previous one.
Nothing is derived from FAILED or incomplete partitions; they are reported. Modified
resources list their field differences (path, old value, new value).`,
  groups: ["nats", "stream"],
  options: {
    since: {
      type: "string",
      placeholder: "WHEN",
      help: "a duration back from now (24h), a time, or a stream sequence",
    },
    json: { type: "boolean", help: "one JSON object per change" },
  },
  async run(ctx) {
    const start = startOption(ctx, "changes", "since", "24h");
    const nc = await openNats(ctx.config, "changes", "never", ctx.log);
    try {
      const result = await deriveChanges(nc, streamLocation(ctx), { start, signal: ctx.signal });
      if (ctx.args.flag("json")) {
        for (const c of result.changes) ctx.stdout.write(`${changeJsonLine(c)}\n`);
      } else {
        ctx.stdout.write(`${formatChanges(result)}\n`);
      }
      return ExitCode.Ok;
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
