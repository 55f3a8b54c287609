/**
 * What `elava <command> --help` says, checked against what the command does: the footer's
 * exit statuses and YAML keys, the settings' own lines, and `config` connecting to nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCommands } from "../../src/cli/commands/index.ts";
import { freePort } from "../support/nats-server.ts";
import { runCli } from "./run-cli.ts";

const COMMANDS = await loadCommands();

describe("help", () => {
  it("every command's help tells how settings map to the YAML file and what the exit statuses mean", async () => {
    const helps = await Promise.all(COMMANDS.map((c) => runCli([c.name, "--help"])));
    for (const [i, help] of helps.entries()) {
      expect(help.code, COMMANDS[i]?.name).toBe(0);
      expect(help.stdout).toContain("stream: {max_age: 7d}");
      expect(help.stdout).toContain("2 bad command line or configuration, or NATS\nnot reachable");
    }
  });

  it("a consumer command exits 2 when NATS is not reachable, as the help says; config connects to nothing", async () => {
    const dead = `nats://127.0.0.1:${await freePort()}`;
    const [tail, config] = await Promise.all([
      runCli(["replay", "--nats-url", dead, "--nats-connect-timeout", "300ms"]),
      runCli(["config", "--nats-url", dead]),
    ]);
    expect(tail.code).toBe(2);
    expect(tail.stderr).toContain(`cannot connect to NATS at ${dead}`);
    expect(config.code, config.stderr).toBe(0);
    const help = await runCli(["config", "--help"]);
    expect(help.stdout).toContain("It connects to nothing.");
  });

  it("describes secrets, the grace period and the sample scan as they work", async () => {
    const help = (await runCli(["run", "--help"])).stdout;
    const line = (start: string) => help.split("\n").find((l) => l.trimStart().startsWith(start));
    expect(line("NATS_PASSWORD")).toContain("no flag (ps shows command lines)");
    expect(line("ELAVA_EXTERNAL_ID")).toContain("--external-id-file");
    expect(line("--shutdown-grace")).toContain("on SIGTERM or SIGINT");
    expect(line("--sample-scan N")).not.toMatch(/\bK\b/u);
    expect(line("--nats-name")).toContain("elava-scan");
    expect(line("--assume-role")).toContain("own account is always scanned");
    expect(line("--stream-duplicate-window")).toContain("at most --stream-max-age");
  });

  it("loads only the command that runs: a scan never loads the consumers, nor a replay the scanner", async () => {
    const dir = await mkdtemp(join(tmpdir(), "elava-modules-"));
    try {
      // A module hook, through NODE_OPTIONS (which bin/elava passes on), that writes every
      // module URL the process loads to a file at exit.
      const hook = join(dir, "hook.mjs");
      const out = join(dir, "loaded.txt");
      await writeFile(
        hook,
        `import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
const seen = [];
registerHooks({ load(url, context, next) { seen.push(url); return next(url, context); } });
process.on("exit", () => writeFileSync(${JSON.stringify(out)}, seen.join("\\n")));
`,
      );
      const loaded = async (args: string[]): Promise<string[]> => {
        const r = await runCli(args, { NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` });
        expect(r.code, r.stderr).toBe(0);
        return (await readFile(out, "utf8"))
          .split("\n")
          .filter((u) => u.includes("/src/") || u.includes("/dist/"));
      };
      const scan = await loaded(["scan", "--help"]);
      expect(scan.some((u) => /\/scanner\/scanner\.[jt]s$/u.test(u))).toBe(true);
      expect(scan.filter((u) => /\/consumer\//u.test(u))).toEqual([]);
      const replay = await loaded(["replay", "--help"]);
      expect(replay.some((u) => /\/consumer\/replay\.[jt]s$/u.test(u))).toBe(true);
      expect(replay.filter((u) => /\/scanner\/|\/providers\/|\/daemon\//u.test(u))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
