import { compactLine, jsonLine, tail } from "../../consumer/tail.ts";
import { type Command, ExitCode } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import { startOption, streamLocation } from "./consumer-location.ts";

export const command: Command = {
  name: "tail",
  summary: "print snapshots and markers of the stream, decoded",
  description: `Follows the stream with an ordered consumer, narrowed by --type, --account,
--region and --id, starting at --from (new, all, a time, a duration back from now, or a
stream sequence). Prints JSON lines, or with --compact one readable line per message.`,
  groups: ["nats", "stream"],
  options: {
    type: { type: "string", placeholder: "TYPE", help: "resource type" },
    account: { type: "string", placeholder: "ACCOUNT", help: "account id" },
    region: { type: "string", placeholder: "REGION", help: "region (global for global types)" },
    id: {
      type: "string",
      placeholder: "ID",
      help: "resource id (snapshots of that resource only)",
    },
    from: {
      type: "string",
      placeholder: "START",
      help: "new (default), all, a time, 24h, or a sequence",
    },
    compact: { type: "boolean", help: "one readable line per message instead of JSON" },
  },
  async run(ctx) {
    const start = startOption(ctx, "tail", "from", "new");
    const filter = {
      ...(ctx.args.string("type") !== undefined
        ? { resourceType: ctx.args.string("type") as string }
        : {}),
      ...(ctx.args.string("account") !== undefined
        ? { accountId: ctx.args.string("account") as string }
        : {}),
      ...(ctx.args.string("region") !== undefined
        ? { region: ctx.args.string("region") as string }
        : {}),
      ...(ctx.args.string("id") !== undefined
        ? { resourceId: ctx.args.string("id") as string }
        : {}),
    };
    const format = ctx.args.flag("compact") ? compactLine : jsonLine;
    const nc = await openNats(ctx.config, "tail", "forever", ctx.log);
    try {
      for await (const d of tail(nc, streamLocation(ctx), {
        ...filter,
        start,
        signal: ctx.signal,
      })) {
        ctx.stdout.write(`${format(d)}\n`);
      }
      return ExitCode.Ok;
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
