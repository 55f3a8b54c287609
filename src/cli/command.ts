/**
 * The command interface of `bin/elava`. A command declares its name, a one-line summary,
 * a description, the option groups it accepts (NATS connection, stream, provider, ...)
 * and its own options; `runCommand` parses the command line with node's strict
 * `util.parseArgs`, prints generated help for `--help`, loads and validates the
 * configuration (flags over environment over the YAML file), and only then calls `run`.
 * Every command therefore parses the shared options the same way, and a bad command line
 * or configuration exits 2 before the command connects to anything.
 *
 * Writing a command (e.g. `src/cli/commands/tail.ts`):
 *
 *     export const command: Command = {
 *       name: "tail",
 *       summary: "print snapshots and markers as they are published",
 *       description: "...",
 *       groups: ["nats", "stream"],
 *       options: { type: { type: "string", multiple: true, placeholder: "TYPE", help: "..." } },
 *       async run(ctx) {
 *         const nc = await connectNats(natsConnectionOptions(ctx.config, "tail"));
 *         ctx.args.strings("type"); ctx.config.values.streamName; ctx.signal; ...
 *         return ExitCode.Ok;
 *       },
 *     };
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type LoadedConfig, loadConfig, settingsOf } from "../config/load.ts";
import { type OptionGroup, SETTING_NAMES, SETTINGS, type Setting } from "../config/settings.ts";
import { ConfigError, errorMessage } from "../errors.ts";
import type { NatsConnectionOptions } from "../publisher/connection.ts";
import { redactText } from "../util/redact.ts";
import { createLogger, type Logger } from "./log.ts";

export type { OptionGroup } from "../config/settings.ts";

/** Exit statuses of every command. */
export const ExitCode = {
  /** Done; for a scan: every partition OK. */
  Ok: 0,
  /** Done, but something failed; for a scan: at least one partition FAILED. */
  Failed: 1,
  /** Bad command line or configuration; nothing was done. */
  Config: 2,
  /** A consumer tool finished but skipped messages that are not of the contract. */
  BadMessages: 3,
  /** The output was closed by its reader (`| head`), as for SIGPIPE (128 + 13). */
  OutputClosed: 141,
} as const;

/** Where a command writes: process.stdout, process.stderr, or a test buffer. */
export interface Output {
  /** Text, or bytes for a command whose output is binary (`elava schema`). */
  write(chunk: string | Uint8Array): unknown;
  /** True when it is a terminal (process streams say so). */
  readonly isTTY?: boolean;
}

/** What a command runs in. `main.ts` builds it from the process; tests build their own. */
export interface CommandContext {
  /** The arguments after the command name. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The command's output (tables, JSON, events). */
  readonly stdout: Output;
  /** Logs (JSON lines) and the live progress line. */
  readonly stderr: Output;
  /** True when stderr is a terminal: show progress and tables rather than JSON logs. */
  readonly isTTY: boolean;
  /** Aborted on SIGINT or SIGTERM: stop starting work, finish or abandon, clean up. */
  readonly signal: AbortSignal;
  /** Base of relative file paths. */
  readonly cwd: string;
}

/** One option of a command's own (not a configuration setting). */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** May be given more than once (`--type vpc --type subnet`). */
  readonly multiple?: boolean;
  /** What the value looks like in help, e.g. `TYPE`. */
  readonly placeholder?: string;
  readonly help: string;
}

/** The parsed own options and positional arguments of a command. */
export class CommandArgs {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    /** Positional arguments, in order. */
    readonly positionals: readonly string[],
  ) {}

  /** A string option, or undefined when absent (the last one if given several times). */
  string(name: string): string | undefined {
    const v = this.values[name];
    if (Array.isArray(v)) return v.at(-1) as string | undefined;
    return typeof v === "string" ? v : undefined;
  }

  /** Every value of a repeatable string option; comma-separated values are split. */
  strings(name: string): string[] {
    const v = this.values[name];
    const all = Array.isArray(v) ? (v as string[]) : typeof v === "string" ? [v] : [];
    return all
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }

  /** A boolean option; false when absent. */
  flag(name: string): boolean {
    return this.values[name] === true;
  }
}

