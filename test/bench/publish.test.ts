/**
 * Bench 1's logic, without timing anything: reading the GC trace, the reference
 * protocol's result line, the nats.js window, when the Go reference can be built, and the
 * figures and ratios made of the best runs.
 */
import { describe, expect, it } from "vitest";
import { onCpuShare, parseProcStat, parseSchedstat } from "../../bench/cpu.ts";
import { formatResult, formatTable, judge } from "../../bench/figures.ts";
import { gcCpuSeconds, parseGcTrace } from "../../bench/gc-trace.ts";
import { GO_PACKAGES, planGoReference } from "../../bench/go-reference.ts";
import { gcShare, type PublishResults, publishFigures } from "../../bench/publish.ts";
import { publishWindowed } from "../../bench/publish-reference.ts";
import { parseReferenceResult, type ReferenceRun } from "../../bench/reference-child.ts";
import type { ShippedRun } from "../../bench/shipped-scan.ts";

// Lines of a real `--trace-gc-nvp` output (Node 24), shortened; and a line of the CLI's own.
const TRACE = [
  "[17481:0x102a1000:0]       24 ms: pause=1.1 mutator=19.6 gc=s reduce_memory=0 scavenge=1.06 scavenge.parallel=0.81 background.scavenge.parallel=0.50 incremental.steps_count=0 incremental.steps_took=0.0 promotion_ratio=0.0% allocated=5001328",
  '{"level":"info","msg":"scan finished","pause":3}',
  "[17494:0xfde2000:0]      213 ms: pause=4.7 mutator=20.8 gc=mc reduce_memory=0 clear.join_filter_job=0.0clear.join_job=0.0 evacuate=1.5 mark=0.3 incremental=2.4 incremental.sweep_array_buffers=5.2 incremental_steps_count=8 background.mark=7.3 background.sweep=1.1 background.evacuate.copy=0.9 start_object_size=107271904",
  "[17494:0xfde2000:0]      372 ms: pause=2.0 mutator=153.9 gc=ms background.sweep=0.2",
  "",
].join("\n");

describe("GC time from --trace-gc-nvp", () => {
  it("sums pauses and mark-compact incremental marking on the main thread, background scopes apart", () => {
    const gc = parseGcTrace(TRACE);
    expect(gc.collections).toBe(3);
    expect(gc.markCompacts).toBe(1);
    expect(gc.mainThreadMs).toBeCloseTo(1.1 + 4.7 + 2.4 + 2.0, 6);
    expect(gc.backgroundMs).toBeCloseTo(0.5 + 7.3 + 1.1 + 0.9 + 0.2, 6);
    expect(parseGcTrace("no trace here\n")).toEqual({
      collections: 0,
      markCompacts: 0,
      mainThreadMs: 0,
      backgroundMs: 0,
    });
  });

  it("counts the wall-clock sums at the share of runnable time the threads ran", () => {
    const gc = { collections: 9, markCompacts: 1, mainThreadMs: 200, backgroundMs: 800 };
    // Idle machine, or nothing known: the sums as they are.
    expect(gcCpuSeconds(gc, { cpu: 3, wait: 0 }, { cpu: 2, wait: 0 })).toBeCloseTo(1.0, 6);
    expect(gcCpuSeconds(gc, undefined, undefined)).toBeCloseTo(1.0, 6);
    expect(gcCpuSeconds(gc, { cpu: 3, wait: Number.NaN }, undefined)).toBeCloseTo(1.0, 6);
    // The main thread waited for a core as long as it ran, the workers three times as long.
    expect(gcCpuSeconds(gc, { cpu: 3, wait: 3 }, { cpu: 2, wait: 6 })).toBeCloseTo(0.1 + 0.2, 6);
    // The background part never exceeds the CPU time the workers had.
    expect(gcCpuSeconds(gc, { cpu: 3, wait: 0 }, { cpu: 0.5, wait: 0 })).toBeCloseTo(0.7, 6);
  });
});

