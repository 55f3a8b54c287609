/**
 * Protobuf wire writing for the hot path of a scan.
 *
 * `WireWriter` is a small protobuf writer over one reused Node Buffer: varints, strings
 * (an inline ASCII path for strings under 128 characters, Node's UTF-8 writer for the
 * rest), length-delimited forks that reserve one length byte and move the body only when
 * it is longer, `written()`, a view of the bytes so far to hash in place, and `take()`,
 * which copies them into a slice of Node's Buffer pool. It writes the bytes protobuf-es's
 * BinaryWriter writes (a test compares the two) at the same speed, but owns its buffer
 * and position: hashing in place and pooled copies used to read BinaryWriter's private
 * fields, which a protobuf-es release could rename.
 *
 * `messageWriter` compiles, once per message schema and mode, a writer that puts a message
 * into a WireWriter, where `toBinary` would grow a fresh buffer for every snapshot. It
 * writes the canonical encoding the content hash needs (see encode.ts): the bytes
 * `toBinary` writes (fields in number order, zero values of implicit-presence fields left
 * out, unknown fields last), except that top-level string maps come after the other
 * fields with their entries in sorted key order, and that the elements of an unordered
 * field (schema-rules.ts) come in ascending bytewise order of their own encoding. In
 * "hash" mode it also leaves out volatile fields. Tests compare "publish" mode with
 * `toBinary` of the message with its unordered lists sorted, on every fixture. It covers
 * the field kinds the schema uses (strings, int32, int64, bool, double, messages, their
 * lists, string maps); a schema with any other kind goes through `toBinary` with its maps
 * appended in the same order, and cannot have volatile or unordered fields (encode.ts
 * refuses it).
 */
import {
  type DescField,
  type DescMessage,
  type Message,
  ScalarType,
  toBinary,
} from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { isUnordered, isVolatile } from "./schema-rules.ts";

const TWO_POW_32 = 2n ** 32n;

/** Bytes of the varint of a length (below 2^32). */
function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/** A protobuf writer over one growing, reused buffer (see the module comment). */
export class WireWriter {
  #buf: Buffer;
  #pos = 0;
  /** Where each open fork's reserved length byte is. */
  readonly #forks: number[] = [];

  constructor(initialSize = 16 * 1024) {
    this.#buf = Buffer.allocUnsafeSlow(initialSize);
  }

  #ensure(extra: number): void {
    const needed = this.#pos + extra;
    if (needed <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
  }

  /** An unsigned 32-bit varint. */
  uint32(value: number): this {
    this.#ensure(5);
    const b = this.#buf;
    let p = this.#pos;
    let v = value >>> 0;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.#pos = p;
    return this;
  }

  /** A field's tag: its number and wire type. */
  tag(fieldNo: number, wireType: WireType): this {
    return this.uint32(((fieldNo << 3) | wireType) >>> 0);
  }

