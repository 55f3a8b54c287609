import { describe, expect, it } from "vitest";
import { shardOf, shardProvider, unitKey, unitsOfShard } from "../../src/daemon/shard.ts";
import type { Provider, Unit } from "../../src/providers/provider.ts";

function estate(accounts: number, regions: readonly string[]): Unit[] {
  const units: Unit[] = [];
  for (let a = 0; a < accounts; a++) {
    const accountId = String(100000000000 + a * 7919);
    for (const region of [...regions, "global"]) units.push({ provider: "aws", accountId, region });
  }
  return units;
}

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

describe("sharding", () => {
  it.each([1, 2, 3, 7])("%i shards together cover every unit exactly once", (count) => {
    const units = estate(40, REGIONS);
    const seen = new Map<string, number>();
    for (let index = 0; index < count; index++) {
      for (const u of unitsOfShard(units, { index, count })) {
        seen.set(unitKey(u), (seen.get(unitKey(u)) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(units.length);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it("spreads units roughly evenly", () => {
    const units = estate(200, REGIONS);
    const sizes = [0, 1, 2, 3].map((index) => unitsOfShard(units, { index, count: 4 }).length);
    for (const size of sizes) {
      expect(size).toBeGreaterThan(units.length / 4 / 1.3);
      expect(size).toBeLessThan((units.length / 4) * 1.3);
    }
  });

  it("keeps a unit's shard when unrelated units are added", () => {
    const before = estate(30, REGIONS.slice(0, 3));
    const after = estate(60, REGIONS);
    for (const u of before) {
      const key = unitKey(u);
      const again = after.find((v) => unitKey(v) === key);
      expect(again).toBeDefined();
      expect(shardOf(u, 5)).toBe(shardOf(again as Unit, 5));
    }
    const byShard = (units: Unit[], index: number) =>
      new Set(unitsOfShard(units, { index, count: 5 }).map(unitKey));
    for (let i = 0; i < 5; i++) {
      const grown = byShard(after, i);
      for (const key of byShard(before, i)) expect(grown.has(key)).toBe(true);
    }
  });

  it("moves only about 1/n of the units when a replica is added", () => {
    const units = estate(200, REGIONS);
    const moved = units.filter((u) => shardOf(u, 4) !== shardOf(u, 5)).length;
    expect(moved / units.length).toBeLessThan(0.3);
    expect(moved).toBeGreaterThan(0);
  });

  it("a sharded provider offers only its shard's units", async () => {
    const units = estate(10, REGIONS);
    const provider: Provider = {
      name: "test",
      units: async () => units,
      list: async function* () {},
      apiCalls: () => new Map([["ec2:DescribeInstances", 3]]),
    };
    const sharded = shardProvider(provider, { index: 1, count: 3 });
    const got = await sharded.units(new AbortController().signal);
    expect(got.map(unitKey)).toEqual(unitsOfShard(units, { index: 1, count: 3 }).map(unitKey));
    expect(got.length).toBeLessThan(units.length);
    expect(sharded.apiCalls?.().get("ec2:DescribeInstances")).toBe(3);
    expect(shardProvider(provider, { index: 0, count: 1 })).toBe(provider);
  });
});
