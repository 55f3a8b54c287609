/** The commands of `bin/elava`, in the order `elava --help` lists them. */
import type { Command } from "../command.ts";
import { command as changes } from "./changes.ts";
import { command as config } from "./config.ts";
import { command as graph } from "./graph.ts";
import { command as history } from "./history.ts";
import { command as replay } from "./replay.ts";
import { command as run } from "./run.ts";
import { command as scan } from "./scan.ts";
import { command as schema } from "./schema.ts";
import { command as stream } from "./stream.ts";
import { command as tail } from "./tail.ts";

export const COMMANDS: readonly Command[] = [
  scan,
  run,
  stream,
  tail,
  replay,
  changes,
  history,
  graph,
  schema,
  config,
];
