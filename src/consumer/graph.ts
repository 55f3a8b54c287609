/**
 * Relationships, the conservative and lazy way of the Elava -> AHTI design: resources
 * carry references to other resources as plain id fields, and an edge exists only when
 * both ends are in the inventory. A reference whose target is missing is a dangling
 * reference (drift, an orphan), listed with the field it came from.
 *
 * Everything is driven by REFERENCE_RULES, one declarative table: the source type, the
 * payload field path holding the reference (`routes[].target_id` walks a repeated message),
 * the target type, the relation, and a few declarative refinements. Targets are resolved
 * by (type, account, region, id): the source's account and region, `global` for global
 * types; `id` is the target's resource_id (ARNs for roles, load balancers and target
 * groups; names for ASGs, clusters, DB instances and subnet groups; `<cluster>/<nodegroup>`
 * for node groups), or the value of another target field (`matchField`).
 */

import { GLOBAL_REGION, RESOURCE_TYPES, type ResourceType } from "../contract/resource-types.ts";
import type { InfrastructureChangeEvent } from "../gen/elava/v1/event_pb.ts";
import { jsonText } from "./format.ts";

/** A relation name of the seed design. */
export type Relation =
  | "runs_in"
  | "attached_to"
  | "routes_via"
  | "protected_by"
  | "owns"
  | "belongs_to"
  | "managed_by"
  | "replicates_from"
  | "peers_via"
  | "nats_through"
  | "public_access"
  | "targets"
  | "registers_to"
  | "uses_template"
  | "uses_subnet_group"
  | "routes_through"
  | "deploys_in"
  | "assumed_by";

/** One kind of reference from a resource type to another. */
export interface ReferenceRule {
  readonly source: ResourceType;
  /**
   * Payload field path(s) of the reference. Several paths are joined with "/" into one id
   * (node groups: `eks_cluster_name` + `eks_node_group_name`). `a[].b` walks a list.
   */
  readonly field: string | readonly string[];
  readonly target: ResourceType;
  readonly relation: Relation;
  /** Only references whose value starts with this (route targets: `igw-`, `nat-`, `pcx-`). */
  readonly idPrefix?: string;
  /** Only when a payload field of the source has this value. */
  readonly when?: { readonly field: string; readonly equals: string };
  /** Match the target whose payload field (scalar or list) holds the value, not its id. */
  readonly matchField?: string;
  /** Payload fields of the source naming the target's account and region (peerings). */
  readonly accountField?: string;
  readonly regionField?: string;
  /** The edge points from target to source (the reference is kept on the other end). */
  readonly inverse?: boolean;
}

