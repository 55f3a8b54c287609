import { describe, expect, it } from "vitest";
import {
  type Command,
  ExitCode,
  helpText,
  parseCommandLine,
  runCommand,
  UsageError,
} from "../../src/cli/command.ts";
import { loadCommands } from "../../src/cli/commands/index.ts";
import { globalHelp, main } from "../../src/cli/main.ts";

const COMMANDS = await loadCommands();

function buffer() {
  let text = "";
  return { write: (c: string) => (text += c), text: () => text };
}

const echo: Command = {
  name: "echo",
  summary: "test command",
  description: "",
  groups: ["nats", "stream"],
  options: { type: { type: "string", multiple: true, placeholder: "TYPE", help: "a type" } },
  positionals: "[WORD]",
  async run(ctx) {
    ctx.stdout.write(
      JSON.stringify({
        types: ctx.args.strings("type"),
        words: ctx.args.positionals,
        stream: ctx.config.values.streamName,
        servers: ctx.config.values.natsServers.map((s) => s.url),
      }),
    );
    return ExitCode.Ok;
  },
};

function context(argv: string[], env: Record<string, string> = {}) {
  const stdout = buffer();
  const stderr = buffer();
  return {
    stdout,
    stderr,
    ctx: {
      argv,
      env,
      stdout,
      stderr,
      isTTY: false,
      signal: new AbortController().signal,
      cwd: "/",
    },
  };
}

describe("command interface", () => {
  it("parses own options, positionals and shared settings the same way for every command", async () => {
    const { ctx, stdout } = context(
      ["--type", "vpc,subnet", "--type", "iam_role", "--stream", "S1", "hello"],
      { NATS_URL: "nats://n:4222" },
    );
    expect(await runCommand(echo, ctx)).toBe(0);
    expect(JSON.parse(stdout.text())).toEqual({
      types: ["vpc", "subnet", "iam_role"],
      words: ["hello"],
      stream: "S1",
      servers: ["nats://n:4222"],
    });
  });

  it("rejects a flag of a group the command does not accept, with its usage", () => {
    expect(() => parseCommandLine(echo, ["--interval", "1m"])).toThrow(UsageError);
    expect(() => parseCommandLine(echo, ["--interval", "1m"])).toThrow(
      /'--interval'[\s\S]*usage: elava echo \[options\] \[WORD\]/,
    );
  });

  it("exits 2 on a bad value without running the command", async () => {
    const { ctx, stderr, stdout } = context(["--nats-connect-timeout", "soon"]);
    expect(await runCommand(echo, ctx)).toBe(2);
    expect(stdout.text()).toBe("");
    expect(JSON.parse(stderr.text()).msg).toContain("invalid nats.connect_timeout");
  });

  it("every registered command has a summary and help listing its options", () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(
      expect.arrayContaining(["scan", "run", "stream", "config"]),
    );
    for (const command of COMMANDS) {
      const help = helpText(command);
      expect(help).toContain(`usage: elava ${command.name}`);
      expect(help).toContain("--help");
      expect(globalHelp(COMMANDS)).toContain(command.summary);
    }
    expect(helpText(COMMANDS.find((c) => c.name === "run") as Command)).toContain(
      "--interval DURATION",
    );
  });

  it("main prints help with no arguments and rejects an unknown command", async () => {
    const none = context([]);
    expect(await main([], none.ctx)).toBe(0);
    expect(none.stdout.text()).toContain("usage: elava <command>");
    const bad = context([]);
    expect(await main(["nope"], bad.ctx)).toBe(2);
    expect(bad.stderr.text()).toContain('unknown command "nope"');
  });
});
