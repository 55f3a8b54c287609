/**
 * Replay: the current inventory rebuilt from the stream alone, by the derivation of
 * inventory.ts. The summary needs only the first pass; `--json` reads the inventory's
 * snapshots again and writes each as it comes, decoded, so output memory stays flat.
 */
import { toJson } from "@bufbuild/protobuf";
import type { NatsConnection } from "@nats-io/transport-node";
import { InfrastructureChangeEventSchema } from "../gen/elava/v1/event_pb.ts";
import { ScanStatus } from "../gen/elava/v1/marker_pb.ts";
import { BadMessages, decodeSnapshot } from "./decode.ts";
import { jsonText, table } from "./format.ts";
import {
  type InventoryPlan,
  inventoryCounts,
  inventorySnapshots,
  type PartitionState,
  planInventory,
} from "./inventory.ts";
import type { LineWriter } from "./output.ts";
import { everything, type StreamLocation, StreamReader } from "./reader.ts";

/** Options of a replay. */
export interface ReplayOptions {
  readonly bad?: BadMessages;
  readonly signal?: AbortSignal;
}

/** The first pass of a replay: partitions, their status and members. */
export async function replay(
  reader: StreamReader,
  options: ReplayOptions = {},
): Promise<InventoryPlan> {
  return planInventory(reader, {
    bad: options.bad ?? new BadMessages(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** One partition's line of the summary and of `--json`. */
function partitionRecord(p: PartitionState): Record<string, unknown> {
  const b = p.basis?.marker;
  const l = p.latest?.marker;
  return {
    partition: p.subject,
    provider: p.parts.provider,
    resource_type: p.parts.resourceType,
    account_id: p.parts.accountId,
    region: p.parts.region,
    status: p.status,
    resources: p.found,
    ...(p.expected !== undefined ? { expected: p.expected } : {}),
    ...(b !== undefined ? { scan_id: b.scanId } : {}),
    ...(l !== undefined && l.status !== ScanStatus.OK ? { latest_error: l.error } : {}),
    ...(p.status !== "ok" ? { why: p.describe() } : {}),
  };
}

function sortedPartitions(plan: InventoryPlan): PartitionState[] {
  return [...plan.partitions.values()].sort((a, b) =>
    a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0,
  );
}

/** The summary line's words: counts by status, missing resources and bad messages. */
export function summaryLine(
  plan: InventoryPlan,
  badMessages: number,
  stream: string,
  prefix: string,
): string {
  const c = inventoryCounts(plan);
  if (c.partitions === 0) {
    return `no partition under ${everything(prefix)} in stream ${stream}: nothing has been published under this prefix yet${badMessages > 0 ? `; ${badMessages} bad messages skipped` : ""}`;
  }
  const s = c.byStatus;
  return `${c.resources} resources in ${c.partitions} partitions: ${s.ok} ok, ${s.unconfirmed} unconfirmed, ${s.incomplete} incomplete${c.missing > 0 ? ` (${c.missing} resources their markers count are no longer stored)` : ""}, ${s.unknown} unknown; ${badMessages} bad messages skipped`;
}

/** The summary as a plain text table, one row per partition. */
export function formatSummary(
  plan: InventoryPlan,
  badMessages: number,
  stream: string,
  prefix: string,
): string {
  const rows = sortedPartitions(plan).map((p) => [
    p.parts.provider,
    p.parts.resourceType,
    p.parts.accountId,
    p.parts.region,
    String(p.found),
    p.status === "incomplete" ? `incomplete (${p.found} of ${p.expected})` : p.status,
  ]);
  const lines =
    rows.length > 0
      ? table([["PROVIDER", "RESOURCE TYPE", "ACCOUNT", "REGION", "RESOURCES", "STATUS"], ...rows])
      : [];
  lines.push(summaryLine(plan, badMessages, stream, prefix));
  return lines.join("\n");
}

/**
 * Writes the inventory as JSON lines: one `resource` line per resource (its protobuf
 * JSON, `status` of its partition and `unconfirmed`), one `partition` line per partition,
 * then a `summary` line. Returns the resources written.
 */
export async function writeInventoryJson(
  reader: StreamReader,
  plan: InventoryPlan,
  out: LineWriter,
  bad: BadMessages,
  signal?: AbortSignal,
): Promise<number> {
  let written = 0;
  for await (const { msg, partition } of inventorySnapshots(
    reader,
    plan,
    signal ? { signal } : {},
  )) {
    if (out.closed) break;
    const event = decodeSnapshot(msg.data);
    if (typeof event === "string") {
      bad.add({ seq: msg.seq, subject: msg.subject, reason: event });
      continue;
    }
    const json = toJson(InfrastructureChangeEventSchema, event) as Record<string, unknown>;
    const status = partition.status;
    await out.line(jsonText({ kind: "resource", ...json, status, unconfirmed: status !== "ok" }));
    written++;
  }
  for (const p of sortedPartitions(plan)) {
    if (out.closed) break;
    await out.line(jsonText({ kind: "partition", ...partitionRecord(p) }));
  }
  const c = inventoryCounts(plan);
  await out.line(
    jsonText({
      kind: "summary",
      resources: c.resources,
      written,
      partitions: c.partitions,
      ...c.byStatus,
      missing: c.missing,
      bad_messages: bad.count,
    }),
  );
  return written;
}

/** What a drain measured. */
export interface DrainResult {
  readonly messages: number;
  readonly bytes: number;
  readonly seconds: number;
  /** Messages per second. */
  readonly rate: number;
}

/**
 * Reads the latest message of every subject (`LastPerSubject` over `<prefix>.>`) and does
 * nothing with it: the yardstick replay's rate is compared with.
 */
export async function drainRaw(reader: StreamReader): Promise<DrainResult> {
  const started = performance.now();
  let messages = 0;
  let bytes = 0;
  for await (const m of reader.read({
    filter: everything(reader.location.prefix),
    start: { kind: "last-per-subject" },
    purpose: "draining",
  })) {
    messages++;
    bytes += m.data.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return { messages, bytes, seconds, rate: messages / seconds };
}

/** Replay and raw drain of one stream, measured one after the other. */
export interface ReplayMeasurement {
  readonly drain: DrainResult;
  readonly replay: DrainResult & { readonly resources: number };
  /** replay rate / drain rate, both in messages the drain delivers per second. */
  readonly ratio: number;
}

/**
 * Measures replay against a raw drain of the same stream, for the bench suite. Replay's
 * rate counts the drain's messages (the inventory it rebuilds) over replay's own time.
 */
export async function measureReplay(
  nc: NatsConnection,
  location: StreamLocation,
): Promise<ReplayMeasurement> {
  const drain = await drainRaw(await StreamReader.open(nc, location));
  const started = performance.now();
  const plan = await replay(await StreamReader.open(nc, location));
  const seconds = (performance.now() - started) / 1000;
  const resources = inventoryCounts(plan).resources;
  const replayResult = {
    messages: plan.messagesRead,
    bytes: drain.bytes,
    seconds,
    rate: drain.messages / seconds,
    resources,
  };
  return { drain, replay: replayResult, ratio: replayResult.rate / drain.rate };
}
