/**
 * The current inventory, derived from the stream by the contract's rules: the one
 * derivation `replay`, `graph`, `history` and `changes` share.
 *
 * The rules (docs/stream-contract.md, "Deriving changes" and "Replay"):
 *
 * - A partition's state is its latest OK marker *in stream order* (its basis) and the
 *   resources with a snapshot from the basis's scan, the newest such snapshot of each.
 *   Scan ids are never compared: two scanners, or a slow scan overtaken by a newer one,
 *   overlap in one partition, and the marker stored last wins.
 * - A FAILED marker after the basis, or snapshots after it that no OK marker closes (an
 *   interrupted scan, or one still running), leave that set as it is and make the
 *   partition *unconfirmed*: nothing a later scan did not finish can prove anything gone.
 * - An OK marker whose count differs from the snapshots of its scan still stored (per-
 *   subject limits, max_bytes, max_age removed some) makes the partition *incomplete*:
 *   the stored ones are listed and nothing is gone.
 * - A partition with no OK marker stored is *unknown*: the latest snapshot of each of its
 *   resources is listed, flagged.
 *
 * How it reads (the first pass, `planInventory`): every snapshot of a scan lies between
 * the scan's start in that partition and its marker. The newest scan's window is read
 * first, from the newest marker's scan start to the end of the stream (`readNewestScan`),
 * keeping each partition's markers in stream order and its snapshots by scan; it settles
 * every partition whose markers all lie in it (the server's subject index counts them)
 * and whose basis began inside it, which after a complete scan is nearly all of them.
 * The rest are read markers first, as every partition once was: one get per partition
 * fetches its latest marker (only one that is not OK has its earlier markers read), and
 * then just the time windows of those scans are read, merged where they touch. Reading
 * markers first for every partition made nats-server 2.9 load and index every message
 * block once for the gets and again for the read (docs/benchmarks.md). A read of the
 * latest snapshot of every subject (DeliverPolicy.LastPerSubject) would be simpler, but
 * the server's work to start one grows with every message the stream holds, and a stream
 * keeps many scans of each resource (docs/stream-contract.md, Replay, gives the
 * measurement). The newest window is read to the end of the stream, which also shows what
 * scans still running or interrupted have published. `graph` and `history` read markers
 * first: they need each member as it is found.
 *
 * Per resource only a 64-bit hash of its subject and the sequence of its snapshot are
 * kept (compact.ts). A tool that needs the content reads the windows again
 * (`inventorySnapshots`), decoding only the snapshots that belong to the inventory.
 */

import { ulidTime } from "../contract/ids.ts";
import type { PartitionScanned } from "../gen/elava/v1/marker_pb.ts";
import { ScanStatus } from "../gen/elava/v1/marker_pb.ts";
import { mapConcurrent } from "../util/concurrency.ts";
import { type Hash64, hash64, SeqTable } from "./compact.ts";
import {
  type BadMessages,
  checkMessage,
  type SnapshotFacts,
  type StreamMessage,
  type SubjectParts,
  storedAtMs,
  subjectParts,
} from "./decode.ts";
import { allMarkers, everything, type StreamReader } from "./reader.ts";

/** How far the contract lets a consumer trust a partition's resources. */
export type PartitionStatus = "ok" | "unconfirmed" | "incomplete" | "unknown";

/** The verdict on one partition's scan, from its marker and the snapshots stored for it. */
export type ScanVerdict = "complete" | "incomplete" | "failed";

/** A marker's verdict: FAILED, or OK with `stored` snapshots of its scan against its count. */
export function judgeScan(marker: PartitionScanned, stored: number): ScanVerdict {
  if (marker.status !== ScanStatus.OK) return "failed";
  return Number(marker.resourceCount) === stored ? "complete" : "incomplete";
}

/** A marker as the derivation keeps it. */
export interface MarkerSeen {
  readonly seq: number;
  /** When the server stored it (ms since the epoch). */
  readonly storedAt: number;
  readonly marker: PartitionScanned;
}

