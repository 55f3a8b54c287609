/**
 * The one derivation replay, changes, graph and history share, case by case through a
 * real stream: resurrection after a FAILED scan, overlapping scans, counts the stream no
 * longer matches, interrupted scans, partitions without markers.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import {
  type Change,
  deriveChanges,
  type PartitionScanReport,
} from "../../src/consumer/changes.ts";
import { BadMessages, decodeSnapshot } from "../../src/consumer/decode.ts";
import { buildGraph, type DanglingReference, writeGraph } from "../../src/consumer/graph.ts";
import { resourceHistory } from "../../src/consumer/history.ts";
import { inventorySnapshots, type PartitionStatus } from "../../src/consumer/inventory.ts";
import { LineWriter } from "../../src/consumer/output.ts";
import { StreamReader } from "../../src/consumer/reader.ts";
import { replay } from "../../src/consumer/replay.ts";
import { useNatsServer } from "../support/nats-server.ts";
import {
  createStream,
  partition,
  publishMarker,
  publishScan,
  publishSnapshots,
  scanOf,
  subnet,
  vpc,
} from "./publish.ts";

const nats = useNatsServer();

interface Listed {
  readonly id: string;
  readonly status: PartitionStatus;
  readonly scanId: string;
}

/** Replays a stream: the resources listed (id, partition status, scan) and the partitions. */
async function inventory(stream: string, prefix: string) {
  const reader = await StreamReader.open(nats.nc, { stream, prefix });
  const bad = new BadMessages();
  const plan = await replay(reader, { bad });
  const listed: Listed[] = [];
  for await (const { msg, partition: p } of inventorySnapshots(reader, plan)) {
    const e = decodeSnapshot(msg.data);
    if (typeof e === "string") throw new Error(e);
    listed.push({ id: e.resourceId, status: p.status, scanId: e.scanId });
  }
  listed.sort((a, b) => a.id.localeCompare(b.id));
  return { listed, plan, bad };
}

async function changes(stream: string, prefix: string) {
  const reader = await StreamReader.open(nats.nc, { stream, prefix });
  const found: Change[] = [];
  const skipped: PartitionScanReport[] = [];
  const summary = await deriveChanges(reader, {
    since: { kind: "all" },
    sinceText: "all",
    bad: new BadMessages(),
    onChange: (c) => {
      found.push(c);
    },
    onSkipped: (r) => {
      skipped.push(r);
    },
  });
  return { changes: found.map((c) => `${c.change} ${c.resource_id}`).sort(), skipped, summary };
}

/** The dangling references of the stream's graph, as written by `writeGraph`. */
async function dangling(stream: string, prefix: string): Promise<DanglingReference[]> {
  const reader = await StreamReader.open(nats.nc, { stream, prefix });
  const lines: string[] = [];
  await writeGraph(
    reader,
    new LineWriter({ write: (l: string) => lines.push(l) }),
    "json",
    new BadMessages(),
  );
  return lines
    .map((l) => JSON.parse(l) as DanglingReference & { kind: string })
    .filter((l) => l.kind === "dangling");
}

async function presence(stream: string, prefix: string, subject: string) {
  const reader = await StreamReader.open(nats.nc, { stream, prefix });
  return resourceHistory(reader, subject, new BadMessages(), async () => {});
}

