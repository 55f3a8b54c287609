/**
 * Change derivation, exactly as DESIGN.md "Deriving changes" says.
 *
 * Snapshots are grouped per partition and scan. On a partition's marker (scan S, count N)
 * the snapshots of P seen with scan S are P's current set, but only when the marker is OK
 * and exactly N of them were seen; then previous set minus current = disappeared, current
 * minus previous = created, same resource with a new content hash = modified (decoded and
 * diffed field by field only then). A FAILED marker means "unknown" and an incomplete scan
 * (fewer snapshots seen than the marker counts, e.g. one deleted from the stream) cannot
 * be trusted either: both are reported, derive nothing, and leave the previous set as it
 * was, so the next complete OK scan is compared with the last one that was complete.
 *
 * The window (`--since`) says which changes to report, not where to read: the stream is
 * read from its start so that the first scan in the window is compared with the scan
 * before it, instead of becoming a baseline that hides the changes it brought.
 *
 * Per resource only its content hash and stream sequence are kept; the two snapshots of a
 * modified resource are fetched back from the stream by sequence to diff them, so memory
 * holds two scans' worth of hashes, never their payloads. Snapshots of a scan that never
 * gets a marker (an interrupted scan) are dropped when a later marker of the partition
 * arrives.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { type JsMsg, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { compareContentHashes } from "../contract/content-hash.ts";
import { Header } from "../contract/headers.ts";
import { decodeToken } from "../contract/subject.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";
import { ScanStatus } from "../gen/elava/v1/marker_pb.ts";
import { mapConcurrent } from "../util/concurrency.ts";
import { decodeMessage, type StreamMessage } from "./decode.ts";
import { type Difference, diffSnapshots } from "./diff.ts";
import { jsonText, table } from "./format.ts";
import { everything, readStream, type StartAt, type StreamLocation } from "./reader.ts";

/** A change derived for one resource. */
export interface Change {
  readonly change: "created" | "modified" | "disappeared";
  readonly provider: string;
  readonly resource_type: string;
  readonly resource_id: string;
  readonly account_id: string;
  readonly region: string;
  /** The scan whose marker revealed the change. */
  readonly scan_id: string;
  /** The complete scan it was compared with. */
  readonly previous_scan_id: string;
  /** Stream sequence of the snapshot showing the change (the last one seen, when disappeared). */
  readonly seq: number;
  /** For modified: stream sequence of the snapshot it was compared with. */
  readonly previous_seq?: number;
  /** For modified: the field differences, sorted by path. */
  readonly differences?: readonly Difference[];
}

/** What happened to one partition's scan within the window. */
export interface PartitionScanReport {
  readonly partition: string;
  readonly scan_id: string;
  /**
   * derived: compared with the previous complete scan; baseline: the first complete scan
   * seen, nothing to compare with; failed: FAILED marker; incomplete: fewer (or more)
   * snapshots seen than the marker counts.
   */
  readonly outcome: "derived" | "baseline" | "failed" | "incomplete";
  readonly expected: number;
  readonly seen: number;
  readonly error?: string;
}

interface Seen {
  readonly hash: string;
  readonly seq: number;
}

interface PartitionTrack {
  previous: { scanId: string; resources: Map<string, Seen> } | undefined;
  readonly scans: Map<string, Map<string, Seen>>;
}

/** Derives changes from messages in stream order. Pure, so tests can feed it directly. */
export class ChangeDeriver {
  readonly #partitions = new Map<string, PartitionTrack>();
  readonly #prefixTokens: number;
  /** Reports of every marker seen, in stream order. */
  readonly reports: PartitionScanReport[] = [];

  constructor(readonly prefix: string) {
    this.#prefixTokens = prefix.split(".").length;
  }