/** Snapshots of a scan are stored at most this long before the scan's own start, and ... */
const CLOCK_MARGIN_MS = 60_000;
/** ... windows closer than this are read as one. */
const WINDOW_GAP_MS = 5 * 60_000;

/** The earliest a snapshot of the marker's scan can have been stored, in server time. */
export function scanStartEstimate(m: MarkerSeen): number {
  const started = m.marker.startedAt;
  const finished = m.marker.finishedAt;
  const duration =
    started !== undefined && finished !== undefined
      ? Math.max(
          0,
          (Number(finished.seconds) - Number(started.seconds)) * 1000 +
            (finished.nanos - started.nanos) / 1e6,
        )
      : 0;
  return m.storedAt - duration - CLOCK_MARGIN_MS;
}

/** One partition of the inventory. */
export class PartitionState {
  /** The latest marker in stream order (any status); undefined when none is stored. */
  latest: MarkerSeen | undefined;
  /** The latest OK marker in stream order: whose scan the resources come from. */
  basis: MarkerSeen | undefined;
  /** Snapshots after the basis that no OK marker closes (a scan interrupted or running). */
  laterSnapshots = false;
  /** Members: subject hash -> sequence of the snapshot that represents the resource. */
  members = new SeqTable();
  /** Which read holds the members (an index into `InventoryPlan.windows`). */
  window = -1;

  constructor(
    /** The marker subject, e.g. `elava.aws.vpc.123456789012.us-east-1`. */
    readonly subject: string,
    readonly parts: Omit<SubjectParts, "token">,
  ) {}

  get status(): PartitionStatus {
    if (this.basis === undefined) return "unknown";
    if (this.members.size !== Number(this.basis.marker.resourceCount)) return "incomplete";
    if (this.laterSnapshots || this.latest !== this.basis) return "unconfirmed";
    return "ok";
  }

  /** Resources its basis marker counts (undefined without a basis). */
  get expected(): number | undefined {
    return this.basis === undefined ? undefined : Number(this.basis.marker.resourceCount);
  }

  /** Resources listed. */
  get found(): number {
    return this.members.size;
  }

  /** Why the partition is not `ok`, for people. */
  describe(): string {
    const b = this.basis;
    const l = this.latest;
    switch (this.status) {
      case "ok":
        return `OK, scan ${b?.marker.scanId}`;
      case "unknown":
        return l === undefined
          ? "no marker stored (its scans were interrupted, or are running)"
          : `no OK marker stored; the latest is FAILED (${l.marker.error})`;
      case "incomplete":
        return `incomplete: scan ${b?.marker.scanId} counted ${this.expected}, ${this.found} of them are stored`;
      case "unconfirmed":
        return l !== b && l !== undefined
          ? `unconfirmed: the latest scan FAILED (${l.marker.error}); resources of scan ${b?.marker.scanId}`
          : `unconfirmed: a later scan published snapshots without a marker (interrupted, or still running); resources of scan ${b?.marker.scanId}`;
    }
  }
}

/** A time range of the stream read to find members. */
export interface InventoryWindow {
  /** Server time of the first message that can belong to it. */
  readonly from: number;
  /** The last sequence it reads. */
  readonly until: number;
}

/** The first pass's result: every partition, its status and members, and where they are. */
export interface InventoryPlan {
  readonly partitions: ReadonlyMap<string, PartitionState>;
  readonly windows: readonly InventoryWindow[];
  /** Messages read by the first pass. */
  readonly messagesRead: number;
}

/** Options of the first pass. */
export interface PlanOptions {
  readonly bad: BadMessages;
  /** Only this partition (its marker subject): `history` of one resource. */
  readonly partition?: string;
  readonly signal?: AbortSignal;
  /** Called for every member as it is found (graph: indexes that need the payload). */
  readonly onMember?: (msg: StreamMessage, partition: PartitionState, facts: SnapshotFacts) => void;
  /**
   * Read the newest scan's window before any marker (`readNewestScan`); on unless
   * `partition` or `onMember` is set, which need the markers first. Off, every partition's
   * latest marker is fetched first, as before (the tests compare the two).
   */
  readonly newestFirst?: boolean;
}

