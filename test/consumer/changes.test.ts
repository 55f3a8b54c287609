import { describe, expect, it } from "vitest";
import {
  type Change,
  ChangeDeriver,
  changeJsonLine,
  deriveChanges,
  formatChanges,
  streamLoader,
  withDifferences,
} from "../../src/consumer/changes.ts";
import {
  encodeMarker,
  encodeSnapshot,
  type ObservedResource,
  type OutgoingMessage,
} from "../../src/contract/encode.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, subnet, vpc } from "./publish.ts";

const nats = useNatsServer();

const all = { start: { kind: "all" } } as const;
const brief = (c: Change) => [c.change, c.resource_type, c.resource_id];

describe("deriveChanges", () => {
  it("derives created, modified (with field paths) and disappeared between complete OK scans", async () => {
    const loc = { stream: "C1", prefix: "c1" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [
        {
          partition: partition("vpc"),
          resources: [vpc("vpc-1", "10.0.0.0/16", { Team: "a" }), vpc("vpc-2")],
        },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      loc.prefix,
    );
    const second = await publishScan(
      nats.nc,
      [
        {
          partition: partition("vpc"),
          resources: [vpc("vpc-1", "10.9.0.0/16", { Team: "b" }), vpc("vpc.3")],
        },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      loc.prefix,
    );

    const { changes, reports } = await deriveChanges(nats.nc, loc, all);

    expect(changes.map(brief).sort()).toEqual([
      ["created", "vpc", "vpc.3"],
      ["disappeared", "vpc", "vpc-2"],
      ["modified", "vpc", "vpc-1"],
    ]);
    const modified = changes.find((c) => c.change === "modified");
    expect(modified?.scan_id).toBe(second);
    expect(modified?.differences).toEqual([
      { path: "tags.Team", old: "a", new: "b" },
      { path: "vpc.cidr_block", old: "10.0.0.0/16", new: "10.9.0.0/16" },
    ]);
    expect(reports.map((r) => r.outcome)).toEqual(["baseline", "baseline", "derived", "derived"]);
    const line = JSON.parse(changeJsonLine(modified as Change)) as Record<string, unknown>;
    expect(line).toMatchObject({
      change: "modified",
      resource_type: "vpc",
      resource_id: "vpc-1",
      account_id: "123456789012",
      region: "us-east-1",
      scan_id: second,
    });
    expect(formatChanges({ changes, reports })).toContain("1 created, 1 modified, 1 disappeared");
  });

  it("derives nothing from a FAILED partition, and compares the next OK scan with the last complete one", async () => {
    const loc = { stream: "C2", prefix: "c2" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      loc.prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [], status: "FAILED" }],
      loc.prefix,
    );

    const failed = await deriveChanges(nats.nc, loc, all);
    expect(failed.changes).toEqual([]);
    expect(failed.reports.map((r) => r.outcome)).toEqual(["baseline", "failed"]);
    expect(formatChanges(failed)).toContain("FAILED (throttled");

    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      loc.prefix,
    );
    const after = await deriveChanges(nats.nc, loc, all);
    expect(after.changes.map(brief)).toEqual([["disappeared", "vpc", "vpc-2"]]);
  });

  it("reports a partition whose snapshot was deleted from the stream as incomplete and derives nothing", async () => {
    const loc = { stream: "C3", prefix: "c3" };
    const jsm = await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      loc.prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      loc.prefix,
    );
    const lost = await jsm.streams.getMessage(loc.stream, {
      last_by_subj: "c3.aws.vpc.123456789012.us-east-1.vpc-2",
    });
    expect(lost).not.toBeNull();
    await jsm.streams.deleteMessage(loc.stream, lost?.seq ?? 0);

    const { changes, reports } = await deriveChanges(nats.nc, loc, all);

    expect(changes).toEqual([]);
    expect(reports.at(-1)).toMatchObject({ outcome: "incomplete", expected: 2, seen: 1 });
    expect(formatChanges({ changes, reports })).toContain("incomplete: 1 of 2 snapshots seen");
  });

  it("starts at a time and ends at once on a window with no messages", async () => {
    const loc = { stream: "C4", prefix: "c4" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      loc.prefix,
    );
    const later = new Date(Date.now() + 60_000);
    const result = await deriveChanges(nats.nc, loc, { start: { kind: "time", time: later } });
    expect(result).toEqual({ changes: [], reports: [] });
  });

  it("compares the first scan of the window with the scan before it", async () => {
    const loc = { stream: "C5", prefix: "c5" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      loc.prefix,
    );
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date();
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1", "10.1.0.0/16")] }],
      loc.prefix,
    );

    const { changes, reports } = await deriveChanges(nats.nc, loc, {
      start: { kind: "time", time: since },
    });

    expect(changes.map(brief).sort()).toEqual([
      ["disappeared", "vpc", "vpc-2"],
      ["modified", "vpc", "vpc-1"],
    ]);
    expect(changes.find((c) => c.change === "modified")?.differences?.map((d) => d.path)).toEqual([
      "vpc.cidr_block",
    ]);
    expect(reports.map((r) => r.outcome)).toEqual(["derived"]);
  });

  it("keeps a modification without field differences when the older snapshot is gone", async () => {
    const loc = { stream: "C6", prefix: "c6" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      loc.prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1", "10.2.0.0/16")] }],
      loc.prefix,
    );
    const before = await deriveChanges(nats.nc, loc, all);
    const modified = before.changes.find((c) => c.change === "modified");
    expect(modified?.differences?.length).toBe(1);

    // The resource's older snapshot is discarded (max messages per subject, say), not deleted
    // from the scan that is derived: the change stays, its field differences cannot be known.
    const lostLoader = streamLoader(nats.nc, loc.stream);
    const { differences: _, ...bare } = modified!;
    const changes = await withDifferences([bare], async (seq) =>
      seq === modified?.previous_seq ? undefined : lostLoader(seq),
    );
    expect(changes.map(brief)).toEqual([["modified", "vpc", "vpc-1"]]);
    expect(changes[0]?.differences).toBeUndefined();
  });
});

