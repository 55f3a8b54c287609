/**
 * History: every version of one resource the stream still holds, with the field
 * differences from one version to the next, and whether the resource is in the inventory
 * now (the derivation of inventory.ts, run for its partition alone).
 *
 * The stream keeps the last `max_msgs_per_subject` snapshots of each resource, one per
 * scan that saw it; consecutive snapshots with the same content hash are one version.
 * A resource is found by id through the server's subject index (any resource the stream
 * holds), or else by name or ARN among the resources of the current inventory.
 */
import { toJson } from "@bufbuild/protobuf";
import { compareContentHashes } from "../contract/content-hash.ts";
import { encodeToken } from "../contract/subject.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";
import { type BadMessages, decodeMessage, subjectParts } from "./decode.ts";
import { type Difference, diffSnapshots } from "./diff.ts";
import { jsonText } from "./format.ts";
import { type PartitionState, planInventory, resourceKey } from "./inventory.ts";
import type { LineWriter } from "./output.ts";
import type { StreamReader } from "./reader.ts";

/** What identifies the resource: its id, ARN or name, narrowed by type, account, region. */
export interface HistoryQuery {
  readonly text: string;
  readonly resourceType?: string;
  readonly accountId?: string;
  readonly region?: string;
}

/** How a resource was found. */
export type MatchedBy = "id" | "arn" | "name";

/** The subjects of the resources a query names. */
export async function findResources(
  reader: StreamReader,
  query: HistoryQuery,
  bad: BadMessages,
  signal?: AbortSignal,
): Promise<{ subjects: string[]; by: MatchedBy | undefined }> {
  const { prefix } = reader.location;
  const token = (v: string | undefined) => v ?? "*";
  if (query.text !== "") {
    const filter = [
      prefix,
      "*",
      token(query.resourceType),
      token(query.accountId),
      token(query.region),
      encodeToken(query.text),
    ].join(".");
    const byId = [...(await reader.subjectCounts(filter)).keys()].sort();
    if (byId.length > 0) return { subjects: byId, by: "id" };
  }
  const matches = new Map<string, MatchedBy>();
  await planInventory(reader, {
    bad,
    ...(signal ? { signal } : {}),
    onMember: (msg, p, facts) => {
      if (query.resourceType !== undefined && p.parts.resourceType !== query.resourceType) return;
      if (query.accountId !== undefined && p.parts.accountId !== query.accountId) return;
      if (query.region !== undefined && p.parts.region !== query.region) return;
      if (facts.arn === query.text) matches.set(msg.subject, "arn");
      else if (facts.resourceName === query.text) matches.set(msg.subject, "name");
    },
  });
  const subjects = [...matches.keys()].sort();
  return { subjects, by: subjects.length === 0 ? undefined : matches.get(subjects[0] as string) };
}

/** One version of a resource: consecutive snapshots with the same content. */
export interface Version {
  readonly n: number;
  readonly contentHash: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly firstScan: string;
  readonly lastScan: string;
  readonly snapshots: number;
  /** Differences from the previous version (none for the first). */
  readonly differences: readonly Difference[];
  /** The version's first snapshot. */
  readonly event: InfrastructureChangeEvent;
}

/** Where the resource stands in the inventory now. */
export interface Presence {
  readonly state: "present" | "gone" | "unknown";
  readonly why: string;
}

function presenceOf(p: PartitionState | undefined, present: boolean): Presence {
  if (p === undefined)
    return { state: "unknown", why: "its partition has no marker and no snapshot in the read" };
  if (present) {
    return {
      state: "present",
      why:
        p.status === "ok"
          ? `in the inventory (its partition's latest scan ${p.basis?.marker.scanId} is OK)`
          : `in the inventory, ${p.describe()}`,
    };
  }
  if (p.status === "ok") {
    const b = p.basis;
    return {
      state: "gone",
      why: `gone: its partition's latest OK scan ${b?.marker.scanId} (stored ${b ? new Date(b.storedAt).toISOString() : "?"}) does not list it`,
    };
  }
  return { state: "unknown", why: `not in the inventory, and its partition is ${p.describe()}` };
}

