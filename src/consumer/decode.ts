/**
 * What a message of the stream is: a snapshot, a marker, or a bad message that every
 * consumer tool skips and reports with its stream sequence and subject.
 *
 * A message is checked the same way by every tool before anything counts it: its subject
 * has the contract's shape (`<prefix>.<provider>.<type>.<account>.<region>` for a marker,
 * one more token for a snapshot, a known resource type), its headers name the schema its
 * subject calls for, and its payload decodes and agrees with its subject and headers
 * (type, account, region, resource id, scan id, content hash). Tools that only count
 * snapshots (replay's first pass, changes) read the envelope's fields off the protobuf
 * wire format and walk the payload's fields without building objects
 * (`checkSnapshot`), which costs about what reading the headers costs; tools that show
 * the content decode it whole (`decodeSnapshot`), and report a message that fails there
 * too.
 */
import { fromBinary, ScalarType } from "@bufbuild/protobuf";
import { MARKER_SCHEMA_NAME, SNAPSHOT_SCHEMA_NAME } from "../contract/encode.ts";
import { Header } from "../contract/headers.ts";
import { isResourceType, RESOURCE_TYPES, type ResourceType } from "../contract/resource-types.ts";
import { decodeToken } from "../contract/subject.ts";
import { errorMessage } from "../errors.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";
import {
  type PartitionScanned,
  PartitionScannedSchema,
  ScanStatus,
} from "../gen/elava/v1/marker_pb.ts";
import { type CheckedHeaders, headerBlockOf, readHeaderBlock } from "./header-block.ts";

/** A message as the consumer tools need it: what a JetStream message (`JsMsg`) offers. */
export interface StreamMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data: Uint8Array;
  /** NATS headers: name, values (nats.js MsgHdrs iterate this way). */
  readonly headers?: Iterable<readonly [string, readonly string[]]> | undefined;
  /** Delivery info; `timestampNanos` is when the server stored the message. */
  readonly info?: { readonly timestampNanos: number };
}

/** When the server stored a message, in ms since the epoch (NaN when unknown). */
export function storedAtMs(msg: StreamMessage): number {
  return msg.info === undefined ? Number.NaN : msg.info.timestampNanos / 1e6;
}

/** A message that is not a snapshot or marker of the contract, and why. */
export interface BadMessage {
  readonly seq: number;
  readonly subject: string;
  readonly reason: string;
}

/** `message 12 on elava.junk.x: why`: how every tool names a bad message. */
export function describeBad(bad: BadMessage): string {
  return `message ${bad.seq} on ${bad.subject}: ${bad.reason}`;
}

/** The partition a subject belongs to: provider, type, account and region. */
export interface PartitionParts {
  readonly provider: string;
  readonly resourceType: ResourceType;
  readonly accountId: string;
  readonly region: string;
  /** The marker subject of the partition (`<prefix>.<provider>.<type>.<account>.<region>`). */
  readonly partition: string;
}

/** A subject of the stream, parsed. */
export interface SubjectParts extends PartitionParts {
  /** The resource token of a snapshot subject; undefined for a marker subject. */
  readonly token: string | undefined;
}

/**
 * Parsed partitions by prefix and marker subject: every snapshot of a partition shares
 * its parts, so a subject is parsed once per partition, not once per message.
 */
const partitionCache = new Map<string, Map<string, PartitionParts>>();

function parseSubject(prefix: string, subject: string): SubjectParts | string {
  const shape = `${prefix}.<provider>.<resource_type>.<account>.<region>[.<resource>]`;
  if (!subject.startsWith(`${prefix}.`)) return `its subject is not under ${prefix}.>`;
  const tokens = subject.slice(prefix.length + 1).split(".");
  if (tokens.length < 4 || tokens.length > 5 || tokens.some((t) => t === "")) {
    return `its subject has ${tokens.length} tokens after the prefix "${prefix}", not the contract's ${shape}`;
  }
  const [provider = "", resourceType = "", accountId = "", region = "", token] = tokens;
  if (!isResourceType(resourceType)) {
    return `"${resourceType}" in its subject is not a resource type of this version of the contract (${shape})`;
  }
  const partition =
    token === undefined ? subject : subject.slice(0, subject.length - token.length - 1);
  return { provider, resourceType, accountId, region, partition, token };
}

