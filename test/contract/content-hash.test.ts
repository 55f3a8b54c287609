/**
 * The content hash follows the schema's rules, for every type, on its full event: what the
 * AWS collector makes of its full SDK fixture (test/support/full-events.ts), every field
 * set. Volatile fields stay out of it, unordered lists count as sets, everything else
 * counts, order included.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type DescField, fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  CONTENT_HASH_SCHEME,
  compareContentHashes,
  contentHashScheme,
} from "../../src/contract/content-hash.ts";
import { encodeSnapshot, SCAN_PART_FIELDS } from "../../src/contract/encode.ts";
import {
  ALL_RESOURCE_TYPES,
  RESOURCE_TYPES,
  type ResourceType,
} from "../../src/contract/resource-types.ts";
import {
  isUnordered,
  isVolatile,
  messagesWithin,
  payloadSchema,
} from "../../src/contract/schema-rules.ts";
import type { PartitionKey } from "../../src/contract/subject.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import { observedFromEvent } from "../support/events.ts";
import { fullEvents } from "../support/full-events.ts";
import { listOrderVariants, singleFieldChanges } from "../support/mutations.ts";

const scan = { scanId: "01SCAN", scanStartedAt: new Date("2026-01-01T00:00:00Z"), prefix: "elava" };

function partitionOf(type: ResourceType, accountId: string, region: string): PartitionKey {
  return { provider: "aws", resourceType: type, accountId, region };
}

function hashOf(event: InfrastructureChangeEvent): string {
  return encodeSnapshot(
    scan,
    partitionOf(event.resourceType as ResourceType, event.accountId, event.region),
    observedFromEvent(event),
  ).contentHash;
}

const sources: Array<[string, ResourceType]> = ALL_RESOURCE_TYPES.map((t) => ["full event", t]);
/** A full event of every type, its payload from the AWS collector's full fixture. */
const EVENTS = await fullEvents();

function eventOf(_source: string, type: ResourceType): InfrastructureChangeEvent {
  return EVENTS[type];
}

/** Whether the field, or a message field on its path, is volatile (a path's first segment is the envelope). */
function volatileOnPath(path: string, field: DescField): boolean {
  if (isVolatile(field)) return true;
  const top = InfrastructureChangeEventSchema.fields.find((f) => f.name === path.split(".")[0]);
  return top !== undefined && isVolatile(top);
}

/** Envelope fields the partition sets, which ObservedResource does not carry. */
const PARTITION_FIELDS = new Set([
  "change_type",
  "provider",
  "account_id",
  "region",
  "resource_type",
]);