/** What `run` receives: the context, the validated configuration, the parsed options, a logger. */
export interface RunContext extends CommandContext {
  readonly config: LoadedConfig;
  readonly args: CommandArgs;
  /** JSON-lines logger on stderr at the configured level. */
  readonly log: Logger;
}

/** A command of `bin/elava`. */
export interface Command {
  readonly name: string;
  /** One line, shown in `elava --help`. */
  readonly summary: string;
  /** Paragraphs shown in `elava <name> --help` before the options. */
  readonly description: string;
  /** Shared option groups accepted besides `general` (`--config`, `--log-level`). */
  readonly groups: readonly OptionGroup[];
  /** The command's own options, by long name. */
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments in usage, e.g. `[SUBJECT]`; none accepted when absent. */
  readonly positionals?: string;
  /** The "Exit status:" paragraph of `--help`, when it differs from the common one. */
  readonly exitStatus?: string;
  /** Runs the command; resolves to an exit code (see ExitCode). */
  run(ctx: RunContext): Promise<number>;
}

/** A bad command line (unknown flag, missing value); exits 2 with the usage. */
export class UsageError extends ConfigError {}

function allGroups(command: Command): OptionGroup[] {
  return ["general", ...command.groups.filter((g) => g !== "general")];
}

function parseArgsOptions(command: Command): NonNullable<ParseArgsConfig["options"]> {
  const options: NonNullable<ParseArgsConfig["options"]> = {
    help: { type: "boolean", short: "h" },
    config: { type: "string" },
  };
  for (const name of settingsOf(allGroups(command))) {
    const s = SETTINGS[name] as Setting<unknown>;
    if (s.flag !== undefined) options[s.flag] = { type: s.switch ? "boolean" : "string" };
  }
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options[name] = {
      type: spec.type,
      ...(spec.short !== undefined ? { short: spec.short } : {}),
      ...(spec.multiple !== undefined ? { multiple: spec.multiple } : {}),
    };
  }
  return options;
}

function optionLine(flag: string, help: string, extra = ""): string {
  const left = `  ${flag}`;
  return `${left.padEnd(40)} ${help}${extra}`;
}

const GROUP_TITLES: Record<OptionGroup, string> = {
  general: "General",
  nats: "NATS connection",
  stream: "Stream",
  "stream-settings": "Stream settings (applied when the stream is created or updated)",
  provider: "Provider",
  scan: "Scan",
  daemon: "Daemon",
  read: "Reading the stream",
};

/** The usage line of a command. */
export function usageLine(command: Command): string {
  return `usage: elava ${command.name} [options]${command.positionals ? ` ${command.positionals}` : ""}`;
}

