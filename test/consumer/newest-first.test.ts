/**
 * Replay's first pass reads the newest scan's window before any marker and settles from
 * it what it can (inventory.ts, `readNewestScan`); the markers-first read settles the rest.
 * Both must give the same inventory: every partition's status, basis, latest marker,
 * later snapshots and members, on streams of every shape the derivation knows, and the
 * newest-first read must do its job on the common one (one read, one marker fetch).
 */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it, vi } from "vitest";
import { SeqTable } from "../../src/consumer/compact.ts";
import { BadMessages } from "../../src/consumer/decode.ts";
import {
  type InventoryPlan,
  type MarkerSeen,
  PartitionState,
  planInventory,
  SeenInWindow,
  settleFromWindow,
} from "../../src/consumer/inventory.ts";
import { StreamReader } from "../../src/consumer/reader.ts";
import { encodeMarker } from "../../src/contract/encode.ts";
import { newScanId } from "../../src/contract/ids.ts";
import { PartitionScannedSchema, ScanStatus } from "../../src/gen/elava/v1/marker_pb.ts";
import { createSampleProvider } from "../../src/providers/sample/index.ts";
import { JetStreamPublisher } from "../../src/publisher/publisher.ts";
import { runScan } from "../../src/scanner/scanner.ts";
import { useNatsServer } from "../support/nats-server.ts";
import {
  createStream,
  partition,
  publish,
  publishMarker,
  publishRaw,
  publishScan,
  publishSnapshots,
  subnet,
  vpc,
} from "./publish.ts";

const nats = useNatsServer();

/** Everything the derivation decided, per partition, in a comparable shape. */
function decided(plan: InventoryPlan) {
  return [...plan.partitions.values()]
    .map((p) => ({
      partition: p.subject,
      status: p.status,
      basis: p.basis?.seq,
      latest: p.latest?.seq,
      laterSnapshots: p.laterSnapshots,
      members: [...p.members.sortedSeqs()],
    }))
    .sort((a, b) => a.partition.localeCompare(b.partition));
}

async function bothWays(stream: string, prefix: string) {
  const plans = [];
  const bads = [];
  for (const newestFirst of [true, false]) {
    const reader = await StreamReader.open(nats.nc, { stream, prefix });
    const bad = new BadMessages();
    plans.push(await planInventory(reader, { bad, newestFirst }));
    bads.push(bad.count);
  }
  const [fast, markersFirst] = plans as [InventoryPlan, InventoryPlan];
  return { fast, markersFirst, bads };
}

async function sampleScans(stream: string, prefix: string, scans: number, failTypes: string[]) {
  await createStream(nats.nc, stream, prefix);
  const publisher = new JetStreamPublisher(nats.nc, {
    window: 256,
    ackTimeoutMs: 5_000,
    publishDeadlineMs: 60_000,
  });
  for (let scan = 1; scan <= scans; scan++) {
    const provider = createSampleProvider({
      resources: 600,
      seed: 7,
      scan,
      churn: 0.05,
      failTypes: failTypes as never,
    });
    await runScan(provider, publisher, {
      prefix,
      concurrency: 4,
      signal: new AbortController().signal,
    });
  }
  await publisher.close();
}

