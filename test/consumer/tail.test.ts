import { describe, expect, it } from "vitest";
import { BadMessages, type Decoded } from "../../src/consumer/decode.ts";
import { parseStartAt, StreamReader } from "../../src/consumer/reader.ts";
import {
  jsonLine,
  type TailOptions,
  tail,
  tailSubjects,
  textLine,
} from "../../src/consumer/tail.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, subnet, vpc } from "./publish.ts";

const nats = useNatsServer();

async function read(
  stream: string,
  prefix: string,
  options: Omit<TailOptions, "bad">,
): Promise<Decoded[]> {
  const reader = await StreamReader.open(nats.nc, { stream, prefix });
  const got: Decoded[] = [];
  for await (const d of tail(reader, { bad: new BadMessages(), ...options })) got.push(d);
  return got;
}

describe("tail", () => {
  it("builds filter subjects from type, account, region and an encoded id", () => {
    expect(tailSubjects("elava")).toEqual(["elava.>"]);
    expect(tailSubjects("elava", { resourceType: "vpc", region: "eu-west-1" })).toEqual([
      "elava.*.vpc.>",
    ]);
    expect(
      tailSubjects("elava", { resourceType: "s3_bucket", resourceId: "logs.example.com" }),
    ).toEqual(["elava.*.s3_bucket.*.*.logs%2Eexample%2Ecom"]);
    expect(() => tailSubjects("elava", { region: "us.east" })).toThrow(
      /--region "us.east" cannot be matched/,
    );
  });

  it("decodes snapshots and markers of the filtered partition, in order, from a sequence", async () => {
    const [stream, prefix] = ["T1", "t1"];
    await createStream(nats.nc, stream, prefix);
    const scanId = await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1")] },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      prefix,
    );
    const got = await read(stream, prefix, {
      resourceType: "subnet",
      start: { kind: "sequence", sequence: 1 },
      bounded: true,
    });
    expect(got.map((d) => [d.kind, d.seq])).toEqual([
      ["snapshot", 3],
      ["marker", 4],
    ]);
    const [snap, marker] = got;
    if (snap?.kind !== "snapshot" || marker?.kind !== "marker") throw new Error("unexpected kinds");
    expect(snap.event.resourceId).toBe("subnet-1");
    expect(JSON.parse(jsonLine(snap))).toMatchObject({
      kind: "snapshot",
      seq: 3,
      resourceId: "subnet-1",
      scanId,
    });
    expect(JSON.parse(jsonLine(marker))).toMatchObject({
      kind: "marker",
      seq: 4,
      status: "SCAN_STATUS_OK",
      resourceCount: "1",
    });
    const time = new Date(snap.storedAt).toISOString().slice(11, 19);
    expect(textLine(snap)).toBe(
      `${time} #3 snapshot subnet 123456789012 us-east-1 subnet-1 ${snap.event.contentHash.slice(0, 19)}`,
    );
    expect(textLine(marker)).toMatch(
      /#4 marker {3}subnet 123456789012 us-east-1 OK 1 resources, scan /u,
    );
  });

  it("shows the last messages already in the stream first, like tail(1), narrowed by the filters", async () => {
    const [stream, prefix] = ["T3", "t3"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2"), vpc("vpc-3")] },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
        { partition: partition("vpc", "eu-west-1"), resources: [vpc("vpc-9")] },
      ],
      prefix,
    );
    expect((await read(stream, prefix, { last: 2, bounded: true })).map((d) => d.seq)).toEqual([
      7, 8,
    ]);
    const vpcs = await read(stream, prefix, {
      resourceType: "vpc",
      region: "us-east-1",
      last: 3,
      bounded: true,
    });
    expect(vpcs.map((d) => d.seq)).toEqual([2, 3, 4]);
    expect(await read(stream, prefix, { last: 0, bounded: true })).toEqual([]);
  });

  it("follows new messages until aborted", async () => {
    const [stream, prefix] = ["T2", "t2"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-0")] }],
      prefix,
    );
    const abort = new AbortController();
    const seen: string[] = [];
    const reader = await StreamReader.open(nats.nc, { stream, prefix });
    const reading = (async () => {
      for await (const d of tail(reader, {
        last: 1,
        bad: new BadMessages(),
        signal: abort.signal,
      })) {
        seen.push(d.kind);
        if (seen.length === 3) abort.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-9")] }],
      prefix,
    );
    await reading;
    expect(seen).toEqual(["marker", "snapshot", "marker"]);
  });

  it("parses where a read starts", () => {
    const now = new Date("2026-01-02T00:00:00Z");
    expect(parseStartAt("all")).toEqual({ kind: "all" });
    expect(parseStartAt("42")).toEqual({ kind: "sequence", sequence: 42 });
    expect(parseStartAt("24h", now)).toEqual({
      kind: "time",
      time: new Date("2026-01-01T00:00:00Z"),
    });
    expect(() => parseStartAt("yesterday")).toThrow(/not a start: use new, all/);
  });
});