/** The full `--help` text of a command, generated from its declaration and the settings. */
export function helpText(command: Command): string {
  const lines = [usageLine(command), "", command.summary, ""];
  if (command.description) lines.push(command.description.trim(), "");
  const own = Object.entries(command.options ?? {});
  if (own.length > 0) {
    lines.push("Options:");
    for (const [name, spec] of own) {
      const short = spec.short ? `-${spec.short}, ` : "";
      const value = spec.type === "string" ? ` ${spec.placeholder ?? "VALUE"}` : "";
      lines.push(optionLine(`${short}--${name}${value}`, spec.help));
    }
    lines.push("");
  }
  for (const group of allGroups(command)) {
    lines.push(`${GROUP_TITLES[group]}:`);
    if (group === "general") {
      lines.push(optionLine("-h, --help", "show this help"));
      lines.push(optionLine("--config FILE", "YAML configuration file (env ELAVA_CONFIG)"));
    }
    for (const name of settingsOf([group])) {
      const s = SETTINGS[name] as Setting<unknown>;
      const env = s.env.length > 0 ? ` (env ${s.env.join(", ")})` : "";
      const dflt = s.default === undefined ? "" : s.format(s.default);
      const shownDefault = dflt === "" || s.switch ? "" : `; default ${dflt}`;
      const flag =
        s.flag === undefined
          ? (s.env[0] ?? s.key)
          : `--${s.flag}${s.switch ? "" : ` ${s.placeholder}`}`;
      lines.push(optionLine(flag, s.help, `${shownDefault}${env}`));
    }
    lines.push("");
  }
  lines.push(
    "Precedence: flags over environment over the --config file over defaults. In the YAML",
    "file each setting has the key 'elava config' prints (stream.max_age: 7d is",
    "stream: {max_age: 7d}); docs/operations.md lists every key and variable.",
    command.exitStatus ??
      "Exit status: 0 done, 1 something FAILED, 2 bad command line or configuration, or NATS\nnot reachable (nothing was done).",
  );
  return `${lines.join("\n")}\n`;
}

/** The outcome of parsing a command line. */
export type ParsedCommandLine =
  | { readonly help: true }
  | {
      readonly help: false;
      readonly flags: Readonly<Record<string, string | boolean | undefined>>;
      readonly configFile: string | undefined;
      readonly args: CommandArgs;
    };

/** Refuses a secret given as a flag, saying where it goes instead. */
function refuseSecretFlags(command: Command, argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === "--") return;
    for (const name of SETTING_NAMES) {
      const s = SETTINGS[name] as Setting<unknown>;
      if (s.refusedFlag === undefined) continue;
      if (arg !== `--${s.refusedFlag}` && !arg.startsWith(`--${s.refusedFlag}=`)) continue;
      const file = SETTING_NAMES.map((n) => SETTINGS[n] as Setting<unknown>).find(
        (f) => f.key === `${s.key}_file`,
      );
      throw new UsageError(
        `elava ${command.name}: --${s.refusedFlag} is not accepted: a command line is visible to every user of the machine (ps); set ${s.env.join(" or ")}, ${s.key} in the --config file${file?.flag === undefined ? "" : `, or --${file.flag} FILE`}`,
      );
    }
  }
}

/**
 * util.parseArgs reads `--interval -5m` as a flag followed by another option and refuses
 * it as "ambiguous". A value that starts with a dash and a digit (`-5`, `-1`, `-5m`)
 * cannot be an option, so it is joined to its flag (`--interval=-5m`) and reaches the
 * setting's own check, which says what is wrong with it, or accepts it (`-1`, unlimited).
 */
function joinDashValues(
  options: NonNullable<ParseArgsConfig["options"]>,
  argv: readonly string[],
): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (o.short !== undefined) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const next = argv[i + 1];
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (takesValue.has(arg) && next !== undefined && /^-\.?\d/u.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** util.parseArgs's message in one line, with what to do when a value starts with a dash. */
function parseArgsProblem(err: unknown): string {
  const text = errorMessage(err);
  const ambiguous = /^Option '(-[^']+)' argument is ambiguous/u.exec(text);
  if (ambiguous !== null) {
    const flag = ambiguous[1] ?? "";
    return `${flag} needs a value, and the next argument starts with a dash, like an option; give the value as ${flag}=VALUE`;
  }
  const missing = /^Option '(-\S+)(?: <value>)?' argument missing/u.exec(text);
  if (missing !== null) return `${missing[1]} needs a value`;
  return text.split("\n")[0] ?? text;
}