describe("reading the newest scan first", () => {
  it("settles a stream of one scan from one read and one marker fetch", async () => {
    const [stream, prefix] = ["NF1", "nf1"];
    await sampleScans(stream, prefix, 1, []);
    const reader = await StreamReader.open(nats.nc, { stream, prefix });
    const lastOn = vi.spyOn(reader, "lastOn");
    const plan = await planInventory(reader, { bad: new BadMessages() });
    expect(lastOn).toHaveBeenCalledTimes(1);
    expect(plan.messagesRead).toBe(reader.endSeq);
    expect(plan.windows).toHaveLength(1);
    const statuses = new Set([...plan.partitions.values()].map((p) => p.status));
    expect(statuses).toEqual(new Set(["ok"]));
    const { fast, markersFirst } = await bothWays(stream, prefix);
    expect(decided(fast)).toEqual(decided(markersFirst));
  });

  it("agrees with the markers-first read over scans with churn and partitions that always fail", async () => {
    const [stream, prefix] = ["NF2", "nf2"];
    await sampleScans(stream, prefix, 3, ["vpc_peering", "sns_topic"]);
    const { fast, markersFirst, bads } = await bothWays(stream, prefix);
    expect(decided(fast)).toEqual(decided(markersFirst));
    expect(bads[0]).toBe(bads[1]);
    const statuses = new Set(decided(fast).map((p) => p.status));
    expect(statuses).toEqual(new Set(["ok", "unknown"]));
    // All three scans are within the newest one's clock margin: one window settled all.
    expect(fast.windows).toHaveLength(1);
    expect(markersFirst.windows).toHaveLength(1);
  });

  it("agrees on FAILED, interrupted, overlapping, markerless and bad partitions", async () => {
    const [stream, prefix] = ["NF3", "nf3"];
    await createStream(nats.nc, stream, prefix);
    const a = partition("vpc");
    const b = partition("subnet");
    const c = partition("vpc", "eu-west-1");
    const d = partition("subnet", "eu-west-1");
    // An older complete scan of a, b and c, an hour long: its partitions began before the
    // newest scan's window, so only the markers-first read can settle what rests on it.
    const hourAgo = new Date(Date.now() - 3_600_000);
    const old = { scanId: newScanId(hourAgo), scanStartedAt: hourAgo, prefix };
    for (const [p, resources] of [
      [a, [vpc("vpc-1"), vpc("vpc-2")]],
      [b, [subnet("subnet-1", "vpc-1")]],
      [c, [vpc("vpc-9")]],
    ] as const) {
      await publishSnapshots(nats.nc, old, p, resources);
      await publishMarker(nats.nc, old, p, "OK", resources.length);
    }
    // A bad message on a marker subject, and one that does not decode on a snapshot subject.
    await publishRaw(nats.nc, `${prefix}.aws.vpc.123456789012.eu-west-1`, new Uint8Array([1, 2]));
    await publishRaw(
      nats.nc,
      `${prefix}.aws.vpc.123456789012.us-east-1.vpc-x`,
      new Uint8Array([9]),
    );
    // The newest scan: a OK again; b FAILED after publishing one snapshot; c not listed;
    // d without a marker (interrupted); and a scan that started earlier overlaps it in a.
    const slow = {
      scanId: newScanId(new Date(Date.now() - 1_000)),
      scanStartedAt: new Date(Date.now() - 1_000),
      prefix,
    };
    await publishSnapshots(nats.nc, slow, a, [vpc("vpc-1", "10.9.0.0/16")]);
    await publishScan(
      nats.nc,
      [
        { partition: a, resources: [vpc("vpc-1", "10.1.0.0/16"), vpc("vpc-3")] },
        { partition: b, resources: [subnet("subnet-2", "vpc-3")], status: "FAILED" },
        { partition: d, resources: [subnet("subnet-7", "vpc-9")], status: "none" },
      ],
      prefix,
    );
    await publishMarker(nats.nc, slow, a, "OK", 1);
    // e: OK, then an interrupted scan's snapshot after its marker (unconfirmed). f: a scan
    // republished under the same id after its marker, which the newest-first read leaves
    // to the markers-first one.
    const e = partition("vpc", "ap-south-1");
    const f = partition("subnet", "ap-south-1");
    await publishScan(nats.nc, [{ partition: e, resources: [vpc("vpc-e1")] }], prefix);
    await publishScan(
      nats.nc,
      [{ partition: e, resources: [vpc("vpc-e2")], status: "none" }],
      prefix,
    );
    const again = { scanId: newScanId(), scanStartedAt: new Date(), prefix };
    await publishSnapshots(nats.nc, again, f, [subnet("subnet-f1", "vpc-e1")]);
    await publishMarker(nats.nc, again, f, "OK", 1);
    await publishSnapshots(nats.nc, again, f, [subnet("subnet-f2", "vpc-e1")]);
    // Its second marker under another message id (the same one would be a duplicate).
    const closing = encodeMarker(again, f, {
      status: "OK",
      resourceCount: 2,
      startedAt: again.scanStartedAt,
      finishedAt: new Date(),
      error: "",
    });
    await publish(nats.nc, { ...closing, msgId: `${closing.msgId}:again` });
    const { fast, markersFirst, bads } = await bothWays(stream, prefix);
    expect(decided(fast)).toEqual(decided(markersFirst));
    expect(bads).toEqual([2, 2]);
    // The newest scan's window settled a, d and e; b (FAILED, its basis the old scan), c
    // (not in the newest scan) and f were read markers first, in a window of their own.
    expect(fast.windows).toHaveLength(2);
    expect(fast.partitions.get(`${prefix}.aws.vpc.123456789012.us-east-1`)?.window).toBe(1);
    expect(fast.partitions.get(`${prefix}.aws.subnet.123456789012.us-east-1`)?.window).toBe(0);
    expect(fast.partitions.get(`${prefix}.aws.subnet.123456789012.ap-south-1`)?.window).toBe(0);
    const byPartition = new Map(decided(fast).map((p) => [p.partition, p.status]));
    expect(byPartition).toEqual(
      new Map([
        [`${prefix}.aws.subnet.123456789012.ap-south-1`, "ok"],
        [`${prefix}.aws.subnet.123456789012.eu-west-1`, "unknown"],
        [`${prefix}.aws.subnet.123456789012.us-east-1`, "unconfirmed"],
        [`${prefix}.aws.vpc.123456789012.ap-south-1`, "unconfirmed"],
        [`${prefix}.aws.vpc.123456789012.eu-west-1`, "ok"],
        [`${prefix}.aws.vpc.123456789012.us-east-1`, "ok"],
      ]),
    );
  });
});