const scratch: Hash64 = { hi: 0, lo: 0 };

/** The key of a resource: a hash of its subject after the prefix. */
export function resourceKey(prefix: string, subject: string, out: Hash64 = scratch): Hash64 {
  return hash64(subject.slice(prefix.length + 1), out);
}

async function latestMarkers(
  reader: StreamReader,
  subject: string,
  parts: Omit<SubjectParts, "token">,
  bad: BadMessages,
  signal: AbortSignal | undefined,
): Promise<PartitionState | undefined> {
  const { prefix } = reader.location;
  const state = new PartitionState(subject, parts);
  const accept = (msg: StreamMessage): MarkerSeen | undefined => {
    const c = checkMessage(prefix, msg);
    if (c.kind === "marker") return { seq: msg.seq, storedAt: storedAtMs(msg), marker: c.marker };
    bad.add({
      seq: msg.seq,
      subject: msg.subject,
      reason: c.kind === "bad" ? c.reason : "a snapshot on a marker subject",
    });
    return undefined;
  };
  const last = await reader.lastOn(subject);
  if (last === undefined) return undefined;
  const seen = last.seq <= reader.endSeq ? accept(last) : undefined;
  if (seen !== undefined && seen.marker.status === ScanStatus.OK) {
    state.latest = seen;
    state.basis = seen;
    return state;
  }
  // The latest marker is FAILED, bad or newer than the read: read the partition's markers.
  for await (const m of reader.read({
    filter: subject,
    start: { kind: "all" },
    purpose: `the markers of ${subject}`,
    batch: 256,
    ...(signal ? { signal } : {}),
  })) {
    const marker = accept(m);
    if (marker === undefined) continue;
    state.latest = marker;
    if (marker.marker.status === ScanStatus.OK) state.basis = marker;
  }
  // Only bad messages on the marker subject: not a partition (unless snapshots say so).
  return state.latest === undefined ? undefined : state;
}

/**
 * When the newest scan began, in server time: the newest marker's time less the scan's
 * age at that marker (its scan id is a ULID of the scan's start), less the clock margin.
 * Undefined when the marker does not tell (a scan id that is not a ULID, no finish time).
 */
export function newestScanStart(m: MarkerSeen): number | undefined {
  const finished = m.marker.finishedAt;
  if (finished === undefined) return undefined;
  let started: number;
  try {
    started = ulidTime(m.marker.scanId).getTime();
  } catch {
    return undefined;
  }
  const age = Number(finished.seconds) * 1000 + finished.nanos / 1e6 - started;
  return m.storedAt - Math.max(0, age) - CLOCK_MARGIN_MS;
}

/** What the read of the newest scan settled, and where it read. */
interface NewestScan {
  readonly window: InventoryWindow;
  /** Partitions settled, by marker subject: nothing more needs reading for them. */
  readonly settled: Map<string, PartitionState>;
  readonly messagesRead: number;
}

/** One partition as the read of the newest scan sees it. */
export class SeenInWindow {
  /** Messages on its marker subject in the window, bad ones included. */
  markerMessages = 0;
  /** Its snapshots in the window, by scan id: hash -> sequence. */
  readonly scans = new Map<string, SeqTable>();
  /** Scans whose OK marker has been read: a later snapshot of theirs is no member. */
  readonly closed = new Set<string>();
  lastSnapshot = 0;
  /** A snapshot of a scan after that scan's OK marker: only the markers-first read can say. */
  reopened = false;
  constructor(readonly state: PartitionState) {}
}

/**
 * Reads the window of the newest scan (from the newest marker's scan start to the end)
 * before any other marker, keeping each partition's markers in stream order and its
 * snapshots by scan, and settles every partition whose markers all lie in it (the
 * subject index's count of its marker subject says so) and whose basis scan began inside
 * it: such a partition's latest marker, basis, members and later snapshots are what the
 * markers-first read would find, from one read instead of a marker fetch per partition
 * and a second read. The rest (a partition the newest scan did not list, or whose basis
 * is older) is left to the markers-first read. A partition with no marker at all lists
 * the latest snapshot of each resource in the window.
 */