  /** An int32: negative values take ten bytes, sign-extended to 64 bits. */
  int32(value: number): this {
    if (value >= 0) return this.uint32(value);
    this.#ensure(10);
    const b = this.#buf;
    let p = this.#pos;
    let v = value | 0;
    for (let i = 0; i < 9; i++) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>= 7;
    }
    b[p++] = 1;
    this.#pos = p;
    return this;
  }

  /** An int64 from a bigint, a whole number or a decimal string, as protobuf-es takes it. */
  int64(value: bigint | number | string): this {
    let v = BigInt.asUintN(64, BigInt(value));
    if (v < TWO_POW_32) return this.uint32(Number(v));
    this.#ensure(10);
    const b = this.#buf;
    let p = this.#pos;
    while (v > 0x7fn) {
      b[p++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    b[p++] = Number(v);
    this.#pos = p;
    return this;
  }

  /** A double: eight bytes, little-endian IEEE 754. */
  double(value: number): this {
    this.#ensure(8);
    this.#buf.writeDoubleLE(value, this.#pos);
    this.#pos += 8;
    return this;
  }

  bool(value: boolean): this {
    return this.uint32(value ? 1 : 0);
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): this {
    const n = value.length;
    if (n < 0x80) {
      // Most values are short ASCII: write them inline behind a one-byte length.
      this.#ensure(n + 1);
      const b = this.#buf;
      const start = this.#pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) break;
        b[p++] = c;
      }
      if (i === n) {
        b[start] = n;
        this.#pos = p;
        return this;
      }
    }
    const bytes = Buffer.byteLength(value, "utf8");
    this.uint32(bytes);
    this.#ensure(bytes);
    this.#pos += this.#buf.write(value, this.#pos, bytes, "utf8");
    return this;
  }

  /** A string's UTF-8 bytes with no length (header blocks); an inline path for ASCII. */
  text(value: string): this {
    const n = value.length;
    this.#ensure(n);
    const b = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) {
        const rest = value.slice(i);
        const bytes = Buffer.byteLength(rest, "utf8");
        this.#pos = p;
        this.#ensure(bytes);
        this.#pos += this.#buf.write(rest, this.#pos, bytes, "utf8");
        return this;
      }
      b[p++] = c;
    }
    this.#pos = p;
    return this;
  }

  /** Bytes as they are, with no length. */
  raw(chunk: Uint8Array): this {
    this.#ensure(chunk.length);
    this.#buf.set(chunk, this.#pos);
    this.#pos += chunk.length;
    return this;
  }

  /** A length-delimited bytes value. */
  bytes(value: Uint8Array): this {
    return this.uint32(value.length).raw(value);
  }

  /** Starts a length-delimited message; `join` closes it. */
  fork(): this {
    this.#ensure(1);
    this.#forks.push(this.#pos);
    this.#pos += 1;
    return this;
  }

  /** Closes the last fork: writes its length, moving its body when the length needs more than a byte. */
  join(): this {
    const at = this.#forks.pop();
    if (at === undefined) throw new Error("WireWriter.join without a fork");
    const length = this.#pos - at - 1;
    if (length < 0x80) {
      this.#buf[at] = length;
      return this;
    }
    const size = varintSize(length);
    this.#ensure(size - 1);
    this.#buf.copyWithin(at + size, at + 1, this.#pos);
    const end = this.#pos + size - 1;
    this.#pos = at;
    this.uint32(length);
    this.#pos = end;
    return this;
  }

  /** How many bytes are written. */
  get length(): number {
    return this.#pos;
  }

  /** Drops what was written after the first `length` bytes. */
  truncate(length: number): void {
    if (length < 0 || length > this.#pos) {
      throw new Error(`WireWriter.truncate(${length}) outside 0..${this.#pos}`);
    }
    if ((this.#forks.at(-1) ?? -1) >= length) {
      throw new Error("WireWriter.truncate into an open fork");
    }
    this.#pos = length;
  }

  /** The bytes written so far, without copying them; valid until the next write. */
  written(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** The bytes written, copied into a slice of Node's Buffer pool, and the writer reset. */
  take(): Buffer {
    if (this.#forks.length > 0) throw new Error("WireWriter.take with an open fork");
    const out = Buffer.allocUnsafe(this.#pos);
    this.#buf.copy(out, 0, 0, this.#pos);
    this.#pos = 0;
    return out;
  }
}

/** Writes a string map's entries in sorted key order (UTF-16 code units, as `<` compares). */
export function writeSortedMap(
  w: WireWriter,
  fieldNo: number,
  map: Readonly<Record<string, string>>,
): void {
  // Sorted in place by insertion, comparing UTF-16 code units with `<` as the default sort
  // does: maps hold a few entries, and Array.prototype.sort allocated a work array per
  // call, a tenth of everything a scan allocated.
  const keys = Object.keys(map);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > k) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
  for (const k of keys) {
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

/**
 * What a compiled writer writes: "publish" every field, "hash" every field but the
 * volatile ones; both write unordered lists in canonical order.
 */
export type WriteMode = "publish" | "hash";

/** Encodes a message canonically (see the module comment), with the writer of `mode`. */
export function canonicalBinary(
  schema: DescMessage,
  message: Message,
  mode: WriteMode = "publish",
): Uint8Array {
  const write = messageWriter(schema, mode);
  if (write === undefined) return toBinaryWithSortedMaps(schema, message);
  const w = new WireWriter(1024);
  write(w, message as unknown as MessageRecord);
  return w.take();
}

/** The fallback for a schema `messageWriter` does not cover: protobuf-es, maps appended. */
function toBinaryWithSortedMaps(schema: DescMessage, message: Message): Uint8Array {
  const maps = schema.fields.filter((f) => f.fieldKind === "map");
  if (maps.length === 0) return toBinary(schema, message);
  const record = message as unknown as Record<string, unknown>;
  const withoutMaps: Record<string, unknown> = { ...record };
  for (const f of maps) withoutMaps[f.localName] = {};
  const w = new WireWriter(1024);
  w.raw(toBinary(schema, withoutMaps as unknown as Message));
  for (const f of maps) {
    writeSortedMap(w, f.number, record[f.localName] as Record<string, string>);
  }
  return w.take();
}

/** A message as protobuf-es represents it: its fields by local name. */
export type MessageRecord = Readonly<Record<string, unknown>>;
/** Writes one message's fields into a writer. */
export type WriteMessage = (w: WireWriter, message: MessageRecord) => void;

const messageWriters: Record<WriteMode, WeakMap<DescMessage, WriteMessage | null>> = {
  publish: new WeakMap(),
  hash: new WeakMap(),
};

/** The compiled writer of a schema, or undefined when it has a field kind not covered. */
export function messageWriter(
  schema: DescMessage,
  mode: WriteMode = "publish",
): WriteMessage | undefined {
  const writers = messageWriters[mode];
  const known = writers.get(schema);
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
  writers.set(schema, write);
  const sorted = [...schema.fields].sort((a, b) => a.number - b.number);
  const ordered = [
    ...sorted.filter((f) => f.fieldKind !== "map"),
    ...sorted.filter((f) => f.fieldKind === "map"),
  ];
  for (const field of ordered) {
    if (mode === "hash" && isVolatile(field)) continue;
    const fw = fieldWriter(field, mode);
    if (fw === undefined) {
      writers.set(schema, null);
      return undefined;
    }
    fieldWriters.push(fw);
  }
  return write;
}

/**
 * Writers of element encodings for sorting, one per nesting level in use: sorting the
 * elements of an unordered list encodes each one apart, and an element may itself hold
 * an unordered list. Encoding is synchronous, so a stack is enough.
 */
const scratch: WireWriter[] = [];

/** Compares strings by their UTF-8 bytes (code point order), which `<` on UTF-16 is not. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (code points past U+FFFF) sort after U+E000..U+FFFF in code point order.
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Whether a list is already in canonical (UTF-8) order, the usual case for one or two ids. */
function inUtf8Order(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) {
    if (compareUtf8(list[i - 1] as string, list[i] as string) > 0) return false;
  }
  return true;
}

function fieldWriter(field: DescField, mode: WriteMode): WriteMessage | undefined {
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
        case ScalarType.DOUBLE:
          return (w, m) => {
            const v = m[name] as number;
            // As protobuf-es: only +0 is the zero value; -0 and NaN are written.
            if (!Object.is(v, 0)) w.tag(no, WireType.Bit64).double(v);
          };
        default:
          return undefined;
      }
    case "message": {
      if (field.delimitedEncoding) return undefined;
      const child = messageWriter(field.message, mode);
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
    case "list": {
      const unordered = isUnordered(field);
      if (field.listKind === "scalar" && field.scalar === ScalarType.STRING) {
        const write = (w: WireWriter, list: readonly string[]) => {
          for (const v of list) w.tag(no, WireType.LengthDelimited).string(v);
        };
        if (!unordered) return (w, m) => write(w, m[name] as readonly string[]);
        return (w, m) => {
          const list = m[name] as readonly string[];
          write(w, inUtf8Order(list) ? list : [...list].sort(compareUtf8));
        };
      }
      if (field.listKind === "message" && !field.delimitedEncoding) {
        const child = messageWriter(field.message, mode);
        if (child === undefined) return undefined;
        if (!unordered) {
          return (w, m) => {
            for (const v of m[name] as readonly MessageRecord[]) {
              w.tag(no, WireType.LengthDelimited).fork();
              child(w, v);
              w.join();
            }
          };
        }
        return (w, m) => {
          const list = m[name] as readonly MessageRecord[];
          if (list.length < 2) {
            for (const v of list) {
              w.tag(no, WireType.LengthDelimited).fork();
              child(w, v);
              w.join();
            }
            return;
          }
          // Every element encoded once, one after the other, then written in order of
          // their bytes: views of the scratch buffer, no copy per element.
          const s = scratch.pop() ?? new WireWriter(1024);
          const ends: number[] = [];
          for (const v of list) {
            child(s, v);
            ends.push(s.length);
          }
          const bytes = s.written();
          const encoded = ends.map((end, i) => bytes.subarray(ends[i - 1] ?? 0, end));
          encoded.sort(Buffer.compare);
          for (const e of encoded) w.tag(no, WireType.LengthDelimited).bytes(e);
          s.truncate(0);
          scratch.push(s);
        };
      }
      return undefined;
    }
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
export function writeString(w: WireWriter, fieldNo: number, value: string): void {
  // proto3: an empty string is the default and is not written, as protobuf-es does.
  if (value !== "") w.tag(fieldNo, WireType.LengthDelimited).string(value);
}

/** Writes a google.protobuf.Timestamp field from milliseconds since the epoch. */
export function writeTimestamp(w: WireWriter, fieldNo: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  w.tag(fieldNo, WireType.LengthDelimited).fork();
  if (seconds !== 0) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos !== 0) w.tag(2, WireType.Varint).int32(nanos);
  w.join();
}