describe("what the newest scan's window settles", () => {
  const FROM = 1_000_000_000;
  const parts = (resourceType: string) => ({
    provider: "aws",
    resourceType: resourceType as never,
    accountId: "123456789012",
    region: "us-east-1",
    partition: `t.aws.${resourceType}.123456789012.us-east-1`,
  });
  /** A marker stored `atMs` after the window's start, its partition scanned for 1 s. */
  const marker = (seq: number, status: ScanStatus, scanId: string, atMs: number): MarkerSeen => ({
    seq,
    storedAt: FROM + atMs,
    marker: create(PartitionScannedSchema, {
      scanId,
      status,
      resourceCount: 1n,
      startedAt: { seconds: 0n, nanos: 0 },
      finishedAt: { seconds: 1n, nanos: 0 },
    }),
  });
  const key = { hi: 1, lo: 2 };
  function partitionSeen(markers: MarkerSeen[], messages = markers.length): SeenInWindow {
    const p = parts("vpc");
    const s = new SeenInWindow(new PartitionState(p.partition, p));
    for (const m of markers) {
      s.state.latest = m;
      if (m.marker.status === ScanStatus.OK) s.state.basis = m;
    }
    s.markerMessages = messages;
    const table = new SeqTable();
    table.set(key, 5);
    s.scans.set("SCAN-NEW", table);
    s.lastSnapshot = 5;
    return s;
  }
  const settle = (s: SeenInWindow, stored: number) =>
    settleFromWindow(new Map([[s.state.subject, s]]), new Map([[s.state.subject, stored]]), FROM);

  it("settles a partition whose markers are all in the window, FAILED after OK as unconfirmed", () => {
    const s = partitionSeen([
      marker(6, ScanStatus.OK, "SCAN-NEW", 120_000),
      marker(9, ScanStatus.FAILED, "SCAN-NEXT", 200_000),
    ]);
    const settled = settle(s, 2).get(s.state.subject);
    expect(settled?.status).toBe("unconfirmed");
    expect([...(settled?.members.sortedSeqs() ?? [])]).toEqual([5]);
  });

  it("leaves a partition with a marker before the window: its basis may be there", () => {
    const s = partitionSeen([marker(9, ScanStatus.FAILED, "SCAN-NEXT", 200_000)]);
    expect(settle(s, 2).size).toBe(0);
    expect(settle(s, 1).get(s.state.subject)?.status).toBe("unknown");
  });

  it("leaves a partition whose basis began before the window, or whose scan went on after its marker", () => {
    const early = partitionSeen([marker(6, ScanStatus.OK, "SCAN-NEW", 500)]);
    expect(settle(early, 1).size).toBe(0);
    const reopened = partitionSeen([marker(6, ScanStatus.OK, "SCAN-NEW", 120_000)]);
    reopened.reopened = true;
    expect(settle(reopened, 1).size).toBe(0);
  });

  it("settles a partition with no marker at all as unknown, with what it read", () => {
    const p = parts("subnet");
    const s = new SeenInWindow(new PartitionState(p.partition, p));
    s.state.members.set(key, 7);
    const settled = settleFromWindow(new Map([[p.partition, s]]), new Map(), FROM);
    expect(settled.get(p.partition)?.status).toBe("unknown");
    expect(settled.get(p.partition)?.found).toBe(1);
  });
});
