/** `elava history`: every version of one resource the stream holds, with field differences. */
import { jsonText } from "../../consumer/format.ts";
import { writeHistory } from "../../consumer/history.ts";
import { type Command, ExitCode, UsageError } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import {
  consumerExit,
  consumerExitHelp,
  loggedBadMessages,
  openReader,
  output,
} from "./consumer-location.ts";

export const command: Command = {
  name: "history",
  summary: "every retained version of one resource, with field differences",
  description: `Finds the resource by id (any resource the stream holds: i-0abc, an ARN id, a bucket
name), or else by ARN or name among the resources of the current inventory; --type,
--account and --region narrow the search. Every resource that matches is shown: its
versions (consecutive snapshots with the same content hash are one version) with when each
was first and last stored, the field differences from the version before, and whether it
is in the inventory now (present, gone, or unknown when its partition is not ok). How far
back it goes is the stream's max_msgs_per_subject scans (docs/operations.md, History).
--json: one {"kind":"version"} line per version (with its first snapshot), then one
{"kind":"resource"} line per resource and a {"kind":"summary"} line.`,
  groups: ["nats", "stream", "read"],
  positionals: "RESOURCE",
  options: {
    type: { type: "string", placeholder: "TYPE", help: "resource type" },
    account: { type: "string", placeholder: "ACCOUNT", help: "account id" },
    region: { type: "string", placeholder: "REGION", help: "region (global for global types)" },
    json: { type: "boolean", help: "JSON lines: versions, resources, summary" },
  },
  exitStatus: consumerExitHelp(" No resource matches: exit 1, saying what was looked for."),
  async run(ctx) {
    const [text, ...extra] = ctx.args.positionals;
    if (text === undefined || text.trim() === "" || extra.length > 0) {
      throw new UsageError(
        "elava history: give one resource: its id, ARN or name (elava history i-0abc123, elava history --type s3_bucket logs.example.com)",
      );
    }
    const narrow = (name: string) => {
      const v = ctx.args.string(name);
      if (v !== undefined && (v === "" || /[.*>\s]/u.test(v))) {
        throw new UsageError(
          `elava history: --${name} "${v}" cannot be matched: it must be non-empty, without ".", "*", ">" or spaces`,
        );
      }
      return v;
    };
    const resourceType = narrow("type");
    const accountId = narrow("account");
    const region = narrow("region");
    const json = ctx.args.flag("json");
    const nc = await openNats(ctx.config, "history", "never", ctx.log);
    try {
      const reader = await openReader(ctx, nc);
      const bad = loggedBadMessages(ctx);
      const out = output(ctx);
      const found = await writeHistory(
        reader,
        {
          text: text.trim(),
          ...(resourceType !== undefined ? { resourceType } : {}),
          ...(accountId !== undefined ? { accountId } : {}),
          ...(region !== undefined ? { region } : {}),
        },
        out,
        json,
        bad,
        ctx.signal,
      );
      if (json)
        await out.line(jsonText({ kind: "summary", resources: found, bad_messages: bad.count }));
      if (found === 0) {
        const where = [resourceType, accountId, region].filter((x) => x !== undefined).join(" ");
        ctx.log.error(
          `no resource with id, ARN or name "${text.trim()}"${where ? ` (${where})` : ""} in stream ${reader.location.stream} under ${reader.location.prefix}.>: ids are looked for in every snapshot the stream holds, names and ARNs in the current inventory`,
        );
        return ExitCode.Failed;
      }
      return consumerExit(bad);
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
