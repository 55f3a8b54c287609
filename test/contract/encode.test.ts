import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  clone,
  create,
  type DescMessage,
  fromBinary,
  type Message,
  toBinary,
} from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { encodeMarker, encodeSnapshot, type ObservedResource } from "../../src/contract/encode.ts";
import {
  ALL_RESOURCE_TYPES,
  payload,
  type ResourceType,
} from "../../src/contract/resource-types.ts";
import { isUnordered, payloadSchema } from "../../src/contract/schema-rules.ts";
import { type PartitionKey, parseSubject } from "../../src/contract/subject.ts";
import { canonicalBinary } from "../../src/contract/wire.ts";
import { InfrastructureChangeEventSchema } from "../../src/gen/elava/v1/event_pb.ts";
import { PartitionScannedSchema, ScanStatus } from "../../src/gen/elava/v1/marker_pb.ts";
import { VpcSchema } from "../../src/gen/elava/v1/network_pb.ts";
import { headerBlock, parseHeaderBlock } from "../../src/publisher/wire-headers.ts";
import { observedFromEvent } from "../support/events.ts";
import { fullEvents } from "../support/full-events.ts";
import { listOrderVariants } from "../support/mutations.ts";

const root = join(import.meta.dirname, "../..");
const scan = (scanId: string, startedAt = "2026-01-01T00:00:00Z") => ({
  scanId,
  scanStartedAt: new Date(startedAt),
  prefix: "elava",
});

/** A full event of every type, its payload from the AWS collector's full fixture. */
const EVENTS = await fullEvents();

function fixture(type: ResourceType) {
  const event = EVENTS[type];
  const partition: PartitionKey = {
    provider: "aws",
    resourceType: type,
    accountId: event.accountId,
    region: event.region,
  };
  return { event, partition, resource: observedFromEvent(event) };
}

function vpc(tags: Record<string, string>): ObservedResource {
  return {
    id: "vpc-1",
    name: "main",
    arn: "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1",
    tags,
    payload: payload("vpc", create(VpcSchema, { vpcId: "vpc-1", cidrBlock: "10.0.0.0/16" })),
  };
}
const vpcPartition: PartitionKey = {
  provider: "aws",
  resourceType: "vpc",
  accountId: "123456789012",
  region: "us-east-1",
};

describe("encodeSnapshot", () => {
  it.each(ALL_RESOURCE_TYPES)(
    "%s: publishes the full event, scan fields and hash included",
    (type) => {
      const { event, partition, resource } = fixture(type);
      const s = encodeSnapshot(
        scan("01SCAN"),
        partition,
        resource,
        new Date("2026-01-01T00:00:05Z"),
      );
      const decoded = fromBinary(InfrastructureChangeEventSchema, s.data);
      expect(decoded.resource).toEqual(event.resource);
      expect(decoded.tags).toEqual(event.tags);
      expect(decoded.scanId).toBe("01SCAN");
      expect(decoded.changeType).toBe(1);
      expect(decoded.contentHash).toBe(s.contentHash);
      expect(decoded.observedAt?.seconds).toBe(BigInt(Date.parse("2026-01-01T00:00:05Z") / 1000));
      expect(parseSubject("elava", s.subject)).toEqual({
        kind: "snapshot",
        partition,
        resourceId: event.resourceId,
      });
      expect(s.msgId).toBe(`01SCAN:${s.subject.slice("elava.".length)}`);
      expect(Object.fromEntries(s.headers)).toEqual({
        "Nats-Msg-Id": s.msgId,
        "Content-Type": "application/protobuf",
        "Elava-Schema": "elava.v1.InfrastructureChangeEvent",
        "Elava-Scan-Id": "01SCAN",
        "Elava-Content-Hash": s.contentHash,
      });
      // The block the publisher sends is the same headers, in the same order, as bytes.
      expect(Buffer.from(s.headerBlock ?? []).toString()).toBe(
        Buffer.from(headerBlock(s.headers)).toString(),
      );
    },
  );

  it("writes the header block of a resource id with characters the subject escapes", () => {
    const { partition, resource } = fixture("vpc");
    const s = encodeSnapshot(scan("01SCAN"), partition, { ...resource, id: "vpc.é 1" });
    expect(s.subject.endsWith(".vpc%2Eé%201")).toBe(true);
    expect(parseHeaderBlock(s.headerBlock ?? new Uint8Array())).toEqual(
      s.headers.map(([k, v]) => [k, v]),
    );
  });

  it("refuses a payload of another type than its partition", () => {
    expect(() =>
      encodeSnapshot(scan("S"), { ...vpcPartition, resourceType: "subnet" }, vpc({})),
    ).toThrow(/vpc payload but belongs to partition aws.subnet/);
  });
});

