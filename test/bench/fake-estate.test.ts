import { describe, expect, it } from "vitest";
import {
  DEFAULT_SHAPE,
  expectedResources,
  minimumCalls,
  paginate,
  scriptEstate,
} from "../../bench/fake-estate.ts";
import { compareCalls } from "../../bench/scan-concurrency.ts";
import { ALL_RESOURCE_TYPES } from "../../src/contract/resource-types.ts";
import { createAwsProvider } from "../../src/providers/aws/provider.ts";
import { planPartitions } from "../../src/scanner/scanner.ts";
import { FakeAws } from "../support/fake-aws.ts";

describe("the bench estate and its minimum calls", () => {
  it("pages fill up to the page size, and an empty list is one empty page", () => {
    expect(paginate([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(paginate([], 100)).toEqual([[]]);
  });

  it("counts a listing once per page per partition and per-resource calls per resource", () => {
    const shape = {
      ...DEFAULT_SHAPE,
      regions: ["us-east-1", "eu-west-1"],
      instances: 2001,
      roles: 3,
    };
    const min = minimumCalls(shape);
    expect(min.get("ec2:DescribeInstances")).toBe(2 * 3);
    expect(min.get("eks:DescribeNodegroup")).toBe(2 * shape.clusters * shape.nodegroups);
    expect(min.get("iam:ListRoleTags")).toBe(3);
    expect(min.get("elasticloadbalancing:DescribeTags")).toBe(2 * 2);
    // Every collector's listing is there: 18 types, each with at least one operation.
    expect(expectedResources(shape).size).toBe(ALL_RESOURCE_TYPES.length);
  });

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

  it("is listed completely by the real collectors with exactly the minimum calls", async () => {
    const shape = { ...DEFAULT_SHAPE, regions: ["us-east-1", "eu-west-1"], instances: 1001 };
    const fake = await FakeAws.start();
    const provider = createAwsProvider({
      endpoint: fake.url,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
      homeRegion: "us-east-1",
      regions: shape.regions,
      maxAttempts: 1,
      retryMode: "standard",
      log: () => undefined,
    });
    try {
      scriptEstate(fake, shape);
      const signal = new AbortController().signal;
      const seen = new Map<string, number>();
      for (const { key } of planPartitions(await provider.units(signal))) {
        for await (const page of provider.list(key, signal)) {
          seen.set(key.resourceType, (seen.get(key.resourceType) ?? 0) + page.length);
        }
      }
      expect(seen).toEqual(expectedResources(shape));
      const over = compareCalls(provider.apiCalls(), minimumCalls(shape)).filter(
        (c) => c.calls !== c.minimum,
      );
      expect(over).toEqual([]);
    } finally {
      await provider.close();
      await fake.close();
    }
  });
});
