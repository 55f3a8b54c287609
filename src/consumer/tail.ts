/** Tail: snapshots and markers of the stream as they arrive, decoded, one line each. */
import { toJson } from "@bufbuild/protobuf";
import type { NatsConnection } from "@nats-io/transport-node";
import { encodeToken } from "../contract/subject.ts";
import { InfrastructureChangeEventSchema } from "../gen/elava/v1/event_pb.ts";
import { PartitionScannedSchema, ScanStatus } from "../gen/elava/v1/marker_pb.ts";
import { type Decoded, decodeMessage } from "./decode.ts";
import { jsonText } from "./format.ts";
import { readStream, type StartAt, type StreamLocation } from "./reader.ts";

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

/** Options of a tail. */
export interface TailOptions extends TailFilter {
  readonly start: StartAt;
  readonly signal?: AbortSignal;
  /** Stop at the end of the stream instead of following it. */
  readonly bounded?: boolean;
}

/** Decoded messages of the stream, in order, until `signal` aborts. */
export async function* tail(
  nc: NatsConnection,
  location: StreamLocation,
  options: TailOptions,
): AsyncGenerator<Decoded> {
  for await (const m of readStream(nc, {
    stream: location.stream,
    filterSubjects: tailSubjects(location.prefix, options),
    start: options.start,
    bounded: options.bounded ?? false,
    batch: 256,
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    const d = decodeMessage(location.prefix, m);
    const where = d.kind === "snapshot" ? d.event : d.marker;
    if (options.accountId !== undefined && where.accountId !== options.accountId) continue;
    if (options.region !== undefined && where.region !== options.region) continue;
    yield d;
  }
}

/** One JSON line: the message's protobuf JSON plus `kind`, `seq` and `subject`. */
export function jsonLine(d: Decoded): string {
  const body =
    d.kind === "snapshot"
      ? toJson(InfrastructureChangeEventSchema, d.event)
      : toJson(PartitionScannedSchema, d.marker);
  return jsonText({ kind: d.kind, seq: d.seq, subject: d.subject, ...(body as object) });
}

/** One compact line for a terminal. */
export function compactLine(d: Decoded): string {
  if (d.kind === "snapshot") {
    const e = d.event;
    const name =
      e.resourceName !== "" && e.resourceName !== e.resourceId ? ` "${e.resourceName}"` : "";
    return `#${d.seq} snapshot ${e.resourceType} ${e.accountId}/${e.region} ${e.resourceId}${name} scan=${e.scanId} ${e.contentHash.slice(0, 19)}`;
  }
  const m = d.marker;
  const status = ScanStatus[m.status] ?? String(m.status);
  const error = m.error !== "" ? ` error="${m.error}"` : "";
  return `#${d.seq} marker   ${m.resourceType} ${m.accountId}/${m.region} ${status} count=${m.resourceCount} scan=${m.scanId}${error}`;
}
