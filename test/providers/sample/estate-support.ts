/**
 * Test-only tools over a whole sample estate: collect it into a map, find the references
 * that do not resolve (with the graph, from the schema's options) and the resources that
 * disagree, and diff two estates into created / modified / disappeared with the field
 * paths of the consumer toolkit's contract (volatile fields are no change).
 */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { create, toBinary } from "@bufbuild/protobuf";
import { buildGraph, type DanglingReference } from "../../../src/consumer/graph.ts";
import type { ObservedResource } from "../../../src/contract/encode.ts";
import { keyText, resourceKey } from "../../../src/contract/references.ts";
import { RESOURCE_TYPES, type ResourceType } from "../../../src/contract/resource-types.ts";
import { isVolatile } from "../../../src/contract/schema-rules.ts";
import type { PartitionKey } from "../../../src/contract/subject.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../../src/gen/elava/v1/event_pb.ts";
import {
  type ResourceRef,
  type SampleOptions,
  sampleResources,
} from "../../../src/providers/sample/index.ts";

export interface Entry {
  readonly partition: PartitionKey;
  readonly resource: ObservedResource;
}

/** `type|account|region|id`: the identity of a resource across scans. */
export function keyOf(type: string, accountId: string, region: string, id: string): string {
  return `${type}|${accountId}|${region}|${id}`;
}

export function refKey(ref: ResourceRef): string {
  return keyOf(ref.resourceType, ref.accountId, ref.region, ref.resourceId);
}

/** The whole estate by key; throws on a duplicate key (two resources on one subject). */
export function collect(options: SampleOptions): Map<string, Entry> {
  const all = new Map<string, Entry>();
  for (const entry of sampleResources(options)) {
    const p = entry.partition;
    const key = keyOf(p.resourceType, p.accountId, p.region, entry.resource.id);
    if (all.has(key)) throw new Error(`duplicate resource ${key}`);
    all.set(key, entry);
  }
  return all;
}

/** The estate's resources as a consumer decodes their snapshots. */
function eventsOf(estate: Map<string, Entry>): Map<string, InfrastructureChangeEvent> {
  const events = new Map<string, InfrastructureChangeEvent>();
  for (const [key, { partition, resource }] of estate) {
    events.set(
      key,
      create(InfrastructureChangeEventSchema, {
        provider: partition.provider,
        accountId: partition.accountId,
        region: partition.region,
        resourceType: partition.resourceType,
        resourceId: resource.id,
        resourceName: resource.name,
        arn: resource.arn,
        tags: resource.tags,
        resource: resource.payload,
      }),
    );
  }
  return events;
}

/**
 * Whether a dangling reference names an AWS-managed policy (arn:aws:iam::aws:policy/...):
 * a policy of AWS's own account "aws", which no scan covers, so the graph rightly says it
 * is outside the scan. Roles and users attach them everywhere.
 */
export function isAwsManagedPolicy(d: DanglingReference): boolean {
  return (
    d.targetType === "iam_policy" &&
    d.reason === "outside" &&
    d.partition.endsWith(".iam_policy.aws.global")
  );
}

/** The dangling references but those to AWS-managed policies (see isAwsManagedPolicy). */
export function outsideAws(dangling: readonly DanglingReference[]): DanglingReference[] {
  return dangling.filter((d) => !isAwsManagedPolicy(d));
}

/**
 * Every reference of the estate that does not resolve, followed as `elava graph` follows
 * them (from the schema's options), and every place where two resources disagree about
 * their relation, as readable strings; empty when all is consistent.
 */
