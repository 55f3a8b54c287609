/**
 * The guard of the content hash scheme: what enters a resource's hash is every field of
 * its payload that is not volatile (and the envelope's), unordered lists as sets. Adding,
 * removing or renumbering such a field of a type that already exists, changing its type,
 * or making it volatile or unordered, changes the hash of resources that did not change;
 * a consumer tells that from a modification only by the scheme (content-hash.ts). So the
 * hashed field set of every type is pinned here, as a digest, under the scheme that
 * hashes it: a change to it fails this test until CONTENT_HASH_SCHEME is bumped and the
 * pin rewritten under the new scheme (and the scheme documented in
 * docs/stream-contract.md, "Content hash").
 *
 * A new resource type has no hash any consumer holds: it adds one line to the pin, the
 * digest this test prints, and no bump.
 */
import { createHash } from "node:crypto";
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CONTENT_HASH_SCHEME } from "../../src/contract/content-hash.ts";
import { ALL_RESOURCE_TYPES, type ResourceType } from "../../src/contract/resource-types.ts";
import { isUnordered, isVolatile, payloadSchema } from "../../src/contract/schema-rules.ts";
import { InfrastructureChangeEventSchema } from "../../src/gen/elava/v1/event_pb.ts";

/** The hashed field set of each type (and of the envelope) under the current scheme. */
const PINNED: { readonly scheme: string; readonly digests: Readonly<Record<string, string>> } = {
  scheme: "sha256-v3",
  digests: {
    envelope: "186c2d64484f6398",
    ec2_instance: "f39c51c11a175aaa",
    launch_template: "2c61ed7a479abe37",
    autoscaling_group: "24122eb52d05f9bc",
    eks_cluster: "6c561dee0ecaf613",
    eks_node_group: "59cc54f2475560e2",
    rds_instance: "bbd7a81650c63255",
    db_subnet_group: "a4be7dec7881803b",
    vpc: "55d43aa10be7ae5d",
    subnet: "b5fd01d05db654df",
    route_table: "713a41a2ebb49d3f",
    internet_gateway: "12f231fc06c8bf6c",
    nat_gateway: "fe57abc2b4905e98",
    vpc_peering: "b79865dc89cbfe8d",
    security_group: "44df9f36b2e988e7",
    load_balancer: "99ce5af44537ffab",
    target_group: "5ea1e970d5397332",
    s3_bucket: "5717b023c7f07cf7",
    iam_role: "fed540f12a399364",
    network_interface: "f285686b378ef809",
    elastic_ip: "9051c731cb745e50",
    ebs_volume: "e4312a0d65d3133e",
    rds_cluster: "b4861709074d4f0a",
    iam_user: "ea04258430545236",
    iam_policy: "ca20c626fa7f8677",
    lambda_function: "aea45f993f8d4851",
    ecs_cluster: "3c4a12f579604f24",
    ecs_service: "9eb52e2ee50c7f9a",
    ecs_task: "898f762239d8535f",
    efs_filesystem: "b3c7b5efa7861234",
    cloudwatch_alarm: "d0173f6520c39518",
    sns_topic: "17783dc44899ab8b",
    sqs_queue: "4a0b2c1a9bf36500",
  },
};

function kindOf(field: DescField): string {
  switch (field.fieldKind) {
    case "scalar":
      return `scalar ${field.scalar}`;
    case "enum":
      return `enum ${field.enum.typeName}`;
    case "message":
      return `message ${field.message.typeName}`;
    case "map":
      return `map ${field.mapKey} ${field.mapKind}`;
    case "list":
      return field.listKind === "scalar"
        ? `list scalar ${field.scalar}`
        : field.listKind === "enum"
          ? `list enum ${field.enum.typeName}`
          : `list message ${field.message.typeName}`;
  }
}

/** Every hashed field path of a message: `name=number kind [set]`, nested messages walked. */
function hashedFieldPaths(message: DescMessage, prefix = ""): string[] {
  const lines: string[] = [];
  for (const field of message.fields) {
    if (isVolatile(field)) continue;
    const path = `${prefix}${field.name}`;
    lines.push(`${path}=${field.number} ${kindOf(field)}${isUnordered(field) ? " set" : ""}`);
    const nested =
      field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")
        ? field.message
        : undefined;
    if (nested !== undefined && !nested.typeName.startsWith("google.protobuf.")) {
      lines.push(...hashedFieldPaths(nested, `${path}.`));
    }
  }
  return lines;
}

function digest(lines: readonly string[]): string {
  return createHash("sha256")
    .update([...lines].sort().join("\n"))
    .digest("hex")
    .slice(0, 16);
}

/** The envelope's hashed fields: the resource oneof's cases are the types' own lines. */
function envelopeLines(): string[] {
  return InfrastructureChangeEventSchema.fields
    .filter((f) => f.oneof === undefined && !isVolatile(f))
    .map((f) => `${f.name}=${f.number} ${kindOf(f)}`);
}

/** The digest of every type's hashed field set, and the envelope's, computed from the schema. */
function computed(): Record<string, string> {
  const out: Record<string, string> = { envelope: digest(envelopeLines()) };
  for (const t of ALL_RESOURCE_TYPES) out[t] = digest(hashedFieldPaths(payloadSchema(t)));
  return out;
}

describe("the hashed field sets", () => {
  const now = computed();

  it("are pinned under the scheme this version publishes", () => {
    expect(
      PINNED.scheme,
      "the pin was written under another scheme: rewrite it under CONTENT_HASH_SCHEME",
    ).toBe(CONTENT_HASH_SCHEME);
  });

  it.each(["envelope", ...ALL_RESOURCE_TYPES])(
    "%s: hashes the fields pinned under the current scheme",
    (type) => {
      const pinned = PINNED.digests[type];
      if (pinned === undefined) {
        throw new Error(
          `${type} is not pinned: a new type adds the line \`${type}: "${now[type]}",\` to PINNED.digests (no scheme bump)`,
        );
      }
      expect(
        now[type],
        `the hashed field set of ${type} changed under ${CONTENT_HASH_SCHEME}: existing resources' hashes change with it. Bump CONTENT_HASH_SCHEME (content-hash.ts, docs/stream-contract.md) and rewrite this pin under the new scheme`,
      ).toBe(pinned);
    },
  );

  it("pins no type that does not exist", () => {
    const known = new Set<string>(["envelope", ...ALL_RESOURCE_TYPES]);
    expect(Object.keys(PINNED.digests).filter((k) => !known.has(k))).toEqual([]);
  });

  it("sees every kind of change to a hashed field set", () => {
    const schema = payloadSchema("rds_instance" satisfies ResourceType);
    const lines = hashedFieldPaths(schema);
    const base = digest(lines);
    // A field added, a field removed, a field renumbered, a list made a set.
    expect(digest([...lines, "db_cluster_identifier=99 scalar 9"])).not.toBe(base);
    expect(digest(lines.slice(1))).not.toBe(base);
    expect(digest(lines.map((l) => l.replace("=1 ", "=100 ")))).not.toBe(base);
    expect(digest(lines.map((l) => (l.startsWith("engine=") ? `${l} set` : l)))).not.toBe(base);
    // Volatile fields are not in it: rds_instance.status moves by itself.
    expect(lines.some((l) => l.startsWith("status="))).toBe(false);
    expect(lines.some((l) => l.startsWith("engine="))).toBe(true);
  });
});
