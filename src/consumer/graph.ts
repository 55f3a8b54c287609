/**
 * Relationships, the conservative and lazy way of the Elava -> AHTI design: resources
 * carry references to other resources as plain id fields, and an edge exists only when
 * both ends are in the inventory. A reference whose target is missing is a dangling
 * reference (drift, an orphan), listed with the field it came from.
 *
 * Which fields are references, to which type, by which form of id and with which relation
 * is declared in the schema (`(elava.v1.field).references`) and followed by
 * src/contract/references.ts; nothing here is particular to a resource type. Nodes are
 * keyed by `resourceKey` (a VPC peering by its owner, so both accounts' snapshots of it
 * are one node) and also found under the key they were published with.
 */

import type { DescField } from "@bufbuild/protobuf";
import {
  keyText,
  publishedKey,
  type Relation,
  referenceSites,
  resolveReferences,
  resourceKey,
} from "../contract/references.ts";
import { ALL_RESOURCE_TYPES } from "../contract/resource-types.ts";
import { payloadSchema } from "../contract/schema-rules.ts";
import type { InfrastructureChangeEvent } from "../gen/elava/v1/event_pb.ts";
import { jsonText } from "./format.ts";

export type { Relation };

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
  return keyText({ resourceType: type, accountId: account, region, resourceId: id });
}

/** Per type, the payload fields other types' references match on (iam_role instance_profile_arns). */
const MATCHED_FIELDS = new Map<string, DescField[]>();
for (const t of ALL_RESOURCE_TYPES) {
  for (const site of referenceSites(t)) {
    const name = site.reference.targetField;
    const field = payloadSchema(site.targetType).fields.find((f) => f.name === name);
    if (field === undefined) continue;
    const known = MATCHED_FIELDS.get(site.targetType) ?? [];
    if (!known.includes(field)) MATCHED_FIELDS.set(site.targetType, [...known, field]);
  }
}

/** Builds the graph of an inventory's resources from the references the schema declares. */
export function buildGraph(events: Iterable<InfrastructureChangeEvent>): Graph {
  const resources: InfrastructureChangeEvent[] = [...events];
  const nodes = new Map<string, GraphNode>();
  /** Published key -> node key, where they differ (a peering seen from its accepter). */
  const aliases = new Map<string, string>();
  /** `<type>|<field>|<account>:<region>:<value>` -> node key, for references by a target field. */
  const byField = new Map<string, string>();
  for (const e of resources) {
    const own = resourceKey(e);
    const key = keyText(own);
    const published = keyText(publishedKey(e));
    if (published !== key) aliases.set(published, key);
    // A resource seen from several accounts: the owner's snapshot names the node.
    if (!nodes.has(key) || published === key) {
      nodes.set(key, { key, ...own, name: e.resourceName });
    }
    const payload = e.resource.value as unknown as Record<string, unknown> | undefined;
    for (const field of MATCHED_FIELDS.get(e.resourceType) ?? []) {
      const value = payload?.[field.localName];
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v !== "string" || v === "") continue;
        byField.set(`${e.resourceType}|${field.name}|${own.accountId}:${own.region}:${v}`, key);
      }
    }
  }

  const edges = new Map<string, GraphEdge>();
  const dangling = new Map<string, DanglingReference>();
  for (const e of resources) {
    const source = keyText(resourceKey(e));
    for (const ref of resolveReferences(e)) {
      const t = ref.target;
      const found =
        ref.targetField === undefined
          ? (aliases.get(keyText(t)) ?? keyText(t))
          : byField.get(
              `${t.resourceType}|${ref.targetField}|${t.accountId}:${t.region}:${t.resourceId}`,
            );
      if (found === undefined || !nodes.has(found)) {
        const d = { source, field: ref.field, targetType: t.resourceType, missing: ref.value };
        dangling.set(`${source}|${ref.field}|${t.resourceType}|${ref.value}`, d);
        continue;
      }
      if (found === source) continue;
      const edge: GraphEdge = ref.inverse
        ? { from: found, relation: ref.relation, to: source }
        : { from: source, relation: ref.relation, to: found };
      edges.set(`${edge.from}|${edge.relation}|${edge.to}`, edge);
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