async function readNewestScan(
  reader: StreamReader,
  markerCounts: ReadonlyMap<string, number>,
  bad: BadMessages,
  signal: AbortSignal | undefined,
): Promise<NewestScan | undefined> {
  const { prefix } = reader.location;
  const newest = await reader.lastOn(allMarkers(prefix));
  if (newest === undefined || newest.seq > reader.endSeq) return undefined;
  const checked = checkMessage(prefix, newest);
  if (checked.kind !== "marker") return undefined;
  const from = newestScanStart({
    seq: newest.seq,
    storedAt: storedAtMs(newest),
    marker: checked.marker,
  });
  if (from === undefined || !Number.isFinite(from)) return undefined;

  const seen = new Map<string, SeenInWindow>();
  const seenOf = (parts: Omit<SubjectParts, "token">): SeenInWindow => {
    let s = seen.get(parts.partition);
    if (s === undefined) {
      s = new SeenInWindow(new PartitionState(parts.partition, parts));
      seen.set(parts.partition, s);
    }
    return s;
  };
  const key: Hash64 = { hi: 0, lo: 0 };
  let messagesRead = 0;
  for await (const m of reader.read({
    filter: everything(prefix),
    start: { kind: "time", time: new Date(Math.max(0, from)) },
    until: reader.endSeq,
    purpose: "reading the newest scan",
    ...(signal ? { signal } : {}),
  })) {
    messagesRead++;
    const c = checkMessage(prefix, m);
    if (c.kind === "bad") {
      bad.add({ seq: m.seq, subject: m.subject, reason: c.reason });
      // A bad message on a marker subject counts among that subject's messages.
      const parts = markerCounts.has(m.subject) ? subjectParts(prefix, m.subject) : undefined;
      if (parts !== undefined && typeof parts !== "string") seenOf(parts).markerMessages++;
      continue;
    }
    const s = seenOf(c.parts);
    if (c.kind === "marker") {
      s.markerMessages++;
      const marker: MarkerSeen = { seq: m.seq, storedAt: storedAtMs(m), marker: c.marker };
      s.state.latest = marker;
      if (c.marker.status === ScanStatus.OK) {
        s.state.basis = marker;
        s.closed.add(c.marker.scanId);
      }
      continue;
    }
    s.lastSnapshot = m.seq;
    resourceKey(prefix, m.subject, key);
    if (!markerCounts.has(c.parts.partition)) {
      // No marker stored at all: unknown, the latest snapshot of each resource.
      s.state.members.set(key, m.seq);
      continue;
    }
    if (s.closed.has(c.scanId)) {
      s.reopened = true;
      continue;
    }
    let table = s.scans.get(c.scanId);
    if (table === undefined) {
      table = new SeqTable();
      s.scans.set(c.scanId, table);
    }
    table.set(key, m.seq);
  }

  const settled = settleFromWindow(seen, markerCounts, from);
  return { window: { from, until: reader.endSeq }, settled, messagesRead };
}

/**
 * The partitions a read of the window from `from` to the end settles, as the
 * markers-first read would: every message on a partition's marker subject is in the
 * window (`markerCounts`, from the subject index, says how many there are), no snapshot
 * of a scan came after that scan's OK marker, and its basis (or, without one, its latest
 * FAILED marker) began inside the window. A partition with no marker subject at all is
 * settled as unknown with the latest snapshot of each resource.
 */
