/**
 * Peak resident memory of a child process, read from Linux's /proc/<pid>/status while it
 * runs. `VmHWM` is the kernel's own high-water mark of the resident set, so polling only
 * has to catch the process alive: the last value read before it exits is its peak up to
 * then (the final poll interval is the only blind spot, and memory at exit only shrinks).
 */
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { childrenCpuSeconds, parseProcStat, parseSchedstat, type ThreadTimes } from "./cpu.ts";

/** The memory lines of /proc/<pid>/status, in KiB. */
export interface ProcMemory {
  /** Peak resident set size (high-water mark). */
  readonly vmHwmKiB: number;
  /** Resident set size now. */
  readonly vmRssKiB: number;
}

/** Reads `VmHWM:` and `VmRSS:` from the text of /proc/<pid>/status; undefined when absent. */
export function parseProcStatus(text: string): ProcMemory | undefined {
  const kib = (field: string): number | undefined => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "mu").exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const vmHwmKiB = kib("VmHWM");
  const vmRssKiB = kib("VmRSS");
  if (vmHwmKiB === undefined || vmRssKiB === undefined) return undefined;
  return { vmHwmKiB, vmRssKiB };
}

/** What a measured child did. */
export interface PeakRssResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The highest VmHWM read, in KiB; 0 when the process ended before the first read. */
  readonly peakKiB: number;
  readonly seconds: number;
  /** CPU seconds of the child, every thread, startup to exit (NaN off Linux). */
  readonly cpuSeconds: number;
  /**
   * The child's threads by thread name (`MainThread`, `V8Worker`, ...), summed over the
   * threads of a name, each at its last reading: up to one poll interval short.
   */
  readonly threads: ReadonlyMap<string, ThreadTimes>;
  /** The last lines the child wrote to stderr (its summary, or why it failed). */
  readonly stderrTail: string[];
  readonly samples: number;
}

/** Runs a command to its end, polling its peak RSS every `intervalMs`. */
export async function measurePeakRss(
  command: string,
  args: readonly string[],
  options: {
    intervalMs?: number;
    env?: NodeJS.ProcessEnv;
    /** A file descriptor for the child's stdout; discarded when absent. */
    stdout?: number;
  } = {},
): Promise<PeakRssResult> {
  const cpu0 = childrenCpuSeconds();
  const started = performance.now();
  const child = spawn(command, args, {
    stdio: ["ignore", options.stdout ?? "ignore", "pipe"],
    env: options.env ?? process.env,
  });
  const tail: string[] = [];
  let partial = "";
  const stderr = child.stderr;
  if (stderr === null) throw new Error(`cannot read the stderr of ${command}`);
  stderr.setEncoding("utf8");
  stderr.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    tail.push(...lines);
    if (tail.length > 20) tail.splice(0, tail.length - 20);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${command}: no process id`);
  let peakKiB = 0;
  let samples = 0;
  let running = true;
  let endedAt = Number.NaN;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once("error", (err) => reject(new Error(`cannot run ${command}: ${err.message}`)));
      child.once("exit", () => {
        endedAt = performance.now();
        running = false;
      });
      // "close" comes after the last of stderr has been read: the summary is its last line.
      child.once("close", (code, signal) => resolve({ code, signal }));
    },
  );
  const threads = new Map<string, ThreadTimes & { name: string }>();
  const poll = async () => {
    while (running) {
      try {
        const m = parseProcStatus(await readFile(`/proc/${pid}/status`, "utf8"));
        if (m !== undefined) {
          peakKiB = Math.max(peakKiB, m.vmHwmKiB);
          samples++;
        }
        for (const tid of await readdir(`/proc/${pid}/task`)) {
          threads.set(tid, await readThread(`/proc/${pid}/task/${tid}`));
        }
      } catch {
        // The process (or a thread) ended between the listing and the read.
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
    }
  };
  const [{ code, signal }] = await Promise.all([exited, poll()]);
  // From the exit itself, not from the poll that noticed it.
  const seconds = (endedAt - started) / 1000;
  if (partial !== "") tail.push(partial);
  return {
    exitCode: code,
    signal,
    peakKiB,
    seconds,
    cpuSeconds: childrenCpuSeconds() - cpu0,
    threads: byName(threads.values()),
    stderrTail: tail,
    samples,
  };
}

function byName(threads: Iterable<ThreadTimes & { name: string }>): Map<string, ThreadTimes> {
  const out = new Map<string, ThreadTimes>();
  for (const { name, cpu, wait } of threads) {
    const sum = out.get(name);
    out.set(name, { cpu: (sum?.cpu ?? 0) + cpu, wait: (sum?.wait ?? 0) + wait });
  }
  return out;
}

/**
 * A thread's name, CPU time and run-queue wait: from schedstat (nanoseconds) when the
 * kernel keeps it, else the CPU time from stat (clock ticks) and an unknown wait.
 */
async function readThread(task: string): Promise<ThreadTimes & { name: string }> {
  const stat = parseProcStat(await readFile(`${task}/stat`, "utf8"));
  try {
    const { run, wait } = parseSchedstat(await readFile(`${task}/schedstat`, "utf8"));
    return { name: stat.name, cpu: run, wait };
  } catch {
    return { name: stat.name, cpu: stat.own, wait: Number.NaN };
  }
}
