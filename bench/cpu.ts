/**
 * CPU time of this process and of another one, so a bench can say where a measurement's
 * time went: a rate that stops growing because every core is busy is a different finding
 * from one held back by waiting.
 */
import { readFileSync } from "node:fs";

/**
 * The kernel's clock ticks per second for /proc/<pid>/stat times (`getconf CLK_TCK`).
 * USER_HZ is 100 on every mainstream Linux architecture; Node has no API to ask.
 */
const CLOCK_TICKS = 100;

/** User + system CPU seconds a process has used, from /proc; NaN off Linux or once it exited. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined || process.platform !== "linux") return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of this process (every thread: the main one, the garbage collector's, libuv's). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** CPU seconds of this process and of another one over the run of `fn`. */
export async function measureCpu<T>(
  otherPid: number | undefined,
  fn: () => Promise<T>,
): Promise<{ result: T; seconds: number; ownCpu: number; otherCpu: number }> {
  const own = ownCpuSeconds();
  const other = processCpuSeconds(otherPid);
  const started = performance.now();
  const result = await fn();
  const seconds = (performance.now() - started) / 1000;
  return {
    result,
    seconds,
    ownCpu: ownCpuSeconds() - own,
    otherCpu: processCpuSeconds(otherPid) - other,
  };
}
