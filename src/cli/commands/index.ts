/**
 * The commands of `bin/elava`, in the order `elava --help` lists them.
 *
 * A command's module is loaded only when it runs: each command then holds in memory only
 * what it imports. Loaded together, the other commands' modules cost a scan about 12 MiB
 * of resident memory it has no use for (docs/benchmarks.md, Findings).
 */
import type { Command } from "../command.ts";

const MODULES: ReadonlyArray<readonly [string, () => Promise<{ command: Command }>]> = [
  ["scan", () => import("./scan.ts")],
  ["run", () => import("./run.ts")],
  ["stream", () => import("./stream.ts")],
  ["tail", () => import("./tail.ts")],
  ["replay", () => import("./replay.ts")],
  ["changes", () => import("./changes.ts")],
  ["history", () => import("./history.ts")],
  ["graph", () => import("./graph.ts")],
  ["schema", () => import("./schema.ts")],
  ["config", () => import("./config.ts")],
];

/** The names of the commands, in help order. */
export const COMMAND_NAMES: readonly string[] = MODULES.map(([name]) => name);

/** The command called `name`, loaded; undefined when there is none. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  const load = MODULES.find(([n]) => n === name)?.[1];
  return load === undefined ? undefined : (await load()).command;
}

/** Every command, loaded (for `elava --help`, which lists them all). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(MODULES.map(async ([, load]) => (await load()).command));
}