/** Every reference the v1 types carry. */
export const REFERENCE_RULES: readonly ReferenceRule[] = [
  { source: "ec2_instance", field: "vpc_id", target: "vpc", relation: "runs_in" },
  { source: "ec2_instance", field: "subnet_id", target: "subnet", relation: "attached_to" },
  {
    source: "ec2_instance",
    field: "security_group_ids",
    target: "security_group",
    relation: "protected_by",
  },
  {
    source: "ec2_instance",
    field: "iam_instance_profile_arn",
    target: "iam_role",
    relation: "assumed_by",
    matchField: "instance_profile_arns",
  },
  {
    source: "ec2_instance",
    field: "launch_template_id",
    target: "launch_template",
    relation: "uses_template",
  },
  {
    source: "ec2_instance",
    field: ["eks_cluster_name", "eks_node_group_name"],
    target: "eks_node_group",
    relation: "managed_by",
  },
  {
    source: "launch_template",
    field: "security_group_ids",
    target: "security_group",
    relation: "protected_by",
  },
  { source: "autoscaling_group", field: "instance_ids", target: "ec2_instance", relation: "owns" },
  {
    source: "autoscaling_group",
    field: "launch_template_id",
    target: "launch_template",
    relation: "uses_template",
  },
  {
    source: "autoscaling_group",
    field: "target_group_arns",
    target: "target_group",
    relation: "registers_to",
  },
  {
    source: "autoscaling_group",
    field: "vpc_zone_identifiers",
    target: "subnet",
    relation: "deploys_in",
  },
  { source: "eks_cluster", field: "vpc_id", target: "vpc", relation: "runs_in" },
  { source: "eks_cluster", field: "subnet_ids", target: "subnet", relation: "deploys_in" },
  {
    source: "eks_cluster",
    field: "security_group_ids",
    target: "security_group",
    relation: "protected_by",
  },
  { source: "eks_cluster", field: "role_arn", target: "iam_role", relation: "assumed_by" },
  {
    source: "eks_node_group",
    field: "cluster_name",
    target: "eks_cluster",
    relation: "belongs_to",
  },
  {
    source: "eks_node_group",
    field: "autoscaling_group_name",
    target: "autoscaling_group",
    relation: "owns",
  },
  { source: "eks_node_group", field: "subnet_ids", target: "subnet", relation: "deploys_in" },
  { source: "eks_node_group", field: "node_role", target: "iam_role", relation: "assumed_by" },
  {
    source: "eks_node_group",
    field: "launch_template_id",
    target: "launch_template",
    relation: "uses_template",
  },
  {
    source: "eks_node_group",
    field: "remote_access_sg",
    target: "security_group",
    relation: "protected_by",
  },
  { source: "rds_instance", field: "vpc_id", target: "vpc", relation: "runs_in" },
  {
    source: "rds_instance",
    field: "db_subnet_group_name",
    target: "db_subnet_group",
    relation: "uses_subnet_group",
  },
  {
    source: "rds_instance",
    field: "vpc_security_group_ids",
    target: "security_group",
    relation: "protected_by",
  },
  {
    source: "rds_instance",
    field: "read_replica_source_db_identifier",
    target: "rds_instance",
    relation: "replicates_from",
  },
  { source: "db_subnet_group", field: "vpc_id", target: "vpc", relation: "belongs_to" },
  { source: "db_subnet_group", field: "subnet_ids", target: "subnet", relation: "deploys_in" },
  { source: "subnet", field: "vpc_id", target: "vpc", relation: "belongs_to" },
  { source: "subnet", field: "route_table_id", target: "route_table", relation: "routes_via" },
  { source: "route_table", field: "vpc_id", target: "vpc", relation: "belongs_to" },
  {
    source: "route_table",
    field: "subnet_ids",
    target: "subnet",
    relation: "routes_via",
    inverse: true,
  },
  {
    source: "route_table",
    field: "routes[].target_id",
    target: "internet_gateway",
    relation: "public_access",
    idPrefix: "igw-",
  },
  {
    source: "route_table",
    field: "routes[].target_id",
    target: "nat_gateway",
    relation: "nats_through",
    idPrefix: "nat-",
  },
  {
    source: "route_table",
    field: "routes[].target_id",
    target: "vpc_peering",
    relation: "peers_via",
    idPrefix: "pcx-",
  },
  { source: "internet_gateway", field: "vpc_id", target: "vpc", relation: "attached_to" },
  { source: "nat_gateway", field: "vpc_id", target: "vpc", relation: "runs_in" },
  { source: "nat_gateway", field: "subnet_id", target: "subnet", relation: "deploys_in" },
  {
    source: "vpc_peering",
    field: "requester_vpc_id",
    target: "vpc",
    relation: "peers_via",
    accountField: "requester_owner_id",
    regionField: "requester_region",
  },
  {
    source: "vpc_peering",
    field: "accepter_vpc_id",
    target: "vpc",
    relation: "peers_via",
    accountField: "accepter_owner_id",
    regionField: "accepter_region",
  },
  { source: "security_group", field: "vpc_id", target: "vpc", relation: "belongs_to" },
  { source: "load_balancer", field: "vpc_id", target: "vpc", relation: "runs_in" },
  { source: "load_balancer", field: "subnet_ids", target: "subnet", relation: "deploys_in" },
  {
    source: "load_balancer",
    field: "security_group_ids",
    target: "security_group",
    relation: "protected_by",
  },
  {
    source: "load_balancer",
    field: "target_group_arns",
    target: "target_group",
    relation: "routes_through",
  },
  { source: "target_group", field: "vpc_id", target: "vpc", relation: "runs_in" },
  {
    source: "target_group",
    field: "target_ids",
    target: "ec2_instance",
    relation: "targets",
    when: { field: "target_type", equals: "instance" },
  },
  {
    source: "target_group",
    field: "targets[].id",
    target: "ec2_instance",
    relation: "targets",
    when: { field: "target_type", equals: "instance" },
  },
  {
    source: "target_group",
    field: "load_balancer_arns",
    target: "load_balancer",
    relation: "routes_through",
    inverse: true,
  },
];