/** Parses a subject of the stream, or says what is wrong with its shape. */
export function subjectParts(prefix: string, subject: string): SubjectParts | string {
  let cache = partitionCache.get(prefix);
  if (cache === undefined) {
    cache = new Map();
    partitionCache.set(prefix, cache);
  }
  const last = subject.lastIndexOf(".");
  const known = cache.get(subject.slice(0, last));
  if (known !== undefined && last < subject.length - 1) {
    return {
      provider: known.provider,
      resourceType: known.resourceType,
      accountId: known.accountId,
      region: known.region,
      partition: known.partition,
      token: subject.slice(last + 1),
    };
  }
  const asMarker = cache.get(subject);
  if (asMarker !== undefined) return { ...asMarker, token: undefined };
  const parsed = parseSubject(prefix, subject);
  if (typeof parsed !== "string") {
    const { token: _token, ...partition } = parsed;
    cache.set(parsed.partition, partition);
  }
  return parsed;
}

/** What `checkSnapshot` reads from a snapshot without decoding it. */
export interface SnapshotFacts {
  readonly kind: "snapshot";
  readonly parts: SubjectParts;
  readonly scanId: string;
  readonly contentHash: string;
  readonly resourceName: string;
  readonly arn: string;
}

/** A marker, decoded and checked. */
export interface MarkerFacts {
  readonly kind: "marker";
  readonly parts: SubjectParts;
  readonly marker: PartitionScanned;
}

/** The outcome of checking one message. */
export type Checked =
  | SnapshotFacts
  | MarkerFacts
  | { readonly kind: "bad"; readonly reason: string };

/** The headers the check reads, found in one pass (MsgHdrs.get scans every key per call). */
const seen: CheckedHeaders = { schema: "", scanId: "", contentHash: "" };

function readHeaders(headers: Iterable<readonly [string, readonly string[]]>): CheckedHeaders {
  seen.schema = "";
  seen.scanId = "";
  seen.contentHash = "";
  for (const [name, values] of headers) {
    const value = values[0] ?? "";
    if (name === Header.Schema) seen.schema = value;
    else if (name === Header.ScanId) seen.scanId = value;
    else if (name === Header.ContentHash) seen.contentHash = value;
  }
  return seen;
}

/** Checks a message's subject, headers and payload (see the module comment). */
export function checkMessage(prefix: string, msg: StreamMessage): Checked {
  const parts = subjectParts(prefix, msg.subject);
  if (typeof parts === "string") return { kind: "bad", reason: parts };
  const isSnapshot = parts.token !== undefined;
  const expected = isSnapshot ? SNAPSHOT_SCHEMA_NAME : MARKER_SCHEMA_NAME;
  // The header block's bytes when nats.js delivered the message, its decoded headers else.
  const block = headerBlockOf(msg);
  let checked: CheckedHeaders;
  if (block !== undefined) {
    checked = readHeaderBlock(block, seen);
  } else {
    const headers = msg.headers;
    if (headers === undefined) {
      return { kind: "bad", reason: `it has no headers (a ${expected} carries ${Header.Schema})` };
    }
    checked = readHeaders(headers);
  }
  const { schema, scanId, contentHash } = checked;
  if (schema !== expected) {
    const found = schema === "" ? `no ${Header.Schema} header` : `${Header.Schema} "${schema}"`;
    return {
      kind: "bad",
      reason: `it has ${found}; its subject is a ${isSnapshot ? "snapshot" : "marker"} subject, so ${expected} was expected`,
    };
  }
  if (isSnapshot) return checkSnapshot(parts, msg.data, scanId, contentHash);
  return checkMarker(parts, msg.data);
}

function checkMarker(parts: SubjectParts, data: Uint8Array): Checked {
  let marker: PartitionScanned;
  try {
    marker = fromBinary(PartitionScannedSchema, data);
  } catch (err) {
    return { kind: "bad", reason: `it is not a valid ${MARKER_SCHEMA_NAME}: ${errorMessage(err)}` };
  }
  const mismatch = identityMismatch(parts, marker);
  if (mismatch !== undefined) return { kind: "bad", reason: mismatch };
  if (marker.status !== ScanStatus.OK && marker.status !== ScanStatus.FAILED) {
    return { kind: "bad", reason: `its status is ${marker.status}, neither OK nor FAILED` };
  }
  if (marker.scanId === "") return { kind: "bad", reason: "it has no scan id" };
  if (marker.resourceCount < 0n) {
    return { kind: "bad", reason: `its resource count is ${marker.resourceCount}` };
  }
  return { kind: "marker", parts, marker };
}

