/**
 * Relationships, the conservative and lazy way of the Elava -> AHTI design: resources
 * carry references to other resources as plain id fields, and an edge exists only when
 * both ends are in the inventory. A reference whose target is missing is dangling, listed
 * with the field it came from and why the target is missing: `gone` (the target's
 * partition is ok and lacks it), `unknown` (that partition is FAILED, unconfirmed,
 * incomplete or has no OK marker: the contract cannot tell), or `outside` (that partition
 * was never scanned: another account or region).
 *
 * Which fields are references, to which type, by which form of id and with which relation
 * is declared in the schema (`(elava.v1.field).references`) and followed by
 * src/contract/references.ts; nothing here is particular to a resource type. Nodes are
 * keyed by `resourceKey` (a VPC peering by its owner, so both accounts' snapshots of it
 * are one node) and found under the key they were published with too.
 *
 * The graph is written as the inventory's snapshots are read (`writeGraph`): each
 * resource's node, edges and dangling references come from it alone, and whether a
 * target exists is a lookup in the inventory's compact member tables (inventory.ts), so
 * memory does not grow with the graph. The few lookups that need another resource's
 * payload (a role by its instance profiles, a peering's owner) are indexed in the first
 * pass.
 */
import type { DescField } from "@bufbuild/protobuf";
import {
  keyText,
  publishedKey,
  type Relation,
  type ResourceKey,
  referenceSites,
  resolveReferences,
  resourceKey,
} from "../contract/references.ts";
import { ALL_RESOURCE_TYPES, isResourceType } from "../contract/resource-types.ts";
import { payloadSchema, resourceRules } from "../contract/schema-rules.ts";
import { encodeToken } from "../contract/subject.ts";
import type { InfrastructureChangeEvent } from "../gen/elava/v1/event_pb.ts";
import { type Hash64, hash64, hashHex, SeqTable } from "./compact.ts";
import { type BadMessages, decodeSnapshot, type StreamMessage } from "./decode.ts";
import { jsonText } from "./format.ts";
import {
  type InventoryPlan,
  inventorySnapshots,
  type PartitionState,
  type PartitionStatus,
  planInventory,
} from "./inventory.ts";
import type { LineWriter } from "./output.ts";
import type { StreamReader } from "./reader.ts";

export type { Relation };

/** A resource of the graph. */
export interface GraphNode {
  /** `<type>:<account>:<region>:<id>`: the resource's own key (a peering's owner's). */
  readonly key: string;
  /** A stable id for dot and Mermaid: `n` + 16 hex digits of a hash of its key. */
  readonly id: string;
  readonly provider: string;
  readonly resourceType: string;
  readonly accountId: string;
  readonly region: string;
  readonly resourceId: string;
  readonly name: string;
  /** Its partition's status in the inventory. */
  readonly status: PartitionStatus;
}

/** A relationship between two resources of the inventory. */
export interface GraphEdge {
  readonly from: string;
  readonly fromId: string;
  readonly relation: Relation;
  readonly to: string;
  readonly toId: string;
}

/** Why a referenced resource is not in the inventory. */
export type DanglingReason = "gone" | "unknown" | "outside";

/** A reference to a resource that is not in the inventory. */
export interface DanglingReference {
  readonly source: string;
  readonly field: string;
  readonly targetType: string;
  readonly missing: string;
  readonly reason: DanglingReason;
  /** The target's partition: `<provider>.<type>.<account>.<region>`. */
  readonly partition: string;
}

/** What one resource contributes to the graph. */
export interface GraphPiece {
  /** Undefined for a second snapshot of one resource (a peering's other side). */
  readonly node: GraphNode | undefined;
  readonly edges: readonly GraphEdge[];
  readonly dangling: readonly DanglingReference[];
}

/** The resolution key of a resource. */
export function nodeKey(type: string, account: string, region: string, id: string): string {
  return keyText({ resourceType: type, accountId: account, region, resourceId: id });
}

