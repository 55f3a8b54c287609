/**
 * Runs a reference publisher (bench/go-reference, bench/publish-reference.ts) as a child
 * and times only its publish: the child reads its messages and connects first, prints
 * "ready", and starts when it reads a line on stdin; it then prints one JSON line
 * (`ReferenceResult`) with its own wall and CPU time over the publish. The nats-server's CPU
 * is read from /proc between the go line and the result line, so both processes' costs
 * cover the same interval.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { processCpuSeconds } from "./cpu.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** How to start a reference publisher. */
export interface ReferenceCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** What every reference is given: the messages file, the server, the publish window. */
export interface ReferenceInput {
  readonly file: string;
  readonly url: string;
  readonly window: number;
}

/** The Go reference, built by go-reference.ts. */
export function goReferenceCommand(binary: string, input: ReferenceInput): ReferenceCommand {
  return {
    command: binary,
    args: ["-file", input.file, "-url", input.url, "-window", String(input.window)],
    cwd: ROOT,
  };
}

/** A JavaScript reference (publish-reference.ts) on this Node, through tsx. */
export function jsReferenceCommand(client: string, input: ReferenceInput): ReferenceCommand {
  return {
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      `${ROOT}bench/publish-reference.ts`,
      "--client",
      client,
      "--file",
      input.file,
      "--url",
      input.url,
      "--window",
      String(input.window),
    ],
    // --import resolves "tsx" from the working directory.
    cwd: ROOT,
  };
}

/** What a reference child prints when it is done. */
export interface ReferenceResult {
  readonly client: string;
  readonly messages: number;
  readonly acked: number;
  readonly failed: number;
  /** Wall time of the publish, from the go line to the last ack. */
  readonly seconds: number;
  /** The child's CPU time (every thread) over the same interval. */
  readonly cpuSeconds: number;
  readonly firstError?: string;
}

/** A reference run: the child's figures and the server's CPU over its publish. */
export interface ReferenceRun extends ReferenceResult {
  readonly serverCpuSeconds: number;
}

/** Reads a child's result line; throws naming what is wrong with it. */
export function parseReferenceResult(line: string): ReferenceResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(
      `a reference publisher printed ${JSON.stringify(line.slice(0, 200))}, not its JSON result`,
    );
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  for (const key of ["messages", "acked", "failed", "seconds", "cpuSeconds"]) {
    if (typeof o[key] !== "number") {
      throw new Error(
        `a reference publisher's result has no number "${key}": ${line.slice(0, 200)}`,
      );
    }
  }
  return {
    client: typeof o.client === "string" ? o.client : "unknown",
    messages: o.messages as number,
    acked: o.acked as number,
    failed: o.failed as number,
    seconds: o.seconds as number,
    cpuSeconds: o.cpuSeconds as number,
    ...(typeof o.firstError === "string" ? { firstError: o.firstError } : {}),
  };
}

/** Runs one reference child to its end; fails when it fails or did not store every message. */
export async function runReferenceChild(
  reference: ReferenceCommand,
  serverPid: number | undefined,
): Promise<ReferenceRun> {
  const { command, args, cwd } = reference;
  const child = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
  const stderr: string[] = [];
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 50) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", (err) => reject(new Error(`cannot run ${command}: ${err.message}`)));
    // "close", not "exit": it comes after the last line of stdout has been read.
    child.once("close", (code) => resolve(code));
  });
  let serverCpu0 = Number.NaN;
  let serverCpu1 = Number.NaN;
  let resultLine: string | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    if (line === "ready") {
      serverCpu0 = processCpuSeconds(serverPid);
      child.stdin.end("go\n");
    } else if (line.startsWith("{")) {
      serverCpu1 = processCpuSeconds(serverPid);
      resultLine = line;
    }
  });
  const code = await exited;
  if (code !== 0 || resultLine === undefined) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${code}${resultLine === undefined ? " without a result" : ""}: ${stderr.join("").trim().slice(-2000)}`,
    );
  }
  const result = parseReferenceResult(resultLine);
  if (result.acked !== result.messages) {
    throw new Error(
      `the ${result.client} reference stored ${result.acked} of ${result.messages} messages (${result.failed} failed); first error: ${result.firstError ?? "none"}`,
    );
  }
  return { ...result, serverCpuSeconds: serverCpu1 - serverCpu0 };
}
