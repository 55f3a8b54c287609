/**
 * Change derivation, exactly as docs/stream-contract.md "Deriving changes" says, with the
 * verdict on each scan (`judgeScan`) shared with replay.
 *
 * Snapshots are grouped per partition and scan as they are read. On a partition's marker
 * (scan S, count N) the snapshots of S seen are P's new set, but only when the marker is
 * OK and exactly N were seen; then previous set minus new = disappeared, new minus
 * previous = created, same resource with a new content hash = modified. A FAILED marker
 * means "unknown" and an incomplete scan cannot be trusted: both are reported, derive
 * nothing, and leave the previous set as it was, so the next complete scan is compared
 * with the last complete one. Scans overlap freely (two scanners, a slow scan overtaken):
 * each marker closes its own scan's snapshots, and scan ids are never compared.
 *
 * Memory: per resource a 64-bit hash of its subject, 64 bits of its content hash, its
 * scheme and its stream sequence, in typed arrays (compact.ts), for the previous set and
 * the scans in progress. A change's resource id, name and field differences come from
 * fetching its snapshots back by sequence when the change is written, so only changes
 * cost reads, and output streams marker by marker.
 *
 * The window (`--since`) says which changes to report; reading starts earlier, far enough
 * back (about two scan intervals, estimated from the markers) that each partition's first
 * scan in the window is compared with the scan before it. The stream must still hold that
 * far back, or the command says how far it reaches and which setting extends it.
 */
import { contentHashScheme } from "../contract/content-hash.ts";
import { decodeToken } from "../contract/subject.ts";
import { mapConcurrent } from "../util/concurrency.ts";
import { formatDuration } from "../util/units.ts";
import { type Hash64, hash64, Interner, SeqTable } from "./compact.ts";
import {
  type BadMessages,
  checkMessage,
  decodeSnapshot,
  type StreamMessage,
  storedAtMs,
} from "./decode.ts";
import { type Difference, diffSnapshots } from "./diff.ts";
import { jsonText } from "./format.ts";
import { judgeScan, resourceKey } from "./inventory.ts";
import type { LineWriter } from "./output.ts";
import {
  allMarkers,
  everything,
  type StartAt,
  StreamReadError,
  type StreamReader,
} from "./reader.ts";

/** A change derived for one resource. */
export interface Change {
  readonly change: "created" | "modified" | "disappeared";
  readonly provider: string;
  readonly resource_type: string;
  readonly resource_id: string;
  readonly resource_name?: string;
  readonly account_id: string;
  readonly region: string;
  /** The scan whose marker revealed the change. */
  readonly scan_id: string;
  /** The complete scan it was compared with. */
  readonly previous_scan_id: string;
  /** When the marker that revealed it was stored. */
  readonly stored_at?: string;
  /** Stream sequence of the snapshot showing the change (the last one seen, when disappeared). */
  readonly seq: number;
  /** For modified: stream sequence of the snapshot it was compared with. */
  readonly previous_seq?: number;
  /** For modified: the field differences, sorted by path. */
  readonly differences?: readonly Difference[];
}

/** What happened to one partition's scan. */
export interface PartitionScanReport {
  readonly partition: string;
  readonly scan_id: string;
  /**
   * derived: compared with the previous complete scan; baseline: the first complete scan
   * read, nothing to compare with; failed: FAILED marker; incomplete: fewer (or more)
   * snapshots seen than the marker counts.
   */
  readonly outcome: "derived" | "baseline" | "failed" | "incomplete";
  readonly expected: number;
  readonly seen: number;
  readonly seq: number;
  readonly error?: string;
}

/** A change before its resource is fetched back: which sequences show it. */
export interface ChangeCandidate {
  readonly change: Change["change"];
  readonly seq: number;
  readonly previousSeq?: number;
}

/** What one marker completed. */
export interface MarkerOutcome {
  readonly report: PartitionScanReport;
  readonly marker: {
    readonly provider: string;
    readonly resourceType: string;
    readonly accountId: string;
    readonly region: string;
    readonly scanId: string;
  };
  readonly previousScanId: string;
  readonly storedAt: number;
  readonly candidates: readonly ChangeCandidate[];
  /** Resources whose content hash changed only its scheme: not modified. */
  readonly rehashed: number;
}

