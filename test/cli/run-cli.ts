/** Runs `bin/elava` as a child process, as an operator would, and collects its output. */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "elava");

/** A running CLI process. */
export class CliProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  readonly child: ChildProcess;

  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}, cwd?: string) {
    // bin/elava is a program of its own (a launcher that picks Node and the heap flags);
    // ELAVA_NODE makes it run on the Node these tests run on.
    this.child = spawn(BIN, args, {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        ELAVA_NODE: process.execPath,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      ...(cwd !== undefined ? { cwd } : {}),
    });
    this.child.stdout?.on("data", (c: Buffer) => {
      this.stdout += c.toString();
    });
    this.child.stderr?.on("data", (c: Buffer) => {
      this.stderr += c.toString();
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** JSON log lines written to stderr. */
  logs(): Array<Record<string, unknown>> {
    return this.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON log line: ${l}`);
        }
      });
  }

  /** Waits until `predicate` holds for the output, or fails after `ms`. */
  async waitFor(what: string, predicate: () => boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr.slice(-4000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Runs the CLI to completion. */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  cwd?: string,
): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  logs: Array<Record<string, unknown>>;
}> {
  const p = new CliProcess(args, env, cwd);
  const code = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr, logs: p.logs() };
}