export function settleFromWindow(
  seen: ReadonlyMap<string, SeenInWindow>,
  markerCounts: ReadonlyMap<string, number>,
  from: number,
): Map<string, PartitionState> {
  const settled = new Map<string, PartitionState>();
  for (const [subject, s] of seen) {
    const p = s.state;
    const stored = markerCounts.get(subject);
    if (stored !== undefined) {
      if (s.markerMessages !== stored || s.reopened || p.latest === undefined) continue;
      const b = p.basis;
      // Began at or after the window's start (the estimate holds the clock margin too).
      if (scanStartEstimate(b ?? p.latest) + CLOCK_MARGIN_MS < from) continue;
      if (b !== undefined) {
        p.members = s.scans.get(b.marker.scanId) ?? p.members;
        p.laterSnapshots = s.lastSnapshot > b.seq;
      } else {
        // Only FAILED markers, all of them here: unknown, the latest snapshot of each.
        p.members = latestOfEach(s.scans.values());
      }
    }
    settled.set(subject, p);
  }
  return settled;
}

/** One table of the latest sequence of each key across `tables`. */
function latestOfEach(tables: Iterable<SeqTable>): SeqTable {
  const out = new SeqTable();
  const key: Hash64 = { hi: 0, lo: 0 };
  for (const t of tables) {
    for (const i of t.slots()) {
      const { seq } = t.read(i, key);
      if (seq > out.seqOf(key)) out.set(key, seq);
    }
  }
  return out;
}

/**
 * The first pass: finds every partition's basis, status and members (see the module
 * comment). Bad messages are reported to `options.bad` and never counted.
 */
export async function planInventory(
  reader: StreamReader,
  options: PlanOptions,
): Promise<InventoryPlan> {
  const { prefix } = reader.location;
  const { bad, signal } = options;
  const markerCounts = await reader.subjectCounts(options.partition ?? allMarkers(prefix));
  const newestFirst =
    (options.newestFirst ?? true) &&
    options.partition === undefined &&
    options.onMember === undefined;
  const newest = newestFirst ? await readNewestScan(reader, markerCounts, bad, signal) : undefined;
  const settled = newest?.settled ?? new Map<string, PartitionState>();
  const subjects = [...markerCounts.keys()].filter((s) => !settled.has(s));
  const partitions = new Map<string, PartitionState>();
  // Direct gets are cheap for the server; many in flight hide the round trips.
  const states = await mapConcurrent(subjects, 64, async (subject) => {
    const parts = subjectParts(prefix, subject);
    if (typeof parts === "string") {
      const last = await reader.lastOn(subject);
      if (last !== undefined && last.seq <= reader.endSeq) {
        bad.add({ seq: last.seq, subject, reason: parts });
      }
      return undefined;
    }
    return latestMarkers(reader, subject, parts, bad, signal);
  });
  for (const s of states) if (s !== undefined) partitions.set(s.subject, s);

  // The window of each partition's basis (or, without one, of its latest FAILED scan).
  const spans = [...partitions.values()]
    .map((p) => {
      const m = p.basis ?? p.latest;
      return m === undefined
        ? undefined
        : { p, from: scanStartEstimate(m), to: m.storedAt, seq: m.seq };
    })
    .filter((s) => s !== undefined)
    .sort((a, b) => a.from - b.from);
  const windows: { from: number; to: number; until: number }[] = [];
  for (const s of spans) {
    const w = windows.at(-1);
    if (w !== undefined && s.from <= w.to + WINDOW_GAP_MS) {
      w.to = Math.max(w.to, s.to);
      w.until = Math.max(w.until, s.seq);
    } else {
      windows.push({ from: s.from, to: s.to, until: s.seq });
    }
    s.p.window = windows.length - 1;
  }
  // The newest window runs to the end: later scans, and partitions with no marker yet.
  // After the newest scan's read only the partitions it left need reading, if any.
  const last = windows.at(-1);
  if (last !== undefined) last.until = reader.endSeq;
  else if (newest === undefined && reader.endSeq > 0) {
    windows.push({ from: 0, to: 0, until: reader.endSeq });
  }
  const main = windows.length - 1;

  let messagesRead = newest?.messagesRead ?? 0;
  const filter = options.partition ? `${options.partition}.*` : everything(prefix);
  const key: Hash64 = { hi: 0, lo: 0 };
  for (let w = 0; w < windows.length; w++) {
    const window = windows[w] as (typeof windows)[number];
    for await (const m of reader.read({
      filter,
      start: window.from > 0 ? { kind: "time", time: new Date(window.from) } : { kind: "all" },
      until: window.until,
      purpose: w === main ? "reading the latest scans" : "reading an earlier scan",
      ...(signal ? { signal } : {}),
    })) {
      messagesRead++;
      const c = checkMessage(prefix, m);
      if (c.kind === "bad") {
        bad.add({ seq: m.seq, subject: m.subject, reason: c.reason });
        continue;
      }
      if (c.kind === "marker" || settled.has(c.parts.partition)) continue;
      let p = partitions.get(c.parts.partition);
      if (p === undefined) {
        // Snapshots of a partition with no marker stored at all.
        p = new PartitionState(c.parts.partition, c.parts);
        p.window = w;
        partitions.set(p.subject, p);
      }
      if (p.window !== w) {
        if (w > p.window && p.basis !== undefined && m.seq > p.basis.seq) p.laterSnapshots = true;
        continue;
      }
      resourceKey(prefix, m.subject, key);
      if (p.basis !== undefined) {
        if (m.seq > p.basis.seq) {
          p.laterSnapshots = true;
          continue;
        }
        if (c.scanId !== p.basis.marker.scanId) continue;
      }
      // In stream order, so a later snapshot of the same resource replaces an earlier one.
      p.members.set(key, m.seq);
      options.onMember?.(m, p, c);
    }
  }
  const planned: InventoryWindow[] = windows.map((w) => ({ from: w.from, until: w.until }));
  if (newest !== undefined && settled.size > 0) {
    // The newest scan's window is read again by the second pass for what it settled.
    for (const [subject, p] of settled) {
      p.window = planned.length;
      partitions.set(subject, p);
    }
    planned.push(newest.window);
  }
  return { partitions, windows: planned, messagesRead };
}

