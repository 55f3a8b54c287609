/**
 * Bench 1's per-message budget: the launcher's scan flags read from bin/elava itself, and
 * the split of a run's CPU per message into parts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { launcherScanFlags } from "../../bench/budget.ts";
import { formatBudget, messageBudget } from "../../bench/publish.ts";
import type { ShippedRun } from "../../bench/shipped-scan.ts";

describe("the per-message budget", () => {
  it("reads the flags bin/elava gives scan", () => {
    const launcher = readFileSync(new URL("../../bin/elava", import.meta.url), "utf8");
    const flags = launcherScanFlags(launcher);
    expect(flags).toContain("--max-semi-space-size=4");
    expect(flags.every((f) => f.startsWith("--"))).toBe(true);
    expect(() => launcherScanFlags("#!/bin/sh\nexec node\n")).toThrow(/scan \| run/);
  });

  it("splits the CPU per message into generate, encode, publish and the rest", () => {
    const run = { messages: 1000, cpuSeconds: 0.05, gcCpuSeconds: 0.02 } as ShippedRun;
    const b = messageBudget(
      run,
      { resources: 100, generateUs: 5, generateEncodeUs: 13, sha256Us: 0.8 },
      7,
    );
    expect(b).toEqual({
      total: 50,
      generate: 5,
      encode: 8,
      sha256: 0.8,
      publish: 7,
      gc: 20,
      rest: 30,
    });
    expect(formatBudget(b)).toBe(
      "50.0 µs = generate 5.0 + encode 8.0 (SHA-256 0.8) + publish and acks 7.0 + rest 30.0; GC 20.0 of the total",
    );
  });
});