function identityMismatch(
  parts: SubjectParts,
  m: { provider: string; resourceType: string; accountId: string; region: string },
): string | undefined {
  const own = `${m.provider}.${m.resourceType}.${m.accountId}.${m.region}`;
  const subject = `${parts.provider}.${parts.resourceType}.${parts.accountId}.${parts.region}`;
  return own === subject ? undefined : `its payload names partition ${own}, its subject ${subject}`;
}

/**
 * What the snapshot check does with each envelope field, by field number, from the
 * schema: keep a string's position, walk a message, skip a varint, or walk the payload.
 */
const UNKNOWN = 0;
const TEXT = 1;
const MESSAGE = 2;
const NUMBER = 3;
const PAYLOAD = 4;
const TYPE_OF_CASE = new Map<string, ResourceType>(
  (Object.keys(RESOURCE_TYPES) as ResourceType[]).map((t) => [RESOURCE_TYPES[t].case, t]),
);
const maxField = Math.max(...InfrastructureChangeEventSchema.fields.map((f) => f.number));
const ROLE = new Uint8Array(maxField + 1);
const PAYLOAD_TYPE: (ResourceType | undefined)[] = [];
/** Text fields whose position is kept, by name. */
const TEXT_FIELDS = [
  "provider",
  "account_id",
  "region",
  "resource_type",
  "resource_id",
  "resource_name",
  "arn",
  "scan_id",
  "content_hash",
] as const;
type TextField = (typeof TEXT_FIELDS)[number];
const SLOT = new Int8Array(maxField + 1).fill(-1);
for (const f of InfrastructureChangeEventSchema.fields) {
  const type = TYPE_OF_CASE.get(f.localName);
  if (type !== undefined) {
    ROLE[f.number] = PAYLOAD;
    PAYLOAD_TYPE[f.number] = type;
  } else if (f.fieldKind === "scalar" && f.scalar === ScalarType.STRING) {
    ROLE[f.number] = TEXT;
    SLOT[f.number] = TEXT_FIELDS.indexOf(f.name as TextField);
  } else if (f.fieldKind === "enum" || f.fieldKind === "scalar") {
    ROLE[f.number] = NUMBER;
  } else {
    ROLE[f.number] = MESSAGE;
  }
}
for (const name of TEXT_FIELDS) {
  if (!InfrastructureChangeEventSchema.fields.some((f) => f.name === name)) {
    throw new Error(`the envelope has no field ${name}`);
  }
}
const slotOf = (name: TextField) => TEXT_FIELDS.indexOf(name);

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/**
 * A cursor over protobuf wire format that reports malformed input instead of throwing.
 * One instance serves every check (they are synchronous).
 */
const cursor: { buf: Uint8Array; pos: number; end: number; error: string } = {
  buf: new Uint8Array(0),
  pos: 0,
  end: 0,
  error: "",
};

function varint(): number {
  const c = cursor;
  // Tags and most lengths fit in one byte.
  const first = c.buf[c.pos];
  if (first !== undefined && first < 0x80 && c.pos < c.end) {
    c.pos++;
    return first;
  }
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (c.pos >= c.end) {
      c.error = "truncated varint";
      return 0;
    }
    const b = c.buf[c.pos++] as number;
    if (shift < 49) result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
  c.error = "varint longer than 10 bytes";
  return 0;
}

/** Skips the value of a field; false (with `cursor.error`) when it is malformed. */
function skip(wireType: number): boolean {
  const c = cursor;
  switch (wireType) {
    case VARINT:
      varint();
      break;
    case I64:
      c.pos += 8;
      break;
    case I32:
      c.pos += 4;
      break;
    case LEN: {
      const n = varint(); // read before adding: `c.pos += varint()` would add to the old pos
      c.pos += n;
      break;
    }
    default:
      c.error = `wire type ${wireType} is not used by this schema`;
      return false;
  }
  if (c.error === "" && c.pos > c.end) c.error = "a field runs past the end of its message";
  return c.error === "";
}

/** Walks the fields of the message at [start, end) of the buffer; an error text or "". */
function walkFields(start: number, end: number): string {
  const c = cursor;
  const pos = c.pos;
  const outer = c.end;
  c.pos = start;
  c.end = end;
  while (c.pos < end && c.error === "") {
    const tag = varint();
    if (c.error !== "") break;
    if (tag >>> 3 === 0) c.error = "field number 0";
    else skip(tag & 7);
  }
  const error = c.error;
  c.pos = pos;
  c.end = outer;
  c.error = "";
  return error;
}

