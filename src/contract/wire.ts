/**
 * Protobuf wire writing for the hot path of a scan, on protobuf-es's BinaryWriter.
 *
 * `messageWriter` compiles, once per message schema, a writer that puts a message into an
 * existing BinaryWriter, where `toBinary` would grow a fresh buffer (128, 256, 512, 1024
 * bytes) and copy the result for every snapshot: that was a fifth of a scan's CPU with the
 * garbage it made. It writes exactly the bytes `toBinary` writes (fields in number order,
 * zero values of implicit-presence fields left out, unknown fields last), except that
 * top-level string maps come after the other fields with their entries in sorted key
 * order, which the content hash needs (see encode.ts); a test compares it with `toBinary`
 * on every fixture. It covers the field kinds the schema uses (strings, int32, int64,
 * bool, messages, their lists, string maps); a schema with any other kind goes through
 * `toBinary` with its maps appended in the same order.
 */
import {
  type DescField,
  type DescMessage,
  type Message,
  ScalarType,
  toBinary,
} from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/** Writes a string map's entries in sorted key order (UTF-16 code units, as `<` compares). */
export function writeSortedMap(
  w: BinaryWriter,
  fieldNo: number,
  map: Readonly<Record<string, string>>,
): void {
  // The default sort compares UTF-16 code units, as `<` does.
  for (const k of Object.keys(map).sort()) {
    const v = map[k] as string;
    w.tag(fieldNo, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string(k)
      .tag(2, WireType.LengthDelimited)
      .string(v)
      .join();
  }
}

/** Encodes a message with the entries of its top-level string maps in sorted key order. */
export function canonicalBinary(schema: DescMessage, message: Message): Uint8Array {
  const write = messageWriter(schema);
  if (write === undefined) return toBinaryWithSortedMaps(schema, message);
  const w = new BinaryWriter();
  write(w, message as unknown as MessageRecord);
  return w.finish();
}

/** The fallback for a schema `messageWriter` does not cover: protobuf-es, maps appended. */
function toBinaryWithSortedMaps(schema: DescMessage, message: Message): Uint8Array {
  const maps = schema.fields.filter((f) => f.fieldKind === "map");
  if (maps.length === 0) return toBinary(schema, message);
  const record = message as unknown as Record<string, unknown>;
  const withoutMaps: Record<string, unknown> = { ...record };
  for (const f of maps) withoutMaps[f.localName] = {};
  const w = new BinaryWriter();
  w.raw(toBinary(schema, withoutMaps as unknown as Message));
  for (const f of maps) {
    writeSortedMap(w, f.number, record[f.localName] as Record<string, string>);
  }
  return w.finish();
}

/** A message as protobuf-es represents it: its fields by local name. */
export type MessageRecord = Readonly<Record<string, unknown>>;
/** Writes one message's fields into a writer. */
export type WriteMessage = (w: BinaryWriter, message: MessageRecord) => void;

const messageWriters = new WeakMap<DescMessage, WriteMessage | null>();

/** The compiled writer of a schema, or undefined when it has a field kind not covered. */
export function messageWriter(schema: DescMessage): WriteMessage | undefined {
  const known = messageWriters.get(schema);
  if (known !== undefined) return known ?? undefined;
  // Registered before compiling fields, so that a recursive message ends the recursion.
  const fieldWriters: WriteMessage[] = [];
  const write: WriteMessage = (w, message) => {
    for (let i = 0; i < fieldWriters.length; i++) (fieldWriters[i] as WriteMessage)(w, message);
    const unknown = message.$unknown as Message["$unknown"];
    if (unknown !== undefined) {
      for (const { no, wireType, data } of unknown) w.tag(no, wireType).raw(data);
    }
  };
  messageWriters.set(schema, write);
  const sorted = [...schema.fields].sort((a, b) => a.number - b.number);
  const ordered = [
    ...sorted.filter((f) => f.fieldKind !== "map"),
    ...sorted.filter((f) => f.fieldKind === "map"),
  ];
  for (const field of ordered) {
    const fw = fieldWriter(field);
    if (fw === undefined) {
      messageWriters.set(schema, null);
      return undefined;
    }
    fieldWriters.push(fw);
  }
  return write;
}

function fieldWriter(field: DescField): WriteMessage | undefined {
  const no = field.number;
  const name = field.localName;
  if (field.oneof !== undefined) return undefined;
  switch (field.fieldKind) {
    case "scalar":
      if (field.presence !== IMPLICIT) return undefined;
      switch (field.scalar) {
        case ScalarType.STRING:
          return (w, m) => {
            const v = m[name] as string;
            if (v !== "") w.tag(no, WireType.LengthDelimited).string(v);
          };
        case ScalarType.INT32:
          return (w, m) => {
            const v = m[name] as number;
            if (v !== 0) w.tag(no, WireType.Varint).int32(v);
          };
        case ScalarType.INT64:
          return (w, m) => {
            const v = m[name] as bigint | number | string;
            // As protobuf-es: 0n, 0 and "0" are all the zero value.
            if (v !== 0n && v !== 0 && v !== "0") w.tag(no, WireType.Varint).int64(v);
          };
        case ScalarType.BOOL:
          return (w, m) => {
            if (m[name] === true) w.tag(no, WireType.Varint).bool(true);
          };
        default:
          return undefined;
      }
    case "message": {
      if (field.delimitedEncoding) return undefined;
      const child = messageWriter(field.message);
      if (child === undefined) return undefined;
      return (w, m) => {
        const v = m[name] as MessageRecord | undefined;
        if (v !== undefined && Object.hasOwn(m, name)) {
          w.tag(no, WireType.LengthDelimited).fork();
          child(w, v);
          w.join();
        }
      };
    }
    case "list":
      if (field.listKind === "scalar" && field.scalar === ScalarType.STRING) {
        return (w, m) => {
          for (const v of m[name] as readonly string[]) {
            w.tag(no, WireType.LengthDelimited).string(v);
          }
        };
      }
      if (field.listKind === "message" && !field.delimitedEncoding) {
        const child = messageWriter(field.message);
        if (child === undefined) return undefined;
        return (w, m) => {
          for (const v of m[name] as readonly MessageRecord[]) {
            w.tag(no, WireType.LengthDelimited).fork();
            child(w, v);
            w.join();
          }
        };
      }
      return undefined;
    case "map":
      if (field.mapKey !== ScalarType.STRING || field.mapKind !== "scalar") return undefined;
      if (field.scalar !== ScalarType.STRING) return undefined;
      return (w, m) => writeSortedMap(w, no, m[name] as Readonly<Record<string, string>>);
    default:
      return undefined;
  }
}

/** google.protobuf.FeatureSet.FieldPresence.IMPLICIT: proto3 fields without `optional`. */
const IMPLICIT = 2;

/** Writes a proto3 string field (nothing for the empty default). */
export function writeString(w: BinaryWriter, fieldNo: number, value: string): void {
  // proto3: an empty string is the default and is not written, as protobuf-es does.
  if (value !== "") w.tag(fieldNo, WireType.LengthDelimited).string(value);
}

/** Writes a google.protobuf.Timestamp field from milliseconds since the epoch. */
export function writeTimestamp(w: BinaryWriter, fieldNo: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  w.tag(fieldNo, WireType.LengthDelimited).fork();
  if (seconds !== 0) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos !== 0) w.tag(2, WireType.Varint).int32(nanos);
  w.join();
}

/**
 * The bytes written so far, without copying them. protobuf-es declares `buffer` and `pos`
 * private, but hashing the stable part in place saves a copy of every snapshot twice over
 * (finish, then raw back into the writer); the encode tests decode every snapshot and
 * check its hash, so a change in the writer's layout cannot pass unnoticed.
 */
export function written(w: BinaryWriter): Uint8Array {
  const inner = w as unknown as { readonly buffer: Uint8Array; readonly pos: number };
  return inner.buffer.subarray(0, inner.pos);
}

/**
 * The bytes written, copied into a slice of Node's shared Buffer pool, and the writer
 * reset: `finish()` allocates an ArrayBuffer of its own per snapshot, and those backing
 * stores, not the bytes, were most of the garbage collector's time per snapshot.
 */
export function take(w: BinaryWriter): Uint8Array {
  const bytes = written(w);
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  (w as unknown as { pos: number }).pos = 0;
  return out;
}
