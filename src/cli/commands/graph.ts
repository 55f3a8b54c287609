/** `elava graph`: relationships between the resources of the current inventory. */
import { type GraphFormat, writeGraph } from "../../consumer/graph.ts";
import { type Command, UsageError } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import {
  consumerExit,
  consumerExitHelp,
  loggedBadMessages,
  openReader,
  output,
} from "./consumer-location.ts";

const FORMATS: readonly GraphFormat[] = ["json", "dot", "mermaid"];

export const command: Command = {
  name: "graph",
  summary: "relationships of the current inventory, and dangling references",
  description: `Replays the inventory (as elava replay does) and draws an edge only where both ends
exist (the conservative, lazy way). A reference to a resource not in the inventory is
dangling, with the reason: gone (its partition is ok and lacks it), unknown (its partition
is FAILED, unconfirmed, incomplete or has no OK marker), or outside (its partition was
never scanned: another account or region). Written as it is read, resource by resource:
--format json (default) gives JSON lines {"kind":"node"}, {"kind":"edge"} and
{"kind":"dangling"}, then {"kind":"summary"}; dot and mermaid give the graph with
dangling references and the summary as comments.`,
  groups: ["nats", "stream", "read"],
  options: {
    format: { type: "string", placeholder: "FORMAT", help: "json (default), dot or mermaid" },
  },
  exitStatus: consumerExitHelp(),
  async run(ctx) {
    const format = (ctx.args.string("format") ?? "json") as GraphFormat;
    if (!FORMATS.includes(format)) {
      throw new UsageError(`elava graph: --format "${format}" is not one of ${FORMATS.join(", ")}`);
    }
    const nc = await openNats(ctx.config, "graph", "never", ctx.log);
    try {
      const reader = await openReader(ctx, nc);
      const bad = loggedBadMessages(ctx);
      await writeGraph(reader, output(ctx), format, bad, ctx.signal);
      return consumerExit(bad);
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