  #track(partition: string): PartitionTrack {
    let t = this.#partitions.get(partition);
    if (t === undefined) {
      t = { previous: undefined, scans: new Map() };
      this.#partitions.set(partition, t);
    }
    return t;
  }

  /**
   * Feeds one message; returns the changes a marker completes (none for snapshots).
   * With `record` false a marker only moves the partition's state forward: its changes
   * and report are dropped (scans before the reported window).
   */
  add(msg: StreamMessage, record = true): Change[] {
    const tokens = msg.subject.split(".").length;
    if (tokens === this.#prefixTokens + 5) {
      this.#snapshot(msg);
      return [];
    }
    const decoded = decodeMessage(this.prefix, msg);
    if (decoded.kind === "snapshot") {
      throw new Error(`message ${msg.seq} on ${msg.subject} is a snapshot on a marker subject`);
    }
    const m = decoded.marker;
    const partition = msg.subject;
    const track = this.#track(partition);
    const current = track.scans.get(m.scanId) ?? new Map<string, Seen>();
    for (const scanId of [...track.scans.keys()]) {
      if (scanId <= m.scanId) track.scans.delete(scanId);
    }
    const expected = Number(m.resourceCount);
    const base = { partition, scan_id: m.scanId, expected, seen: current.size };
    const report = (r: PartitionScanReport) => {
      if (record) this.reports.push(r);
    };
    if (m.status !== ScanStatus.OK) {
      report({ ...base, outcome: "failed", error: m.error });
      return [];
    }
    if (current.size !== expected) {
      report({ ...base, outcome: "incomplete" });
      return [];
    }
    const previous = track.previous;
    track.previous = { scanId: m.scanId, resources: current };
    if (previous === undefined) {
      report({ ...base, outcome: "baseline" });
      return [];
    }
    report({ ...base, outcome: "derived" });
    return record ? derive(m, previous, current) : [];
  }

  #snapshot(msg: StreamMessage): void {
    const subject = msg.subject;
    const cut = subject.lastIndexOf(".");
    const headers = msg.headers;
    let scanId = headers?.get(Header.ScanId) ?? "";
    let hash = headers?.get(Header.ContentHash) ?? "";
    if (scanId === "" || hash === "") {
      const event = fromBinary(InfrastructureChangeEventSchema, msg.data);
      scanId = event.scanId;
      hash = event.contentHash;
    }
    const track = this.#track(subject.slice(0, cut));
    let scan = track.scans.get(scanId);
    if (scan === undefined) {
      scan = new Map();
      track.scans.set(scanId, scan);
    }
    scan.set(subject.slice(cut + 1), { hash, seq: msg.seq });
  }
}

function derive(
  marker: {
    provider: string;
    resourceType: string;
    accountId: string;
    region: string;
    scanId: string;
  },
  previous: { scanId: string; resources: Map<string, Seen> },
  current: Map<string, Seen>,
): Change[] {
  const out: Change[] = [];
  const base = {
    provider: marker.provider,
    resource_type: marker.resourceType,
    account_id: marker.accountId,
    region: marker.region,
    scan_id: marker.scanId,
    previous_scan_id: previous.scanId,
  };
  for (const [token, now] of current) {
    const before = previous.resources.get(token);
    const resource_id = decodeToken(token);
    if (before === undefined) {
      out.push({ change: "created", ...base, resource_id, seq: now.seq });
    } else if (compareContentHashes(before.hash, now.hash) === "modified") {
      // A hash of another scheme (an upgrade between the two scans) says nothing: no change.
      out.push({
        change: "modified",
        ...base,
        resource_id,
        seq: now.seq,
        previous_seq: before.seq,
      });
    }
  }
  for (const [token, before] of previous.resources) {
    if (!current.has(token)) {
      out.push({
        change: "disappeared",
        ...base,
        resource_id: decodeToken(token),
        seq: before.seq,
      });
    }
  }
  return out;
}

function decode(data: Uint8Array): InfrastructureChangeEvent {
  return fromBinary(InfrastructureChangeEventSchema, data);
}

/** Reads a stored snapshot back by stream sequence; undefined when the stream no longer has it. */
export type SnapshotLoader = (seq: number) => Promise<Uint8Array | undefined>;