describe("the content hash", () => {
  it("names its scheme: sha256-v3:<hex>", () => {
    const h = hashOf(eventOf("full event", "vpc"));
    expect(h).toMatch(/^sha256-v3:[0-9a-f]{64}$/u);
    expect(contentHashScheme(h)).toBe(CONTENT_HASH_SCHEME);
  });

  it.each(sources)("%s %s: changes when any field that is not volatile changes", (source, type) => {
    const event = eventOf(source, type);
    const base = hashOf(event);
    const changes = singleFieldChanges(InfrastructureChangeEventSchema, event).filter(
      ([path, , field]) => !volatileOnPath(path, field) && !PARTITION_FIELDS.has(path),
    );
    expect(changes.length).toBeGreaterThan(8);
    for (const [path, changed] of changes) {
      expect(hashOf(changed), path).not.toBe(base);
    }
  });

  it.each(sources)("%s %s: stays when only volatile fields change, one or all", (source, type) => {
    const event = eventOf(source, type);
    const base = hashOf(event);
    const volatile = singleFieldChanges(InfrastructureChangeEventSchema, event).filter(
      ([path, , field]) => volatileOnPath(path, field),
    );
    // The envelope's scan part is volatile in every type: id, observed_at, scan_id, ...
    expect(volatile.length).toBeGreaterThanOrEqual(SCAN_PART_FIELDS.length);
    for (const [path, changed] of volatile) {
      expect(hashOf(changed), path).toBe(base);
    }
    // Every volatile field changed at once: each single change applied to one copy.
    let all = event;
    for (const [path, , field] of volatile) {
      if (path.split(".").length < 2 || !isVolatile(field)) continue;
      const again = singleFieldChanges(InfrastructureChangeEventSchema, all).find(
        ([p]) => p === path,
      );
      if (again !== undefined) all = again[1];
    }
    expect(hashOf(all)).toBe(base);
  });

  it.each(sources)(
    "%s %s: counts a list's order exactly when it is not unordered",
    (source, type) => {
      const event = eventOf(source, type);
      const variants = listOrderVariants(InfrastructureChangeEventSchema, event).filter(
        (v) => !volatileOnPath(v.path, v.field),
      );
      const lists = messagesWithin(payloadSchema(type)).flatMap((m) =>
        m.fields.filter((f) => f.fieldKind === "list"),
      );
      expect(variants.map((v) => v.field)).toEqual(lists);
      for (const v of variants) {
        const [a, b] = [hashOf(v.forward), hashOf(v.reversed)];
        if (isUnordered(v.field)) expect(a, `${v.path} is unordered`).toBe(b);
        else expect(a, `${v.path} is ordered`).not.toBe(b);
      }
    },
  );

  it.each(sources)(
    "%s %s: publishes unordered lists in canonical order, volatile values kept",
    (source, type) => {
      const event = eventOf(source, type);
      for (const v of listOrderVariants(InfrastructureChangeEventSchema, event)) {
        const encode = (e: InfrastructureChangeEvent) =>
          fromBinary(
            InfrastructureChangeEventSchema,
            encodeSnapshot(scan, partitionOf(type, e.accountId, e.region), observedFromEvent(e))
              .data,
          );
        const [a, b] = [encode(v.forward), encode(v.reversed)];
        if (isUnordered(v.field)) expect(a.resource, v.path).toEqual(b.resource);
        else expect(a.resource, v.path).toEqual(v.forward.resource);
      }
      const volatile = singleFieldChanges(InfrastructureChangeEventSchema, event).filter(
        ([path, , field]) => path.split(".").length > 1 && isVolatile(field),
      );
      for (const [path, changed] of volatile) {
        const s = encodeSnapshot(
          scan,
          partitionOf(type, event.accountId, event.region),
          observedFromEvent(changed),
        );
        // The published payload carries the new value even though the hash ignores it.
        expect(fromBinary(InfrastructureChangeEventSchema, s.data).resource, path).toEqual(
          changed.resource,
        );
      }
    },
  );

  it("leaves out of the hash exactly the envelope's volatile fields, written after it", () => {
    const volatile = InfrastructureChangeEventSchema.fields.filter((f) => isVolatile(f));
    expect(volatile.map((f) => f.localName).sort()).toEqual([...SCAN_PART_FIELDS].sort());
  });

  it("marks volatile exactly the fields docs/stream-contract.md lists as volatile, with why", () => {
    const marked = ALL_RESOURCE_TYPES.flatMap((t) => {
      const field = InfrastructureChangeEventSchema.fields.find(
        (f) => f.localName === RESOURCE_TYPES[t].case,
      );
      if (field?.fieldKind !== "message") return [];
      const walk = (m: typeof field.message, prefix: string): string[] =>
        m.fields.flatMap((f) => [
          ...(isVolatile(f) ? [`${prefix}${f.name}`] : []),
          ...((f.fieldKind === "list" && f.listKind === "message") || f.fieldKind === "message"
            ? f.message.typeName.startsWith("google.")
              ? []
              : walk(f.message, `${prefix}${f.name}.`)
            : []),
        ]);
      return walk(field.message, `${t}.`);
    });
    const contract = readFileSync(
      join(import.meta.dirname, "../../docs/stream-contract.md"),
      "utf8",
    );
    const table = contract.slice(contract.indexOf("Volatile fields today, and why"));
    const rows = table
      .slice(0, table.indexOf("\n\n", table.indexOf("| ---")))
      .split("\n")
      .slice(3);
    const documented = rows.flatMap((row) =>
      [...(row.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) =>
        (m[1] ?? "").replace("[]", ""),
      ),
    );
    expect(documented.length).toBeGreaterThan(0);
    expect(marked.sort()).toEqual(documented.sort());
  });
});

describe("compareContentHashes", () => {
  const v2 = (c: string) => `sha256-v2:${c.repeat(64)}`;
  it("tells same content, modified content and a change of scheme apart", () => {
    expect(compareContentHashes(v2("a"), v2("a"))).toBe("same");
    expect(compareContentHashes(v2("a"), v2("b"))).toBe("modified");
    expect(compareContentHashes(`sha256:${"a".repeat(64)}`, v2("a"))).toBe("different-scheme");
    // v2 -> v3: an rds_instance that gained db_cluster_identifier is not MODIFIED.
    expect(compareContentHashes(v2("a"), `sha256-v3:${"b".repeat(64)}`)).toBe("different-scheme");
    expect(compareContentHashes(`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`)).toBe(
      "modified",
    );
  });

  it("reads the scheme before the last colon, v1's included", () => {
    expect(contentHashScheme(`sha256:${"a".repeat(64)}`)).toBe("sha256");
    expect(contentHashScheme(v2("a"))).toBe("sha256-v2");
    expect(contentHashScheme("garbage")).toBe("");
  });
});
