/**
 * Every collector of the registry, through real SDK clients against the fake endpoint, from
 * its fixture (test/providers/aws/collectors/<type>.fixture.ts): a type added to the
 * registry is covered here without a line of its own.
 *
 * - Its full fixture comes out of the wire fully populated and equal to what the stubs
 *   give: the answers lose nothing on their way through each protocol and the SDK.
 * - A denied service fails its partition as access_denied, naming the call, the region and
 *   the account, while a partition of another service in the same unit stays complete.
 * - Listing its partition calls exactly the IAM actions it declares, no more (production
 *   would deny them) and no fewer (deploy/iam-policy.json would grant too much).
 */
import { describe, expect, it } from "vitest";
import type { ObservedResource } from "../../../src/contract/encode.ts";
import {
  ALL_RESOURCE_TYPES,
  type ResourceType,
  scopeOf,
} from "../../../src/contract/resource-types.ts";
import { PartitionFailure } from "../../../src/errors.ts";
import { type AwsProvider, createAwsProvider } from "../../../src/providers/aws/provider.ts";
import { COLLECTORS } from "../../../src/providers/aws/registry.ts";
import { type AwsService, SERVICES } from "../../../src/providers/aws/services.ts";
import { scriptAwsEstate, scriptDiscovery } from "../../support/aws-estate.ts";
import { loadAwsFixtures } from "../../support/aws-fixture.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";
import { GLOBAL, observe, REGIONAL, testContext } from "./collectors/harness.ts";
import { iamActionOf, installOnMocks, mockAws } from "./support/mocks.ts";
import { expectFullFixture } from "./support/populated.ts";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

function regionOf(type: ResourceType): string {
  return scopeOf(type) === "global" ? "global" : REGION;
}

/** A provider of the fake, its units discovered. */
async function providerOf(fake: FakeAws): Promise<AwsProvider> {
  const provider = createAwsProvider(fakeProviderOptions(fake, { regions: [REGION] }));
  await provider.units(new AbortController().signal);
  return provider;
}

async function listPartition(
  provider: AwsProvider,
  type: ResourceType,
): Promise<ObservedResource[]> {
  const partition = {
    provider: "aws",
    resourceType: type,
    accountId: ACCOUNT,
    region: regionOf(type),
  };
  const out: ObservedResource[] = [];
  for await (const page of provider.list(partition, new AbortController().signal))
    out.push(...page);
  return out;
}

/** Runs `fn` against a fresh fake endpoint, closing it and the provider after. */
async function withFake<T>(fn: (fake: FakeAws) => Promise<T>): Promise<T> {
  const fake = await FakeAws.start();
  try {
    return await fn(fake);
  } finally {
    await fake.close();
  }
}

/** The error each service's API answers for a denied call. */
const DENIED: Partial<Record<AwsService, string>> = {
  ec2: "UnauthorizedOperation",
  eks: "AccessDeniedException",
};

describe.each(ALL_RESOURCE_TYPES)("the %s collector, through real SDK clients", (type) => {
  const collector = COLLECTORS[type];

  it("gives its full fixture fully populated, as the stubs give it", async () => {
    const { full } = (await loadAwsFixtures([type]))[type];
    const stubs = mockAws();
    let viaStubs: ObservedResource[];
    try {
      installOnMocks(stubs, full.answers);
      viaStubs = await observe(
        collector,
        testContext(scopeOf(type) === "global" ? GLOBAL : REGIONAL),
      );
    } finally {
      for (const stub of Object.values(stubs)) stub.restore();
    }
    const viaWire = await withFake(async (fake) => {
      scriptDiscovery(fake, ACCOUNT, [REGION]);
      fake.serve(...full.answers);
      const provider = await providerOf(fake);
      try {
        return await listPartition(provider, type);
      } finally {
        await provider.close();
      }
    });
    expectFullFixture(viaWire, full);
    expect(viaWire).toEqual(viaStubs);
  });

  it("fails its partition as access_denied when its service is denied; others go on", async () => {
    const other = ALL_RESOURCE_TYPES.find(
      (t) => scopeOf(t) === scopeOf(type) && COLLECTORS[t].service !== collector.service,
    );
    await withFake(async (fake) => {
      const estate = await scriptAwsEstate(fake, {
        regions: [REGION],
        perType: 2,
        regionsGiven: true,
      });
      fake.fail({
        service: collector.service,
        code: DENIED[collector.service] ?? "AccessDenied",
        status: 403,
      });
      const provider = await providerOf(fake);
      try {
        const failure = await listPartition(provider, type).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(PartitionFailure);
        const { reason, message } = failure as PartitionFailure;
        expect(reason).toBe("access_denied");
        expect(message).toMatch(
          new RegExp(`^[a-z ]+ in ${regionOf(type)} for ${ACCOUNT}: .*deploy/iam-policy\\.json`),
        );
        expect(other, `another ${scopeOf(type)} type of another service`).toBeDefined();
        if (other === undefined) return;
        const ids = estate.partitions.find((p) => p.resourceType === other)?.ids;
        expect((await listPartition(provider, other)).map((r) => r.id).sort()).toEqual(
          [...(ids ?? [])].sort(),
        );
      } finally {
        await provider.close();
      }
    });
  });

  it("calls exactly the IAM actions it declares", async () => {
    const called = await withFake(async (fake) => {
      await scriptAwsEstate(fake, {
        regions: [REGION],
        perType: 2,
        regionsGiven: true,
        bucketRegionsListed: false,
      });
      const provider = await providerOf(fake);
      try {
        const before = fake.calls().length;
        await listPartition(provider, type);
        return fake.calls().slice(before);
      } finally {
        await provider.close();
      }
    });
    const actions = called.map((c) =>
      iamActionOf(SERVICES[c.service as AwsService].iamPrefix, c.operation),
    );
    expect([...new Set(actions)].sort()).toEqual([...collector.iamActions].sort());
  });
});
