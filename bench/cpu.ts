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

/**
 * From the text of /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat, one thread's): the
 * command or thread name, and CPU seconds of the process (or thread) and of its reaped
 * children.
 */
export function parseProcStat(stat: string): { name: string; own: number; children: number } {
  // The name is in parentheses and may hold spaces and parentheses itself.
  const close = stat.lastIndexOf(")");
  const name = stat.slice(stat.indexOf("(") + 1, close);
  const fields = stat.slice(close + 2).split(" ");
  // utime, stime, cutime and cstime are fields 14 to 17 of the line, 12 to 15 after the name.
  const ticks = (i: number) => Number(fields[i]) / CLOCK_TICKS;
  return { name, own: ticks(11) + ticks(12), children: ticks(13) + ticks(14) };
}

/** User + system CPU seconds a process has used, from /proc; NaN off Linux or once it exited. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined || process.platform !== "linux") return Number.NaN;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8")).own;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds of this process's children that have exited and been reaped (every thread
 * of each, and their own reaped children), from /proc; NaN off Linux. The difference across
 * a child's run is that child's whole CPU time, to its last instruction, when no other child
 * ends meanwhile.
 */
export function childrenCpuSeconds(): number {
  if (process.platform !== "linux") return Number.NaN;
  try {
    return parseProcStat(readFileSync("/proc/self/stat", "utf8")).children;
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

/**
 * From the text of /proc/<pid>/task/<tid>/schedstat: seconds the thread ran on a CPU, and
 * seconds it was runnable but waited for one (the scheduler's run queue).
 */
export function parseSchedstat(text: string): { run: number; wait: number } {
  const [run, wait] = text.trim().split(/\s+/u).map(Number);
  return { run: (run ?? Number.NaN) / 1e9, wait: (wait ?? Number.NaN) / 1e9 };
}

/** What a thread (or the threads of one name) did with its time. */
export interface ThreadTimes {
  /** CPU seconds. */
  readonly cpu: number;
  /** Seconds runnable but waiting for a CPU; NaN when the kernel does not say. */
  readonly wait: number;
}

/**
 * The share of its runnable time a thread actually ran: 1 on an idle machine, 0.5 when it
 * waited for a core as long as it ran. 1 when unknown.
 */
export function onCpuShare(t: ThreadTimes | undefined): number {
  if (t === undefined || !Number.isFinite(t.wait) || t.cpu + t.wait <= 0) return 1;
  return t.cpu / (t.cpu + t.wait);
}