/** A resource of the graph: `<type>:<account>:<region>:<id>`. */
export interface GraphNode {
  readonly key: string;
  readonly resourceType: string;
  readonly accountId: string;
  readonly region: string;
  readonly resourceId: string;
  readonly name: string;
}

/** A relationship between two resources of the inventory. */
export interface GraphEdge {
  readonly from: string;
  readonly relation: Relation;
  readonly to: string;
}

/** A reference to a resource that is not in the inventory. */
export interface DanglingReference {
  readonly source: string;
  readonly field: string;
  readonly targetType: string;
  readonly missing: string;
}

/** The relationship graph of an inventory. */
export interface Graph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  readonly dangling: DanglingReference[];
}

/** The resolution key of a resource. */
export function nodeKey(type: string, account: string, region: string, id: string): string {
  return `${type}:${account}:${region}:${id}`;
}

type Payload = Record<string, unknown>;

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/gu, (_m, c: string) => c.toUpperCase());
}

/** The values at a field path of a payload: `a`, `a[].b`; lists flattened, "" dropped. */
function valuesAt(payload: Payload, path: string): string[] {
  let current: unknown[] = [payload];
  for (const part of path.split(".")) {
    const list = part.endsWith("[]");
    const key = camel(list ? part.slice(0, -2) : part);
    const next: unknown[] = [];
    for (const c of current) {
      const v = (c as Payload | undefined)?.[key];
      if (Array.isArray(v)) next.push(...v);
      else if (v !== undefined) next.push(v);
    }
    current = next;
  }
  return current.filter((v): v is string => typeof v === "string" && v !== "");
}

function payloadOf(e: InfrastructureChangeEvent): Payload | undefined {
  return e.resource.case === undefined ? undefined : (e.resource.value as unknown as Payload);
}

function regionOf(type: ResourceType, region: string): string {
  return RESOURCE_TYPES[type].scope === "global" ? GLOBAL_REGION : region;
}

