import { describe, expect, it } from "vitest";
import { BadMessages } from "../../src/consumer/decode.ts";
import { LineWriter } from "../../src/consumer/output.ts";
import { StreamReader } from "../../src/consumer/reader.ts";
import {
  drainRaw,
  formatSummary,
  measureReplay,
  replay,
  writeInventoryJson,
} from "../../src/consumer/replay.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, subnet, vpc } from "./publish.ts";

const nats = useNatsServer();

describe("replay", () => {
  it("summarises partitions by status, and writes resources, partitions and a summary as JSON lines", async () => {
    const [stream, prefix] = ["R1", "r1"];
    await createStream(nats.nc, stream, prefix);
    await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] },
        { partition: partition("subnet"), resources: [subnet("subnet-1", "vpc-1")] },
      ],
      prefix,
    );
    const last = await publishScan(
      nats.nc,
      [
        { partition: partition("vpc"), resources: [vpc("vpc-1", "10.1.0.0/16")] },
        { partition: partition("subnet"), resources: [], status: "FAILED" },
      ],
      prefix,
    );
    const reader = await StreamReader.open(nats.nc, { stream, prefix });
    const bad = new BadMessages();
    const plan = await replay(reader, { bad });

    expect(formatSummary(plan, 0, stream, prefix).split("\n")).toEqual([
      "PROVIDER  RESOURCE TYPE  ACCOUNT       REGION     RESOURCES  STATUS",
      "aws       subnet         123456789012  us-east-1  1          unconfirmed",
      "aws       vpc            123456789012  us-east-1  1          ok",
      "2 resources in 2 partitions: 1 ok, 1 unconfirmed, 0 incomplete, 0 unknown; 0 bad messages skipped",
    ]);

    const lines: string[] = [];
    await writeInventoryJson(
      reader,
      plan,
      new LineWriter({ write: (l: string) => lines.push(l) }),
      bad,
    );
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((l) => l.kind)).toEqual([
      "resource",
      "resource",
      "partition",
      "partition",
      "summary",
    ]);
    expect(parsed.find((l) => l.resourceId === "vpc-1")).toMatchObject({
      kind: "resource",
      scanId: last,
      status: "ok",
      unconfirmed: false,
    });
    expect(parsed.find((l) => l.resourceId === "subnet-1")).toMatchObject({
      status: "unconfirmed",
      unconfirmed: true,
    });
    expect(
      parsed.find((l) => l.kind === "partition" && l.resource_type === "subnet"),
    ).toMatchObject({
      status: "unconfirmed",
      resources: 1,
      expected: 1,
      latest_error: "throttled: DescribeVpcs kept throttling",
    });
    expect(parsed.at(-1)).toEqual({
      kind: "summary",
      resources: 2,
      written: 2,
      partitions: 2,
      ok: 1,
      unconfirmed: 1,
      incomplete: 0,
      unknown: 0,
      missing: 0,
      bad_messages: 0,
    });
  });

  it("says a stream with nothing under the prefix holds no partition, and measures replay against a raw drain", async () => {
    const [stream, prefix] = ["R3", "r3"];
    await createStream(nats.nc, stream, prefix);
    const empty = await replay(await StreamReader.open(nats.nc, { stream, prefix }));
    expect(formatSummary(empty, 0, stream, prefix)).toBe(
      "no partition under r3.> in stream R3: nothing has been published under this prefix yet",
    );

    await publishScan(
      nats.nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      prefix,
    );
    const drained = await drainRaw(await StreamReader.open(nats.nc, { stream, prefix }));
    expect(drained.messages).toBe(3);
    const m = await measureReplay(nats.nc, { stream, prefix });
    expect(m.replay.messages).toBe(3);
    expect(m.replay.resources).toBe(2);
    expect(m.ratio).toBeGreaterThan(0);
  });
});
