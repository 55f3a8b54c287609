/** `elava tail`: snapshots and markers of the stream, decoded, as they are stored. */
import { isTerminal } from "../../consumer/output.ts";
import { jsonLine, TAIL_LOOKBACK, tail, tailSubjects, textLine } from "../../consumer/tail.ts";
import { type Command, UsageError } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import {
  consumerExit,
  consumerExitHelp,
  loggedBadMessages,
  openReader,
  output,
  startOption,
  streamLocation,
} from "./consumer-location.ts";

export const command: Command = {
  name: "tail",
  summary: "print snapshots and markers of the stream, decoded",
  description: `Like tail(1): prints the last -n messages already in the stream (10 by default), then
follows new ones until interrupted. Narrow with --type, --account, --region and --id; with
a narrowing filter the last messages are looked for among the stream's latest
${TAIL_LOOKBACK.toLocaleString("en-US")}. --from starts elsewhere instead: new (only new messages),
all, a time, a duration back from now (1h), or a stream sequence.
On a terminal each message is one readable line; piped, one JSON line (the protobuf JSON
with kind, seq, subject and stored_at). --json and --text choose either. Messages that
are not of the contract are shown as BAD lines ({"kind":"bad_message"}) and logged.`,
  groups: ["nats", "stream", "read"],
  options: {
    type: { type: "string", placeholder: "TYPE", help: "resource type" },
    account: { type: "string", placeholder: "ACCOUNT", help: "account id" },
    region: { type: "string", placeholder: "REGION", help: "region (global for global types)" },
    id: {
      type: "string",
      placeholder: "ID",
      help: "resource id (snapshots of that resource only)",
    },
    lines: {
      type: "string",
      short: "n",
      placeholder: "N",
      help: "messages already in the stream to show first (default 10; 0: none)",
    },
    from: {
      type: "string",
      placeholder: "START",
      help: "start here instead: new, all, a time, 1h, or a sequence",
    },
    "no-follow": { type: "boolean", help: "stop at the end of the stream" },
    json: { type: "boolean", help: "JSON lines, also on a terminal" },
    text: { type: "boolean", help: "readable lines, also when piped" },
    compact: { type: "boolean", help: "the same as --text" },
  },
  exitStatus: consumerExitHelp(" Interrupted (Ctrl-C), it exits 0, or 3 after bad messages."),
  async run(ctx) {
    const from = ctx.args.string("from");
    const start = from === undefined ? undefined : startOption(ctx, "tail", "from", "new");
    const linesText = ctx.args.string("lines");
    const last = linesText === undefined ? 10 : Number(linesText);
    if (!/^\d+$/u.test(linesText ?? "10")) {
      throw new UsageError(
        `elava tail: -n/--lines "${linesText}" is not a whole number >= 0; e.g. -n 20`,
      );
    }
    if (from !== undefined && linesText !== undefined) {
      throw new UsageError("elava tail: give either --from or -n/--lines, not both");
    }
    const text = ctx.args.flag("text") || ctx.args.flag("compact");
    if (text && ctx.args.flag("json")) {
      throw new UsageError("elava tail: give either --json or --text, not both");
    }
    const format = text || (!ctx.args.flag("json") && isTerminal(ctx.stdout)) ? textLine : jsonLine;
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
    try {
      tailSubjects(streamLocation(ctx).prefix, filter);
    } catch (err) {
      throw new UsageError(`elava tail: ${(err as Error).message}`);
    }
    const nc = await openNats(ctx.config, "tail", "forever", ctx.log);
    try {
      const reader = await openReader(ctx, nc);
      const bad = loggedBadMessages(ctx);
      const out = output(ctx);
      for await (const d of tail(reader, {
        ...filter,
        ...(start !== undefined ? { start } : {}),
        last,
        bad,
        bounded: ctx.args.flag("no-follow"),
        signal: ctx.signal,
      })) {
        await out.line(format(d));
        if (out.closed) break;
      }
      return consumerExit(bad);
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
