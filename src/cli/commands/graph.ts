/** `elava graph`: relationships between the resources of the current inventory. */
import { buildGraph, formatGraph, type GraphFormat } from "../../consumer/graph.ts";
import { decodeSnapshot, replay } from "../../consumer/replay.ts";
import { type Command, ExitCode, UsageError } from "../command.ts";
import { closeNats, openNats } from "../session.ts";
import { streamLocation } from "./consumer-location.ts";

const FORMATS: readonly GraphFormat[] = ["json", "dot", "mermaid"];

export const command: Command = {
  name: "graph",
  summary: "relationships of the current inventory, and dangling references",
  description: `Replays the inventory and draws an edge only where both ends exist (the
conservative, lazy way); references to resources not in the inventory are listed as
dangling (drift, orphans).`,
  groups: ["nats", "stream"],
  options: {
    format: { type: "string", placeholder: "FORMAT", help: "json (default), dot or mermaid" },
  },
  async run(ctx) {
    const format = (ctx.args.string("format") ?? "json") as GraphFormat;
    if (!FORMATS.includes(format)) {
      throw new UsageError(`elava graph: --format "${format}" is not one of ${FORMATS.join(", ")}`);
    }
    const nc = await openNats(ctx.config, "graph", "never", ctx.log);
    try {
      const inventory = await replay(nc, streamLocation(ctx), ctx.signal);
      const graph = buildGraph(inventory.resources.map(decodeSnapshot));
      ctx.stdout.write(`${formatGraph(graph, format)}\n`);
      return ExitCode.Ok;
    } finally {
      await closeNats(nc, ctx.log);
    }
  },
};