/** Parses a command's arguments strictly. Throws UsageError naming the offending flag. */
export function parseCommandLine(command: Command, argv: readonly string[]): ParsedCommandLine {
  refuseSecretFlags(command, argv);
  const options = parseArgsOptions(command);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinDashValues(options, argv),
      options,
      strict: true,
      allowPositionals: command.positionals !== undefined,
    });
  } catch (err) {
    throw new UsageError(
      `elava ${command.name}: ${parseArgsProblem(err)}\n${usageLine(command)}\nRun 'elava ${command.name} --help' for the options.`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help === true) return { help: true };
  const flags: Record<string, string | boolean | undefined> = {};
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (command.options && Object.hasOwn(command.options, k)) own[k] = v;
    else if (!Array.isArray(v)) flags[k] = v;
  }
  const configFile = typeof values.config === "string" ? values.config : undefined;
  return { help: false, flags, configFile, args: new CommandArgs(own, parsed.positionals) };
}

/** Writes an error for the operator: a JSON log line, or plain text on a terminal; never a secret. */
function reportError(ctx: CommandContext, kind: string, err: unknown): void {
  if (ctx.isTTY) ctx.stderr.write(`elava: ${redactText(errorMessage(err))}\n`);
  else createLogger(ctx.stderr).error(errorMessage(err), { error: kind });
}

/**
 * Runs a command: parse, help, configuration, then `run`. A ConfigError (from parsing,
 * loading, or thrown by `run` before it does anything) exits 2; any other error thrown
 * by `run` is logged and exits 1.
 */
export async function runCommand(command: Command, ctx: CommandContext): Promise<number> {
  let config: LoadedConfig;
  let args: CommandArgs;
  try {
    const line = parseCommandLine(command, ctx.argv);
    if (line.help) {
      ctx.stdout.write(helpText(command));
      return ExitCode.Ok;
    }
    config = await loadConfig({
      flags: line.flags,
      env: ctx.env,
      configFile: line.configFile,
      cwd: ctx.cwd,
    });
    args = line.args;
  } catch (err) {
    if (err instanceof ConfigError) {
      reportError(ctx, "config", err);
      return ExitCode.Config;
    }
    throw err;
  }
  const log = createLogger(
    ctx.stderr,
    config.values.logLevel,
    { command: command.name },
    () => new Date(),
    ctx.isTTY ? "text" : "json",
  );
  for (const warning of config.warnings) log.warn(warning);
  try {
    return await command.run({ ...ctx, config, args, log });
  } catch (err) {
    if (err instanceof ConfigError) {
      reportError(ctx, "config", err);
      return ExitCode.Config;
    }
    reportError(ctx, "fatal", err);
    return ExitCode.Failed;
  }
}

/**
 * The NATS connection options of the configuration. `role` is appended to the connection
 * name (`elava-tail`) so that the server's connection list says what each client is.
 */
export function natsConnectionOptions(
  config: LoadedConfig,
  role: string,
  reconnect: NatsConnectionOptions["reconnect"] = "never",
): NatsConnectionOptions {
  const v = config.values;
  const tls = {
    ...(v.natsTlsCa !== undefined ? { caFile: v.natsTlsCa } : {}),
    ...(v.natsTlsCert !== undefined ? { certFile: v.natsTlsCert } : {}),
    ...(v.natsTlsKey !== undefined ? { keyFile: v.natsTlsKey } : {}),
  };
  // A tls:// URL requires TLS: with a tls option the client refuses a server without it.
  const requireTls = v.natsServers.some((s) => s.tls);
  return {
    servers: v.natsServers.map((s) => s.url),
    name: `${v.natsName}-${role}`,
    connectTimeoutMs: v.natsConnectTimeout,
    reconnect,
    ...(v.natsToken !== undefined ? { token: v.natsToken } : {}),
    ...(v.natsUser !== undefined ? { user: v.natsUser } : {}),
    ...(v.natsPassword !== undefined ? { password: v.natsPassword } : {}),
    ...(v.natsNkeySeedFile !== undefined ? { nkeySeedFile: v.natsNkeySeedFile } : {}),
    ...(v.natsCredsFile !== undefined ? { credsFile: v.natsCredsFile } : {}),
    ...(Object.keys(tls).length > 0 || requireTls ? { tls } : {}),
  };
}
