/**
 * Messages that are not of the contract, on the subjects consumers read: each is skipped
 * and reported with its sequence and subject by every tool, and never counted.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type Change, deriveChanges } from "../../src/consumer/changes.ts";
import {
  type BadMessage,
  BadMessages,
  checkMessage,
  decodeMessage,
} from "../../src/consumer/decode.ts";
import { writeGraph } from "../../src/consumer/graph.ts";
import { writeHistory } from "../../src/consumer/history.ts";
import { inventoryCounts } from "../../src/consumer/inventory.ts";
import { LineWriter } from "../../src/consumer/output.ts";
import { StreamReader } from "../../src/consumer/reader.ts";
import { replay } from "../../src/consumer/replay.ts";
import { tail } from "../../src/consumer/tail.ts";
import { MARKER_SCHEMA_NAME, SNAPSHOT_SCHEMA_NAME } from "../../src/contract/encode.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishRaw, publishScan, vpc } from "./publish.ts";

const nats = useNatsServer();

const SNAPSHOT_HEADERS = {
  "Elava-Schema": SNAPSHOT_SCHEMA_NAME,
  "Elava-Scan-Id": "01JZZZZZZZZZZZZZZZZZZZZZZZ",
  "Elava-Content-Hash": "sha256:00",
};

/** Publishes a good scan and, around it, one message of every kind of garbage. */
async function pollute(stream: string, prefix: string): Promise<Map<number, string>> {
  await createStream(nats.nc, stream, prefix);
  const garbage = new Map<number, string>();
  const junk = async (why: string, subject: string, data: Uint8Array, h?: Record<string, string>) =>
    garbage.set(await publishRaw(nats.nc, subject, data, h), why);
  const account = "123456789012";
  const snap = `${prefix}.aws.vpc.${account}.us-east-1.vpc-junk`;
  await junk("not the contract's shape", `${prefix}.junk.x`, new TextEncoder().encode("hello"));
  await junk(
    "seven tokens",
    `${prefix}.aws.vpc.${account}.us-east-1.vpc-1.extra`,
    new Uint8Array([1]),
  );
  await junk(
    "non-protobuf with Elava headers",
    snap,
    new TextEncoder().encode("not protobuf at all"),
    SNAPSHOT_HEADERS,
  );
  await junk("unknown schema", snap, new Uint8Array([1, 2, 3]), {
    "Elava-Schema": "acme.v9.Thing",
  });
  await junk("no headers", snap, new Uint8Array([8, 1]));
  await junk("a 900 KB blob", snap, randomBytes(900 * 1024), SNAPSHOT_HEADERS);
  await junk(
    "garbage marker",
    `${prefix}.aws.subnet.${account}.us-east-1`,
    new Uint8Array([0xff, 0xff, 0xff]),
    {
      "Elava-Schema": MARKER_SCHEMA_NAME,
    },
  );
  await publishScan(
    nats.nc,
    [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
    prefix,
  );
  return garbage;
}

function recorder() {
  const seen: BadMessage[] = [];
  return { seen, bad: new BadMessages((b) => seen.push(b)) };
}

describe("bad messages", () => {
  it("are told apart from snapshots and markers, with a reason", async () => {
    const [stream, prefix] = ["BAD0", "bad0"];
    const garbage = await pollute(stream, prefix);
    const reader = await StreamReader.open(nats.nc, { stream, prefix });
    const reasons: string[] = [];
    for (const seq of garbage.keys()) {
      const m = await reader.get(seq);
      if (m === undefined) throw new Error(`no message ${seq}`);
      const c = checkMessage(prefix, m);
      expect(c.kind, garbage.get(seq)).toBe("bad");
      if (c.kind === "bad") reasons.push(c.reason);
      expect(decodeMessage(prefix, m).kind).toBe("bad");
    }
    expect(reasons).toEqual([
      'its subject has 2 tokens after the prefix "bad0", not the contract\'s bad0.<provider>.<resource_type>.<account>.<region>[.<resource>]',
      'its subject has 6 tokens after the prefix "bad0", not the contract\'s bad0.<provider>.<resource_type>.<account>.<region>[.<resource>]',
      expect.stringMatching(/^it is not a valid elava\.v1\.InfrastructureChangeEvent: /u),
      'it has Elava-Schema "acme.v9.Thing"; its subject is a snapshot subject, so elava.v1.InfrastructureChangeEvent was expected',
      "it has no headers (a elava.v1.InfrastructureChangeEvent carries Elava-Schema)",
      expect.stringMatching(/^it is not a valid elava\.v1\.InfrastructureChangeEvent: /u),
      expect.stringMatching(/^it is not a valid elava\.v1\.PartitionScanned: /u),
    ]);
  });

  it("are skipped and reported by replay, changes, graph, history and tail, and never counted", async () => {
    const [stream, prefix] = ["BAD1", "bad1"];
    const garbage = await pollute(stream, prefix);
    const reader = await StreamReader.open(nats.nc, { stream, prefix });

    const r = recorder();
    const plan = await replay(reader, { bad: r.bad });
    expect(inventoryCounts(plan).resources).toBe(2);
    expect(plan.partitions.has(`${prefix}.aws.subnet.123456789012.us-east-1`)).toBe(false);
    expect(r.seen.map((b) => b.seq).sort((a, b) => a - b)).toEqual([...garbage.keys()]);
    expect(r.seen.every((b) => b.subject.startsWith(`${prefix}.`) && b.reason !== "")).toBe(true);

    const c = recorder();
    const changes: Change[] = [];
    await deriveChanges(reader, {
      since: { kind: "all" },
      sinceText: "all",
      bad: c.bad,
      onChange: (x) => {
        changes.push(x);
      },
    });
    expect(changes).toEqual([]);
    expect(c.bad.count).toBe(garbage.size);

    const g = recorder();
    const lines: string[] = [];
    const summary = await writeGraph(
      reader,
      new LineWriter({ write: (l: string) => lines.push(l) }),
      "json",
      g.bad,
    );
    expect([summary.nodes, summary.bad_messages]).toEqual([2, garbage.size]);

    const t = recorder();
    const kinds: string[] = [];
    for await (const d of tail(reader, { start: { kind: "all" }, bounded: true, bad: t.bad }))
      kinds.push(d.kind);
    expect(kinds.filter((k) => k === "bad")).toHaveLength(garbage.size);
    expect(kinds.filter((k) => k !== "bad")).toEqual(["snapshot", "snapshot", "marker"]);

    const h = recorder();
    const history: string[] = [];
    const found = await writeHistory(
      reader,
      { text: "vpc-junk" },
      new LineWriter({ write: (l: string) => history.push(l) }),
      false,
      h.bad,
    );
    expect(found).toBe(1);
    expect(history.join("\n")).toContain("0 versions in 0 snapshots the stream holds");
    expect(h.bad.count).toBe(4);
  });
});
