/**
 * The collectors stream pages at the largest page size each API allows: through real SDK
 * clients against the fake endpoint, every list request carries the documented maximum
 * (PAGE_SIZES, independent of the collectors), a partition's first page arrives after one
 * call of its listing, and a complete scan makes exactly the estate's minimum calls.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResourceType } from "../../../src/contract/resource-types.ts";
import { type AwsProvider, createAwsProvider } from "../../../src/providers/aws/provider.ts";
import {
  type AwsEstate,
  isCallOf,
  PAGE_SIZES,
  type PagedOperation,
  pageSizeViolations,
  scriptAwsEstate,
} from "../../support/aws-estate.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";

let fake: FakeAws;
beforeEach(async () => {
  fake = await FakeAws.start();
});
afterEach(() => fake.close());

function provider(): AwsProvider {
  return createAwsProvider(fakeProviderOptions(fake));
}

/** The listing whose pages a partition's pages follow. */
const LISTING: Record<ResourceType, PagedOperation> = {
  ec2_instance: "ec2:DescribeInstances",
  launch_template: "ec2:DescribeLaunchTemplates",
  autoscaling_group: "autoscaling:DescribeAutoScalingGroups",
  eks_cluster: "eks:ListClusters",
  eks_node_group: "eks:ListClusters",
  rds_instance: "rds:DescribeDBInstances",
  db_subnet_group: "rds:DescribeDBSubnetGroups",
  vpc: "ec2:DescribeVpcs",
  subnet: "ec2:DescribeSubnets",
  route_table: "ec2:DescribeRouteTables",
  internet_gateway: "ec2:DescribeInternetGateways",
  nat_gateway: "ec2:DescribeNatGateways",
  vpc_peering: "ec2:DescribeVpcPeeringConnections",
  security_group: "ec2:DescribeSecurityGroups",
  load_balancer: "elbv2:DescribeLoadBalancers",
  target_group: "elbv2:DescribeTargetGroups",
  s3_bucket: "s3:ListBuckets",
  iam_role: "iam:ListRoles",
};

interface Listed {
  ids: string[];
  pages: number;
  /** Calls of the partition's listing made before its first page came out. */
  callsBeforeFirstPage: number;
}

async function listPartition(
  p: AwsProvider,
  estate: AwsEstate,
  type: ResourceType,
  region: string,
): Promise<Listed> {
  const op = LISTING[type];
  const before = p.apiCalls().get(op) ?? 0;
  const out: Listed = { ids: [], pages: 0, callsBeforeFirstPage: 0 };
  const partition = { provider: "aws", resourceType: type, accountId: estate.accountId, region };
  for await (const page of p.list(partition, new AbortController().signal)) {
    if (out.pages === 0) out.callsBeforeFirstPage = (p.apiCalls().get(op) ?? 0) - before;
    out.pages += 1;
    out.ids.push(...page.map((r) => r.id));
  }
  return out;
}

describe("collector paging against the fake endpoint", () => {
  it("streams every type page by page at the largest page size, with the minimum calls", async () => {
    const estate = scriptAwsEstate(fake, {
      regions: ["us-east-1"],
      perType: 1001,
      counts: {
        launch_template: 201,
        route_table: 101,
        autoscaling_group: 101,
        eks_cluster: 101,
        eks_node_group: 101,
        rds_instance: 101,
        db_subnet_group: 101,
        load_balancer: 401,
        target_group: 401,
      },
      roles: 1001,
      buckets: 3,
      bucketRegionsListed: false,
    });
    const p = provider();
    await p.units(new AbortController().signal);
    for (const partition of estate.partitions) {
      const listed = await listPartition(p, estate, partition.resourceType, partition.region);
      const what = `${partition.resourceType} ${partition.region}`;
      expect(listed.ids.sort(), what).toEqual([...partition.ids].sort());
      expect(listed.callsBeforeFirstPage, what).toBe(1);
      // Every type but s3_bucket has more than one page of its listing here.
      const size = PAGE_SIZES[LISTING[partition.resourceType]];
      expect(listed.pages, what).toBe(Math.max(1, Math.ceil(partition.ids.length / size)));
      if (partition.resourceType !== "s3_bucket") expect(listed.pages, what).toBeGreaterThan(1);
    }
    expect(pageSizeViolations(fake.calls())).toEqual([]);
    expect(Object.fromEntries(p.apiCalls())).toEqual(Object.fromEntries(estate.minimumCalls));
    await p.close();
  });

  it("pages the node groups of a cluster", async () => {
    const estate = scriptAwsEstate(fake, {
      regions: ["eu-west-1"],
      perType: 0,
      counts: { eks_cluster: 2, eks_node_group: 202 },
      roles: 0,
      buckets: 0,
    });
    const p = provider();
    await p.units(new AbortController().signal);
    const groups = await listPartition(p, estate, "eks_node_group", "eu-west-1");
    expect(groups.ids).toHaveLength(202);
    expect(groups.ids).toContain("eks-1/ng-201");
    const nodegroupCalls = fake.calls().filter((c) => isCallOf(c, "eks:ListNodegroups"));
    // Two clusters, each listed by its node groups' collector: two pages each.
    expect(nodegroupCalls.map((c) => c.params.nextToken ?? "first").sort()).toEqual([
      "first",
      "first",
      "page-1",
      "page-1",
    ]);
    expect(pageSizeViolations(fake.calls())).toEqual([]);
    await p.close();
  });
});
