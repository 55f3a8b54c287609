/**
 * load_balancer reads two APIs: its partition is complete only when both answered. Through
 * real SDK clients against the fake endpoint, a denied classic ELB API fails the partition
 * as access_denied, naming the classic call, though every ELBv2 call succeeded.
 */
import { describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../src/errors.ts";
import { createAwsProvider } from "../../../src/providers/aws/provider.ts";
import { scriptAwsEstate } from "../../support/aws-estate.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";

const REGION = "us-east-1";

describe("load_balancer with its classic API denied", () => {
  it("fails the partition as access_denied after the ELBv2 listing succeeded", async () => {
    const fake = await FakeAws.start();
    try {
      const estate = await scriptAwsEstate(fake, {
        regions: [REGION],
        perType: 4,
        regionsGiven: true,
      });
      fake.fail({ service: "elb", code: "AccessDenied", status: 403 });
      const provider = createAwsProvider(fakeProviderOptions(fake, { regions: [REGION] }));
      try {
        await provider.units(new AbortController().signal);
        const partition = {
          provider: "aws",
          resourceType: "load_balancer" as const,
          accountId: estate.accountId,
          region: REGION,
        };
        const pages: number[] = [];
        const failure = await (async () => {
          for await (const page of provider.list(partition, new AbortController().signal)) {
            pages.push(page.length);
          }
        })().catch((err: unknown) => err);
        // The ELBv2 page came out; the classic listing then failed the partition.
        expect(pages).toEqual([2]);
        expect(failure).toBeInstanceOf(PartitionFailure);
        expect((failure as PartitionFailure).reason).toBe("access_denied");
        expect((failure as PartitionFailure).message).toMatch(
          new RegExp(`describe load balancers in ${REGION} for ${estate.accountId}`),
        );
        expect(fake.calls("elbv2").length).toBeGreaterThan(0);
      } finally {
        await provider.close();
      }
    } finally {
      await fake.close();
    }
  });
});