/** Per type, the payload fields other types' references match on (iam_role instance_profile_arns). */
const MATCHED_FIELDS = new Map<string, DescField[]>();
/**
 * Edges (`<from type> <relation> <to type>`) that a reference declares from each end: an
 * autoscaling group lists its instances, and an instance names its group. Only those can
 * come twice, so only those are remembered to write them once.
 */
const TWO_WAY = new Set<string>();
{
  const forward = new Set<string>();
  const inverse = new Set<string>();
  for (const t of ALL_RESOURCE_TYPES) {
    for (const site of referenceSites(t)) {
      if (site.reference.inverse) inverse.add(`${site.targetType} ${site.relation} ${t}`);
      else forward.add(`${t} ${site.relation} ${site.targetType}`);
    }
  }
  for (const edge of inverse) if (forward.has(edge)) TWO_WAY.add(edge);
}
for (const t of ALL_RESOURCE_TYPES) {
  for (const site of referenceSites(t)) {
    const name = site.reference.targetField;
    const field = payloadSchema(site.targetType).fields.find((f) => f.name === name);
    if (field === undefined) continue;
    const known = MATCHED_FIELDS.get(site.targetType) ?? [];
    if (!known.includes(field)) MATCHED_FIELDS.set(site.targetType, [...known, field]);
  }
}

/** Whether a type's resources are keyed by an owner, not by where they were published. */
function owned(type: string): boolean {
  if (!isResourceType(type)) return false;
  const rules = resourceRules(type);
  return rules.ownerAccountField !== "" || rules.ownerRegionField !== "";
}

/** Where a key's resource is published: `<provider>.<type>.<account>.<region>.<token>`. */
function subjectTail(provider: string, k: ResourceKey): string {
  return `${provider}.${k.resourceType}.${k.accountId}.${k.region}.${encodeToken(k.resourceId)}`;
}

const hashScratch: Hash64 = { hi: 0, lo: 0 };

/** The dot / Mermaid id of a resource's own key. */
export function nodeId(provider: string, k: ResourceKey): string {
  return `n${hashHex(hash64(subjectTail(provider, k), hashScratch))}`;
}

/** What the graph asks of the inventory. */
export interface GraphInventory {
  /** Whether a resource was published under this key. */
  has(provider: string, key: ResourceKey): boolean;
  /** The own key of the resource published under `key` (they differ for a peering). */
  ownKey(provider: string, key: ResourceKey): ResourceKey;
  /** The status of a partition, or undefined when the stream has never had it. */
  status(
    provider: string,
    resourceType: string,
    accountId: string,
    region: string,
  ): PartitionStatus | undefined;
  /** The resource of a type whose payload field holds `value` there (a role by its profiles). */
  match(
    provider: string,
    targetType: string,
    field: string,
    accountId: string,
    region: string,
    value: string,
  ): ResourceKey | undefined;
}

/**
 * Extracts one resource's node, edges and dangling references. An edge of a relation
 * that references declare from both of its ends (a subnet names its route table and the
 * table lists the subnet) is written once: `seen` remembers those.
 */
export class GraphExtractor {
  readonly #seen = new SeqTable();

  constructor(private readonly inventory: GraphInventory) {}