/** What `checkSnapshot` read: facts from the envelope, name and ARN decoded on demand. */
class EnvelopeFacts implements SnapshotFacts {
  readonly kind = "snapshot";
  constructor(
    readonly parts: SubjectParts,
    readonly scanId: string,
    readonly contentHash: string,
    private readonly data: Uint8Array,
    private readonly name: number,
    private readonly nameEnd: number,
    private readonly arnStart: number,
    private readonly arnEnd: number,
  ) {}

  get resourceName(): string {
    return textAt(this.data, this.name, this.nameEnd);
  }

  get arn(): string {
    return textAt(this.data, this.arnStart, this.arnEnd);
  }
}

const utf8 = new TextDecoder();

/** The string at [start, end) of a buffer ("" when start < 0). */
function textAt(data: Uint8Array, start: number, end: number): string {
  return start < 0 ? "" : utf8.decode(data.subarray(start, end));
}

/**
 * Whether the bytes at [start, end) are the UTF-8 of `text`, without decoding them: the
 * fields compared here are ids, most of them ASCII, checked on every snapshot read.
 */
function sameText(data: Uint8Array, start: number, end: number, text: string): boolean {
  if (start < 0) return text === "";
  if (end - start === text.length) {
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      if (data[start + i] !== c) return false;
    }
    if (ascii) return true;
  }
  return textAt(data, start, end) === text;
}

/** Field positions of the snapshot being checked, two per text field (-1: absent). */
const at = new Int32Array(TEXT_FIELDS.length * 2);
const PROVIDER = slotOf("provider") * 2;
const ACCOUNT = slotOf("account_id") * 2;
const REGION = slotOf("region") * 2;
const TYPE = slotOf("resource_type") * 2;
const ID = slotOf("resource_id") * 2;
const NAME = slotOf("resource_name") * 2;
const ARN = slotOf("arn") * 2;
const SCAN = slotOf("scan_id") * 2;
const HASH = slotOf("content_hash") * 2;

function checkSnapshot(
  parts: SubjectParts,
  data: Uint8Array,
  scanId: string,
  contentHash: string,
): Checked {
  const bad = (why: string): Checked => ({
    kind: "bad",
    reason: `it is not a valid ${SNAPSHOT_SCHEMA_NAME}: ${why}`,
  });
  at.fill(-1);
  const c = cursor;
  c.buf = data;
  c.pos = 0;
  c.end = data.length;
  c.error = "";
  let payloadType: ResourceType | undefined;
  let payloads = 0;
  while (c.pos < data.length) {
    const tag = varint();
    if (c.error !== "") return bad(c.error);
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) return bad("field number 0");
    const role = field <= maxField ? (ROLE[field] as number) : UNKNOWN;
    if (role === UNKNOWN || role === NUMBER) {
      // Unknown fields (a newer schema) are skipped, as protobuf parsers do.
      if (role === NUMBER && wireType !== VARINT) {
        return bad(`field ${field} has wire type ${wireType}, not varint`);
      }
      if (!skip(wireType)) return bad(c.error);
      continue;
    }
    if (wireType !== LEN) {
      return bad(`field ${field} has wire type ${wireType}, not length-delimited`);
    }
    const n = varint();
    const start = c.pos;
    c.pos += n;
    if (c.error !== "" || c.pos > data.length) return bad(`field ${field} runs past the end`);
    if (role === TEXT) {
      const slot = SLOT[field] as number;
      if (slot >= 0) {
        at[slot * 2] = start;
        at[slot * 2 + 1] = c.pos;
      }
      continue;
    }
    const inner = walkFields(start, c.pos);
    if (role === PAYLOAD) {
      if (inner !== "") return bad(`its ${PAYLOAD_TYPE[field]} payload: ${inner}`);
      payloadType = PAYLOAD_TYPE[field];
      payloads++;
    } else if (inner !== "") {
      return bad(`field ${field}: ${inner}`);
    }
  }
  if (payloads !== 1 || payloadType === undefined) {
    return bad(
      payloads === 0 ? "it has no resource payload" : "it has more than one resource payload",
    );
  }
  const same = (i: number, text: string) =>
    sameText(data, at[i] as number, at[i + 1] as number, text);
  const text = (i: number) => textAt(data, at[i] as number, at[i + 1] as number);
  if (
    !same(PROVIDER, parts.provider) ||
    !same(TYPE, parts.resourceType) ||
    !same(ACCOUNT, parts.accountId) ||
    !same(REGION, parts.region)
  ) {
    const mismatch = identityMismatch(parts, {
      provider: text(PROVIDER),
      resourceType: text(TYPE),
      accountId: text(ACCOUNT),
      region: text(REGION),
    });
    return { kind: "bad", reason: mismatch ?? "its payload names another partition" };
  }
  if (payloadType !== parts.resourceType) {
    return {
      kind: "bad",
      reason: `its payload is a ${payloadType}, its subject says ${parts.resourceType}`,
    };
  }
  const token = parts.token ?? "";
  let subjectId: string;
  try {
    subjectId = decodeToken(token);
  } catch {
    return {
      kind: "bad",
      reason: `its resource token "${token}" is not percent-encoded correctly`,
    };
  }
  if (!same(ID, subjectId)) {
    return {
      kind: "bad",
      reason: `its payload is resource "${text(ID)}", its subject names "${subjectId}"`,
    };
  }
  if (scanId === "" || !same(SCAN, scanId)) {
    return {
      kind: "bad",
      reason: `its ${Header.ScanId} header "${scanId}" and payload scan id "${text(SCAN)}" differ`,
    };
  }
  if (contentHash === "" || !same(HASH, contentHash)) {
    return {
      kind: "bad",
      reason: `its ${Header.ContentHash} header "${contentHash}" and payload content hash "${text(HASH)}" differ`,
    };
  }
  return new EnvelopeFacts(
    parts,
    scanId,
    contentHash,
    data,
    at[NAME] as number,
    at[NAME + 1] as number,
    at[ARN] as number,
    at[ARN + 1] as number,
  );
}

