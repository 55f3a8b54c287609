import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { jetstreamManager } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import {
  type Change,
  ChangeDeriver,
  changesWriter,
  changeTextLines,
  deriveChanges,
  type PartitionScanReport,
  ShallowHistoryError,
  skippedTextLine,
  summaryText,
} from "../../src/consumer/changes.ts";
import { BadMessages, type StreamMessage } from "../../src/consumer/decode.ts";
import { LineWriter } from "../../src/consumer/output.ts";
import { type StartAt, StreamReader } from "../../src/consumer/reader.ts";
import {
  encodeMarker,
  encodeSnapshot,
  type ObservedResource,
  type OutgoingMessage,
} from "../../src/contract/encode.ts";
import { InfrastructureChangeEventSchema } from "../../src/gen/elava/v1/event_pb.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, subnet, vpc } from "./publish.ts";

const nats = useNatsServer();

const brief = (c: Change) => [c.change, c.resource_type, c.resource_id];

async function derive(stream: string, prefix: string, since: StartAt = { kind: "all" }) {
  const reader = await StreamReader.open(nats.nc, { stream, prefix });
  const changes: Change[] = [];
  const skipped: PartitionScanReport[] = [];
  const summary = await deriveChanges(reader, {
    since,
    sinceText: since.kind,
    bad: new BadMessages(),
    onChange: (c) => {
      changes.push(c);
    },
    onSkipped: (r) => {
      skipped.push(r);
    },
  });
  return { changes, skipped, summary };
}

const pause = () => new Promise((r) => setTimeout(r, 30));