  piece(e: InfrastructureChangeEvent, status: PartitionStatus): GraphPiece {
    const own = resourceKey(e);
    const published = publishedKey(e);
    const key = keyText(own);
    // The other side of an owned resource whose owner's snapshot is in the inventory:
    // the owner's snapshot speaks for the node and its references.
    if (key !== keyText(published) && this.inventory.has(e.provider, own)) {
      return { node: undefined, edges: [], dangling: [] };
    }
    const node: GraphNode = {
      key,
      id: nodeId(e.provider, own),
      provider: e.provider,
      ...own,
      name: e.resourceName,
      status,
    };
    const edges = new Map<string, GraphEdge>();
    const dangling = new Map<string, DanglingReference>();
    for (const ref of resolveReferences(e)) {
      const t = ref.target;
      const found =
        ref.targetField === undefined
          ? this.inventory.has(e.provider, t)
            ? this.inventory.ownKey(e.provider, t)
            : undefined
          : this.inventory.match(
              e.provider,
              t.resourceType,
              ref.targetField,
              t.accountId,
              t.region,
              t.resourceId,
            );
      if (found === undefined) {
        const partition = this.inventory.status(e.provider, t.resourceType, t.accountId, t.region);
        dangling.set(`${ref.field}|${t.resourceType}|${ref.value}`, {
          source: key,
          field: ref.field,
          targetType: t.resourceType,
          missing: ref.value,
          reason: partition === undefined ? "outside" : partition === "ok" ? "gone" : "unknown",
          partition: `${e.provider}.${t.resourceType}.${t.accountId}.${t.region}`,
        });
        continue;
      }
      const to = { key: keyText(found), id: nodeId(e.provider, found) };
      if (to.key === key) continue;
      const edge: GraphEdge = ref.inverse
        ? { from: to.key, fromId: to.id, relation: ref.relation, to: key, toId: node.id }
        : { from: key, fromId: node.id, relation: ref.relation, to: to.key, toId: to.id };
      const text = `${edge.from}|${edge.relation}|${edge.to}`;
      if (edges.has(text)) continue;
      const [fromType, toType] = ref.inverse
        ? [t.resourceType, e.resourceType]
        : [e.resourceType, t.resourceType];
      if (
        TWO_WAY.has(`${fromType} ${ref.relation} ${toType}`) &&
        !this.#seen.set(hash64(text, hashScratch), 1)
      ) {
        continue;
      }
      edges.set(text, edge);
    }
    return { node, edges: [...edges.values()], dangling: [...dangling.values()] };
  }
}

/** A key back from its text (`<type>:<account>:<region>:<id>`; the id may hold colons). */
function keyOfText(text: string): ResourceKey {
  const a = text.indexOf(":");
  const b = text.indexOf(":", a + 1);
  const c = text.indexOf(":", b + 1);
  return {
    resourceType: text.slice(0, a),
    accountId: text.slice(a + 1, b),
    region: text.slice(b + 1, c),
    resourceId: text.slice(c + 1),
  };
}

/**
 * Indexes of the resources other references need the payload of: owners (a peering's
 * other side) and matched fields (a role's instance profiles, of which a large estate has
 * hundreds of thousands). Lookups are by a 64-bit hash of their text in a SeqTable, whose
 * "sequence" is the index of the target's key text, so the heap holds one string per
 * target, not one per lookup.
 */
class PayloadIndex {
  readonly #targets: string[] = [];
  readonly #targetIds = new Map<string, number>();
  readonly #own = new SeqTable();
  readonly #matches = new SeqTable();
  readonly #scratch: Hash64 = { hi: 0, lo: 0 };

  /** Whether the index needs a resource of this type. */
  static wants(type: string): boolean {
    return MATCHED_FIELDS.has(type) || owned(type);
  }

  #target(key: ResourceKey): number {
    const text = keyText(key);
    let id = this.#targetIds.get(text);
    if (id === undefined) {
      id = this.#targets.length;
      this.#targets.push(text);
      this.#targetIds.set(text, id);
    }
    return id + 1;
  }

  #lookup(table: SeqTable, text: string): ResourceKey | undefined {
    const id = table.seqOf(hash64(text, this.#scratch));
    const target = id === 0 ? undefined : this.#targets[id - 1];
    return target === undefined ? undefined : keyOfText(target);
  }

  add(e: InfrastructureChangeEvent): void {
    const own = resourceKey(e);
    const published = publishedKey(e);
    if (keyText(own) !== keyText(published)) {
      this.#own.set(
        hash64(`${e.provider}|${keyText(published)}`, this.#scratch),
        this.#target(own),
      );
    }
    const payload = e.resource.value as unknown as Record<string, unknown> | undefined;
    for (const field of MATCHED_FIELDS.get(e.resourceType) ?? []) {
      const value = payload?.[field.localName];
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v !== "string" || v === "") continue;
        const text = `${e.provider}|${e.resourceType}|${field.name}|${own.accountId}:${own.region}:${v}`;
        this.#matches.set(hash64(text, this.#scratch), this.#target(own));
      }
    }
  }

  ownKey(provider: string, key: ResourceKey): ResourceKey {
    return this.#lookup(this.#own, `${provider}|${keyText(key)}`) ?? key;
  }

  match(
    provider: string,
    type: string,
    field: string,
    account: string,
    region: string,
    value: string,
  ): ResourceKey | undefined {
    return this.#lookup(
      this.#matches,
      `${provider}|${type}|${field}|${account}:${region}:${value}`,
    );
  }
}