export function danglingReferences(estate: Map<string, Entry>): string[] {
  const events = eventsOf(estate);
  const estateKeyOf = new Map<string, string>();
  for (const [key, e] of events) estateKeyOf.set(keyText(resourceKey(e)), key);
  const problems = outsideAws(buildGraph(events.values()).dangling).map(
    (d) =>
      `${estateKeyOf.get(d.source) ?? d.source}: ${d.field} -> ${d.targetType} "${d.missing}" does not exist`,
  );
  for (const [key, entry] of estate) {
    const { accountId, region } = entry.partition;
    const nonEmpty = (what: string, list: readonly unknown[]) => {
      if (list.length === 0) problems.push(`${key}: ${what} is empty`);
    };
    const p = entry.resource.payload;
    switch (p.case) {
      case "ec2Instance": {
        const v = p.value;
        nonEmpty("security_group_ids", v.securityGroupIds);
        if (v.iamInstanceProfileArn === "") problems.push(`${key}: no instance profile`);
        if (v.autoscalingGroupName === "") break;
        const asg = estate.get(
          keyOf("autoscaling_group", accountId, region, v.autoscalingGroupName),
        );
        const owner =
          asg?.resource.payload.case === "autoscalingGroup"
            ? asg.resource.payload.value
            : undefined;
        if (owner && !owner.instanceIds.includes(v.instanceId)) {
          problems.push(`${key}: ASG ${v.autoscalingGroupName} does not list the instance`);
        }
        if (entry.resource.tags["aws:autoscaling:groupName"] !== v.autoscalingGroupName) {
          problems.push(
            `${key}: aws:autoscaling:groupName tag differs from autoscaling_group_name`,
          );
        }
        break;
      }
      case "launchTemplate":
        nonEmpty("security_group_ids", p.value.securityGroupIds);
        break;
      case "autoscalingGroup":
        nonEmpty("instance_ids", p.value.instanceIds);
        nonEmpty("vpc_zone_identifiers", p.value.vpcZoneIdentifiers);
        break;
      case "eksCluster":
        nonEmpty("subnet_ids", p.value.subnetIds);
        nonEmpty("security_group_ids", p.value.securityGroupIds);
        break;
      case "eksNodeGroup":
        nonEmpty("subnet_ids", p.value.subnetIds);
        break;
      case "rdsInstance":
        nonEmpty("vpc_security_group_ids", p.value.vpcSecurityGroupIds);
        break;
      case "dbSubnetGroup":
        nonEmpty("subnet_ids", p.value.subnetIds);
        break;
      case "subnet": {
        const rt = estate.get(keyOf("route_table", accountId, region, p.value.routeTableId));
        const table =
          rt?.resource.payload.case === "routeTable" ? rt.resource.payload.value : undefined;
        if (table && table.isMain !== p.value.usesMainRouteTable) {
          problems.push(`${key}: uses_main_route_table disagrees with the table's is_main`);
        }
        if (table && !table.isMain && !table.subnetIds.includes(p.value.subnetId)) {
          problems.push(`${key}: route table ${table.routeTableId} does not associate the subnet`);
        }
        break;
      }
      case "routeTable":
        for (const r of p.value.routes) {
          if (!["local", "igw", "nat", "pcx"].includes(r.targetType))
            problems.push(`${key}: unexpected route target ${r.targetType}`);
        }
        break;
      case "loadBalancer":
        nonEmpty("subnet_ids", p.value.subnetIds);
        nonEmpty("security_group_ids", p.value.securityGroupIds);
        // A classic load balancer routes to its instances, an ELBv2 one to target groups.
        if (p.value.type === "classic") nonEmpty("instance_ids", p.value.instanceIds);
        else nonEmpty("target_group_arns", p.value.targetGroupArns);
        break;
      case "rdsCluster":
        nonEmpty("members", p.value.members);
        break;
      case "ebsVolume":
        nonEmpty("attachments", p.value.attachments);
        break;
      case "targetGroup":
        nonEmpty("target_ids", p.value.targetIds);
        nonEmpty("load_balancer_arns", p.value.loadBalancerArns);
        break;
      default:
        break;
    }
  }
  return problems;
}

const PAYLOAD_SCHEMAS = new Map<string, DescMessage>(
  InfrastructureChangeEventSchema.fields.flatMap((f) =>
    f.oneof?.name === "resource" && f.fieldKind === "message" ? [[f.localName, f.message]] : [],
  ),
);

function same(a: unknown, b: unknown): boolean {
  return (
    JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)) ===
    JSON.stringify(b, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))
  );
}

/** The field paths in which two messages of one schema differ. */
function messagePaths(schema: DescMessage, a: Message, b: Message, prefix: string): string[] {
  const paths: string[] = [];
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  for (const field of schema.fields) {
    // Volatile values move on every scan, as AWS's do: never a change (the consumer's diff).
    if (isVolatile(field)) continue;
    const path = `${prefix}.${field.name}`;
    const va = ra[field.localName];
    const vb = rb[field.localName];
    if (field.fieldKind === "message") {
      if (
        va === undefined ||
        vb === undefined ||
        field.message.typeName.startsWith("google.protobuf.")
      ) {
        const bytes = (v: unknown) =>
          v === undefined ? "" : toBinary(field.message, v as Message).join();
        if (bytes(va) !== bytes(vb)) paths.push(path);
      } else {
        paths.push(...messagePaths(field.message, va as Message, vb as Message, path));
      }
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      const la = va as Message[];
      const lb = vb as Message[];
      if (la.length !== lb.length) paths.push(path);
      else {
        la.forEach((m, i) => {
          paths.push(...messagePaths(field.message, m, lb[i] as Message, `${path}[${i}]`));
        });
      }
    } else if (field.fieldKind === "map") {
      const sorted = (m: unknown) =>
        Object.entries(m as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1));
      if (!same(sorted(va), sorted(vb))) paths.push(path);
    } else if (!same(va, vb)) {
      paths.push(path);
    }
  }
  return paths;
}

/** The field paths in which two observations of one resource differ (the toolkit's contract). */
export function fieldPaths(type: ResourceType, a: ObservedResource, b: ObservedResource): string[] {
  const paths: string[] = [];
  if (a.name !== b.name) paths.push("resource_name");
  if (a.arn !== b.arn) paths.push("arn");
  for (const tag of new Set([...Object.keys(a.tags), ...Object.keys(b.tags)])) {
    if (a.tags[tag] !== b.tags[tag]) paths.push(`tags.${tag}`);
  }
  const schema = PAYLOAD_SCHEMAS.get(RESOURCE_TYPES[type].case);
  if (schema === undefined) throw new Error(`no payload schema for ${type}`);
  paths.push(...messagePaths(schema, a.payload.value, b.payload.value, type));
  return paths.sort();
}

/** What a consumer derives from two complete scans, keyed like `keyOf`. */
export interface EstateDiff {
  created: string[];
  disappeared: string[];
  modified: Map<string, string[]>;
}

export function diffEstates(before: Map<string, Entry>, after: Map<string, Entry>): EstateDiff {
  const diff: EstateDiff = { created: [], disappeared: [], modified: new Map() };
  for (const [key, entry] of after) {
    const old = before.get(key);
    if (old === undefined) {
      diff.created.push(key);
      continue;
    }
    const paths = fieldPaths(entry.partition.resourceType, old.resource, entry.resource);
    if (paths.length > 0) diff.modified.set(key, paths);
  }
  for (const key of before.keys()) if (!after.has(key)) diff.disappeared.push(key);
  diff.created.sort();
  diff.disappeared.sort();
  return diff;
}
