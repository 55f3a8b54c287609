import { describe, expect, it } from "vitest";
import {
  drainRaw,
  formatSummary,
  inventoryJsonLines,
  measureReplay,
  replay,
} from "../../src/consumer/replay.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, subnet, vpc } from "./publish.ts";

const nats = useNatsServer();

describe("replay", () => {
  it("keeps the latest snapshot per resource and drops those an OK marker no longer lists", async () => {
    const loc = { stream: "R1", prefix: "r1" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      loc.prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1", "10.1.0.0/16")] }],
      loc.prefix,
    );
    const last = await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1", "10.1.0.0/16"), vpc("vpc-3")] }],
      loc.prefix,
    );

    const inventory = await replay(nats.nc, loc);

    const ids = [...inventory.events()].map((r) => r.event.resourceId).sort();
    expect(ids).toEqual(["vpc-1", "vpc-3"]);
    expect(inventory.resources.every((r) => r.scanId === last && !r.unconfirmed)).toBe(true);
    expect(inventory.gone).toBe(1);
    expect(inventory.summary()).toEqual([
      {
        resourceType: "vpc",
        accountId: "123456789012",
        region: "us-east-1",
        resources: 2,
        unconfirmed: 0,
      },
    ]);
    expect(formatSummary(inventory)).toContain("2 resources in 1 partitions, 1 gone");
  });

  it("keeps but flags the resources of a partition whose latest marker is FAILED or missing", async () => {
    const loc = { stream: "R2", prefix: "r2" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      loc.prefix,
    );
    await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1")], status: "FAILED" },
        {
          partition: partition("subnet"),
          resources: [subnet("subnet-2", "vpc-1")],
          status: "none",
        },
      ],
      loc.prefix,
    );

    const inventory = await replay(nats.nc, loc);

    const rows = [...inventory.events()].map((r) => [r.event.resourceId, r.unconfirmed]).sort();
    expect(rows).toEqual([
      ["subnet-1", false],
      ["subnet-2", false],
      ["vpc-1", true],
      ["vpc-2", true],
    ]);
    const vpcPartition = inventory.partitions.get("r2.aws.vpc.123456789012.us-east-1");
    expect(vpcPartition?.unconfirmed).toBe(true);
    expect(vpcPartition?.marker?.error).toContain("throttled");
    const line = JSON.parse([...inventoryJsonLines(inventory)][0] ?? "{}") as Record<
      string,
      unknown
    >;
    expect(line.resourceType).toBeDefined();
    expect(typeof line.unconfirmed).toBe("boolean");
  });

  it("returns an empty inventory for an empty stream, and measures replay against a raw drain", async () => {
    const loc = { stream: "R3", prefix: "r3" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    expect((await replay(nats.nc, loc)).resources).toHaveLength(0);

    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      loc.prefix,
    );
    const drained = await drainRaw(nats.nc, loc);
    expect(drained.messages).toBe(3);
    const m = await measureReplay(nats.nc, loc);
    expect(m.replay.messages).toBe(3);
    expect(m.replay.resources).toBe(2);
    expect(m.ratio).toBeGreaterThan(0);
  });

  it("names the stream when it does not exist", async () => {
    await expect(replay(nats.nc, { stream: "MISSING", prefix: "missing" })).rejects.toThrow(
      /read stream MISSING: .*has the publisher created it/,
    );
  });
});
