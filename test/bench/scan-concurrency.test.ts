/**
 * Bench 4's parts that decide its figures: the call comparison, and the fake process that
 * scripts the estate and reports what a scan of it must see and may cost. The real
 * collectors list that estate completely with exactly the reported minimum calls, so the
 * bench's "API calls / minimum" of 1x means what it says.
 */
import { describe, expect, it } from "vitest";
import {
  addCollectorCost,
  type CollectorCost,
  compareCalls,
  formatCollectorCost,
  resourcesByType,
  SCAN_BENCH_ESTATE,
  startFakeAwsProcess,
} from "../../bench/scan-concurrency.ts";
import { ALL_RESOURCE_TYPES } from "../../src/contract/resource-types.ts";
import { createAwsProvider } from "../../src/providers/aws/provider.ts";
import { planPartitions } from "../../src/scanner/scanner.ts";

describe("bench 4, scan concurrency", () => {
  it("compares calls with the minimum over the union of operations", () => {
    const calls = new Map([
      ["ec2:DescribeVpcs", 4],
      ["ec2:DescribeRouteTables", 9],
    ]);
    const min = new Map([
      ["ec2:DescribeRouteTables", 8],
      ["iam:ListRoles", 1],
    ]);
    expect(compareCalls(calls, min)).toEqual([
      { operation: "ec2:DescribeRouteTables", calls: 9, minimum: 8 },
      { operation: "ec2:DescribeVpcs", calls: 4, minimum: 0 },
      { operation: "iam:ListRoles", calls: 0, minimum: 1 },
    ]);
  });

  it("its estate, served by the fake process, is listed completely with exactly the minimum calls", async () => {
    const regions = ["us-east-1", "eu-west-1"];
    const fake = await startFakeAwsProcess(0, { ...SCAN_BENCH_ESTATE, regions });
    const provider = createAwsProvider({
      endpoint: fake.url,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
      homeRegion: "us-east-1",
      regions,
      maxAttempts: 1,
      retryMode: "standard",
      log: () => undefined,
    });
    try {
      const expected = resourcesByType(fake.estate);
      // Every type is present, EC2 instances over two pages in each region.
      expect([...expected.keys()].sort()).toEqual([...ALL_RESOURCE_TYPES].sort());
      expect([...expected.values()].every((n) => n > 0)).toBe(true);
      expect(expected.get("ec2_instance")).toBe(2 * 1001);
      expect(fake.estate.minimumCalls["ec2:DescribeInstances"]).toBe(2 * 2);

      const signal = new AbortController().signal;
      const seen = new Map<string, number>();
      const planned = planPartitions(await provider.units(signal));
      expect(planned.length).toBe(fake.estate.partitions.length);
      for (const { key } of planned) {
        for await (const page of provider.list(key, signal)) {
          seen.set(key.resourceType, (seen.get(key.resourceType) ?? 0) + page.length);
        }
      }
      expect(seen).toEqual(expected);
      const off = compareCalls(
        provider.apiCalls(),
        new Map(Object.entries(fake.estate.minimumCalls)),
      ).filter((c) => c.calls !== c.minimum);
      expect(off).toEqual([]);
    } finally {
      await provider.close();
      fake.close();
    }
  });
});

describe("bench 4's cost per collector", () => {
  it("sums partitions by type and gives CPU per call and per resource", () => {
    const costs = new Map<string, CollectorCost>();
    addCollectorCost(costs, "vpc", { cpuSeconds: 0.002, calls: 1, resources: 2 });
    addCollectorCost(costs, "vpc", { cpuSeconds: 0.004, calls: 2, resources: 4 });
    expect(costs.get("vpc")).toEqual({ cpuSeconds: 0.006, calls: 3, resources: 6 });
    expect(formatCollectorCost("vpc", costs.get("vpc") as CollectorCost)).toBe(
      "vpc: 3 calls, 2.00 ms CPU per call, 1000 µs per resource (6 resources, 6.0 ms)",
    );
    expect(formatCollectorCost("s3_bucket", { cpuSeconds: 0, calls: 0, resources: 0 })).toBe(
      "s3_bucket: 0 calls, n/a CPU per call, n/a per resource (0 resources, 0.0 ms)",
    );
  });
});
