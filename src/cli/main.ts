/**
 * The entry point of `elava`: picks the command, builds its context from the process
 * (argv, environment, streams, an AbortSignal for SIGINT/SIGTERM) and exits with the
 * command's status. A second SIGINT/SIGTERM exits at once, for an operator who does not
 * want to wait for the grace period. A closed stdout aborts the command like a signal and
 * exits 141, as a process killed by SIGPIPE does.
 */
import { pathToFileURL } from "node:url";
import { type Command, type CommandContext, ExitCode, runCommand } from "./command.ts";
import { COMMAND_NAMES, loadCommand, loadCommands } from "./commands/index.ts";
import { createLogger, logProcessWarnings } from "./log.ts";

/** The text of `elava --help`. */
export function globalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "usage: elava <command> [options]",
    "",
    "Elava scans AWS and publishes a typed full snapshot of every resource to NATS JetStream.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run 'elava <command> --help' for a command's options.",
    "",
  ].join("\n");
}

/**
 * Runs the CLI with `argv` (without node and script) in `ctx`; resolves to the exit code.
 * The commands are elava's own, each loaded only when it runs, unless `commands` are given.
 */
export async function main(
  argv: readonly string[],
  ctx: Omit<CommandContext, "argv">,
  commands?: readonly Command[],
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    ctx.stdout.write(globalHelp(commands ?? (await loadCommands())));
    return ExitCode.Ok;
  }
  const command =
    commands === undefined ? await loadCommand(name) : commands.find((c) => c.name === name);
  if (command === undefined) {
    const names = commands?.map((c) => c.name) ?? COMMAND_NAMES;
    ctx.stderr.write(`elava: unknown command "${name}"; the commands are ${names.join(", ")}\n`);
    return ExitCode.Config;
  }
  return runCommand(command, { ...ctx, argv: rest });
}

/** Runs the CLI in this process and exits with its status. */
export async function runMain(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`elava: second ${signal}, exiting without waiting\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    controller.abort(new Error(`received ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A reader that goes away (`elava tail --from all | head -2`) makes the next write fail
  // with EPIPE: the command stops as on a signal and exits as a closed pipe, quietly.
  let outputClosed = false;
  process.stdout.on("error", () => {
    outputClosed = true;
    if (!controller.signal.aborted) controller.abort(new Error("the output was closed"));
  });
  process.stderr.on("error", () => {});
  const isTTY = process.stderr.isTTY === true;
  logProcessWarnings(
    createLogger(process.stderr, "warn", {}, () => new Date(), isTTY ? "text" : "json"),
  );
  const code = await main(argv, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY,
    signal: controller.signal,
    cwd: process.cwd(),
  });
  if (outputClosed || process.stdout.destroyed) process.exit(ExitCode.OutputClosed);
  // Exit explicitly: a client library's stray timer must not keep a finished command alive.
  // Only once both streams have written everything: a pipe that a slow reader keeps full
  // takes writes asynchronously, and exiting at once would cut the last log lines.
  process.stderr.write("", () =>
    process.stdout.write("", () => process.exit(outputClosed ? ExitCode.OutputClosed : code)),
  );
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await runMain(process.argv.slice(2));
}