describe("ChangeDeriver and the hash scheme", () => {
  it("reports no change when only the hash scheme changed between two scans (an upgrade)", () => {
    const deriver = new ChangeDeriver("u");
    const part = partition("vpc");
    let seq = 0;
    const message = (m: OutgoingMessage, hash?: string) => {
      const h = new Map(m.headers);
      if (hash !== undefined) h.set("Elava-Content-Hash", hash);
      return {
        subject: m.subject,
        seq: ++seq,
        data: m.data,
        headers: { get: (n: string) => h.get(n) ?? "" },
      };
    };
    const scanOf = (
      scanId: string,
      resources: ObservedResource[],
      hashes: (string | undefined)[],
    ) => {
      const scan = { scanId, scanStartedAt: new Date(), prefix: "u" };
      const out: Change[] = [];
      resources.forEach((r, i) => {
        out.push(...deriver.add(message(encodeSnapshot(scan, part, r), hashes[i])));
      });
      const outcome = {
        status: "OK" as const,
        resourceCount: resources.length,
        startedAt: new Date(),
        finishedAt: new Date(),
        error: "",
      };
      out.push(...deriver.add(message(encodeMarker(scan, part, outcome))));
      return out;
    };
    // Scan 1 by an older publisher: v1 hashes.
    scanOf(
      "S1",
      [vpc("vpc-1"), vpc("vpc-2")],
      [`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`],
    );
    // Scan 2 by this one: v2 hashes of the same content, one resource really changed.
    const second = scanOf("S2", [vpc("vpc-1"), vpc("vpc-2")], []);
    expect(second.map(brief)).toEqual([]);
    const third = scanOf("S3", [vpc("vpc-1"), vpc("vpc-2", "10.9.0.0/16")], []);
    expect(third.map(brief)).toEqual([["modified", "vpc", "vpc-2"]]);
  });
});
