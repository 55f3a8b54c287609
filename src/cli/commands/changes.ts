/** `elava changes`: created, modified and disappeared resources derived from the stream. */
import {
  changesWriter,
  deriveChanges,
  ShallowHistoryError,
  summaryText,
} from "../../consumer/changes.ts";
import { jsonText } from "../../consumer/format.ts";
import { ConfigError } from "../../errors.ts";
import type { Command } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import {
  consumerExit,
  consumerExitHelp,
  loggedBadMessages,
  openReader,
  output,
  startOption,
} from "./consumer-location.ts";

export const command: Command = {
  name: "changes",
  summary: "derive created / modified / disappeared resources from the stream",
  description: `Per partition, each complete OK scan (its marker's count equals the snapshots stored) is
compared with the complete scan before it, in stream order; changes revealed since --since
(default 24h) are printed as their markers are read. Nothing is derived from a FAILED or
incomplete scan: it is listed as skipped, and the next complete scan is compared with the
last complete one. A modified resource lists its field differences (path, old -> new).
When the stream does not reach back to --since (its limits removed that history), nothing
is printed and the command exits 2 saying how far back it reaches and which setting keeps
more. Text: one line per change, an indented line per field difference; --json: one line
per change ({"kind":"change"}), per skipped scan ({"kind":"skipped"}), then a summary.`,
  groups: ["nats", "stream", "read"],
  options: {
    since: {
      type: "string",
      placeholder: "WHEN",
      help: "a duration back from now (24h), a time, a stream sequence, or all",
    },
    json: { type: "boolean", help: "JSON lines: changes, skipped scans, summary" },
  },
  exitStatus: consumerExitHelp(),
  async run(ctx) {
    const sinceText = ctx.args.string("since") ?? "24h";
    const since = startOption(ctx, "changes", "since", "24h");
    if (since.kind === "new") {
      throw new ConfigError(
        "elava changes: --since new would report nothing; use a duration (1h), a time, a sequence or all",
      );
    }
    const json = ctx.args.flag("json");
    const nc = await openNats(ctx.config, "changes", "never", ctx.log);
    try {
      const reader = await openReader(ctx, nc);
      const bad = loggedBadMessages(ctx);
      const out = output(ctx);
      let summary: Awaited<ReturnType<typeof deriveChanges>>;
      try {
        summary = await deriveChanges(reader, {
          since,
          sinceText,
          bad,
          signal: ctx.signal,
          ...changesWriter(out, json),
        });
      } catch (err) {
        if (err instanceof ShallowHistoryError) throw new ConfigError(err.message, { cause: err });
        throw err;
      }
      await out.line(
        json
          ? jsonText({ kind: "summary", since: sinceText, ...summary })
          : summaryText(summary, sinceText),
      );
      return consumerExit(bad);
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
