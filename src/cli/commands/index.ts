/** The commands of `bin/elava`, in the order `elava --help` lists them. */
import type { Command } from "../command.ts";
import { command as config } from "./config.ts";
import { command as stream } from "./stream.ts";

export const COMMANDS: readonly Command[] = [stream, config];
