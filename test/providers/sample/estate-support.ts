/**
 * Test-only tools over a whole sample estate: collect it into a map, find the references
 * that do not resolve, and diff two estates into created / modified / disappeared with
 * the field paths of the consumer toolkit's contract.
 */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { toBinary } from "@bufbuild/protobuf";
import type { ObservedResource } from "../../../src/contract/encode.ts";
import {
  GLOBAL_REGION,
  RESOURCE_TYPES,
  type ResourceType,
} from "../../../src/contract/resource-types.ts";
import type { PartitionKey } from "../../../src/contract/subject.ts";
import { InfrastructureChangeEventSchema } from "../../../src/gen/elava/v1/event_pb.ts";
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

/**
 * Every reference of the estate that does not point at a resource of the same account
 * (and region, or `global` for roles), as readable strings; empty when all resolve.
 */
export function danglingReferences(estate: Map<string, Entry>): string[] {
  const problems: string[] = [];
  const profiles = new Set<string>();
  for (const entry of estate.values()) {
    const role =
      entry.resource.payload.case === "iamRole" ? entry.resource.payload.value : undefined;
    if (role)
      for (const p of role.instanceProfileArns) profiles.add(`${entry.partition.accountId}|${p}`);
  }
  for (const [key, entry] of estate) {
    const { accountId, region } = entry.partition;
    const need = (type: ResourceType, id: string, what: string) => {
      const r = RESOURCE_TYPES[type].scope === "global" ? GLOBAL_REGION : region;
      if (id === "" || !estate.has(keyOf(type, accountId, r, id))) {
        problems.push(`${key}: ${what} -> ${type} "${id}" does not exist`);
      }
    };
    const needAll = (type: ResourceType, ids: readonly string[], what: string) => {
      if (ids.length === 0) problems.push(`${key}: ${what} is empty`);
      for (const id of ids) need(type, id, what);
    };
    const needProfile = (arn: string, what: string) => {
      if (!profiles.has(`${accountId}|${arn}`))
        problems.push(`${key}: ${what} -> no role holds "${arn}"`);
    };
    const p = entry.resource.payload;
    switch (p.case) {
      case "ec2Instance": {
        const v = p.value;
        need("vpc", v.vpcId, "vpc_id");
        need("subnet", v.subnetId, "subnet_id");
        needAll("security_group", v.securityGroupIds, "security_group_ids");
        needProfile(v.iamInstanceProfileArn, "iam_instance_profile_arn");
        if (v.autoscalingGroupName !== "") {
          need("autoscaling_group", v.autoscalingGroupName, "autoscaling_group_name");
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
        }
        if (v.launchTemplateId !== "")
          need("launch_template", v.launchTemplateId, "launch_template_id");
        if (v.eksClusterName !== "") {
          need("eks_cluster", v.eksClusterName, "eks_cluster_name");
          need(
            "eks_node_group",
            `${v.eksClusterName}/${v.eksNodeGroupName}`,
            "eks_node_group_name",
          );
        }
        break;
      }
      case "launchTemplate":
        needAll("security_group", p.value.securityGroupIds, "security_group_ids");
        needProfile(p.value.iamInstanceProfile, "iam_instance_profile");
        break;
      case "autoscalingGroup":
        needAll("ec2_instance", p.value.instanceIds, "instance_ids");
        need("launch_template", p.value.launchTemplateId, "launch_template_id");
        for (const arn of p.value.targetGroupArns) need("target_group", arn, "target_group_arns");
        needAll("subnet", p.value.vpcZoneIdentifiers, "vpc_zone_identifiers");
        break;
      case "eksCluster":
        need("iam_role", p.value.roleArn, "role_arn");
        need("vpc", p.value.vpcId, "vpc_id");
        needAll("subnet", p.value.subnetIds, "subnet_ids");
        needAll("security_group", p.value.securityGroupIds, "security_group_ids");
        for (const ng of p.value.nodeGroupNames)
          need("eks_node_group", `${p.value.name}/${ng}`, "node_group_names");
        break;
      case "eksNodeGroup":
        need("eks_cluster", p.value.clusterName, "cluster_name");
        need("iam_role", p.value.nodeRole, "node_role");
        need("autoscaling_group", p.value.autoscalingGroupName, "autoscaling_group_name");
        needAll("subnet", p.value.subnetIds, "subnet_ids");
        need("launch_template", p.value.launchTemplateId, "launch_template_id");
        break;
      case "rdsInstance":
        need("vpc", p.value.vpcId, "vpc_id");
        need("db_subnet_group", p.value.dbSubnetGroupName, "db_subnet_group_name");
        needAll("security_group", p.value.vpcSecurityGroupIds, "vpc_security_group_ids");
        for (const id of p.value.readReplicaDbIdentifiers)
          need("rds_instance", id, "read_replica_db_identifiers");
        if (p.value.readReplicaSourceDbIdentifier !== "") {
          need(
            "rds_instance",
            p.value.readReplicaSourceDbIdentifier,
            "read_replica_source_db_identifier",
          );
        }
        break;
      case "dbSubnetGroup":
        need("vpc", p.value.vpcId, "vpc_id");
        needAll("subnet", p.value.subnetIds, "subnet_ids");
        break;
      case "subnet": {
        need("vpc", p.value.vpcId, "vpc_id");
        need("route_table", p.value.routeTableId, "route_table_id");
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
      case "routeTable": {
        need("vpc", p.value.vpcId, "vpc_id");
        for (const id of p.value.subnetIds) need("subnet", id, "subnet_ids");
        const kinds: Record<string, ResourceType> = {
          igw: "internet_gateway",
          nat: "nat_gateway",
          pcx: "vpc_peering",
        };
        for (const r of p.value.routes) {
          const type = kinds[r.targetType];
          if (type) need(type, r.targetId, `route to ${r.destinationCidr}`);
          else if (r.targetType !== "local")
            problems.push(`${key}: unexpected route target ${r.targetType}`);
        }
        break;
      }
      case "internetGateway":
        need("vpc", p.value.vpcId, "vpc_id");
        break;
      case "natGateway":
        need("vpc", p.value.vpcId, "vpc_id");
        need("subnet", p.value.subnetId, "subnet_id");
        break;
      case "vpcPeering":
        need("vpc", p.value.requesterVpcId, "requester_vpc_id");
        need("vpc", p.value.accepterVpcId, "accepter_vpc_id");
        break;
      case "securityGroup":
        need("vpc", p.value.vpcId, "vpc_id");
        for (const r of [...p.value.ingressRules, ...p.value.egressRules]) {
          if (r.sourceSg !== "") need("security_group", r.sourceSg, "rule source_sg");
        }
        break;
      case "loadBalancer":
        need("vpc", p.value.vpcId, "vpc_id");
        needAll("subnet", p.value.subnetIds, "subnet_ids");
        needAll("security_group", p.value.securityGroupIds, "security_group_ids");
        needAll("target_group", p.value.targetGroupArns, "target_group_arns");
        break;
      case "targetGroup":
        need("vpc", p.value.vpcId, "vpc_id");
        needAll("ec2_instance", p.value.targetIds, "target_ids");
        for (const t of p.value.targets) need("ec2_instance", t.id, "targets[].id");
        needAll("load_balancer", p.value.loadBalancerArns, "load_balancer_arns");
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