/** Decodes a snapshot's payload whole; a string says why it does not decode. */
export function decodeSnapshot(data: Uint8Array): InfrastructureChangeEvent | string {
  try {
    return fromBinary(InfrastructureChangeEventSchema, data);
  } catch (err) {
    return `it is not a valid ${SNAPSHOT_SCHEMA_NAME}: ${errorMessage(err)}`;
  }
}

/** A decoded snapshot. */
export interface DecodedSnapshot {
  readonly kind: "snapshot";
  readonly event: InfrastructureChangeEvent;
  readonly seq: number;
  readonly subject: string;
  /** When the server stored it (ms since the epoch; NaN when unknown). */
  readonly storedAt: number;
}

/** A decoded partition marker. */
export interface DecodedMarker {
  readonly kind: "marker";
  readonly marker: PartitionScanned;
  readonly seq: number;
  readonly subject: string;
  readonly storedAt: number;
}

/** A bad message, as `decodeMessage` returns it. */
export interface DecodedBad extends BadMessage {
  readonly kind: "bad";
  readonly storedAt: number;
}

/** One message of the stream, decoded, or why it could not be. */
export type Decoded = DecodedSnapshot | DecodedMarker | DecodedBad;

/** Checks and decodes a message whole. */
export function decodeMessage(prefix: string, msg: StreamMessage): Decoded {
  const where = { seq: msg.seq, subject: msg.subject, storedAt: storedAtMs(msg) };
  const checked = checkMessage(prefix, msg);
  if (checked.kind === "bad") return { ...where, kind: "bad", reason: checked.reason };
  if (checked.kind === "marker") return { ...where, kind: "marker", marker: checked.marker };
  const event = decodeSnapshot(msg.data);
  if (typeof event === "string") return { ...where, kind: "bad", reason: event };
  return { ...where, kind: "snapshot", event };
}

/**
 * The bad messages a tool met: each is passed to `report` (the command logs it with its
 * sequence and subject), and they are counted for the summary and the exit status. A
 * message read twice (by two passes over the stream) is counted once.
 */
export class BadMessages {
  readonly #seen = new Set<number>();

  constructor(private readonly report: (bad: BadMessage) => void = () => {}) {}

  /** Records a bad message; returns false when it was already recorded. */
  add(bad: BadMessage): boolean {
    if (this.#seen.has(bad.seq)) return false;
    this.#seen.add(bad.seq);
    this.report(bad);
    return true;
  }

  get count(): number {
    return this.#seen.size;
  }
}