/** Reads one resource's snapshots and groups them into versions, calling `onVersion` as each closes. */
export async function resourceHistory(
  reader: StreamReader,
  subject: string,
  bad: BadMessages,
  onVersion: (v: Version) => Promise<void>,
  signal?: AbortSignal,
): Promise<{ versions: number; snapshots: number; presence: Presence }> {
  const { prefix } = reader.location;
  let current:
    | (Omit<Version, "lastSeq" | "lastSeen" | "lastScan" | "snapshots"> & {
        lastSeq: number;
        lastSeen: number;
        lastScan: string;
        snapshots: number;
        last: InfrastructureChangeEvent;
      })
    | undefined;
  let versions = 0;
  let snapshots = 0;
  const close = async () => {
    if (current === undefined) return;
    const { last: _last, ...v } = current;
    await onVersion(v);
  };
  for await (const m of reader.read({
    filter: subject,
    start: { kind: "all" },
    purpose: `the snapshots of ${subject}`,
    batch: 256,
    ...(signal ? { signal } : {}),
  })) {
    const d = decodeMessage(prefix, m);
    if (d.kind === "bad") {
      bad.add(d);
      continue;
    }
    if (d.kind !== "snapshot") continue;
    snapshots++;
    const e = d.event;
    if (current !== undefined) {
      if (e.contentHash === current.contentHash) {
        current.lastSeq = d.seq;
        current.lastSeen = d.storedAt;
        current.lastScan = e.scanId;
        current.snapshots++;
        current.last = e;
        continue;
      }
      const differences = diffSnapshots(current.last, e);
      if (
        differences.length === 0 &&
        compareContentHashes(current.contentHash, e.contentHash) === "different-scheme"
      ) {
        // Only the hash scheme changed: the same version.
        current.lastSeq = d.seq;
        current.lastSeen = d.storedAt;
        current.lastScan = e.scanId;
        current.snapshots++;
        current.last = e;
        continue;
      }
      await close();
      current = undefined;
      versions++;
      current = newVersion(versions, d.seq, d.storedAt, e, differences);
      continue;
    }
    versions++;
    current = newVersion(versions, d.seq, d.storedAt, e, []);
  }
  await close();
  const parts = subjectParts(prefix, subject);
  let presence: Presence = { state: "unknown", why: "its subject is not the contract's" };
  if (typeof parts !== "string") {
    const plan = await planInventory(reader, {
      bad,
      partition: parts.partition,
      ...(signal ? { signal } : {}),
    });
    const p = plan.partitions.get(parts.partition);
    presence = presenceOf(p, p?.members.has(resourceKey(prefix, subject)) === true);
  }
  return { versions, snapshots, presence };
}

function newVersion(
  n: number,
  seq: number,
  storedAt: number,
  e: InfrastructureChangeEvent,
  differences: readonly Difference[],
) {
  return {
    n,
    contentHash: e.contentHash,
    firstSeq: seq,
    lastSeq: seq,
    firstSeen: storedAt,
    lastSeen: storedAt,
    firstScan: e.scanId,
    lastScan: e.scanId,
    snapshots: 1,
    differences,
    event: e,
    last: e,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const iso = (ms: number) => (Number.isNaN(ms) ? "?" : new Date(ms).toISOString());

/** The heading line of a resource's history. */
export function resourceHeading(
  subject: string,
  event: InfrastructureChangeEvent | undefined,
): string {
  if (event === undefined) return subject;
  const name =
    event.resourceName !== "" && event.resourceName !== event.resourceId
      ? ` "${event.resourceName}"`
      : "";
  const arn = event.arn !== "" && event.arn !== event.resourceId ? ` ${event.arn}` : "";
  return `${event.provider} ${event.resourceType} ${event.accountId} ${event.region} ${event.resourceId}${name}${arn}`;
}

/** A version as text lines. */
export function versionTextLines(v: Version): string[] {
  const span = v.snapshots === 1 ? iso(v.firstSeen) : `${iso(v.firstSeen)} .. ${iso(v.lastSeen)}`;
  const lines = [
    `  version ${v.n}  ${span}  ${v.snapshots} snapshot${v.snapshots === 1 ? "" : "s"} (sequence ${v.firstSeq}${v.snapshots === 1 ? "" : `..${v.lastSeq}`})  ${v.contentHash.slice(0, 19)}`,
  ];
  for (const d of v.differences)
    lines.push(`      ${d.path}: ${jsonText(d.old)} -> ${jsonText(d.new)}`);
  return lines;
}

/** A version as a JSON line, with its first snapshot's protobuf JSON. */
export function versionJsonLine(subject: string, v: Version): string {
  return jsonText({
    kind: "version",
    subject,
    version: v.n,
    content_hash: v.contentHash,
    first_seen: iso(v.firstSeen),
    last_seen: iso(v.lastSeen),
    first_scan_id: v.firstScan,
    last_scan_id: v.lastScan,
    first_seq: v.firstSeq,
    last_seq: v.lastSeq,
    snapshots: v.snapshots,
    differences: v.differences,
    snapshot: toJson(InfrastructureChangeEventSchema, v.event),
  });
}

/** Writes the history of every resource a query names; returns how many were found. */
export async function writeHistory(
  reader: StreamReader,
  query: HistoryQuery,
  out: LineWriter,
  json: boolean,
  bad: BadMessages,
  signal?: AbortSignal,
): Promise<number> {
  const { subjects, by } = await findResources(reader, query, bad, signal);
  for (const subject of subjects) {
    if (out.closed) break;
    let heading = false;
    const result = await resourceHistory(
      reader,
      subject,
      bad,
      async (v) => {
        if (!heading && !json) {
          heading = true;
          await out.line(resourceHeading(subject, v.event));
        }
        if (json) await out.line(versionJsonLine(subject, v));
        else for (const line of versionTextLines(v)) await out.line(line);
      },
      signal,
    );
    if (json) {
      await out.line(
        jsonText({
          kind: "resource",
          subject,
          matched_by: by,
          versions: result.versions,
          snapshots: result.snapshots,
          now: result.presence.state,
          why: result.presence.why,
        }),
      );
    } else {
      if (!heading) await out.line(subject);
      await out.line(`  now: ${result.presence.why}`);
      await out.line(
        `  ${plural(result.versions, "version")} in ${plural(result.snapshots, "snapshot")} the stream holds`,
      );
    }
  }
  return subjects.length;
}
