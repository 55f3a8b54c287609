/** The machine a bench ran on, recorded with every figure so figures can be compared. */
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";

/** Where the figures were measured. */
export interface Machine {
  readonly cores: number;
  readonly memoryMiB: number;
  readonly cpuModel: string;
  readonly node: string;
  /** `v2.9.10`, or `unknown` when nats-server cannot be run. */
  readonly natsServer: string;
  readonly platform: string;
}

/** `nats-server: v2.9.10` -> `v2.9.10`; the whole text when it has no version. */
export function parseNatsServerVersion(output: string): string {
  return /v\d+\.\d+\.\d+\S*/u.exec(output)?.[0] ?? output.trim();
}

/** Describes this machine and the nats-server on PATH. */
export function describeMachine(): Machine {
  let natsServer = "unknown";
  try {
    natsServer = parseNatsServerVersion(
      execFileSync("nats-server", ["--version"], { encoding: "utf8" }),
    );
  } catch {
    // Recorded as "unknown": the benches that need it fail with their own message.
  }
  return {
    cores: cpus().length,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    natsServer,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** One line: `2 cores, 24105 MiB, Intel Xeon ..., Node v20.20.2, nats-server v2.9.10`. */
export function formatMachine(m: Machine): string {
  return `${m.cores} cores, ${m.memoryMiB} MiB, ${m.cpuModel}, ${m.platform}, Node ${m.node}, nats-server ${m.natsServer}`;
}
