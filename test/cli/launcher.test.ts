/**
 * bin/elava, the launcher: which Node it runs on, which heap flags each command gets, and
 * what a user who has not installed yet is told. A fake `node` (a shell script that prints
 * its arguments) stands in where the test needs to see what would run.
 */
import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "./run-cli.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "elava-launcher-"));
  dirs.push(d);
  return d;
}

/** A `node` that reports `version` and otherwise prints the arguments it was given. */
function fakeNode(version: string): string {
  const dir = tempDir();
  const path = join(dir, "node");
  writeFileSync(
    path,
    `#!/bin/sh\nif [ "$1" = --version ]; then echo ${version}; exit 0; fi\necho "ARGS $*"\necho "ARENAS \${MALLOC_ARENA_MAX:-unset}"\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

function run(
  bin: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const options = { env: { HOME: "/tmp", ...env }, ...(cwd === undefined ? {} : { cwd }) };
    execFile(bin, args, options, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const PATH = process.env.PATH ?? "";

describe("bin/elava", () => {
  it("gives scan and run their bounded heap, and the consumer commands theirs", async () => {
    const node = fakeNode("v24.22.3");
    const scan = await run(BIN, ["scan", "--provider", "sample"], { PATH, ELAVA_NODE: node });
    expect(scan.stdout).toMatch(
      /^ARGS --max-old-space-size=80 --max-semi-space-size=4 --no-allocation-site-pretenuring \S+ scan --provider sample$/mu,
    );
    expect(scan.stdout).toMatch(/^ARENAS 1$/mu);
    const arenas = await run(BIN, ["scan"], { PATH, ELAVA_NODE: node, MALLOC_ARENA_MAX: "4" });
    expect(arenas.stdout).toMatch(/^ARENAS 4$/mu);
    const runCmd = await run(BIN, ["run"], { PATH, ELAVA_NODE: node });
    expect(runCmd.stdout).toContain("--max-old-space-size=80");
    for (const command of ["tail", "replay", "changes", "history", "graph"]) {
      const consumer = await run(BIN, [command, "--json"], { PATH, ELAVA_NODE: node });
      expect(consumer.stdout).toMatch(
        new RegExp(
          `^ARGS --max-old-space-size=64 --max-semi-space-size=8 .*\\S+ ${command} --json$`,
          "mu",
        ),
      );
    }
    const config = await run(BIN, ["config"], { PATH, ELAVA_NODE: node });
    expect(config.stdout).not.toContain("--max-old-space-size");
    expect(config.stdout).toMatch(/^ARENAS unset$/mu);
  });

  it("leaves the heap to NODE_OPTIONS when it sets one", async () => {
    const node = fakeNode("v24.22.3");
    const r = await run(BIN, ["scan"], {
      PATH,
      ELAVA_NODE: node,
      NODE_OPTIONS: "--max-old-space-size=300",
    });
    expect(r.stdout).not.toContain("--max-old-space-size=80");
    expect(r.stdout).not.toContain("--no-allocation-site-pretenuring");
    expect(r.stdout).toMatch(/ scan$/mu);
    const replay = await run(BIN, ["replay"], {
      PATH,
      ELAVA_NODE: node,
      NODE_OPTIONS: "--max-old-space-size=512",
    });
    expect(replay.stdout).not.toContain("--max-old-space-size=64");
    expect(replay.stdout).toMatch(/ replay$/mu);
  });

  it("runs through a symlink from another directory, as npm's bin link does", async () => {
    const dir = tempDir();
    const link = join(dir, "elava");
    symlinkSync(BIN, link);
    const r = await run(link, ["--help"], { PATH, ELAVA_NODE: process.execPath }, dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: elava <command>");
  });

  it("refuses a Node older than 22 and says how to get Node 24", async () => {
    const old = fakeNode("v20.20.2");
    const viaEnv = await run(BIN, ["--help"], { PATH, ELAVA_NODE: old });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain(`ELAVA_NODE=${old} is not Node.js 22 or newer`);

    // A checkout with no .tools/ and only Node 20 on PATH.
    const root = tempDir();
    mkdirSync(join(root, "bin"));
    copyFileSync(BIN, join(root, "bin", "elava"));
    const oldDir = join(old, "..");
    const r = await run(join(root, "bin", "elava"), ["--help"], {
      PATH: `${oldDir}:/usr/bin:/bin`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("elava needs Node.js 22 or newer");
    expect(r.stderr).toContain("v20.20.2");
    expect(r.stderr).toContain("bash scripts/node.sh");
  });

  it("tells a user who has not installed the dependencies to run npm ci, with no stack trace", async () => {
    const root = tempDir();
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "src"));
    copyFileSync(BIN, join(root, "bin", "elava"));
    const r = await run(join(root, "bin", "elava"), ["--help"], {
      PATH,
      ELAVA_NODE: process.execPath,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the npm dependencies are not installed");
    expect(r.stderr).toContain("npm ci");
    expect(r.stderr).not.toMatch(/\n\s+at /u);
  });
});
