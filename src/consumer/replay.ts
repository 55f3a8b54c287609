/**
 * Replay: the current inventory rebuilt from the stream alone.
 *
 * An ordered consumer with `LastPerSubject` over `<prefix>.>` delivers the latest snapshot
 * of every resource and the latest marker of every partition. A resource whose latest
 * snapshot comes from an older scan than its partition's latest OK marker has disappeared
 * (scan ids are ULIDs, so they compare by scan start); a partition whose latest marker is
 * FAILED, or that has no marker yet, is unconfirmed: its resources are kept and flagged.
 *
 * It has to keep up with a raw drain of the same stream (a million resources), so the
 * per-message work is a subject scan, one header read and keeping the raw bytes: the
 * protobuf is decoded only for what an output needs, and scan ids are interned so a
 * million resources share a handful of strings.
 */
import { fromBinary, toJson } from "@bufbuild/protobuf";
import type { NatsConnection } from "@nats-io/transport-node";
import { Header } from "../contract/headers.ts";
import { decodeToken } from "../contract/subject.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";
import { type PartitionScanned, ScanStatus } from "../gen/elava/v1/marker_pb.ts";
import { decodeMessage, type StreamMessage } from "./decode.ts";
import { table } from "./format.ts";
import { everything, readStream, type StreamLocation } from "./reader.ts";

/** One resource of the inventory: its latest snapshot, still encoded. */
export interface InventoryResource {
  readonly subject: string;
  readonly seq: number;
  readonly scanId: string;
  /** The snapshot's protobuf bytes; `decode()` them when the content is needed. */
  readonly data: Uint8Array;
  /** True when its partition's latest marker is FAILED or missing. */
  readonly unconfirmed: boolean;
}

/** What replay knows of one partition. */
export interface PartitionState {
  /** The partition subject, e.g. `elava.aws.vpc.123456789012.us-east-1`. */
  readonly subject: string;
  /** The latest marker; undefined when none was published yet. */
  readonly marker: PartitionScanned | undefined;
  /** No OK latest marker: resources kept as they were last seen, flagged. */
  readonly unconfirmed: boolean;
  /** Resources present after replay. */
  readonly resources: number;
  /** Resources from an older scan than the latest OK marker: gone. */
  readonly gone: number;
}

/** One row of the summary: resources per type, account and region. */
export interface SummaryRow {
  readonly resourceType: string;
  readonly accountId: string;
  readonly region: string;
  readonly resources: number;
  readonly unconfirmed: number;
}

/** The inventory rebuilt by replay. */
export class Inventory {
  constructor(
    /** Subject prefix of the stream. */
    readonly prefix: string,
    /** Present resources, in stream order. */
    readonly resources: readonly InventoryResource[],
    /** Every partition seen, by partition subject. */
    readonly partitions: ReadonlyMap<string, PartitionState>,
    /** Messages read. */
    readonly messages: number,
  ) {}

  /** Resources dropped because a newer OK marker no longer lists them. */
  get gone(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.gone;
    return n;
  }

  /** Counts by type, account and region, sorted. */
  summary(): SummaryRow[] {
    const rows = new Map<string, { row: SummaryRow; resources: number; unconfirmed: number }>();
    const skip = this.prefix.length + 1;
    for (const r of this.resources) {
      const key = r.subject.slice(skip, r.subject.lastIndexOf("."));
      let entry = rows.get(key);
      if (entry === undefined) {
        const [, resourceType = "", accountId = "", region = ""] = key.split(".");
        entry = {
          row: { resourceType, accountId, region, resources: 0, unconfirmed: 0 },
          resources: 0,
          unconfirmed: 0,
        };
        rows.set(key, entry);
      }
      entry.resources++;
      if (r.unconfirmed) entry.unconfirmed++;
    }
    return [...rows.values()]
      .map((e) => ({ ...e.row, resources: e.resources, unconfirmed: e.unconfirmed }))
      .sort(
        (a, b) =>
          a.resourceType.localeCompare(b.resourceType) ||
          a.accountId.localeCompare(b.accountId) ||
          a.region.localeCompare(b.region),
      );
  }

  /** Every present resource, decoded. */
  *events(): Generator<{ event: InfrastructureChangeEvent; unconfirmed: boolean }> {
    for (const r of this.resources) yield { event: decodeSnapshot(r), unconfirmed: r.unconfirmed };
  }
}

/** Decodes an inventory resource's snapshot. */
export function decodeSnapshot(r: InventoryResource): InfrastructureChangeEvent {
  return fromBinary(InfrastructureChangeEventSchema, r.data);
}

/** The resource id of a snapshot subject (its last token, decoded). */
export function resourceIdOf(subject: string): string {
  return decodeToken(subject.slice(subject.lastIndexOf(".") + 1));
}

/**
 * Builds an inventory from messages delivered last-per-subject. Pure, so it can be fed
 * from the stream or from a test.
 */
export class InventoryBuilder {
  readonly #prefixTokens: number;
  readonly #subjects: string[] = [];
  readonly #seqs: number[] = [];
  readonly #scanIds: string[] = [];
  readonly #data: Uint8Array[] = [];
  readonly #markers = new Map<string, PartitionScanned>();
  readonly #scanIdIntern = new Map<string, string>();
  #messages = 0;

  constructor(readonly prefix: string) {
    this.#prefixTokens = prefix.split(".").length;
  }

