/** `elava stream`: ensure the stream (or only verify it) and show its settings and state. */
import { streamSummary } from "../../publisher/stream.ts";
import { type Command, ExitCode } from "../command.ts";
import { closeNats, openNats, openStream } from "../session.ts";

export const command: Command = {
  name: "stream",
  summary: "create, update or verify the stream, and show its settings and state",
  description: `Connects to NATS and makes sure the stream exists with the configured settings:
creates it when missing; on an existing stream, changes the settings whose change cannot
delete messages (a looser limit, the duplicate window, direct get, replicas), logging
each, and refuses the others (a tighter limit, another discard policy, adding elava's
subjects to a stream that captures others) with exit 2 listing them, unless
--stream-force-update; with --stream-verify-only changes nothing (exit 2 when the stream
is missing or different, listing every difference). A stream whose subjects another
stream holds is an exit 2 naming that stream. Then prints the stream's settings and state
(messages, bytes, subjects, first and last message).`,
  groups: ["nats", "stream", "stream-settings"],
  options: { json: { type: "boolean", help: "print the summary as JSON" } },
  async run(ctx) {
    const nc = await openNats(ctx.config, "stream", "never", ctx.log);
    try {
      const { action, info } = await openStream(nc, ctx.config, ctx.log);
      const summary = streamSummary(info);
      if (ctx.args.flag("json")) {
        ctx.stdout.write(`${JSON.stringify({ action, ...summary }, null, 2)}\n`);
        return ExitCode.Ok;
      }
      const rows: [string, string][] = [
        ["stream", `${summary.name} (${action})`],
        ["subjects", summary.subjects.join(", ")],
        ["messages", String(summary.messages)],
        ["bytes", String(summary.bytes)],
        ["distinct subjects", String(summary.subjectCount)],
        ["first", `#${summary.firstSeq} ${summary.firstTime}`],
        ["last", `#${summary.lastSeq} ${summary.lastTime}`],
        ["consumers", String(summary.consumers)],
        ...Object.entries(summary.settings),
      ];
      const width = Math.max(...rows.map(([k]) => k.length));
      ctx.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`);
      return ExitCode.Ok;
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
