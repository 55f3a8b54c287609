import { describe, expect, it } from "vitest";
import type { ObservedResource } from "../../../src/contract/encode.ts";
import { GLOBAL_REGION, typesForRegion } from "../../../src/contract/resource-types.ts";
import type { PartitionKey } from "../../../src/contract/subject.ts";
import { ConfigError, PartitionFailure } from "../../../src/errors.ts";
import {
  createSampleProvider,
  DEFAULT_SAMPLE_OPTIONS,
  SAMPLE_PAGE_SIZE,
  type SampleOptions,
  sampleResources,
} from "../../../src/providers/sample/index.ts";

const signal = new AbortController().signal;

async function listAll(options: SampleOptions, partition: PartitionKey) {
  const pages: ObservedResource[][] = [];
  for await (const page of createSampleProvider(options).list(partition, signal))
    pages.push([...page]);
  return pages;
}

describe("sample provider", () => {
  it("is named sample and returns every account's regions and its global unit under provider sample", async () => {
    const provider = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources: 20_000 });
    expect(provider.name).toBe("sample");
    const units = await provider.units(signal);
    const accounts = new Set(units.map((u) => u.accountId));
    expect(accounts.size).toBeGreaterThan(1);
    for (const account of accounts) {
      const regions = units.filter((u) => u.accountId === account).map((u) => u.region);
      expect(regions).toContain(GLOBAL_REGION);
      expect(regions.length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(units.map((u) => u.provider))).toEqual(new Set(["sample"]));
  });

  it("lists each partition in pages that together are exactly the estate", async () => {
    const options = { ...DEFAULT_SAMPLE_OPTIONS, resources: 120_000, scan: 4 };
    const provider = createSampleProvider(options);
    const expected = new Map<string, string[]>();
    for (const { partition, resource } of sampleResources(options)) {
      const key = `${partition.resourceType}|${partition.accountId}|${partition.region}`;
      expected.set(key, [...(expected.get(key) ?? []), resource.id]);
    }
    const listed = new Map<string, string[]>();
    let largestPage = 0;
    let multiPage = 0;
    for (const unit of await provider.units(signal)) {
      for (const resourceType of typesForRegion(unit.region)) {
        const ids: string[] = [];
        let pages = 0;
        for await (const page of provider.list({ ...unit, resourceType }, signal)) {
          largestPage = Math.max(largestPage, page.length);
          pages += 1;
          for (const r of page) ids.push(r.id);
        }
        if (pages > 1) multiPage += 1;
        if (ids.length > 0) listed.set(`${resourceType}|${unit.accountId}|${unit.region}`, ids);
      }
    }
    expect(listed).toEqual(expected);
    expect(largestPage).toBeLessThan(SAMPLE_PAGE_SIZE + 100);
    expect(multiPage).toBeGreaterThan(0);
  });

  it("fails the partitions of failTypes with access_denied and lists the others", async () => {
    const options = { ...DEFAULT_SAMPLE_OPTIONS, failTypes: ["ec2_instance", "iam_role"] as const };
    const [unit] = await createSampleProvider(options).units(signal);
    if (unit === undefined) throw new Error("no units");
    const failure = await listAll(options, { ...unit, resourceType: "ec2_instance" }).catch(
      (e) => e,
    );
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect(failure.reason).toBe("access_denied");
    expect(failure.message).toContain(`list ec2_instance in ${unit.region} for ${unit.accountId}`);
    expect(failure.message).toContain("failTypes");
    const global = await listAll(options, {
      ...unit,
      region: GLOBAL_REGION,
      resourceType: "iam_role",
    }).catch((e) => e);
    expect(global).toBeInstanceOf(PartitionFailure);
    const vpcs = await listAll(options, { ...unit, resourceType: "vpc" });
    expect(vpcs.flat().length).toBeGreaterThan(0);
  });

  it("refuses partitions that are not in the estate", async () => {
    const [unit] = await createSampleProvider(DEFAULT_SAMPLE_OPTIONS).units(signal);
    if (unit === undefined) throw new Error("no units");
    for (const partition of [
      { ...unit, accountId: "000000000000", resourceType: "vpc" as const },
      { ...unit, region: "sa-east-1", resourceType: "vpc" as const },
      { ...unit, region: GLOBAL_REGION, resourceType: "vpc" as const },
      { ...unit, resourceType: "s3_bucket" as const },
    ]) {
      const error = await listAll(DEFAULT_SAMPLE_OPTIONS, partition).catch((e) => e);
      expect(error).toBeInstanceOf(PartitionFailure);
      expect(error.message).toContain("is not part of the sample estate");
    }
  });

  it("stops listing when the signal is aborted", async () => {
    const options = { ...DEFAULT_SAMPLE_OPTIONS, resources: 200_000 };
    const provider = createSampleProvider(options);
    const [unit] = await provider.units(signal);
    if (unit === undefined) throw new Error("no units");
    const controller = new AbortController();
    let pages = 0;
    const run = (async () => {
      for await (const _ of provider.list(
        { ...unit, region: GLOBAL_REGION, resourceType: "iam_role" },
        controller.signal,
      )) {
        pages += 1;
        controller.abort(new Error("scan interrupted"));
      }
    })();
    await expect(run).rejects.toThrow("scan interrupted");
    expect(pages).toBe(1);
  });

  it.each([
    [{ resources: 0 }, "sample resources must be a whole number >= 1"],
    [{ seed: -1 }, "sample seed must be a whole number >= 0"],
    [{ scan: 0 }, "sample scan must be a whole number >= 1"],
    [{ churn: 1.5 }, "sample churn must be a fraction between 0 and 1"],
    [{ churn: Number.NaN }, "sample churn must be a fraction between 0 and 1"],
  ])("rejects options %o", (bad, message) => {
    expect(() => createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, ...bad })).toThrow(ConfigError);
    expect(() => createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, ...bad })).toThrow(message);
  });
});
