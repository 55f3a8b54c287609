/**
 * Tail: messages of the stream as they arrive, decoded, one line each, like tail(1): the
 * last few messages already in the stream first, then new ones as they are stored.
 */
import { toJson } from "@bufbuild/protobuf";
import { encodeToken } from "../contract/subject.ts";
import { InfrastructureChangeEventSchema } from "../gen/elava/v1/event_pb.ts";
import { PartitionScannedSchema, ScanStatus } from "../gen/elava/v1/marker_pb.ts";
import { type BadMessages, type Decoded, decodeMessage, type StreamMessage } from "./decode.ts";
import { jsonText } from "./format.ts";
import type { StartAt, StreamReader } from "./reader.ts";

/** Which resources to tail; each absent field matches everything. */
export interface TailFilter {
  readonly provider?: string;
  readonly resourceType?: string;
  readonly accountId?: string;
  readonly region?: string;
  /** A resource id (not a subject token): snapshots of that resource only, no markers. */
  readonly resourceId?: string;
}

/**
 * The filter subject of a tail: `<prefix>.>` without a filter, one resource's subject
 * with an id, and otherwise `<prefix>.<provider>.<type>.>`: it holds both snapshots and
 * markers with one filter (servers before 2.10 take only one), and `tail` narrows account
 * and region on the client.
 */
export function tailSubjects(prefix: string, filter: TailFilter = {}): string[] {
  const { provider, resourceType, accountId, region, resourceId } = filter;
  if ([provider, resourceType, accountId, region, resourceId].every((v) => v === undefined)) {
    return [`${prefix}.>`];
  }
  const token = (name: string, v: string | undefined) => {
    if (v === undefined) return "*";
    if (v === "" || /[.*>\s]/u.test(v)) {
      throw new Error(
        `--${name} "${v}" cannot be matched: it must be non-empty, without ".", "*", ">" or spaces`,
      );
    }
    return v;
  };
  const account = token("account", accountId);
  const reg = token("region", region);
  const head = [prefix, token("provider", provider), token("type", resourceType)].join(".");
  if (resourceId !== undefined) return [`${head}.${account}.${reg}.${encodeToken(resourceId)}`];
  return [`${head}.>`];
}

/** Whether a message's subject passes the account and region narrowed on the client. */
function narrowed(prefix: string, subject: string, filter: TailFilter): boolean {
  if (filter.accountId === undefined && filter.region === undefined) return true;
  const tokens = subject.slice(prefix.length + 1).split(".");
  if (filter.accountId !== undefined && tokens[2] !== filter.accountId) return false;
  if (filter.region !== undefined && tokens[3] !== filter.region) return false;
  return true;
}

/** Options of a tail. */
export interface TailOptions extends TailFilter {
  /** Where to start; absent: the last `last` messages, then new ones. */
  readonly start?: StartAt;
  /** Without `start`: how many messages already in the stream to show first. */
  readonly last?: number;
  readonly bad: BadMessages;
  readonly signal?: AbortSignal;
  /** Stop at the end of the stream instead of following it. */
  readonly bounded?: boolean;
}

/** How far back `tail` looks for the last messages that match a narrowing filter. */
export const TAIL_LOOKBACK = 100_000;

/**
 * The sequences of the last `n` messages matching the filter: exact without a filter;
 * with one, the last `n` among the stream's latest TAIL_LOOKBACK messages (read without
 * their payloads).
 */
async function lastMatching(
  reader: StreamReader,
  filter: string,
  options: TailOptions,
  n: number,
): Promise<number[]> {
  const { prefix } = reader.location;
  const end = reader.endSeq;
  const first = reader.info.state.first_seq;
  if (n <= 0 || end === 0) return [];
  if (filter === `${prefix}.>`) {
    const from = Math.max(first, end - n + 1);
    return Array.from({ length: end - from + 1 }, (_, i) => from + i);
  }
  const ring: number[] = [];
  for await (const m of reader.read({
    filter,
    start: { kind: "sequence", sequence: Math.max(first, end - TAIL_LOOKBACK + 1) },
    headersOnly: true,
    purpose: "finding the last messages",
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    if (!narrowed(prefix, m.subject, options)) continue;
    ring.push(m.seq);
    if (ring.length > n) ring.shift();
  }
  return ring;
}

/** Decoded messages of the stream, in order; bad ones are yielded as `bad` and recorded. */
export async function* tail(reader: StreamReader, options: TailOptions): AsyncGenerator<Decoded> {
  const { prefix } = reader.location;
  const [filter = `${prefix}.>`] = tailSubjects(prefix, options);
  const decode = (m: StreamMessage): Decoded => {
    const d = decodeMessage(prefix, m);
    if (d.kind === "bad") options.bad.add(d);
    return d;
  };
  let start = options.start;
  if (start === undefined) {
    for (const seq of await lastMatching(reader, filter, options, options.last ?? 10)) {
      if (options.signal?.aborted) return;
      const m = await reader.get(seq);
      if (m?.subject.startsWith(`${prefix}.`)) yield decode(m);
    }
    if (options.bounded) return;
    start = { kind: "sequence", sequence: reader.endSeq + 1 };
  }
  for await (const m of reader.read({
    filter,
    start,
    follow: options.bounded !== true,
    batch: 256,
    purpose: "tailing",
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    if (!narrowed(prefix, m.subject, options)) continue;
    yield decode(m);
  }
}

function storedAtText(ms: number): Record<string, string> {
  return Number.isNaN(ms) ? {} : { stored_at: new Date(ms).toISOString() };
}

/** One JSON line: the message's protobuf JSON plus `kind`, `seq`, `subject` and `stored_at`. */
export function jsonLine(d: Decoded): string {
  const head = { kind: d.kind, seq: d.seq, subject: d.subject, ...storedAtText(d.storedAt) };
  if (d.kind === "bad") return jsonText({ ...head, kind: "bad_message", reason: d.reason });
  const body =
    d.kind === "snapshot"
      ? toJson(InfrastructureChangeEventSchema, d.event)
      : toJson(PartitionScannedSchema, d.marker);
  return jsonText({ ...head, ...(body as object) });
}

/** One readable line for a terminal. */
export function textLine(d: Decoded): string {
  const time = Number.isNaN(d.storedAt)
    ? ""
    : `${new Date(d.storedAt).toISOString().slice(11, 19)} `;
  const at = `${time}#${d.seq}`;
  if (d.kind === "bad") return `${at} BAD ${d.subject}: ${d.reason}`;
  if (d.kind === "snapshot") {
    const e = d.event;
    const name =
      e.resourceName !== "" && e.resourceName !== e.resourceId ? ` "${e.resourceName}"` : "";
    return `${at} snapshot ${e.resourceType} ${e.accountId} ${e.region} ${e.resourceId}${name} ${e.contentHash.slice(0, 19)}`;
  }
  const m = d.marker;
  const status = ScanStatus[m.status] ?? String(m.status);
  const error = m.error !== "" ? `: ${m.error}` : "";
  return `${at} marker   ${m.resourceType} ${m.accountId} ${m.region} ${status} ${m.resourceCount} resources, scan ${m.scanId}${error}`;
}
