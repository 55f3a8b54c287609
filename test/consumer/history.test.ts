import { describe, expect, it } from "vitest";
import { BadMessages } from "../../src/consumer/decode.ts";
import { findResources, writeHistory } from "../../src/consumer/history.ts";
import { LineWriter } from "../../src/consumer/output.ts";
import { StreamReader } from "../../src/consumer/reader.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream, partition, publishScan, vpc } from "./publish.ts";

const nats = useNatsServer();

const [stream, prefix] = ["HIST", "hist"];

async function history(text: string, json = false, narrow: { resourceType?: string } = {}) {
  const reader = await StreamReader.open(nats.nc, { stream, prefix });
  const lines: string[] = [];
  const found = await writeHistory(
    reader,
    { text, ...narrow },
    new LineWriter({ write: (l: string) => lines.push(l.trimEnd()) }),
    json,
    new BadMessages(),
  );
  return { found, lines };
}

describe("history", () => {
  it("lists every retained version of a resource with its field differences, by id, ARN or name", async () => {
    await createStream(nats.nc, stream, prefix);
    const east = partition("vpc");
    const west = partition("vpc", "eu-west-1");
    await publishScan(
      nats.nc,
      [{ partition: east, resources: [vpc("vpc-1", "10.0.0.0/16", { Name: "core" })] }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [{ partition: east, resources: [vpc("vpc-1", "10.0.0.0/16", { Name: "core" })] }],
      prefix,
    );
    await publishScan(
      nats.nc,
      [
        {
          partition: east,
          resources: [vpc("vpc-1", "10.1.0.0/16", { Name: "core", Team: "net" })],
        },
        { partition: west, resources: [vpc("vpc-7", "10.7.0.0/16", { Name: "core" })] },
      ],
      prefix,
    );
    await publishScan(nats.nc, [{ partition: east, resources: [] }], prefix);

    const byId = await history("vpc-1");
    expect(byId.found).toBe(1);
    expect(byId.lines[0]).toBe(
      'aws vpc 123456789012 us-east-1 vpc-1 "core" arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1',
    );
    expect(byId.lines[1]).toMatch(
      /^ {2}version 1 {2}\S+ \.\. \S+ {2}2 snapshots \(sequence 1\.\.3\) {2}sha256\S*:/u,
    );
    expect(byId.lines[2]).toMatch(
      /^ {2}version 2 {2}\S+ {2}1 snapshot \(sequence 5\) {2}sha256\S*:/u,
    );
    expect(byId.lines.slice(3, 5)).toEqual([
      '      tags.Team: null -> "net"',
      '      vpc.cidr_block: "10.0.0.0/16" -> "10.1.0.0/16"',
    ]);
    expect(byId.lines[5]).toMatch(
      /^ {2}now: gone: its partition's latest OK scan \S+ \(stored \S+\) does not list it$/u,
    );
    expect(byId.lines[6]).toBe("  2 versions in 3 snapshots the stream holds");

    // By ARN and by name, among the current inventory: vpc-1 is gone, vpc-7 is named core.
    // (the test helper gives every VPC a us-east-1 ARN)
    const byArn = await history("arn:aws:ec2:us-east-1:123456789012:vpc/vpc-7");
    expect([byArn.found, byArn.lines[0]]).toEqual([1, expect.stringContaining(" vpc-7 ")]);
    const byName = await history("core", true);
    const parsed = byName.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((l) => l.kind)).toEqual(["version", "resource"]);
    expect(parsed[1]).toMatchObject({
      kind: "resource",
      matched_by: "name",
      now: "present",
      versions: 1,
    });
    expect(parsed[0]).toMatchObject({ version: 1, snapshots: 1, differences: [] });
    expect(parsed[0]?.snapshot).toMatchObject({ resourceId: "vpc-7" });

    expect((await history("vpc-1", false, { resourceType: "subnet" })).found).toBe(0);
    const reader = await StreamReader.open(nats.nc, { stream, prefix });
    expect(await findResources(reader, { text: "nothing-like-this" }, new BadMessages())).toEqual({
      subjects: [],
      by: undefined,
    });
  });
});
