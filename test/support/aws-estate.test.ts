/**
 * The shared AWS estate's own arithmetic: how lists are split into pages and how its
 * minimum calls grow with regions, pages and per-resource calls. That a scan makes
 * exactly those calls is tested with the collectors (test/providers/aws/paging.test.ts,
 * test/bench/scan-concurrency.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALL_RESOURCE_TYPES } from "../../src/contract/resource-types.ts";
import { pagesOf, scriptAwsEstate } from "./aws-estate.ts";
import { FakeAws } from "./fake-aws.ts";

let fake: FakeAws;
beforeEach(async () => {
  fake = await FakeAws.start();
});
afterEach(() => fake.close());

describe("the shared AWS estate", () => {
  it("fills pages up to the page size, and serves an empty list as one empty page", () => {
    expect(pagesOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(pagesOf([], 100)).toEqual([[]]);
  });

  it("counts a listing once per page per partition and per-resource calls per resource", () => {
    const estate = scriptAwsEstate(fake, {
      regions: ["us-east-1", "eu-west-1"],
      regionsGiven: true,
      perType: 3,
      counts: { ec2_instance: 2001, eks_cluster: 2, eks_node_group: 4, load_balancer: 21 },
      roles: 3,
    });
    const min = estate.minimumCalls;
    // 2001 instances are three pages of 1000, in each of two regions.
    expect(min.get("ec2:DescribeInstances")).toBe(2 * 3);
    expect(min.get("eks:DescribeNodegroup")).toBe(2 * 4);
    expect(min.get("iam:ListRoleTags")).toBe(3);
    // Per region: 21 load balancers are two chunks of at most 20 ARNs, 3 target groups one.
    expect(min.get("elbv2:DescribeTags")).toBe(2 * (2 + 1));
    expect(min.has("ec2:DescribeRegions")).toBe(false);
    // Each of the 16 regional types in each region, and the 2 global types once.
    expect(estate.partitions).toHaveLength(2 * 16 + 2);
    expect(new Set(estate.partitions.map((p) => p.resourceType)).size).toBe(
      ALL_RESOURCE_TYPES.length,
    );
  });
});