describe("deriveChanges", () => {
  it("derives created, modified (with field paths) and disappeared between complete OK scans", async () => {
    const [stream, prefix] = ["C1", "c1"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [
        {
          partition: partition("vpc"),
          resources: [vpc("vpc-1", "10.0.0.0/16", { Team: "a", Name: "core" }), vpc("vpc-2")],
        },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      prefix,
    );
    const second = await publishScan(
      nats.nc,
      [
        {
          partition: partition("vpc"),
          resources: [vpc("vpc-1", "10.9.0.0/16", { Team: "b", Name: "core" }), vpc("vpc.3")],
        },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      prefix,
    );

    const { changes, summary } = await derive(stream, prefix);

    expect(changes.map(brief).sort()).toEqual([
      ["created", "vpc", "vpc.3"],
      ["disappeared", "vpc", "vpc-2"],
      ["modified", "vpc", "vpc-1"],
    ]);
    const modified = changes.find((c) => c.change === "modified") as Change;
    expect(modified).toMatchObject({
      scan_id: second,
      resource_name: "core",
      account_id: "123456789012",
      region: "us-east-1",
    });
    expect(modified.differences).toEqual([
      { path: "tags.Team", old: "a", new: "b" },
      { path: "vpc.cidr_block", old: "10.0.0.0/16", new: "10.9.0.0/16" },
    ]);
    expect(summary).toMatchObject({
      created: 1,
      modified: 1,
      disappeared: 1,
      derived: 2,
      baseline: 2,
    });
    expect(changeTextLines(modified)).toEqual([
      'modified     vpc 123456789012 us-east-1  vpc-1 "core"',
      '    tags.Team: "a" -> "b"',
      '    vpc.cidr_block: "10.0.0.0/16" -> "10.9.0.0/16"',
    ]);
    expect(summaryText(summary, "all")).toMatch(
      /^1 created, 1 modified, 1 disappeared since all, from 2 partition scans/u,
    );
  });

  it("writes JSON lines with a kind, and text lines padded to nothing but their own width", async () => {
    const [stream, prefix] = ["C7", "c7"];
    await createStream(nats.nc, stream, prefix);
    const longArn = `arn:aws:iam::123456789012:role/${"very-long-path/".repeat(12)}app`;
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-2"), vpc(longArn)] }],
      prefix,
    );
    for (const json of [true, false]) {
      const lines: string[] = [];
      const reader = await StreamReader.open(nats.nc, { stream, prefix });
      await deriveChanges(reader, {
        since: { kind: "all" },
        sinceText: "all",
        bad: new BadMessages(),
        ...changesWriter(new LineWriter({ write: (l: string) => lines.push(l.trimEnd()) }), json),
      });
      if (json) {
        expect(
          lines.map((l) => (JSON.parse(l) as { kind: string; change: string }).change).sort(),
        ).toEqual(["created", "created", "disappeared"]);
        expect(lines.every((l) => (JSON.parse(l) as { kind: string }).kind === "change")).toBe(
          true,
        );
      } else {
        // The long ARN widens its own line only.
        const short = lines.find((l) => l.includes("vpc-2"));
        expect(short).toBe("created      vpc 123456789012 us-east-1  vpc-2");
        expect(lines.find((l) => l.includes(longArn))?.length).toBeGreaterThan(200);
      }
    }
  });

  it("derives nothing from a FAILED partition, and compares the next OK scan with the last complete one", async () => {
    const [stream, prefix] = ["C2", "c2"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [], status: "FAILED" }],
      prefix,
    );

    const failed = await derive(stream, prefix);
    expect(failed.changes).toEqual([]);
    expect(failed.skipped.map((r) => r.outcome)).toEqual(["failed"]);
    expect(skippedTextLine(failed.skipped[0] as PartitionScanReport)).toContain(
      "FAILED (throttled",
    );

    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      prefix,
    );
    const after = await derive(stream, prefix);
    expect(after.changes.map(brief)).toEqual([["disappeared", "vpc", "vpc-2"]]);
  });

  it("reports a partition whose snapshot was deleted from the stream as incomplete and derives nothing", async () => {
    const [stream, prefix] = ["C3", "c3"];
    const jsm = await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      prefix,
    );
    const lost = await jsm.streams.getMessage(stream, {
      last_by_subj: "c3.aws.vpc.123456789012.us-east-1.vpc-2",
    });
    expect(lost).not.toBeNull();
    await jsm.streams.deleteMessage(stream, lost?.seq ?? 0);

    const { changes, skipped } = await derive(stream, prefix);

    expect(changes).toEqual([]);
    expect(skipped.at(-1)).toMatchObject({ outcome: "incomplete", expected: 2, seen: 1 });
    expect(skippedTextLine(skipped.at(-1) as PartitionScanReport)).toContain(
      "incomplete: 1 of 2 snapshots stored",
    );
  });

  it("reports nothing for a window after the last scan", async () => {
    const [stream, prefix] = ["C4", "c4"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }],
      prefix,
    );
    const { changes, skipped, summary } = await derive(stream, prefix, {
      kind: "time",
      time: new Date(Date.now() + 60_000),
    });
    expect([changes, skipped, summary.derived]).toEqual([[], [], 0]);
  });

  it("compares the first scan of the window with the scan before it", async () => {
    const [stream, prefix] = ["C5", "c5"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      prefix,
    );
    await pause();
    const since = new Date();
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1", "10.1.0.0/16")] }],
      prefix,
    );

    const { changes, summary } = await derive(stream, prefix, { kind: "time", time: since });

    expect(changes.map(brief).sort()).toEqual([
      ["disappeared", "vpc", "vpc-2"],
      ["modified", "vpc", "vpc-1"],
    ]);
    expect(changes.find((c) => c.change === "modified")?.differences?.map((d) => d.path)).toEqual([
      "vpc.cidr_block",
    ]);
    expect([summary.derived, summary.baseline]).toEqual([1, 0]);
  });

  it("fails, before writing anything, when the stream does not reach back to --since", async () => {
    const [stream, prefix] = ["C8", "c8"];
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], max_msgs_per_subject: 2 });
    const start = new Date();
    for (const cidr of ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]) {
      await publishScan(
        nats.nc,
        [{ partition: partition("vpc"), resources: [vpc("vpc-1", cidr)] }],
        prefix,
      );
      await pause();
    }
    const err = await derive(stream, prefix, {
      kind: "time",
      time: new Date(start.getTime() - 3_600_000),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShallowHistoryError);
    expect((err as Error).message).toMatch(
      /^changes --since time: the stream reaches back only to \S+ \(.*ago\) for 1 partitions \(e\.g\. c8\.aws\.vpc\.123456789012\.us-east-1\): it keeps 2 messages per subject \(--stream-max-msgs-per-subject, stream\.max_msgs_per_subject in a config file\), so 2 markers of each partition, i\.e\. .* --stream-max-msgs-per-subject N keeps about N x /u,
    );
    // A window the stream does reach is derived.
    const recent = await derive(stream, prefix, { kind: "time", time: new Date(Date.now() - 15) });
    expect(recent.summary.derived + recent.summary.baseline).toBeLessThanOrEqual(1);

    // A purged head: the stream's oldest message is newer than the window.
    const [s2, p2] = ["C9", "c9"];
    const j2 = await createStream(nats.nc, s2, p2);
    for (let i = 0; i < 3; i++) {
      await publishScan(nats.nc, [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }], p2);
      await pause();
    }
    await j2.streams.purge(s2, { keep: 2 });
    const purged = await derive(s2, p2, { kind: "time", time: start }).catch((e: unknown) => e);
    expect(purged).toBeInstanceOf(ShallowHistoryError);
    expect((purged as Error).message).toContain("its oldest message is from then (sequence 5)");
  });
});