/**
 * Adds the field differences to modified changes, loading both snapshots by sequence. A
 * modified resource whose older snapshot the stream has since discarded keeps no
 * differences (its hash still proves the change).
 */
export async function withDifferences(
  changes: readonly Change[],
  load: SnapshotLoader,
): Promise<Change[]> {
  return mapConcurrent(changes, 32, async (c) => {
    if (c.change !== "modified" || c.previous_seq === undefined) return c;
    const [before, now] = await Promise.all([load(c.previous_seq), load(c.seq)]);
    if (before === undefined || now === undefined) return c;
    return { ...c, differences: diffSnapshots(decode(before), decode(now)) };
  });
}

/** Loads snapshots from a stream by sequence. */
export function streamLoader(nc: NatsConnection, stream: string): SnapshotLoader {
  const jsm = jetstreamManager(nc);
  return async (seq) => {
    const manager = await jsm;
    const stored = await manager.streams.getMessage(stream, { seq }).catch(() => null);
    return stored?.data;
  };
}

/** Options of a change derivation. */
export interface ChangesOptions {
  /**
   * Which changes to report: those revealed by markers from this point on (usually a time,
   * `--since 24h`). The stream is read from its start regardless; see the module comment.
   */
  readonly start: StartAt;
  readonly signal?: AbortSignal;
}

/** Whether a marker message falls in the reported window. */
function inWindow(start: StartAt, msg: JsMsg): boolean {
  switch (start.kind) {
    case "all":
    case "last-per-subject":
      return true;
    case "new":
      return false;
    case "sequence":
      return msg.seq >= start.sequence;
    case "time":
      return msg.info.timestampNanos / 1e6 >= start.time.getTime();
  }
}

/** What a derivation over the stream found. */
export interface ChangesResult {
  readonly changes: Change[];
  readonly reports: PartitionScanReport[];
}

/** Reads the stream from `start` to its end and derives the changes. */
export async function deriveChanges(
  nc: NatsConnection,
  location: StreamLocation,
  options: ChangesOptions,
): Promise<ChangesResult> {
  const deriver = new ChangeDeriver(location.prefix);
  const changes: Change[] = [];
  for await (const m of readStream(nc, {
    stream: location.stream,
    filterSubjects: [everything(location.prefix)],
    start: { kind: "all" },
    bounded: true,
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    for (const c of deriver.add(m, inWindow(options.start, m))) changes.push(c);
  }
  return {
    changes: await withDifferences(changes, streamLoader(nc, location.stream)),
    reports: deriver.reports,
  };
}

/** One JSON object per change. */
export function changeJsonLine(c: Change): string {
  return jsonText(c);
}

/** Changes as a table, then the partitions nothing was derived from. */
export function formatChanges(result: ChangesResult): string {
  const rows: string[][] = [
    ["CHANGE", "RESOURCE TYPE", "ACCOUNT", "REGION", "RESOURCE", "SCAN", "FIELDS"],
  ];
  for (const c of result.changes) {
    const fields = (c.differences ?? [])
      .map((d) => `${d.path}: ${jsonText(d.old)} -> ${jsonText(d.new)}`)
      .join("; ");
    rows.push([
      c.change,
      c.resource_type,
      c.account_id,
      c.region,
      c.resource_id,
      c.scan_id,
      fields,
    ]);
  }
  const lines = table(rows);
  const skipped = result.reports.filter(
    (r) => r.outcome === "failed" || r.outcome === "incomplete",
  );
  for (const r of skipped) {
    const why =
      r.outcome === "failed"
        ? `FAILED (${r.error ?? ""})`
        : `incomplete: ${r.seen} of ${r.expected} snapshots seen`;
    lines.push(`nothing derived for ${r.partition} scan ${r.scan_id}: ${why}`);
  }
  const counts = { created: 0, modified: 0, disappeared: 0 };
  for (const c of result.changes) counts[c.change]++;
  lines.push(
    `${counts.created} created, ${counts.modified} modified, ${counts.disappeared} disappeared; ${skipped.length} partition scans skipped`,
  );
  return lines.join("\n");
}