interface ScanSet {
  readonly table: SeqTable;
  /** When its last snapshot in the partition was stored (server time). */
  lastStoredAt: number;
}

/**
 * A scan silent this long in a partition while another scan's marker arrives there was
 * interrupted: it is forgotten, so interrupted scans do not accumulate. (A live scan lists
 * a partition page by page and publishes within the 60 s publish deadline; stream order
 * alone cannot tell a paused scan from a dead one.)
 */
const ABANDONED_AFTER_MS = 60 * 60_000;

interface PartitionTrack {
  previous: { scanId: string; table: SeqTable } | undefined;
  readonly scans: Map<string, ScanSet>;
}

/** Derives changes from messages in stream order. Pure, so tests can feed it directly. */
export class ChangeDeriver {
  readonly #partitions = new Map<string, PartitionTrack>();
  readonly #schemes = new Interner();
  readonly #key: Hash64 = { hi: 0, lo: 0 };
  readonly #digest: Hash64 = { hi: 0, lo: 0 };

  constructor(
    readonly prefix: string,
    private readonly bad: BadMessages,
  ) {}

  #lastScheme = "";
  #lastSchemeId = -1;

  /** The interned scheme of a content hash; the last one is remembered (they rarely vary). */
  #scheme(contentHash: string): number {
    const last = this.#lastScheme;
    if (
      this.#lastSchemeId >= 0 &&
      contentHash.startsWith(last) &&
      contentHash.lastIndexOf(":") === last.length
    ) {
      return this.#lastSchemeId;
    }
    const text = contentHashScheme(contentHash);
    const id = this.#schemes.id(text);
    if (id > 255) throw new Error("more than 256 content hash schemes in one stream");
    this.#lastScheme = text;
    this.#lastSchemeId = id;
    return id;
  }

  #track(partition: string): PartitionTrack {
    let t = this.#partitions.get(partition);
    if (t === undefined) {
      t = { previous: undefined, scans: new Map() };
      this.#partitions.set(partition, t);
    }
    return t;
  }

  /** The resources of a partition's last complete scan (tests compare it with replay). */
  currentSet(partition: string): { scanId: string; seqs: Float64Array } | undefined {
    const p = this.#partitions.get(partition)?.previous;
    return p === undefined ? undefined : { scanId: p.scanId, seqs: p.table.sortedSeqs() };
  }

  /** Feeds one message; returns what a marker completed (undefined otherwise). */
  add(msg: StreamMessage): MarkerOutcome | undefined {
    const c = checkMessage(this.prefix, msg);
    if (c.kind === "bad") {
      this.bad.add({ seq: msg.seq, subject: msg.subject, reason: c.reason });
      return undefined;
    }
    if (c.kind === "snapshot") {
      const track = this.#track(c.parts.partition);
      let scan = track.scans.get(c.scanId);
      if (scan === undefined) {
        scan = { table: new SeqTable(true), lastStoredAt: 0 };
        track.scans.set(c.scanId, scan);
      }
      scan.lastStoredAt = storedAtMs(msg);
      const scheme = this.#scheme(c.contentHash);
      digestOf(c.contentHash, c.contentHash.lastIndexOf(":") + 1, this.#digest);
      scan.table.set(
        resourceKey(this.prefix, msg.subject, this.#key),
        msg.seq,
        this.#digest,
        scheme,
      );
      return undefined;
    }
    const m = c.marker;
    const track = this.#track(c.parts.partition);
    const current = track.scans.get(m.scanId);
    track.scans.delete(m.scanId);
    const now = storedAtMs(msg);
    for (const [scanId, s] of track.scans) {
      if (now - s.lastStoredAt > ABANDONED_AFTER_MS) track.scans.delete(scanId);
    }
    const table = current?.table ?? new SeqTable(true);
    const verdict = judgeScan(m, table.size);
    const report = {
      partition: c.parts.partition,
      scan_id: m.scanId,
      expected: Number(m.resourceCount),
      seen: table.size,
      seq: msg.seq,
    };
    const base = {
      marker: m,
      storedAt: storedAtMs(msg),
      candidates: [] as ChangeCandidate[],
      rehashed: 0,
    };
    if (verdict === "failed") {
      return {
        ...base,
        previousScanId: "",
        report: { ...report, outcome: "failed", error: m.error },
      };
    }
    if (verdict === "incomplete") {
      return { ...base, previousScanId: "", report: { ...report, outcome: "incomplete" } };
    }
    const previous = track.previous;
    track.previous = { scanId: m.scanId, table };
    if (previous === undefined) {
      return { ...base, previousScanId: "", report: { ...report, outcome: "baseline" } };
    }
    const { candidates, rehashed } = derive(previous.table, table);
    return {
      ...base,
      candidates,
      rehashed,
      previousScanId: previous.scanId,
      report: { ...report, outcome: "derived" },
    };
  }
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * 64 bits of a content hash's digest (the text from `from`): its first 16 hex digits, or
 * a hash of the digest when it is not hex.
 */
function digestOf(hash: string, from: number, out: Hash64): Hash64 {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 16; i++) {
    const d = hexDigit(hash.charCodeAt(from + i));
    if (d < 0) return hash64(hash.slice(from), out);
    if (i < 8) hi = hi * 16 + d;
    else lo = lo * 16 + d;
  }
  out.hi = hi >>> 0;
  out.lo = lo >>> 0;
  return out;
}

function derive(
  previous: SeqTable,
  current: SeqTable,
): { candidates: ChangeCandidate[]; rehashed: number } {
  const candidates: ChangeCandidate[] = [];
  let rehashed = 0;
  const key: Hash64 = { hi: 0, lo: 0 };
  const now: Hash64 = { hi: 0, lo: 0 };
  const before: Hash64 = { hi: 0, lo: 0 };
  for (const i of current.slots()) {
    const cur = current.read(i, key, now);
    const j = previous.find(key);
    if (j === -1) {
      candidates.push({ change: "created", seq: cur.seq });
      continue;
    }
    const prev = previous.read(j, undefined, before);
    if (prev.tag !== cur.tag) {
      // Hashes of two schemes (an upgrade between the scans) say nothing: no change, as
      // compareContentHashes (contract/content-hash.ts) rules.
      rehashed++;
    } else if (prev.seq !== cur.seq && (before.hi !== now.hi || before.lo !== now.lo)) {
      candidates.push({ change: "modified", seq: cur.seq, previousSeq: prev.seq });
    }
  }
  for (const i of previous.slots()) {
    const prev = previous.read(i, key);
    if (current.find(key) === -1) candidates.push({ change: "disappeared", seq: prev.seq });
  }
  candidates.sort((a, b) => a.seq - b.seq);
  return { candidates, rehashed };
}

/** Whether a marker falls in the reported window. */
function inWindow(since: StartAt, outcome: MarkerOutcome): boolean {
  switch (since.kind) {
    case "all":
    case "last-per-subject":
      return true;
    case "new":
      return false;
    case "sequence":
      return outcome.report.seq >= since.sequence;
    case "time":
      return outcome.storedAt >= since.time.getTime();
  }
}

/** How far back the stream reaches, and why not further. */
export interface Coverage {
  /** Server time of the oldest point every partition's history reaches. */
  readonly reach: number;
  /** What limits it, for the error message. */
  readonly why: string;
  /** A partition limited there, as an example. */
  readonly example?: string;
  /** Partitions limited there. */
  readonly partitions: number;
}

/** What changes reads from, and what the markers say about the stream's history. */
interface ReadPlan {
  readonly start: StartAt;
  /** Median time between two scans of a partition, when the stream shows it. */
  readonly interval: number | undefined;
  readonly coverage: Coverage | undefined;
}

const CLOCK_MARGIN_MS = 60_000;

/**
 * Where to start reading for a window `since`, and whether the stream covers it. Uses the
 * server's subject index (marker subjects and their counts) and, per partition that has
 * as many markers as the per-subject limit keeps, a direct get of its oldest marker.
 */
async function readPlan(reader: StreamReader, since: StartAt, bad: BadMessages): Promise<ReadPlan> {
  const { prefix } = reader.location;
  if (since.kind === "all")
    return { start: { kind: "all" }, interval: undefined, coverage: undefined };
  const info = reader.info;
  const limit = info.config.max_msgs_per_subject ?? -1;
  const counts = await reader.subjectCounts(allMarkers(prefix));
  const subjects = [...counts.entries()];
  const oldestOf = (subject: string) => reader.nextOn(subject, info.state.first_seq);
  // Interval and scan duration from a sample of partitions with two or more markers.
  const sample = subjects.filter(([, n]) => n >= 2).slice(0, 16);
  const intervals: number[] = [];
  let longestScan = 0;
  await mapConcurrent(sample, 8, async ([subject, n]) => {
    const [first, last] = await Promise.all([oldestOf(subject), reader.lastOn(subject)]);
    if (first === undefined || last === undefined) return;
    const a = storedAtMs(first);
    const b = storedAtMs(last);
    if (n > 1 && b > a) intervals.push((b - a) / (n - 1));
    const c = checkMessage(prefix, last);
    if (c.kind === "marker") {
      const s = c.marker.startedAt;
      const f = c.marker.finishedAt;
      if (s && f)
        longestScan = Math.max(longestScan, (Number(f.seconds) - Number(s.seconds)) * 1000);
    } else if (c.kind === "bad") {
      bad.add({ seq: last.seq, subject, reason: c.reason });
    }
  });
  intervals.sort((x, y) => x - y);
  const interval = intervals.length > 0 ? intervals[Math.floor(intervals.length / 2)] : undefined;

  const windowStart =
    since.kind === "time"
      ? since.time.getTime()
      : since.kind === "sequence"
        ? ((await reader.get(Math.max(since.sequence, info.state.first_seq)))?.info
            ?.timestampNanos ?? 0) / 1e6
        : Date.now();

  // Coverage: partitions that keep as many markers as the per-subject limit, then the
  // stream's head (removed by age, size or a purge).
  let coverage: Coverage | undefined;
  const firstTs = Date.parse(info.state.first_ts);
  if (limit > 0) {
    const full = subjects.filter(([, n]) => n >= limit).map(([s]) => s);
    let latest = Number.NEGATIVE_INFINITY;
    let example: string | undefined;
    let limited = 0;
    await mapConcurrent(full, 32, async (subject) => {
      const first = await oldestOf(subject);
      if (first === undefined) return;
      const t = storedAtMs(first);
      const beyond = since.kind === "sequence" ? first.seq > since.sequence : t > windowStart;
      if (!beyond) return;
      limited++;
      if (t > latest) {
        latest = t;
        example = subject;
      }
    });
    if (limited > 0) {
      const keep =
        interval === undefined
          ? ""
          : `, i.e. ${formatDuration(limit * interval)} at the ${formatDuration(interval)} between its scans`;
      coverage = {
        reach: latest,
        why: `it keeps ${limit} messages per subject (--stream-max-msgs-per-subject, stream.max_msgs_per_subject in a config file), so ${limit} markers of each partition${keep}`,
        partitions: limited,
        ...(example !== undefined ? { example } : {}),
      };
    }
  }
  const trimmedHead = info.state.first_seq > 1;
  const headBeyond =
    since.kind === "sequence" ? since.sequence < info.state.first_seq : firstTs > windowStart;
  if (coverage === undefined && trimmedHead && headBeyond) {
    const limits = [
      info.config.max_age > 0
        ? `max_age ${formatDuration(info.config.max_age / 1e6)} (--stream-max-age)`
        : "",
      info.config.max_bytes > 0 ? `max_bytes ${info.config.max_bytes} (--stream-max-bytes)` : "",
      info.config.max_msgs > 0 ? `max_msgs ${info.config.max_msgs}` : "",
      limit > 0 ? `max_msgs_per_subject ${limit} (--stream-max-msgs-per-subject)` : "",
    ].filter((x) => x !== "");
    coverage = {
      reach: firstTs,
      why: `its oldest message is from then (sequence ${info.state.first_seq}); what is older was removed by its limits (${limits.join(", ") || "none is set"}) or by a purge`,
      partitions: counts.size,
    };
  }
  // Start far enough back that each partition's first scan in the window has the scan
  // before it: two intervals and the longest scan.
  const lookback =
    interval === undefined ? undefined : 2 * interval + longestScan + CLOCK_MARGIN_MS;
  const from = lookback === undefined ? Number.NEGATIVE_INFINITY : windowStart - lookback;
  const start: StartAt =
    Number.isFinite(from) && from > firstTs
      ? { kind: "time", time: new Date(from) }
      : { kind: "all" };
  return { start, interval, coverage };
}

/** `changes --since` asked for more history than the stream holds. */
export class ShallowHistoryError extends StreamReadError {}

function shallowHistory(
  since: string,
  coverage: Coverage,
  interval: number | undefined,
  now: number,
): ShallowHistoryError {
  const ago = Math.max(1000, now - coverage.reach);
  const agoText = formatDuration(
    ago < 60_000 ? Math.round(ago / 1000) * 1000 : Math.round(ago / 60_000) * 60_000,
  );
  const keep =
    interval === undefined
      ? ""
      : ` At the ${formatDuration(interval)} between scans, --stream-max-msgs-per-subject N keeps about N x ${formatDuration(interval)} (applied to the stream by 'elava stream' or the next scan).`;
  return new ShallowHistoryError(
    `changes --since ${since}: the stream reaches back only to ${new Date(coverage.reach).toISOString()} (${agoText} ago) for ${coverage.partitions} partitions${coverage.example ? ` (e.g. ${coverage.example})` : ""}: ${coverage.why}. Ask for --since ${agoText} or less, or keep more history.${keep}`,
  );
}

/** Counts of a derivation, for the summary. */
export interface ChangesSummary {
  created: number;
  modified: number;
  disappeared: number;
  /** Complete scans compared with the one before them, in the window. */
  derived: number;
  failed: number;
  incomplete: number;
  /** Complete scans in the window with no complete scan read before them. */
  baseline: number;
  rehashed: number;
  bad_messages: number;
}

/** Options of a derivation. */
export interface ChangesOptions {
  /** Which changes to report: those revealed by markers from this point on. */
  readonly since: StartAt;
  /** The text the user gave for `since`, for messages. */
  readonly sinceText: string;
  readonly bad: BadMessages;
  readonly signal?: AbortSignal;
  /** Called for every change, in stream order of the markers that reveal them. */
  readonly onChange: (change: Change) => Promise<void> | void;
  /** Called for every FAILED or incomplete scan in the window. */
  readonly onSkipped?: (report: PartitionScanReport) => Promise<void> | void;
}

/**
 * Reads the stream and derives the changes of the window; throws ShallowHistoryError
 * (before reporting anything) when the stream does not reach back to `since`.
 */
export async function deriveChanges(
  reader: StreamReader,
  options: ChangesOptions,
): Promise<ChangesSummary> {
  const { bad, signal } = options;
  const plan = await readPlan(reader, options.since, bad);
  if (plan.coverage !== undefined)
    throw shallowHistory(options.sinceText, plan.coverage, plan.interval, Date.now());
  const deriver = new ChangeDeriver(reader.location.prefix, bad);
  const summary: ChangesSummary = {
    created: 0,
    modified: 0,
    disappeared: 0,
    derived: 0,
    failed: 0,
    incomplete: 0,
    baseline: 0,
    rehashed: 0,
    bad_messages: 0,
  };
  for await (const m of reader.read({
    filter: everything(reader.location.prefix),
    start: plan.start,
    purpose: "reading scans",
    ...(signal ? { signal } : {}),
  })) {
    const outcome = deriver.add(m);
    if (outcome === undefined || !inWindow(options.since, outcome)) continue;
    const r = outcome.report;
    if (r.outcome === "failed" || r.outcome === "incomplete") {
      summary[r.outcome]++;
      await options.onSkipped?.(r);
      continue;
    }
    if (r.outcome === "baseline") {
      summary.baseline++;
      continue;
    }
    summary.derived++;
    summary.rehashed += outcome.rehashed;
    // A partition's changes are fetched back a chunk at a time, so a partition with a
    // hundred thousand changes does not hold them all before writing.
    for (let i = 0; i < outcome.candidates.length && !signal?.aborted; i += RESOLVE_CHUNK) {
      for (const c of await resolve(
        reader,
        outcome,
        outcome.candidates.slice(i, i + RESOLVE_CHUNK),
        bad,
      )) {
        summary[c.change]++;
        await options.onChange(c);
        if (signal?.aborted) break;
      }
    }
    if (signal?.aborted) break;
  }
  summary.bad_messages = bad.count;
  return summary;
}

const RESOLVE_CHUNK = 256;

/** Fetches some of a marker's changes back: resource ids and names, field differences. */
async function resolve(
  reader: StreamReader,
  outcome: MarkerOutcome,
  candidates: readonly ChangeCandidate[],
  bad: BadMessages,
): Promise<Change[]> {
  const m = outcome.marker;
  const base = {
    provider: m.provider,
    resource_type: m.resourceType,
    account_id: m.accountId,
    region: m.region,
    scan_id: m.scanId,
    previous_scan_id: outcome.previousScanId,
    ...(Number.isNaN(outcome.storedAt)
      ? {}
      : { stored_at: new Date(outcome.storedAt).toISOString() }),
  };
  const load = async (seq: number) => {
    const msg = await reader.get(seq);
    if (msg === undefined) return { id: undefined, event: undefined };
    const id = msg.subject.slice(msg.subject.lastIndexOf(".") + 1);
    const event = decodeSnapshot(msg.data);
    if (typeof event === "string") {
      bad.add({ seq, subject: msg.subject, reason: event });
      return { id, event: undefined };
    }
    return { id, event };
  };
  return mapConcurrent(candidates, 32, async (c): Promise<Change> => {
    const now = await load(c.seq);
    const before = c.previousSeq === undefined ? undefined : await load(c.previousSeq);
    const event = now.event ?? before?.event;
    const resourceId =
      event?.resourceId ??
      (now.id !== undefined ? decodeToken(now.id) : `(sequence ${c.seq} is no longer stored)`);
    const change: Change = {
      change: c.change,
      ...base,
      resource_id: resourceId,
      ...(event !== undefined && event.resourceName !== "" && event.resourceName !== resourceId
        ? { resource_name: event.resourceName }
        : {}),
      seq: c.seq,
      ...(c.previousSeq !== undefined ? { previous_seq: c.previousSeq } : {}),
    };
    if (c.change === "modified" && now.event !== undefined && before?.event !== undefined) {
      return { ...change, differences: diffSnapshots(before.event, now.event) };
    }
    return change;
  });
}

/** One JSON object per change. */
export function changeJsonLine(c: Change): string {
  return jsonText({ kind: "change", ...c });
}

/** One JSON object per skipped scan. */
export function skippedJsonLine(r: PartitionScanReport): string {
  return jsonText({ kind: "skipped", ...r });
}

const WORD: Record<Change["change"], string> = {
  created: "created    ",
  modified: "modified   ",
  disappeared: "disappeared",
};

/**
 * A change as text: one line (change, type, account, region, resource, name), then one
 * indented line per field difference. No column is padded to the widest value, so a long
 * ARN costs its own line and no other.
 */
export function changeTextLines(c: Change): string[] {
  const name = c.resource_name !== undefined ? ` "${c.resource_name}"` : "";
  const lines = [
    `${WORD[c.change]}  ${c.resource_type} ${c.account_id} ${c.region}  ${c.resource_id}${name}`,
  ];
  for (const d of c.differences ?? []) {
    lines.push(`    ${d.path}: ${jsonText(d.old)} -> ${jsonText(d.new)}`);
  }
  return lines;
}

/** A skipped scan as text. */
export function skippedTextLine(r: PartitionScanReport): string {
  const why =
    r.outcome === "failed"
      ? `FAILED (${r.error ?? ""})`
      : `incomplete: ${r.seen} of ${r.expected} snapshots stored`;
  return `skipped      ${r.partition} scan ${r.scan_id}: ${why}; nothing derived`;
}

/** The summary as text. */
export function summaryText(s: ChangesSummary, since: string): string {
  const notes = [
    s.failed + s.incomplete > 0
      ? `${s.failed} FAILED and ${s.incomplete} incomplete partition scans, nothing derived from them`
      : "",
    s.baseline > 0
      ? `${s.baseline} partition scans were the first complete scan of their partition read, with nothing before them to compare`
      : "",
    s.rehashed > 0
      ? `${s.rehashed} resources only changed their content hash scheme (not modified)`
      : "",
    `${s.bad_messages} bad messages skipped`,
  ].filter((n) => n !== "");
  return `${s.created} created, ${s.modified} modified, ${s.disappeared} disappeared since ${since}, from ${s.derived} partition scans; ${notes.join("; ")}`;
}

/** Writes changes and skipped scans as they come: text or JSON lines. */
export function changesWriter(out: LineWriter, json: boolean) {
  return {
    onChange: async (c: Change) => {
      if (json) await out.line(changeJsonLine(c));
      else for (const line of changeTextLines(c)) await out.line(line);
    },
    onSkipped: async (r: PartitionScanReport) => {
      await out.line(json ? skippedJsonLine(r) : skippedTextLine(r));
    },
  };
}
