import { describe, expect, it } from "vitest";
import { runLoop } from "../../src/daemon/loop.ts";
import { Readiness } from "../../src/daemon/readiness.ts";

describe("runLoop", () => {
  it("never runs two scans at once; a slow scan delays the next", async () => {
    const controller = new AbortController();
    let running = 0;
    let maxRunning = 0;
    const starts: number[] = [];
    const ends: number[] = [];
    const t0 = Date.now();
    const cycles = await runLoop({
      intervalMs: 20,
      signal: controller.signal,
      scan: async (cycle) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        starts.push(Date.now() - t0);
        // The first scan is slower than the interval.
        await new Promise((r) => setTimeout(r, cycle === 0 ? 80 : 5));
        ends.push(Date.now() - t0);
        running -= 1;
        if (cycle === 3) controller.abort();
      },
    });
    expect(cycles).toBe(4);
    expect(maxRunning).toBe(1);
    // The second scan starts once the slow first one has ended, not at 20ms (a timer may
    // fire a millisecond early by Date.now, so compare with when the first scan ended).
    expect(starts[1]).toBeGreaterThanOrEqual(ends[0] ?? Number.POSITIVE_INFINITY);
    expect(ends[0]).toBeGreaterThan(20);
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(19);
  });

  it("stops waiting for the next scan as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const t0 = Date.now();
    const done = runLoop({ intervalMs: 60_000, signal: controller.signal, scan: async () => {} });
    setTimeout(() => controller.abort(), 20);
    expect(await done).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe("Readiness", () => {
  it("needs NATS and a scan finished within two intervals", () => {
    let now = 1_000_000;
    const r = new Readiness(10_000, () => now);
    expect(r.check().reasons).toEqual(["not connected to NATS"]);
    r.natsConnected(true);
    expect(r.check().ready).toBe(true);
    now += 25_000;
    expect(r.check().ready).toBe(false);
    expect(r.check().reasons[0]).toContain("no scan has finished");
    r.scanFinished(now);
    expect(r.check().ready).toBe(true);
    now += 19_000;
    expect(r.check().ready).toBe(true);
    now += 2_000;
    expect(r.check().reasons[0]).toContain("more than two intervals");
    r.scanFinished(now);
    r.natsConnected(false);
    expect(r.check()).toEqual({ ready: false, reasons: ["not connected to NATS"] });
  });
});
