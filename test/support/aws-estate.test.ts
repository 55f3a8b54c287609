/**
 * The shared AWS estate's own arithmetic: how lists are split into pages and how its
 * minimum calls grow with regions, pages and per-resource calls. That a scan makes
 * exactly those calls is tested with the collectors (test/providers/aws/paging.test.ts,
 * test/bench/scan-concurrency.test.ts).
 */
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALL_RESOURCE_TYPES, scopeOf } from "../../src/contract/resource-types.ts";
import { on, pagesOf } from "./aws-answers.ts";
import { scriptAwsEstate } from "./aws-estate.ts";
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
    const answer = on(DescribeVpcsCommand).pages(
      {
        items: "Vpcs",
        pageSize: "MaxResults",
        max: 2,
        inputToken: "NextToken",
        outputToken: "NextToken",
      },
      [{ VpcId: "a" }, { VpcId: "b" }, { VpcId: "c" }],
    );
    expect(answer.pageLengths({})).toEqual([2, 1]);
    expect(answer.respond({})).toEqual({
      Vpcs: [{ VpcId: "a" }, { VpcId: "b" }],
      NextToken: "page-1",
    });
    expect(answer.respond({ NextToken: "page-1" })).toEqual({ Vpcs: [{ VpcId: "c" }] });
  });

  it("counts a listing once per page per partition and per-resource calls per resource", async () => {
    const estate = await scriptAwsEstate(fake, {
      regions: ["us-east-1", "eu-west-1"],
      regionsGiven: true,
      perType: 3,
      counts: { ec2_instance: 2001, eks_cluster: 2, eks_node_group: 4, load_balancer: 41 },
    });
    const min = estate.minimumCalls;
    // 2001 instances are three pages of 1000, in each of two regions.
    expect(min.get("ec2:DescribeInstances")).toBe(2 * 3);
    expect(min.get("eks:DescribeNodegroup")).toBe(2 * 4);
    // ListClusters by both EKS collectors; ListNodegroups by both, per cluster.
    expect(min.get("eks:ListClusters")).toBe(2 * 2);
    expect(min.get("eks:ListNodegroups")).toBe(2 * 2 * 2);
    // Route tables listed by route_table and by subnet (for the main tables).
    expect(min.get("ec2:DescribeRouteTables")).toBe(2 * 2);
    expect(min.get("iam:ListRoleTags")).toBe(3);
    // Per region, 41 load balancers are 21 ELBv2 ones, two chunks of at most 20 ARNs (3
    // target groups one more), and 20 classic ones, one chunk of 20 names.
    expect(min.get("elbv2:DescribeTags")).toBe(2 * (2 + 1));
    expect(min.get("elb:DescribeTags")).toBe(2 * 1);
    expect(min.get("elb:DescribeLoadBalancers")).toBe(2 * 1);
    expect(min.get("s3:GetBucketLocation")).toBeUndefined();
    expect(min.has("ec2:DescribeRegions")).toBe(false);
    expect(min.get("sts:GetCallerIdentity")).toBe(1);
    // Each regional type in each region, and the global types once.
    const global = ALL_RESOURCE_TYPES.filter((t) => scopeOf(t) === "global").length;
    expect(estate.partitions).toHaveLength(2 * (ALL_RESOURCE_TYPES.length - global) + global);
    expect(new Set(estate.partitions.map((p) => p.resourceType)).size).toBe(
      ALL_RESOURCE_TYPES.length,
    );
    expect(estate.operations.get("ec2:DescribeRouteTables")?.answeredBy).toBe("route_table");
  });

  it("costs a GetBucketLocation per bucket when ListBuckets does not name regions", async () => {
    const estate = await scriptAwsEstate(fake, {
      regions: ["us-east-1"],
      perType: 0,
      counts: { s3_bucket: 5 },
      bucketRegionsListed: false,
    });
    expect(estate.minimumCalls.get("s3:GetBucketLocation")).toBe(5);
    expect(estate.minimumCalls.get("s3:GetBucketTagging")).toBe(5);
    expect(estate.minimumCalls.get("ec2:DescribeRegions")).toBe(1);
  });
});
