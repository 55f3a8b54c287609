/**
 * Encoding of snapshots and markers, and the content hash.
 *
 * A snapshot's bytes are two concatenated protobuf encodings of the same
 * `InfrastructureChangeEvent` (protobuf parsers merge fields in any order):
 *
 *   stable part   every field that describes the resource: provider, account, region,
 *                 type, id, name, ARN, tags (entries in sorted key order), the payload
 *   scan part     the envelope's volatile fields, which change on every scan: id,
 *                 observed_at, scan_id, scan_started_at, and content_hash
 *
 * The content hash (scheme `sha256-v3`, content-hash.ts) is the hex SHA-256 of the stable
 * part as the canonical writer (wire.ts) puts it: map entries in sorted key order,
 * unordered lists in canonical order, and the payload's volatile fields left out. Map
 * entries are written in sorted key order by hand because JavaScript objects enumerate
 * integer-like keys ("2", "10") before the others whatever the insertion order; every
 * other field is written in field-number order, as protobuf-es writes it. Maps are
 * allowed only at the top level of the envelope and of a payload message, with string
 * keys and values; a test walks the schema to keep it so.
 *
 * Unordered lists are published in their canonical order too, so for a type with no
 * volatile field the hashed bytes are the published ones, hashed in place with no second
 * encoding. A type with volatile fields (RDS instances, subnets, target groups, Auto
 * Scaling groups) writes its payload twice: once without the volatile fields, which is
 * hashed and dropped, then in full for publishing.
 *
 * This is the hot path of a scan (every resource passes here once), so the envelope's
 * plain fields are written straight to a WireWriter (wire.ts) rather than through
 * `create()` + `toBinary()`, and the bytes every snapshot of a scan shares (scan id, scan
 * start) are encoded once per scan: that took encoding from about 30 to under 10 µs per
 * snapshot. Payloads are written into the same writer by a writer compiled per message
 * schema (wire.ts), the stable part is hashed in place, and the snapshot's bytes come
 * from Node's Buffer pool (docs/benchmarks.md has the cost per snapshot). Tests decode
 * every snapshot and compare it with the message built by `create()`, and compare
 * payload bytes with `toBinary()`.
 */