/** A graph held in memory, for small inventories and tests. */
export interface Graph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  readonly dangling: DanglingReference[];
}

const byText =
  <T>(k: (t: T) => string) =>
  (a: T, b: T) =>
    k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0;

/**
 * Builds the graph of some events in memory, sorted: every event's partition counts as
 * `ok`, partitions of no event as never scanned.
 */
export function buildGraph(events: Iterable<InfrastructureChangeEvent>): Graph {
  const all = [...events];
  const published = new Set(all.map((e) => subjectTail(e.provider, publishedKey(e))));
  const partitions = new Set(
    all.map((e) => `${e.provider}.${e.resourceType}.${e.accountId}.${e.region}`),
  );
  const index = new PayloadIndex();
  for (const e of all) if (PayloadIndex.wants(e.resourceType)) index.add(e);
  const extractor = new GraphExtractor({
    has: (provider, k) => published.has(subjectTail(provider, k)),
    ownKey: (provider, k) => index.ownKey(provider, k),
    status: (provider, type, account, region) =>
      partitions.has(`${provider}.${type}.${account}.${region}`) ? "ok" : undefined,
    match: (provider, type, field, account, region, value) =>
      index.match(provider, type, field, account, region, value),
  });
  const graph: Graph = { nodes: [], edges: [], dangling: [] };
  for (const e of all) {
    const piece = extractor.piece(e, "ok");
    if (piece.node !== undefined) graph.nodes.push(piece.node);
    graph.edges.push(...piece.edges);
    graph.dangling.push(...piece.dangling);
  }
  graph.nodes.sort(byText((n) => n.key));
  graph.edges.sort(byText((x) => `${x.from}|${x.relation}|${x.to}`));
  graph.dangling.sort(byText((d) => `${d.source}|${d.field}|${d.missing}`));
  return graph;
}

/** Output formats of the graph. */
export type GraphFormat = "json" | "dot" | "mermaid";