describe("the content hash", () => {
  it("ignores id, scan_id, observed_at and scan_started_at", () => {
    const a = encodeSnapshot(
      scan("A", "2026-01-01T00:00:00Z"),
      vpcPartition,
      vpc({ x: "1" }),
      new Date(1),
    );
    const b = encodeSnapshot(
      scan("B", "2026-02-01T00:00:00Z"),
      vpcPartition,
      vpc({ x: "1" }),
      new Date(2),
    );
    expect(a.contentHash).toBe(b.contentHash);
    expect(fromBinary(InfrastructureChangeEventSchema, a.data).id).not.toBe(
      fromBinary(InfrastructureChangeEventSchema, b.data).id,
    );
  });

  it("does not depend on the insertion order of map keys, integer-like ones included", () => {
    const a = encodeSnapshot(scan("A"), vpcPartition, vpc({ b: "1", "10": "x", a: "2", "2": "y" }));
    const b = encodeSnapshot(scan("B"), vpcPartition, vpc({ "2": "y", a: "2", "10": "x", b: "1" }));
    expect(a.contentHash).toBe(b.contentHash);
    const { partition, resource, event } = fixture("eks_node_group");
    const value = event.resource.value as { labels: Record<string, string> };
    const reversed = Object.fromEntries(Object.entries(value.labels).reverse());
    const shuffled = {
      ...resource,
      payload: { ...resource.payload, value: { ...value, labels: reversed } },
    } as ObservedResource;
    expect(encodeSnapshot(scan("A"), partition, shuffled).contentHash).toBe(
      encodeSnapshot(scan("A"), partition, resource).contentHash,
    );
  });

  it("is equal across processes", () => {
    const script = `
      import { encodeSnapshot } from "./src/contract/encode.ts";
      import { fullEvent } from "./test/support/full-events.ts";
      const e = await fullEvent("eks_node_group");
      const r = { id: e.resourceId, name: e.resourceName, arn: e.arn, tags: Object.fromEntries(Object.entries(e.tags).reverse()), payload: e.resource };
      const p = { provider: "aws", resourceType: "eks_node_group", accountId: e.accountId, region: e.region };
      process.stdout.write(encodeSnapshot({ scanId: "other", scanStartedAt: new Date(), prefix: "elava" }, p, r).contentHash);
    `;
    const child = execFileSync(
      join(root, "node_modules/.bin/tsx"),
      ["--input-type=module", "-e", script],
      { cwd: root, encoding: "utf8" },
    );
    const { partition, resource } = fixture("eks_node_group");
    expect(child).toMatch(/^sha256-v3:[0-9a-f]{64}$/);
    expect(child).toBe(encodeSnapshot(scan("A"), partition, resource).contentHash);
  });
});

describe("encodeMarker", () => {
  it("encodes the outcome with its readable headers", () => {
    const m = encodeMarker(scan("01SCAN"), vpcPartition, {
      status: "FAILED",
      resourceCount: 3,
      startedAt: new Date("2026-01-01T00:00:00Z"),
      finishedAt: new Date("2026-01-01T00:00:02Z"),
      error: "access_denied: not allowed",
    });
    expect(m.subject).toBe("elava.aws.vpc.123456789012.us-east-1");
    expect(m.msgId).toBe("01SCAN:aws.vpc.123456789012.us-east-1");
    const marker = fromBinary(PartitionScannedSchema, m.data);
    expect(marker.status).toBe(ScanStatus.FAILED);
    expect(marker.resourceCount).toBe(3n);
    expect(marker.error).toBe("access_denied: not allowed");
    expect(Object.fromEntries(m.headers)).toMatchObject({
      "Elava-Status": "FAILED",
      "Elava-Resource-Count": "3",
      "Elava-Schema": "elava.v1.PartitionScanned",
    });
  });
});

