import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { partitionSubject } from "../../src/contract/subject.ts";
import { shardOf, unitKey, unitsOfShard } from "../../src/daemon/shard.ts";
import type { Unit } from "../../src/providers/provider.ts";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../../src/providers/sample/index.ts";
import { planPartitions } from "../../src/scanner/scanner.ts";
import { runCli } from "../cli/run-cli.ts";
import { useNatsServer } from "../support/nats-server.ts";

const nats = useNatsServer();

/** Subject -> message count of the markers (5-token subjects) of the ELAVA stream. */
async function markerSubjects(): Promise<Map<string, number>> {
  const jsm = await jetstreamManager(nats.nc);
  const info = await jsm.streams.info("ELAVA", { subjects_filter: "elava.*.*.*.*" });
  return new Map(Object.entries(info.state.subjects ?? {}));
}

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

  it("elava scan --shard I/N publishes markers for its shard's partitions only, and N shards cover all", async () => {
    const provider = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources: 3000 });
    const units = await provider.units(new AbortController().signal);
    const count = 3;
    const scans = await Promise.all(
      [0, 1, 2].map((index) =>
        runCli([
          "scan",
          "--provider",
          "sample",
          "--sample-resources",
          "3000",
          "--nats-url",
          nats.server.url,
          "--shard",
          `${index}/${count}`,
        ]),
      ),
    );
    const published = await markerSubjects();
    const all = new Set<string>();
    for (const [index, scan] of scans.entries()) {
      expect(scan.code, scan.stderr).toBe(0);
      const mine = planPartitions(unitsOfShard(units, { index, count }))
        .map((p) => partitionSubject("elava", p.key))
        .sort();
      const logged = scan.logs
        .filter((l) => l.msg === "partition scanned")
        .map((l) => `elava.${String(l.partition)}`)
        .sort();
      expect(mine.length).toBeGreaterThan(0);
      expect(logged).toEqual(mine);
      for (const subject of mine) {
        expect(all.has(subject)).toBe(false);
        all.add(subject);
      }
    }
    expect(all).toEqual(
      new Set(planPartitions(units).map((p) => partitionSubject("elava", p.key))),
    );
    expect(new Set(published.keys())).toEqual(all);
  });
});