function label(n: GraphNode): string {
  const name = n.name !== "" && n.name !== n.resourceId ? ` (${n.name})` : "";
  return `${n.resourceType} ${n.resourceId}${name}`.replace(/"/gu, "'");
}

function nodeLine(n: GraphNode, format: GraphFormat): string {
  if (format === "json") return jsonText({ kind: "node", ...n });
  return format === "dot" ? `  ${n.id} [label="${label(n)}"];` : `  ${n.id}["${label(n)}"]`;
}

function edgeLine(e: GraphEdge, format: GraphFormat): string {
  if (format === "json")
    return jsonText({ kind: "edge", from: e.from, relation: e.relation, to: e.to });
  return format === "dot"
    ? `  ${e.fromId} -> ${e.toId} [label="${e.relation}"];`
    : `  ${e.fromId} -->|${e.relation}| ${e.toId}`;
}

function danglingLine(d: DanglingReference, format: GraphFormat): string {
  if (format === "json") return jsonText({ kind: "dangling", ...d });
  return `${format === "dot" ? "  //" : "  %%"} dangling (${d.reason}): ${d.source} ${d.field} -> ${d.targetType} ${d.missing}`;
}

/** The lines of one resource's piece in a format. */
export function pieceLines(piece: GraphPiece, format: GraphFormat): string[] {
  return [
    ...(piece.node === undefined ? [] : [nodeLine(piece.node, format)]),
    ...piece.edges.map((e) => edgeLine(e, format)),
    ...piece.dangling.map((d) => danglingLine(d, format)),
  ];
}

/** Renders an in-memory graph (buildGraph) in a format. */
export function formatGraph(graph: Graph, format: GraphFormat): string {
  const lines: string[] = [];
  if (format === "dot") lines.push("digraph elava {");
  if (format === "mermaid") lines.push("flowchart LR");
  for (const n of graph.nodes) lines.push(nodeLine(n, format));
  for (const e of graph.edges) lines.push(edgeLine(e, format));
  for (const d of graph.dangling) lines.push(danglingLine(d, format));
  if (format === "dot") lines.push("}");
  return lines.join("\n");
}

/** Counts of a written graph. */
export interface GraphSummary {
  nodes: number;
  edges: number;
  dangling: Record<DanglingReason, number>;
  bad_messages: number;
}

/** The inventory of a plan, as the graph asks of it. */
function planView(prefix: string, plan: InventoryPlan, index: PayloadIndex): GraphInventory {
  const key: Hash64 = { hi: 0, lo: 0 };
  const partition = (provider: string, type: string, account: string, region: string) =>
    plan.partitions.get(`${prefix}.${provider}.${type}.${account}.${region}`);
  return {
    has: (provider, k) =>
      partition(provider, k.resourceType, k.accountId, k.region)?.members.has(
        hash64(subjectTail(provider, k), key),
      ) === true,
    ownKey: (provider, k) => index.ownKey(provider, k),
    status: (provider, type, account, region) => partition(provider, type, account, region)?.status,
    match: (provider, type, field, account, region, value) =>
      index.match(provider, type, field, account, region, value),
  };
}

/**
 * Replays the inventory and writes its graph as it reads it: per resource its node, its
 * edges and its dangling references (JSON lines, dot or Mermaid), then a summary (a JSON
 * line, or a comment).
 */
export async function writeGraph(
  reader: StreamReader,
  out: LineWriter,
  format: GraphFormat,
  bad: BadMessages,
  signal?: AbortSignal,
): Promise<GraphSummary> {
  const { prefix } = reader.location;
  const index = new PayloadIndex();
  const indexed = (msg: StreamMessage, p: PartitionState) => {
    if (!PayloadIndex.wants(p.parts.resourceType)) return;
    const e = decodeSnapshot(msg.data);
    if (typeof e !== "string") index.add(e);
  };
  const plan = await planInventory(reader, {
    bad,
    onMember: indexed,
    ...(signal ? { signal } : {}),
  });
  const extractor = new GraphExtractor(planView(prefix, plan, index));
  const summary: GraphSummary = {
    nodes: 0,
    edges: 0,
    dangling: { gone: 0, unknown: 0, outside: 0 },
    bad_messages: 0,
  };
  if (format === "dot") await out.line("digraph elava {");
  if (format === "mermaid") await out.line("flowchart LR");
  for await (const { msg, partition } of inventorySnapshots(
    reader,
    plan,
    signal ? { signal } : {},
  )) {
    if (out.closed) break;
    const e = decodeSnapshot(msg.data);
    if (typeof e === "string") {
      bad.add({ seq: msg.seq, subject: msg.subject, reason: e });
      continue;
    }
    const piece = extractor.piece(e, partition.status);
    if (piece.node !== undefined) summary.nodes++;
    summary.edges += piece.edges.length;
    for (const d of piece.dangling) summary.dangling[d.reason]++;
    for (const line of pieceLines(piece, format)) await out.line(line);
  }
  summary.bad_messages = bad.count;
  const text = `${summary.nodes} resources, ${summary.edges} edges, dangling references: ${summary.dangling.gone} gone, ${summary.dangling.unknown} unknown, ${summary.dangling.outside} outside the scan; ${summary.bad_messages} bad messages skipped`;
  if (format === "json") await out.line(jsonText({ kind: "summary", ...summary }));
  else await out.line(`${format === "dot" ? "  //" : "  %%"} ${text}`);
  if (format === "dot") await out.line("}");
  return summary;
}