describe("CPU from /proc", () => {
  it("reads a thread's run and run-queue wait from schedstat, in seconds", () => {
    expect(parseSchedstat("2500000000 500000000 1234\n")).toEqual({ run: 2.5, wait: 0.5 });
    expect(onCpuShare({ cpu: 2.5, wait: 0.5 })).toBeCloseTo(2.5 / 3, 6);
    expect(onCpuShare({ cpu: 0, wait: 0 })).toBe(1);
    expect(onCpuShare(undefined)).toBe(1);
  });

  it("reads the name, even with spaces and parentheses, own and children's CPU", () => {
    const stat =
      "4242 (V8 Worker (2)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 1200 34 20 0 11 0 99 0 0";
    expect(parseProcStat(stat)).toEqual({ name: "V8 Worker (2)", own: 3, children: 12.34 });
  });
});

describe("the reference protocol", () => {
  it("reads a result line and names what is missing or wrong", () => {
    expect(
      parseReferenceResult(
        '{"client":"nats.go","messages":10,"acked":9,"failed":1,"seconds":0.5,"cpuSeconds":0.25,"firstError":"x: timeout"}',
      ),
    ).toEqual({
      client: "nats.go",
      messages: 10,
      acked: 9,
      failed: 1,
      seconds: 0.5,
      cpuSeconds: 0.25,
      firstError: "x: timeout",
    });
    expect(() => parseReferenceResult("ready")).toThrow(/printed "ready", not its JSON result/u);
    expect(() => parseReferenceResult('{"messages":1,"acked":1,"failed":0,"seconds":1}')).toThrow(
      /no number "cpuSeconds"/u,
    );
  });

  it("keeps at most a window in flight, refills once a quarter is free, and counts failures", async () => {
    const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
    let inFlight = 0;
    let most = 0;
    const publish = () =>
      new Promise<void>((resolve, reject) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        pending.push({
          resolve: () => {
            inFlight -= 1;
            resolve();
          },
          reject: (e) => {
            inFlight -= 1;
            reject(e);
          },
        });
      });
    const done = publishWindowed(
      Array.from({ length: 20 }, (_, i) => i),
      8,
      publish,
    );
    const tick = () => new Promise((r) => setImmediate(r));
    await tick();
    expect(pending.length).toBe(8);
    // One settled is not enough to refill (the low water is 6 of 8)...
    pending.shift()?.resolve();
    await tick();
    expect(pending.length).toBe(7);
    // ...two more are, and the window fills again.
    pending.shift()?.reject(new Error("no responders"));
    pending.shift()?.resolve();
    await tick();
    expect(pending.length).toBe(8);
    while (pending.length > 0) {
      pending.shift()?.resolve();
      await tick();
    }
    expect(await done).toEqual({ acked: 19, failed: 1, firstError: "no responders" });
    expect(most).toBe(8);
  });
});

describe("the Go reference", () => {
  it("builds when go and nats.go are there, installs them as root, else says what to install", () => {
    expect(planGoReference({ go: true, natsGo: true, canInstall: false })).toEqual({
      action: "build",
    });
    expect(planGoReference({ go: false, natsGo: true, canInstall: true })).toEqual({
      action: "install",
      packages: GO_PACKAGES,
    });
    const plan = planGoReference({ go: true, natsGo: false, canInstall: false });
    expect(plan.action).toBe("unavailable");
    expect("reason" in plan && plan.reason).toMatch(
      /^no nats\.go under \/usr\/share\/gocode; install the Debian packages golang-go and golang-github-nats-io-go-nats-dev/u,
    );
  });
});

const shippedRun = (o: Partial<ShippedRun> = {}): ShippedRun => ({
  messages: 30_200,
  snapshots: 30_000,
  seconds: 3,
  scanSeconds: 2.5,
  cpuSeconds: 4,
  serverCpuSeconds: 1,
  peakKiB: 120 * 1024,
  gc: { collections: 100, markCompacts: 5, mainThreadMs: 300, backgroundMs: 900 },
  mainThread: { cpu: 2.5, wait: 2.5 },
  v8Workers: { cpu: 1, wait: 0.2 },
  gcCpuSeconds: 0.8,
  ...o,
});

const reference = (client: string, seconds: number): ReferenceRun => ({
  client,
  messages: 30_200,
  acked: 30_200,
  failed: 0,
  seconds,
  cpuSeconds: seconds / 2,
  serverCpuSeconds: seconds / 3,
});

