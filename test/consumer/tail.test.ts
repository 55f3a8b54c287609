import { describe, expect, it } from "vitest";
import { parseStartAt } from "../../src/consumer/reader.ts";
import { compactLine, jsonLine, tail, tailSubjects } from "../../src/consumer/tail.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, subnet, vpc } from "./publish.ts";

const nats = useNatsServer();

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
    const loc = { stream: "T1", prefix: "t1" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    const scanId = await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1")] },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      loc.prefix,
    );
    const got = [];
    for await (const d of tail(nats.nc, loc, {
      resourceType: "subnet",
      start: { kind: "sequence", sequence: 1 },
      bounded: true,
    })) {
      got.push(d);
    }
    expect(got.map((d) => d.kind)).toEqual(["snapshot", "marker"]);
    expect(got.map((d) => d.seq)).toEqual([3, 4]);
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
    expect(compactLine(snap)).toBe(
      `#3 snapshot subnet 123456789012/us-east-1 subnet-1 scan=${scanId} ${snap.event.contentHash.slice(0, 19)}`,
    );
    expect(compactLine(marker)).toContain("marker   subnet 123456789012/us-east-1 OK count=1");
  });

  it("follows new messages until aborted", async () => {
    const loc = { stream: "T2", prefix: "t2" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    const abort = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const d of tail(nats.nc, loc, { start: { kind: "new" }, signal: abort.signal })) {
        seen.push(d.kind);
        if (seen.length === 2) abort.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-9")] }],
      loc.prefix,
    );
    await reading;
    expect(seen).toEqual(["snapshot", "marker"]);
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