/** A member of the inventory, read again by the second pass. */
export interface InventoryMember {
  readonly msg: StreamMessage;
  readonly partition: PartitionState;
}

/**
 * The second pass: every member's snapshot, in stream order within each window. Members
 * the stream no longer holds (removed by its limits since the first pass) are counted in
 * `missing`.
 */
export async function* inventorySnapshots(
  reader: StreamReader,
  plan: InventoryPlan,
  options: { readonly signal?: AbortSignal; readonly partition?: string } = {},
): AsyncGenerator<InventoryMember> {
  const { prefix } = reader.location;
  const filter = options.partition ? `${options.partition}.*` : everything(prefix);
  const key: Hash64 = { hi: 0, lo: 0 };
  for (let w = 0; w < plan.windows.length; w++) {
    const window = plan.windows[w] as InventoryWindow;
    for await (const m of reader.read({
      filter,
      start: window.from > 0 ? { kind: "time", time: new Date(window.from) } : { kind: "all" },
      until: window.until,
      purpose: "reading the inventory's snapshots",
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      const cut = m.subject.lastIndexOf(".");
      const p = plan.partitions.get(m.subject.slice(0, cut));
      if (p === undefined || p.window !== w) continue;
      if (p.members.seqOf(resourceKey(prefix, m.subject, key)) !== m.seq) continue;
      yield { msg: m, partition: p };
    }
  }
}

/** Counts of an inventory, for summaries. */
export interface InventoryCounts {
  readonly resources: number;
  readonly partitions: number;
  readonly byStatus: Readonly<Record<PartitionStatus, number>>;
  /** Resources the incomplete partitions' markers count but the stream no longer holds. */
  readonly missing: number;
}

export function inventoryCounts(plan: InventoryPlan): InventoryCounts {
  const byStatus: Record<PartitionStatus, number> = {
    ok: 0,
    unconfirmed: 0,
    incomplete: 0,
    unknown: 0,
  };
  let resources = 0;
  let missing = 0;
  for (const p of plan.partitions.values()) {
    byStatus[p.status]++;
    resources += p.found;
    if (p.status === "incomplete") missing += Math.max(0, (p.expected ?? 0) - p.found);
  }
  return { resources, partitions: plan.partitions.size, byStatus, missing };
}