describe("ChangeDeriver and the hash scheme", () => {
  it("reports no change when only the hash scheme changed between two scans (an upgrade)", () => {
    const deriver = new ChangeDeriver("u", new BadMessages());
    const part = partition("vpc");
    let seq = 0;
    // Messages as the stream would deliver them, with a hash header of an older scheme
    // where asked (the payload's content_hash must agree, so both are replaced).
    const message = (m: OutgoingMessage, hash?: string): StreamMessage => {
      const h = headers();
      for (const [k, v] of m.headers) h.set(k, v);
      let data = m.data;
      if (hash !== undefined && h.has("Elava-Content-Hash")) {
        h.set("Elava-Content-Hash", hash);
        const event = fromBinary(InfrastructureChangeEventSchema, m.data);
        data = toBinary(InfrastructureChangeEventSchema, { ...event, contentHash: hash });
      }
      return {
        subject: m.subject,
        seq: ++seq,
        data,
        headers: h,
        info: { timestampNanos: Date.now() * 1e6 },
      };
    };
    const scanOf = (
      scanId: string,
      resources: ObservedResource[],
      hashes: (string | undefined)[],
    ) => {
      const scan = { scanId, scanStartedAt: new Date(), prefix: "u" };
      resources.forEach((r, i) => {
        expect(deriver.add(message(encodeSnapshot(scan, part, r), hashes[i]))).toBeUndefined();
      });
      const outcome = {
        status: "OK" as const,
        resourceCount: resources.length,
        startedAt: new Date(),
        finishedAt: new Date(),
        error: "",
      };
      return deriver.add(message(encodeMarker(scan, part, outcome)));
    };
    // Scan 1 by an older publisher: v1 hashes.
    scanOf(
      "S1",
      [vpc("vpc-1"), vpc("vpc-2")],
      [`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`],
    );
    // Scan 2 by this one: v2 hashes of the same content; then one resource really changes.
    const second = scanOf("S2", [vpc("vpc-1"), vpc("vpc-2")], []);
    expect([second?.candidates, second?.rehashed]).toEqual([[], 2]);
    const third = scanOf("S3", [vpc("vpc-1"), vpc("vpc-2", "10.9.0.0/16")], []);
    expect(third?.candidates.map((c) => c.change)).toEqual(["modified"]);
    expect(third?.rehashed).toBe(0);
  });
});