/** Builds the graph of an inventory's resources with REFERENCE_RULES. */
export function buildGraph(
  events: Iterable<InfrastructureChangeEvent>,
  rules: readonly ReferenceRule[] = REFERENCE_RULES,
): Graph {
  const resources: InfrastructureChangeEvent[] = [...events];
  const nodes = new Map<string, GraphNode>();
  for (const e of resources) {
    const key = nodeKey(e.resourceType, e.accountId, e.region, e.resourceId);
    nodes.set(key, {
      key,
      resourceType: e.resourceType,
      accountId: e.accountId,
      region: e.region,
      resourceId: e.resourceId,
      name: e.resourceName,
    });
  }
  // Secondary indexes for rules that match on a target field rather than the id.
  const byField = new Map<string, Map<string, string>>();
  for (const rule of rules) {
    if (rule.matchField === undefined) continue;
    const indexKey = `${rule.target}|${rule.matchField}`;
    if (byField.has(indexKey)) continue;
    const index = new Map<string, string>();
    for (const e of resources) {
      const p = payloadOf(e);
      if (e.resourceType !== rule.target || p === undefined) continue;
      for (const v of valuesAt(p, rule.matchField)) {
        index.set(
          `${e.accountId}:${e.region}:${v}`,
          nodeKey(e.resourceType, e.accountId, e.region, e.resourceId),
        );
      }
    }
    byField.set(indexKey, index);
  }
  const rulesBySource = new Map<string, ReferenceRule[]>();
  for (const r of rules) rulesBySource.set(r.source, [...(rulesBySource.get(r.source) ?? []), r]);

  const edges = new Map<string, GraphEdge>();
  const dangling = new Map<string, DanglingReference>();
  for (const e of resources) {
    const p = payloadOf(e);
    if (p === undefined) continue;
    const source = nodeKey(e.resourceType, e.accountId, e.region, e.resourceId);
    for (const rule of rulesBySource.get(e.resourceType) ?? []) {
      if (rule.when !== undefined && !valuesAt(p, rule.when.field).includes(rule.when.equals))
        continue;
      const fields = typeof rule.field === "string" ? [rule.field] : rule.field;
      const ids =
        fields.length === 1
          ? valuesAt(p, fields[0] ?? "")
          : [fields.map((f) => valuesAt(p, f)[0] ?? "")]
              .filter((parts) => parts.every((x) => x !== ""))
              .map((parts) => parts.join("/"));
      const account = (rule.accountField && valuesAt(p, rule.accountField)[0]) || e.accountId;
      const region = regionOf(
        rule.target,
        (rule.regionField && valuesAt(p, rule.regionField)[0]) || e.region,
      );
      for (const id of ids) {
        if (rule.idPrefix !== undefined && !id.startsWith(rule.idPrefix)) continue;
        const target =
          rule.matchField === undefined
            ? nodeKey(rule.target, account, region, id)
            : byField.get(`${rule.target}|${rule.matchField}`)?.get(`${account}:${region}:${id}`);
        if (target === undefined || !nodes.has(target)) {
          const field = fields.join("+");
          const d = { source, field, targetType: rule.target, missing: id };
          dangling.set(`${source}|${field}|${rule.target}|${id}`, d);
          continue;
        }
        if (target === source) continue;
        const edge: GraphEdge = rule.inverse
          ? { from: target, relation: rule.relation, to: source }
          : { from: source, relation: rule.relation, to: target };
        edges.set(`${edge.from}|${edge.relation}|${edge.to}`, edge);
      }
    }
  }
  const byKey =
    <T>(k: (t: T) => string) =>
    (a: T, b: T) =>
      k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0;
  return {
    nodes: [...nodes.values()].sort(byKey((n) => n.key)),
    edges: [...edges.values()].sort(byKey((x) => `${x.from}|${x.relation}|${x.to}`)),
    dangling: [...dangling.values()].sort(byKey((d) => `${d.source}|${d.field}|${d.missing}`)),
  };
}

/** Output formats of the graph. */
export type GraphFormat = "json" | "dot" | "mermaid";

function label(n: GraphNode | undefined, key: string): string {
  if (n === undefined) return key;
  const name = n.name !== "" && n.name !== n.resourceId ? ` (${n.name})` : "";
  return `${n.resourceType} ${n.resourceId}${name}`;
}

/** Renders the graph as JSON, Graphviz dot or a Mermaid flowchart. */
export function formatGraph(graph: Graph, format: GraphFormat): string {
  if (format === "json") return jsonText(graph);
  const ids = new Map(graph.nodes.map((n, i) => [n.key, `n${i}`]));
  const nodes = new Map(graph.nodes.map((n) => [n.key, n]));
  const q = (s: string) => s.replace(/"/gu, "'");
  const lines: string[] = [];
  if (format === "dot") {
    lines.push("digraph elava {");
    for (const n of graph.nodes) lines.push(`  ${ids.get(n.key)} [label="${q(label(n, n.key))}"];`);
    for (const e of graph.edges)
      lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)} [label="${e.relation}"];`);
    lines.push("}");
  } else {
    lines.push("flowchart LR");
    for (const n of graph.nodes)
      lines.push(`  ${ids.get(n.key)}["${q(label(nodes.get(n.key), n.key))}"]`);
    for (const e of graph.edges)
      lines.push(`  ${ids.get(e.from)} -->|${e.relation}| ${ids.get(e.to)}`);
  }
  for (const d of graph.dangling) {
    const prefix = format === "dot" ? "  //" : "  %%";
    lines.splice(
      lines.length - (format === "dot" ? 1 : 0),
      0,
      `${prefix} dangling: ${d.source} ${d.field} -> ${d.targetType} ${d.missing}`,
    );
  }
  return lines.join("\n");
}