  /** Adds one message; markers and snapshots are told apart by subject depth. */
  add(msg: StreamMessage): void {
    this.#messages++;
    const subject = msg.subject;
    let dots = 0;
    for (let i = subject.indexOf("."); i !== -1; i = subject.indexOf(".", i + 1)) dots++;
    const tokens = dots + 1;
    if (tokens === this.#prefixTokens + 5) {
      const raw = msg.headers?.get(Header.ScanId) ?? "";
      const scanId = raw === "" ? scanIdOfData(msg.data) : raw;
      let interned = this.#scanIdIntern.get(scanId);
      if (interned === undefined) {
        interned = scanId;
        this.#scanIdIntern.set(scanId, scanId);
      }
      this.#subjects.push(subject);
      this.#seqs.push(msg.seq);
      this.#scanIds.push(interned);
      this.#data.push(msg.data);
      return;
    }
    const decoded = decodeMessage(this.prefix, msg);
    if (decoded.kind !== "marker") {
      throw new Error(
        `message ${msg.seq} on ${subject} is a snapshot on a marker subject: the stream does not follow the contract`,
      );
    }
    this.#markers.set(subject, decoded.marker);
  }

  /** Applies the markers and returns the inventory. */
  finish(): Inventory {
    const stats = new Map<string, { resources: number; gone: number }>();
    const resources: InventoryResource[] = [];
    const okScan = new Map<string, string | undefined>();
    for (const [subject, marker] of this.#markers) {
      okScan.set(subject, marker.status === ScanStatus.OK ? marker.scanId : undefined);
    }
    for (let i = 0; i < this.#subjects.length; i++) {
      const subject = this.#subjects[i] as string;
      const scanId = this.#scanIds[i] as string;
      const partition = subject.slice(0, subject.lastIndexOf("."));
      let s = stats.get(partition);
      if (s === undefined) {
        s = { resources: 0, gone: 0 };
        stats.set(partition, s);
      }
      const latestOk = okScan.get(partition);
      if (latestOk !== undefined && scanId < latestOk) {
        s.gone++;
        continue;
      }
      s.resources++;
      resources.push({
        subject,
        seq: this.#seqs[i] as number,
        scanId,
        data: this.#data[i] as Uint8Array,
        unconfirmed: latestOk === undefined,
      });
    }
    const partitions = new Map<string, PartitionState>();
    for (const subject of new Set([...stats.keys(), ...this.#markers.keys()])) {
      const marker = this.#markers.get(subject);
      const s = stats.get(subject) ?? { resources: 0, gone: 0 };
      partitions.set(subject, {
        subject,
        marker,
        unconfirmed: marker?.status !== ScanStatus.OK,
        resources: s.resources,
        gone: s.gone,
      });
    }
    return new Inventory(this.prefix, resources, partitions, this.#messages);
  }
}

/** The scan id field of a snapshot, for a message without the Elava-Scan-Id header. */
function scanIdOfData(data: Uint8Array): string {
  return fromBinary(InfrastructureChangeEventSchema, data).scanId;
}

/** Rebuilds the current inventory from the stream. */
export async function replay(
  nc: NatsConnection,
  location: StreamLocation,
  signal?: AbortSignal,
): Promise<Inventory> {
  const builder = new InventoryBuilder(location.prefix);
  for await (const m of readStream(nc, {
    stream: location.stream,
    filterSubjects: [everything(location.prefix)],
    start: { kind: "last-per-subject" },
    bounded: true,
    ...(signal ? { signal } : {}),
  })) {
    builder.add(m);
  }
  return builder.finish();
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
 * Reads the same messages replay reads (`LastPerSubject` over `<prefix>.>`) and does
 * nothing with them: the yardstick replay's rate is compared with.
 */
export async function drainRaw(nc: NatsConnection, location: StreamLocation): Promise<DrainResult> {
  const started = performance.now();
  let messages = 0;
  let bytes = 0;
  for await (const m of readStream(nc, {
    stream: location.stream,
    filterSubjects: [everything(location.prefix)],
    start: { kind: "last-per-subject" },
    bounded: true,
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
  /** replay rate / drain rate; the target is at least 0.5. */
  readonly ratio: number;
}

/** Measures replay against a raw drain of the same stream, for the bench suite. */
export async function measureReplay(
  nc: NatsConnection,
  location: StreamLocation,
): Promise<ReplayMeasurement> {
  const drain = await drainRaw(nc, location);
  const started = performance.now();
  const inventory = await replay(nc, location);
  const seconds = (performance.now() - started) / 1000;
  const replayResult = {
    messages: inventory.messages,
    bytes: drain.bytes,
    seconds,
    rate: inventory.messages / seconds,
    resources: inventory.resources.length,
  };
  return { drain, replay: replayResult, ratio: replayResult.rate / drain.rate };
}

/** The whole inventory as JSON lines: the event's protobuf JSON plus `unconfirmed`. */
export function* inventoryJsonLines(inventory: Inventory): Generator<string> {
  for (const { event, unconfirmed } of inventory.events()) {
    const json = toJson(InfrastructureChangeEventSchema, event) as Record<string, unknown>;
    yield JSON.stringify({ ...json, unconfirmed });
  }
}

/** The summary as a plain text table. */
export function formatSummary(inventory: Inventory): string {
  const rows = inventory.summary();
  const header = ["RESOURCE TYPE", "ACCOUNT", "REGION", "RESOURCES", "UNCONFIRMED"];
  const cells = rows.map((r) => [
    r.resourceType,
    r.accountId,
    r.region,
    String(r.resources),
    String(r.unconfirmed),
  ]);
  const total = rows.reduce((n, r) => n + r.resources, 0);
  const lines = table([header, ...cells]);
  lines.push(
    `${total} resources in ${inventory.partitions.size} partitions, ${inventory.gone} gone, ${[...inventory.partitions.values()].filter((p) => p.unconfirmed).length} partitions unconfirmed`,
  );
  return lines.join("\n");
}