const results = (o: Partial<PublishResults> = {}): PublishResults => ({
  resources: 30_000,
  rounds: 2,
  window: 1024,
  cores: 2,
  shipped: shippedRun(),
  shippedWorst: { peakKiB: 125 * 1024, gcShare: 20 },
  defaultHeap: shippedRun({ seconds: 2, peakKiB: 240 * 1024 }),
  defaultHeapWorst: { peakKiB: 250 * 1024, gcShare: 8 },
  go: reference("nats.go", 0.5),
  natsJs: reference("nats.js", 1.5),
  raw: reference("elava", 0.6),
  goVersion: "go version go1.19.8 linux/amd64",
  ...o,
});

const byName = (figures: ReturnType<typeof publishFigures>, name: string) => {
  const f = figures.find((x) => x.name.trim().startsWith(name));
  if (f === undefined) throw new Error(`no figure ${name}`);
  return f;
};

describe("bench 1's figures", () => {
  it("computes the ratios of the shipped scan and the references from the same run", () => {
    const figures = publishFigures(results());
    expect(byName(figures, "bin/elava scan as shipped").value).toBeCloseTo(30_200 / 3, 6);
    const vsGo = byName(figures, "shipped / Go");
    expect(vsGo.value).toBeCloseTo(0.5 / 3, 6);
    expect(vsGo.target).toEqual({ direction: "at-least", value: 0.6 });
    expect(byName(figures, "shipped / nats.js").value).toBeCloseTo(1.5 / 3, 6);
    expect(byName(figures, "shipped / Elava publisher").value).toBeCloseTo(0.6 / 3, 6);
    expect(byName(figures, "raw / Go").value).toBeCloseTo(0.5 / 0.6, 6);
    expect(byName(figures, "nats.js / Go").value).toBeCloseTo(0.5 / 1.5, 6);
    expect(byName(figures, "default heap / Go").value).toBeCloseTo(0.5 / 2, 6);
    expect(byName(figures, "Go nats.go PublishAsync, window 1024").value).toBeCloseTo(
      30_200 / 0.5,
      6,
    );
    // 0.6 x 60,400 msgs/s x (4 + 1) s of CPU per 30,200 messages.
    expect(byName(figures, "cores 0.6x Go").value).toBeCloseTo(6, 6);
  });

  it("judges the shipped scan's worst peak RSS and GC share, and only the shipped one's", () => {
    const figures = publishFigures(results());
    const [shippedRss, defaultRss] = figures.filter((f) => f.name.endsWith("peak RSS"));
    expect(shippedRss).toMatchObject({ value: 125, target: { direction: "at-most", value: 128 } });
    expect(defaultRss?.value).toBe(250);
    expect(defaultRss?.target).toBeUndefined();
    const [shippedGc, defaultGc] = figures.filter((f) => f.name.includes("garbage collection"));
    expect(shippedGc).toMatchObject({ value: 20, target: { direction: "at-most", value: 15 } });
    expect(
      figures.map(judge).find((f) => f === shippedGc || f.name === shippedGc?.name)?.pass,
    ).toBe(false);
    expect(defaultGc?.target).toBeUndefined();
    expect(byName(figures, "shipped: process CPU per message").value).toBeCloseTo(
      (4 / 30_200) * 1e6,
      6,
    );
    expect(gcShare(shippedRun())).toBeCloseTo(20, 6);
  });

  it("says why the Go reference is missing, reports the rest, and does not pass its target", () => {
    const why = "no the go command; install the Debian packages golang-go";
    const figures = publishFigures(results({ go: { unavailable: why } }));
    const go = byName(figures, "Go nats.go PublishAsync");
    expect(go.value).toBeNaN();
    expect(go.note).toBe(`not measured: ${why}`);
    const vsGo = judge(byName(figures, "shipped / Go"));
    expect(vsGo.note).toContain(why);
    expect(vsGo.pass).toBe(false);
    expect(formatResult(vsGo)).toBe("not measured");
    expect(byName(figures, "shipped / nats.js").value).toBeCloseTo(0.5, 6);
    expect(formatTable(figures.map(judge))).toMatch(
      /shipped \/ Go nats\.go PublishAsync\s+n\/a\s+>= 0\.6x\s+not measured/u,
    );
  });
});
