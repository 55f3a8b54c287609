import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureCpu, processCpuSeconds } from "../../bench/cpu.ts";
import { parseNatsServerVersion } from "../../bench/machine.ts";
import { manifestNodeOptions, memoryVariants } from "../../bench/memory-replay.ts";
import { measurePeakRss, parseProcStatus } from "../../bench/peak-rss.ts";
import { parseScanSummary } from "../../bench/shipped-scan.ts";

const STATUS = `Name:\tnode
VmPeak:\t 1234567 kB
VmSize:\t 1200000 kB
VmHWM:\t  190123 kB
VmRSS:\t  150456 kB
Threads:\t11
`;

describe("peak RSS from /proc", () => {
  it("reads VmHWM and VmRSS in KiB, not VmPeak", () => {
    expect(parseProcStatus(STATUS)).toEqual({ vmHwmKiB: 190_123, vmRssKiB: 150_456 });
    expect(parseProcStatus("Name:\tkthreadd\nThreads:\t1\n")).toBeUndefined();
  });

  it("measures a child that holds 64 MiB above one that holds nothing", async () => {
    const hold =
      "const b = Buffer.alloc(64 * 2 ** 20, 1); setTimeout(() => console.error(b.length), 300);";
    const idle = "setTimeout(() => console.error('done'), 300);";
    const big = await measurePeakRss(process.execPath, ["-e", hold]);
    const small = await measurePeakRss(process.execPath, ["-e", idle]);
    expect(big.exitCode).toBe(0);
    expect(big.stderrTail).toEqual([String(64 * 2 ** 20)]);
    expect(small.stderrTail).toEqual(["done"]);
    expect(big.samples).toBeGreaterThan(0);
    expect(big.peakKiB - small.peakKiB).toBeGreaterThan(60 * 1024);
  });

  it("gives the child's CPU time, by thread too, and its stdout to a file", async () => {
    // The child spins until it has used 400 ms of CPU (however long a loaded machine makes
    // that take), prints, and sleeps long enough for a poll to read its threads.
    const dir = await mkdtemp(join(tmpdir(), "elava-peak-rss-"));
    const out = openSync(join(dir, "stdout"), "w");
    try {
      const run = await measurePeakRss(
        process.execPath,
        [
          "-e",
          "while (process.cpuUsage().user < 400_000); console.log('spun'); setTimeout(() => {}, 300);",
        ],
        { stdout: out },
      );
      expect(run.exitCode).toBe(0);
      expect(run.cpuSeconds).toBeGreaterThanOrEqual(0.35);
      const main = run.threads.get("MainThread");
      expect(main?.cpu).toBeGreaterThanOrEqual(0.3);
      // The thread's time is in nanoseconds (schedstat), the process's in clock ticks of
      // 10 ms (stat), so the thread may show up to a tick more than the whole process.
      expect(main?.cpu).toBeLessThanOrEqual(run.cpuSeconds + 0.01);
      expect(main?.wait).toBeGreaterThanOrEqual(0);
      expect(readFileSync(join(dir, "stdout"), "utf8")).toBe("spun\n");
    } finally {
      closeSync(out);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a failing child's exit code and last lines", async () => {
    const run = await measurePeakRss(process.execPath, [
      "-e",
      "console.error('boom'); process.exit(3)",
    ]);
    expect(run.exitCode).toBe(3);
    expect(run.stderrTail).toEqual(["boom"]);
  });
});

describe("CPU time from /proc", () => {
  it("counts a busy child's CPU and none for a sleeping one", async () => {
    // The busy child spins until it has used 400 ms of CPU (however long a loaded machine
    // makes that take), says so, and sleeps; the other only sleeps.
    const busy = spawn(process.execPath, [
      "-e",
      "while (process.cpuUsage().user < 400_000); console.log('spun'); setTimeout(() => {}, 10_000);",
    ]);
    const idle = spawn(process.execPath, ["-e", "setTimeout(() => {}, 10_000);"]);
    try {
      const { otherCpu } = await measureCpu(busy.pid, async () => {
        await new Promise((resolve) => busy.stdout.once("data", resolve));
      });
      expect(otherCpu).toBeGreaterThanOrEqual(0.35);
      expect(otherCpu).toBeGreaterThanOrEqual(0.3);
      expect(processCpuSeconds(idle.pid)).toBeLessThan(0.3);
    } finally {
      busy.kill();
      idle.kill();
    }
  });

  it("is NaN for a process that does not exist", () => {
    expect(processCpuSeconds(undefined)).toBeNaN();
    expect(processCpuSeconds(2 ** 22 + 12_345)).toBeNaN();
  });
});

describe("memory bench inputs", () => {
  it("takes the scan's published count from its last JSON log line", () => {
    const lines = [
      '{"level":"info","msg":"partition scanned","resources":84}',
      "not json",
      '{"level":"info","msg":"scan finished","scan_id":"01M8","duration_s":41.5,"published":1008544,"partitions_ok":7392,"partitions_failed":0}',
      '{"level":"info","msg":"closed NATS connection"}',
    ];
    expect(parseScanSummary(lines)).toEqual({
      published: 1_008_544,
      partitionsOk: 7392,
      partitionsFailed: 0,
      durationSeconds: 41.5,
    });
    expect(parseScanSummary(['{"msg":"partition scanned"}'])).toBeUndefined();
  });

  it("measures bin/elava as shipped, the manifest's NODE_OPTIONS when it sets any, and Node defaults", () => {
    const manifest = `          env:
            - name: NODE_OPTIONS
              value: --max-old-space-size=96
`;
    expect(memoryVariants({ manifest })).toEqual([
      { label: "Node defaults (comparison)", cli: "compiled", nodeOptions: "", comparison: true },
      { label: "bin/elava as shipped (also the image's entrypoint)", cli: "bin", nodeOptions: "" },
      {
        label: "deployment.yaml, NODE_OPTIONS --max-old-space-size=96",
        cli: "bin",
        nodeOptions: "--max-old-space-size=96",
      },
    ]);
    expect(memoryVariants({ manifest: "" }).map((v) => v.label)).toEqual([
      "Node defaults (comparison)",
      "bin/elava as shipped (also the image's entrypoint)",
    ]);
  });

  it("ships one set of heap flags: the image runs bin/elava and nothing overrides its flags", () => {
    const root = new URL("../../", import.meta.url);
    const read = (path: string) => readFileSync(new URL(path, root), "utf8");
    const dockerfile = read("Dockerfile");
    expect(dockerfile).toMatch(/^ENTRYPOINT \["bin\/elava"\]$/mu);
    expect(dockerfile).not.toMatch(/^ENV\s+NODE_OPTIONS/mu);
    expect(manifestNodeOptions(read("deploy/kubernetes/deployment.yaml"))).toBeUndefined();
    expect(read("bin/elava")).toMatch(/--max-old-space-size=\d+ --max-semi-space-size=\d+/u);
  });

  it("reads the version nats-server prints", () => {
    expect(parseNatsServerVersion("nats-server: v2.9.10\n")).toBe("v2.9.10");
    expect(parseNatsServerVersion("nats-server: v2.10.22-beta.1")).toBe("v2.10.22-beta.1");
  });
});