describe("the shared derivation", () => {
  it("never resurrects what an OK scan proved gone when the next scan FAILS", async () => {
    const [stream, prefix] = ["RES", "res"];
    await createStream(nats.nc, stream, prefix);
    const vpcs = partition("vpc");
    const subnets = partition("subnet");
    await publishScan(
      nats.nc,
      [
        { partition: vpcs, resources: [vpc("vpc-1"), vpc("vpc-2")] },
        { partition: subnets, resources: [subnet("subnet-1", "vpc-2")] },
      ],
      prefix,
    );
    const proof = await publishScan(
      nats.nc,
      [
        { partition: vpcs, resources: [vpc("vpc-1")] },
        { partition: subnets, resources: [subnet("subnet-1", "vpc-2")] },
      ],
      prefix,
    );
    // The next scan of the VPCs FAILS after storing nothing.
    await publishScan(nats.nc, [{ partition: vpcs, resources: [], status: "FAILED" }], prefix);

    const { listed, plan } = await inventory(stream, prefix);
    expect(listed).toEqual([
      { id: "subnet-1", status: "ok", scanId: proof },
      { id: "vpc-1", status: "unconfirmed", scanId: proof },
    ]);
    expect(plan.partitions.get(`${prefix}.aws.vpc.123456789012.us-east-1`)?.describe()).toContain(
      "the latest scan FAILED (throttled",
    );

    const c = await changes(stream, prefix);
    expect(c.changes).toEqual(["disappeared vpc-2"]);
    expect(c.skipped.map((r) => r.outcome)).toEqual(["failed"]);
    // The subnet's VPC: its partition is unconfirmed, so the contract cannot say it is gone.
    expect((await dangling(stream, prefix)).map((d) => [d.missing, d.reason])).toEqual([
      ["vpc-2", "unknown"],
    ]);
    const vpc2 = await presence(stream, prefix, `${prefix}.aws.vpc.123456789012.us-east-1.vpc-2`);
    expect(vpc2.presence.state).toBe("unknown");
  });

  it("says gone only when the target's partition is ok, and outside for partitions never scanned", async () => {
    const [stream, prefix] = ["GONE", "gone"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1")] },
        {
          partition: partition("subnet"),
          resources: [subnet("subnet-1", "vpc-2"), subnet("subnet-2", "vpc-1", "rtb-9")],
        },
      ],
      prefix,
    );
    const refs = (await dangling(stream, prefix)).map((d) => [
      d.source.split(":").at(-1),
      d.targetType,
      d.missing,
      d.reason,
    ]);
    expect(refs.sort()).toEqual([
      ["subnet-1", "vpc", "vpc-2", "gone"],
      ["subnet-2", "route_table", "rtb-9", "outside"],
    ]);
    const gone = await presence(stream, prefix, `${prefix}.aws.vpc.123456789012.us-east-1.vpc-2`);
    expect(gone.presence).toMatchObject({ state: "gone" });
    expect(gone.presence.why).toMatch(/latest OK scan .* does not list it/u);
    expect(gone.versions).toBe(1);
  });

  it("takes the inventory of the latest OK marker in stream order when scans overlap, whatever their scan ids", async () => {
    const [stream, prefix] = ["OVER", "over"];
    await createStream(nats.nc, stream, prefix);
    const p = partition("vpc");
    // Scan A starts first (its ULID sorts first), lists half, then B runs completely.
    const a = scanOf(prefix, new Date(Date.now() - 60_000));
    const b = scanOf(prefix);
    expect(a.scanId < b.scanId).toBe(true);
    await publishSnapshots(nats.nc, a, p, [vpc("vpc-1"), vpc("vpc-2")]);
    await publishSnapshots(nats.nc, b, p, [
      vpc("vpc-1"),
      vpc("vpc-2", "10.2.0.0/16"),
      vpc("vpc-4"),
    ]);
    await publishMarker(nats.nc, b, p, "OK", 3);
    // A finishes last: its marker is the latest OK marker in stream order.
    await publishSnapshots(nats.nc, a, p, [vpc("vpc-3")]);
    await publishMarker(nats.nc, a, p, "OK", 3);

    const { listed, plan } = await inventory(stream, prefix);
    expect(listed).toEqual([
      { id: "vpc-1", status: "ok", scanId: a.scanId },
      { id: "vpc-2", status: "ok", scanId: a.scanId },
      { id: "vpc-3", status: "ok", scanId: a.scanId },
    ]);
    const state = plan.partitions.get(`${prefix}.aws.vpc.123456789012.us-east-1`);
    expect([state?.status, state?.found, state?.expected]).toEqual(["ok", 3, 3]);

    // changes: each marker closes its own scan; B first, then A compared with B.
    const c = await changes(stream, prefix);
    expect(c.changes).toEqual(["created vpc-3", "disappeared vpc-4", "modified vpc-2"]);
    expect(c.summary.baseline).toBe(1);
  });

  it("makes a partition incomplete, never gone, when its OK scan's snapshots were trimmed by the per-subject limit", async () => {
    const [stream, prefix] = ["TRIM", "trim"];
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], max_msgs_per_subject: 2 });
    const p = partition("vpc");
    const ok = await publishScan(
      nats.nc,
      [{ partition: p, resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      prefix,
    );
    // Two scans interrupted after storing vpc-1: its OK snapshot is trimmed, its marker kept.
    await publishScan(
      nats.nc,
      [{ partition: p, resources: [vpc("vpc-1")], status: "none" }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: p, resources: [vpc("vpc-1")], status: "none" }],
      prefix,
    );

    const { listed, plan } = await inventory(stream, prefix);
    expect(listed).toEqual([{ id: "vpc-2", status: "incomplete", scanId: ok }]);
    const state = plan.partitions.get(`${prefix}.aws.vpc.123456789012.us-east-1`);
    expect([state?.found, state?.expected]).toEqual([1, 2]);
    expect(state?.describe()).toContain("counted 2, 1 of them are stored");
    // vpc-1 is not gone: its partition is incomplete, so whether it is there is unknown.
    const vpc1 = await presence(stream, prefix, `${prefix}.aws.vpc.123456789012.us-east-1.vpc-1`);
    expect(vpc1.presence.state).toBe("unknown");
    expect(vpc1.presence.why).toContain("incomplete");
    expect((await changes(stream, prefix)).changes).toEqual([]);
  });

  it("makes a partition incomplete when max_bytes discarded the start of its OK scan", async () => {
    const [stream, prefix] = ["BYTES", "bytes"];
    const jsm = await jetstreamManager(nats.nc);
    // Measure what one scan stores, then size a stream to hold all of it but its first message.
    // (the probe's prefix has the same length, so its messages have the same size)
    await jsm.streams.add({ name: "BYTESPROBE", subjects: ["probe.>"] });
    const resources = [vpc("vpc-1"), vpc("vpc-2"), vpc("vpc-3")];
    await publishScan(nats.nc, [{ partition: partition("vpc"), resources }], "probe");
    const probe = await jsm.streams.info("BYTESPROBE");
    await jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.>`],
      max_bytes: probe.state.bytes - 1,
    });
    const scanId = await publishScan(nats.nc, [{ partition: partition("vpc"), resources }], prefix);
    const info = await jsm.streams.info(stream);
    expect(info.state.first_seq).toBe(2);

    const { listed } = await inventory(stream, prefix);
    expect(listed).toEqual([
      { id: "vpc-2", status: "incomplete", scanId },
      { id: "vpc-3", status: "incomplete", scanId },
    ]);
    const c = await changes(stream, prefix);
    expect(c.changes).toEqual([]);
    expect(c.skipped.map((r) => [r.outcome, r.seen, r.expected])).toEqual([["incomplete", 2, 3]]);
  });

  it("keeps an OK scan's set, unconfirmed, when a later scan was interrupted", async () => {
    const [stream, prefix] = ["INTR", "intr"];
    await createStream(nats.nc, stream, prefix);
    const p = partition("vpc");
    await publishScan(nats.nc, [{ partition: p, resources: [vpc("vpc-1"), vpc("vpc-2")] }], prefix);
    // The next scan stores vpc-1 changed and vpc-5, then is interrupted: no marker.
    await publishScan(
      nats.nc,
      [{ partition: p, resources: [vpc("vpc-1", "10.7.0.0/16"), vpc("vpc-5")], status: "none" }],
      prefix,
    );

    const { listed } = await inventory(stream, prefix);
    expect(listed.map((l) => [l.id, l.status])).toEqual([
      ["vpc-1", "unconfirmed"],
      ["vpc-2", "unconfirmed"],
    ]);
    const c = await changes(stream, prefix);
    expect(c.changes).toEqual([]);
    // The next complete scan is compared with the last complete one, not the interrupted one.
    await publishScan(
      nats.nc,
      [{ partition: p, resources: [vpc("vpc-1", "10.7.0.0/16"), vpc("vpc-5")] }],
      prefix,
    );
    expect((await changes(stream, prefix)).changes).toEqual([
      "created vpc-5",
      "disappeared vpc-2",
      "modified vpc-1",
    ]);
    expect((await inventory(stream, prefix)).listed.map((l) => [l.id, l.status])).toEqual([
      ["vpc-1", "ok"],
      ["vpc-5", "ok"],
    ]);
  });

  it("lists the latest snapshots of a partition without any marker as unknown", async () => {
    const [stream, prefix] = ["NOMARK", "nomark"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")], status: "none" }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [
        {
          partition: partition("vpc"),
          resources: [vpc("vpc-1", "10.3.0.0/16"), vpc("vpc-2")],
          status: "none",
        },
      ],
      prefix,
    );
    const { listed, plan } = await inventory(stream, prefix);
    expect(listed.map((l) => [l.id, l.status])).toEqual([
      ["vpc-1", "unknown"],
      ["vpc-2", "unknown"],
    ]);
    expect([...plan.partitions.values()][0]?.describe()).toContain("no marker stored");
  });

  it("agrees with the in-memory graph on edges, and with replay on what changes left current", async () => {
    const [stream, prefix] = ["AGREE", "agree"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] },
        {
          partition: partition("subnet"),
          resources: [subnet("subnet-1", "vpc-1"), subnet("subnet-2", "vpc-2")],
        },
      ],
      prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-3")] }],
      prefix,
    );
    const { listed } = await inventory(stream, prefix);
    expect(listed.map((l) => l.id)).toEqual(["subnet-1", "subnet-2", "vpc-1", "vpc-3"]);
    // changes from the start leave the same current sets: created minus disappeared.
    const c = await changes(stream, prefix);
    expect(c.changes).toEqual(["created vpc-3", "disappeared vpc-2"]);
    const reader = await StreamReader.open(nats.nc, { stream, prefix });
    const events = [];
    const plan = await replay(reader);
    for await (const { msg } of inventorySnapshots(reader, plan)) {
      const e = decodeSnapshot(msg.data);
      if (typeof e !== "string") events.push(e);
    }
    const inMemory = buildGraph(events);
    const lines: string[] = [];
    await writeGraph(
      reader,
      new LineWriter({ write: (l: string) => lines.push(l) }),
      "json",
      new BadMessages(),
    );
    const edges = lines
      .map((l) => JSON.parse(l) as { kind: string; from: string; to: string })
      .filter((l) => l.kind === "edge");
    expect(edges.map((e) => `${e.from} ${e.to}`).sort()).toEqual(
      inMemory.edges.map((e) => `${e.from} ${e.to}`).sort(),
    );
    expect(edges).toHaveLength(1);
  });
});