import { hash } from "node:crypto";
import { create, type Message, toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ChangeType,
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";
import { type PartitionScanned, PartitionScannedSchema } from "../gen/elava/v1/marker_pb.ts";
import { CONTENT_HASH_SCHEME } from "./content-hash.ts";
import { CONTENT_TYPE_PROTOBUF, Header } from "./headers.ts";
import { UlidFactory } from "./ids.ts";
import { RESOURCE_TYPES, type ResourcePayload } from "./resource-types.ts";
import { anyFieldWithin } from "./schema-rules.ts";
import { encodeToken, type PartitionKey, partitionId, partitionSubject } from "./subject.ts";
import {
  canonicalBinary,
  type MessageRecord,
  messageWriter,
  WireWriter,
  writeSortedMap,
  writeString,
  writeTimestamp,
} from "./wire.ts";

/** One resource as a provider observed it: identity, tags and typed payload. */
export interface ObservedResource {
  /** The natural id (see `InfrastructureChangeEvent.resource_id`). */
  readonly id: string;
  /** The Name tag, or the natural name. */
  readonly name: string;
  /** The ARN, or "" where the resource has none. */
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly payload: ResourcePayload;
}

/** What every snapshot of one scan shares. */
export interface ScanContext {
  readonly scanId: string;
  readonly scanStartedAt: Date;
  /** Subject prefix, `elava` by default. */
  readonly prefix: string;
}

/** A message ready to publish: subject, headers (name, value; in order) and bytes. */
export interface OutgoingMessage {
  readonly subject: string;
  readonly msgId: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly data: Uint8Array;
  /**
   * The same headers as NATS sends them (`NATS/1.0\r\nName: value\r\n...\r\n`), when the
   * encoder wrote them already; the publisher builds them from `headers` otherwise.
   */
  readonly headerBlock?: Uint8Array;
}

/** An encoded snapshot, with its content hash. */
export interface EncodedSnapshot extends OutgoingMessage {
  readonly contentHash: string;
}

export const SNAPSHOT_SCHEMA_NAME = InfrastructureChangeEventSchema.typeName;
export const MARKER_SCHEMA_NAME = PartitionScannedSchema.typeName;

const eventIds = new UlidFactory();

/**
 * How each payload is written: its field number, schema, compiled writer, and the writer
 * without volatile fields for its hash when it has any.
 */
const payloadFields = new Map(
  Object.values(RESOURCE_TYPES).map((t) => {
    const field = InfrastructureChangeEventSchema.fields.find((f) => f.localName === t.case);
    if (field?.fieldKind !== "message")
      throw new Error(`no message field for oneof case ${t.case}`);
    const schema = field.message;
    const write = messageWriter(schema, "publish");
    const volatile = anyFieldWithin(schema, (r) => r.volatile);
    if (write === undefined && anyFieldWithin(schema, (r) => r.volatile || r.unordered)) {
      throw new Error(
        `${schema.typeName} has a field kind wire.ts does not write and volatile or unordered fields: teach messageWriter that kind`,
      );
    }
    const hashWrite = volatile ? messageWriter(schema, "hash") : undefined;
    return [t.case, { number: field.number, schema, write, hashWrite }] as const;
  }),
);

/**
 * The envelope fields written after the hash, the scan part; a test checks that they are
 * exactly the envelope's volatile fields.
 */
export const SCAN_PART_FIELDS: readonly (keyof InfrastructureChangeEvent)[] = [
  "id",
  "observedAt",
  "scanId",
  "scanStartedAt",
  "contentHash",
];

/** Field numbers of the envelope, from the schema rather than repeated here. */
const F = Object.fromEntries(
  InfrastructureChangeEventSchema.fields.map((f) => [f.localName, f.number]),
) as Record<keyof InfrastructureChangeEvent, number>;

/**
 * One writer for every snapshot: it keeps the buffer it grew to, so encoding allocates
 * only the bytes it returns (a fresh writer grows 128 -> 256 -> 512 -> 1024 bytes for
 * each snapshot, which was a quarter of the encoding time). Encoding is synchronous, so
 * nothing else can use the writer in between.
 */
const writer = new WireWriter();

/** What every snapshot of a scan shares, encoded once per scan. */
interface ScanTemplate {
  /** The scan id and scan start fields of the envelope. */
  readonly fields: Uint8Array;
  /** The header block up to the msg id's subject part: `NATS/1.0\r\nNats-Msg-Id: <scan id>:`. */
  readonly headerStart: Uint8Array;
  /** From the end of the msg id to the content hash's value. */
  readonly headerMiddle: Uint8Array;
}

const HEADER_END = new TextEncoder().encode("\r\n\r\n");

const scanTemplates = new WeakMap<ScanContext, ScanTemplate>();

function scanTemplate(scan: ScanContext): ScanTemplate {
  let template = scanTemplates.get(scan);
  if (template === undefined) {
    const w = new WireWriter(256);
    writeString(w, F.scanId, scan.scanId);
    writeTimestamp(w, F.scanStartedAt, scan.scanStartedAt.getTime());
    assertHeaderValue(Header.ScanId, scan.scanId);
    const text = new TextEncoder();
    template = {
      fields: w.take(),
      headerStart: text.encode(`NATS/1.0\r\n${Header.MsgId}: ${scan.scanId}:`),
      headerMiddle: text.encode(
        `\r\n${Header.ContentType}: ${CONTENT_TYPE_PROTOBUF}\r\n${Header.Schema}: ${SNAPSHOT_SCHEMA_NAME}\r\n${Header.ScanId}: ${scan.scanId}\r\n${Header.ContentHash}: `,
      ),
    };
    scanTemplates.set(scan, template);
  }
  return template;
}

function assertHeaderValue(name: string, value: string): void {
  if (/[\r\n]/u.test(value)) {
    throw new Error(`header ${name} cannot contain a line break: ${JSON.stringify(value)}`);
  }
}

/** Encodes one resource of a partition as a snapshot of this scan. */
export function encodeSnapshot(
  scan: ScanContext,
  partition: PartitionKey,
  resource: ObservedResource,
  observedAt: Date = new Date(),
): EncodedSnapshot {
  const expected = RESOURCE_TYPES[partition.resourceType].case;
  if (resource.payload.case !== expected) {
    throw new Error(
      `resource ${resource.id} has a ${resource.payload.case} payload but belongs to partition ${partitionId(partition)}`,
    );
  }
  if (resource.id === "") {
    throw new Error(`a ${partition.resourceType} resource has no id; cannot publish it`);
  }
  const field = payloadFields.get(resource.payload.case);
  if (field === undefined) throw new Error(`unknown payload case ${resource.payload.case}`);

  const w = writer;
  w.tag(F.changeType, WireType.Varint).int32(ChangeType.SNAPSHOT);
  writeString(w, F.provider, partition.provider);
  writeString(w, F.accountId, partition.accountId);
  writeString(w, F.region, partition.region);
  writeString(w, F.resourceType, partition.resourceType);
  writeString(w, F.resourceId, resource.id);
  writeString(w, F.resourceName, resource.name);
  writeString(w, F.arn, resource.arn);
  writeSortedMap(w, F.tags, resource.tags);
  const payload = resource.payload.value as unknown as MessageRecord;
  let hashed: string | undefined;
  if (field.hashWrite !== undefined) {
    const stable = w.length;
    w.tag(field.number, WireType.LengthDelimited).fork();
    field.hashWrite(w, payload);
    w.join();
    hashed = hash("sha256", w.written(), "hex");
    w.truncate(stable);
  }
  if (field.write !== undefined) {
    w.tag(field.number, WireType.LengthDelimited).fork();
    field.write(w, payload);
    w.join();
  } else {
    w.tag(field.number, WireType.LengthDelimited).bytes(
      canonicalBinary(field.schema, payload as unknown as Message),
    );
  }
  const contentHash = `${CONTENT_HASH_SCHEME}:${hashed ?? hash("sha256", w.written(), "hex")}`;

  const template = scanTemplate(scan);
  const observedMs = observedAt.getTime();
  w.tag(F.id, WireType.LengthDelimited).bytes(eventIds.nextAscii(observedMs));
  writeTimestamp(w, F.observedAt, observedMs);
  w.raw(template.fields);
  writeString(w, F.contentHash, contentHash);
  const data = w.take();

  const subject = `${partitionPrefix(scan.prefix, partition)}${encodeToken(resource.id)}`;
  // The subject's tokens are percent-encoded (no whitespace), so the msg id needs no check.
  w.raw(template.headerStart)
    .text(subject.slice(scan.prefix.length + 1))
    .raw(template.headerMiddle)
    .text(contentHash)
    .raw(HEADER_END);
  return new Snapshot(subject, data, w.take(), scan);
}

/**
 * Each partition's subject and a dot, built once per partition rather than once per
 * snapshot (the partition key is the same object for every resource of a listing).
 */
const partitionPrefixes = new WeakMap<PartitionKey, { prefix: string; subjectDot: string }>();

function partitionPrefix(prefix: string, partition: PartitionKey): string {
  const cached = partitionPrefixes.get(partition);
  if (cached !== undefined && cached.prefix === prefix) return cached.subjectDot;
  const subjectDot = `${partitionSubject(prefix, partition)}.`;
  partitionPrefixes.set(partition, { prefix, subjectDot });
  return subjectDot;
}

/** The content hash's length: the scheme, a colon and 64 hex digits. */
const CONTENT_HASH_LENGTH = CONTENT_HASH_SCHEME.length + 1 + 64;
const latin1 = new TextDecoder("latin1");

/**
 * An encoded snapshot. Its header block is written by the encoder; the msg id, the header
 * pairs and the content hash, which the publisher does not need, are made only when asked
 * for: a snapshot waits for its ack longer than V8's young generation lives, and every
 * string it holds is copied out of it and collected again in the old one.
 */
class Snapshot implements EncodedSnapshot {
  readonly #scan: ScanContext;

  constructor(
    readonly subject: string,
    readonly data: Uint8Array,
    readonly headerBlock: Uint8Array,
    scan: ScanContext,
  ) {
    this.#scan = scan;
  }

  /** The last header's value: the block ends `Elava-Content-Hash: <hash>\r\n\r\n`. */
  get contentHash(): string {
    const end = this.headerBlock.length - HEADER_END.length;
    return latin1.decode(this.headerBlock.subarray(end - CONTENT_HASH_LENGTH, end));
  }

  get msgId(): string {
    return `${this.#scan.scanId}:${this.subject.slice(this.#scan.prefix.length + 1)}`;
  }

  get headers(): ReadonlyArray<readonly [string, string]> {
    return [
      [Header.MsgId, this.msgId],
      [Header.ContentType, CONTENT_TYPE_PROTOBUF],
      [Header.Schema, SNAPSHOT_SCHEMA_NAME],
      [Header.ScanId, this.#scan.scanId],
      [Header.ContentHash, this.contentHash],
    ];
  }
}

/** The outcome of one partition's scan, as its marker reports it. */
export interface PartitionOutcome {
  readonly status: "OK" | "FAILED";
  readonly resourceCount: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Why it FAILED; empty when OK. */
  readonly error: string;
}

/** Encodes a partition's marker. */
export function encodeMarker(
  scan: ScanContext,
  partition: PartitionKey,
  outcome: PartitionOutcome,
): OutgoingMessage {
  const marker: PartitionScanned = create(PartitionScannedSchema, {
    scanId: scan.scanId,
    provider: partition.provider,
    resourceType: partition.resourceType,
    accountId: partition.accountId,
    region: partition.region,
    status: outcome.status === "OK" ? 1 : 2,
    resourceCount: BigInt(outcome.resourceCount),
    startedAt: timestampFromDate(outcome.startedAt),
    finishedAt: timestampFromDate(outcome.finishedAt),
    error: outcome.error,
  });
  const subject = partitionSubject(scan.prefix, partition);
  const msgId = `${scan.scanId}:${subject.slice(scan.prefix.length + 1)}`;
  return {
    subject,
    msgId,
    data: toBinary(PartitionScannedSchema, marker),
    headers: [
      [Header.MsgId, msgId],
      [Header.ContentType, CONTENT_TYPE_PROTOBUF],
      [Header.Schema, MARKER_SCHEMA_NAME],
      [Header.ScanId, scan.scanId],
      [Header.Status, outcome.status],
      [Header.ResourceCount, String(outcome.resourceCount)],
    ],
  };
}

export type { InfrastructureChangeEvent, PartitionScanned, Timestamp };