describe("canonicalBinary", () => {
  it.each(ALL_RESOURCE_TYPES)(
    "%s: writes the bytes toBinary writes, map entries last in sorted key order",
    (type) => {
      const { event } = fixture(type);
      const { resource } = event;
      if (resource.case === undefined) throw new Error(`fixture ${type} has no payload`);
      const field = InfrastructureChangeEventSchema.fields.find(
        (f) => f.localName === resource.case,
      );
      if (field?.fieldKind !== "message") throw new Error(`no payload field ${resource.case}`);
      const schema = field.message;
      const expected = withSortedMapsLast(schema, resource.value);
      expect(expected.length).toBeGreaterThan(20);
      expect(Buffer.from(canonicalBinary(schema, resource.value))).toEqual(expected);
    },
  );
});

describe("canonicalBinary of unordered lists", () => {
  it.each(ALL_RESOURCE_TYPES)(
    "%s: writes them in ascending order of their elements' protobuf-es encodings",
    (type) => {
      const { event } = fixture(type);
      for (const v of listOrderVariants(InfrastructureChangeEventSchema, event)) {
        if (!isUnordered(v.field)) continue;
        const { resource } = v.reversed;
        if (resource.case === undefined) throw new Error(`fixture ${type} has no payload`);
        const schema = payloadSchema(type);
        // The expected order, from protobuf-es alone: each element encoded by toBinary.
        const sorted = clone(schema, resource.value);
        const holder = locate(sorted as unknown as Record<string, unknown>, v.path);
        const list = holder[v.field.localName] as unknown[];
        const key = (e: unknown) =>
          v.field.fieldKind === "list" && v.field.listKind === "message"
            ? Buffer.from(toBinary(v.field.message, e as never))
            : Buffer.from(e as string, "utf8");
        list.sort((a, b) => Buffer.compare(key(a), key(b)));
        expect(Buffer.from(canonicalBinary(schema, resource.value)), v.path).toEqual(
          withSortedMapsLast(schema, sorted),
        );
      }
    },
  );
});

/** toBinary's bytes, but with the top-level maps last, their entries in sorted key order. */
function withSortedMapsLast(schema: DescMessage, message: Message): Buffer {
  const record = message as unknown as Record<string, unknown>;
  const maps = schema.fields.filter((f) => f.fieldKind === "map");
  const withoutMaps = { ...record };
  for (const f of maps) withoutMaps[f.localName] = {};
  const parts = [toBinary(schema, withoutMaps as unknown as Message)];
  for (const f of maps) {
    const entries = Object.entries(record[f.localName] as Record<string, string>).sort(
      ([a], [b]) => (a < b ? -1 : 1),
    );
    // A message holding one entry of the map encodes to exactly that entry.
    for (const [k, v] of entries) {
      parts.push(toBinary(schema, create(schema, { [f.localName]: { [k]: v } } as never)));
    }
  }
  return Buffer.concat(parts);
}

/** The message holding the field at a listOrderVariants path (`a.b[0].c` -> the b[0] message). */
function locate(root: Record<string, unknown>, path: string): Record<string, unknown> {
  const parts = path.split(".").slice(1, -1);
  let m = root;
  for (const part of parts) {
    const list = part.endsWith("[0]");
    const name = part
      .replace(/\[0\]$/u, "")
      .replace(/_([a-z0-9])/gu, (_x, c: string) => c.toUpperCase());
    const v = m[name];
    m = (list ? (v as Record<string, unknown>[])[0] : v) as Record<string, unknown>;
  }
  return m;
}
