/**
 * The collectors stream pages at the largest page size each API allows: through real SDK
 * clients against the fake endpoint, every list request carries the documented maximum
 * (each fixture's paging, independent of the collectors), a partition's first page
 * arrives after one call of its listing, one page out per page of it, and a complete scan
 * makes exactly the estate's minimum calls. Generic over the registry: a new type is
 * paged here through its fixture's `listing`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALL_RESOURCE_TYPES, type ResourceType } from "../../../src/contract/resource-types.ts";
import { type AwsProvider, createAwsProvider } from "../../../src/providers/aws/provider.ts";
import {
  type AwsEstate,
  operationKey,
  pageSizeViolations,
  scriptAwsEstate,
} from "../../support/aws-estate.ts";
import { type AwsFixture, loadAwsFixtures } from "../../support/aws-fixture.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";

let fake: FakeAws;
beforeEach(async () => {
  fake = await FakeAws.start();
});
afterEach(() => fake.close());

function provider(): AwsProvider {
  return createAwsProvider(fakeProviderOptions(fake));
}

interface Listed {
  ids: string[];
  pages: number;
  /** Calls of the partition's listing made before its first page came out. */
  callsBeforeFirstPage: number;
}

async function listPartition(
  p: AwsProvider,
  estate: AwsEstate,
  fixture: AwsFixture,
  region: string,
): Promise<Listed> {
  const op = operationKey(fixture.listing);
  const before = p.apiCalls().get(op) ?? 0;
  const out: Listed = { ids: [], pages: 0, callsBeforeFirstPage: 0 };
  const partition = {
    provider: "aws",
    resourceType: fixture.type,
    accountId: estate.accountId,
    region,
  };
  for await (const page of p.list(partition, new AbortController().signal)) {
    if (out.pages === 0) out.callsBeforeFirstPage = (p.apiCalls().get(op) ?? 0) - before;
    out.pages += 1;
    out.ids.push(...page.map((r) => r.id));
  }
  return out;
}

/** Listings of more than this many items a page are left at one page (S3's 10,000 buckets). */
const LARGEST_PAGED = 1000;

/**
 * The counts that make every type's listing take two pages: one more item than its
 * largest page, of the type that answers it (node groups follow the clusters' pages).
 */
async function twoPagesOfEveryListing(
  fixtures: Readonly<Record<ResourceType, AwsFixture>>,
): Promise<Partial<Record<ResourceType, number>>> {
  const probe = await FakeAws.start();
  try {
    const { operations } = await scriptAwsEstate(probe, { regions: ["us-east-1"], perType: 1 });
    const counts: Partial<Record<ResourceType, number>> = {};
    for (const type of ALL_RESOURCE_TYPES) {
      const served = operations.get(operationKey(fixtures[type].listing));
      if (served === undefined)
        throw new Error(`${type}: no type of the estate answers its listing`);
      // A listing that does not page (EC2 DescribeAddresses) is one call whatever the count.
      const max = served.paging?.max;
      if (max !== undefined && max <= LARGEST_PAGED) counts[served.answeredBy] = max + 1;
    }
    return counts;
  } finally {
    await probe.close();
  }
}

describe("collector paging against the fake endpoint", () => {
  it("streams every type page by page at the largest page size, with the minimum calls", async () => {
    const fixtures = await loadAwsFixtures(ALL_RESOURCE_TYPES);
    const counts = await twoPagesOfEveryListing(fixtures);
    const estate = await scriptAwsEstate(fake, {
      regions: ["us-east-1"],
      perType: 3,
      counts,
      bucketRegionsListed: false,
    });
    const p = provider();
    await p.units(new AbortController().signal);
    for (const partition of estate.partitions) {
      const fixture = fixtures[partition.resourceType];
      const listed = await listPartition(p, estate, fixture, partition.region);
      const what = `${partition.resourceType} ${partition.region}`;
      expect(listed.ids.sort(), what).toEqual([...partition.ids].sort());
      expect(listed.callsBeforeFirstPage, what).toBe(1);
      const listingPages = [fixture.listing, ...(fixture.laterListings ?? [])].reduce(
        (n, listing) => n + estate.pageLengths(partition.region, listing).length,
        0,
      );
      expect(listed.pages, what).toBe(listingPages);
      const max = estate.operations.get(operationKey(fixture.listing))?.paging?.max;
      if (max !== undefined && max <= LARGEST_PAGED) expect(listed.pages, what).toBeGreaterThan(1);
    }
    expect(pageSizeViolations(estate, fake.calls())).toEqual([]);
    expect(Object.fromEntries(p.apiCalls())).toEqual(Object.fromEntries(estate.minimumCalls));
    await p.close();
    // A thousand and one IAM roles, users and policies cost two calls each: about 7,000
    // calls through the fake endpoint: 35 s alone on two busy cores, more beside other tests.
  }, 240_000);

  it("pages the node groups of a cluster", async () => {
    const estate = await scriptAwsEstate(fake, {
      regions: ["eu-west-1"],
      perType: 0,
      counts: { eks_cluster: 2, eks_node_group: 202 },
    });
    const p = provider();
    await p.units(new AbortController().signal);
    const fixtures = await loadAwsFixtures(["eks_node_group"]);
    const groups = await listPartition(p, estate, fixtures.eks_node_group, "eu-west-1");
    expect(groups.ids).toHaveLength(202);
    expect(groups.ids).toContain("eks-1/ng-201");
    // Two clusters, each listed by its node groups' collector: two pages each.
    expect(
      fake
        .calls("eks", "ListNodegroups")
        .map((c) => String(c.input.nextToken ?? "first"))
        .sort(),
    ).toEqual(["first", "first", "page-1", "page-1"]);
    expect(pageSizeViolations(estate, fake.calls())).toEqual([]);
    await p.close();
  });

  it("names a list call that asks for less than the largest page", async () => {
    const estate = await scriptAwsEstate(fake, { regions: ["us-east-1"], perType: 1 });
    const calls = [
      {
        service: "ec2",
        region: "us-east-1",
        accountId: "1",
        operation: "DescribeVpcs",
        input: { MaxResults: 500 },
      },
      {
        service: "ec2",
        region: "us-east-1",
        accountId: "1",
        operation: "DescribeVpcs",
        input: { MaxResults: 1000 },
      },
      { service: "iam", region: "us-east-1", accountId: "1", operation: "ListRoles", input: {} },
    ];
    expect(pageSizeViolations(estate, calls)).toEqual([
      "ec2:DescribeVpcs MaxResults=500",
      "iam:ListRoles MaxItems=(none)",
    ]);
  });
});
