/**
 * Per-resource state in a few bytes, so the consumer tools hold a million resources in
 * tens of MiB: a resource is named by a 64-bit hash of its subject (two 32-bit halves)
 * and its state lives in typed arrays of an open-addressing table, never in an object or a
 * string per resource.
 *
 * Two different subjects of one stream share a 64-bit hash with a probability of about
 * n^2 / 2^65: 3 x 10^-8 for a million resources. The tools accept that risk rather than
 * hold every subject as a string (about 100 bytes each in V8).
 */

/** The two halves of a 64-bit hash. */
export interface Hash64 {
  hi: number;
  lo: number;
}

/**
 * Hashes `text` into `out` (cyrb53's mixing, both 32-bit lanes kept): allocation-free, so
 * the tools can hash every subject they read.
 */
export function hash64(text: string, out: Hash64): Hash64 {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out.hi = h1 >>> 0;
  out.lo = h2 >>> 0;
  return out;
}

/** The hash as 16 hex digits (stable node ids in dot and Mermaid output). */
export function hashHex(h: Hash64): string {
  return h.hi.toString(16).padStart(8, "0") + h.lo.toString(16).padStart(8, "0");
}

const EMPTY = 0;
const MAX_OFFSET = 2 ** 32 - 1;

/**
 * A table from a 64-bit key to a stream sequence, with an optional 64-bit value and a
 * small tag per entry (a content hash and its scheme, for `changes`). Linear probing,
 * grown at 3/4 load. Sequences are stored as 32-bit offsets from the first one stored
 * (a table holds one scan or window, never four billion messages), plus one, so 0 marks
 * a free slot: 12 bytes a slot, 21 with a value.
 */
export class SeqTable {
  #keyHi: Uint32Array;
  #keyLo: Uint32Array;
  #seq: Uint32Array;
  #base = -1;
  #valHi: Uint32Array | undefined;
  #valLo: Uint32Array | undefined;
  #tag: Uint8Array | undefined;
  #size = 0;

  constructor(
    readonly withValue = false,
    capacity = 8,
  ) {
    this.#keyHi = new Uint32Array(capacity);
    this.#keyLo = new Uint32Array(capacity);
    this.#seq = new Uint32Array(capacity);
    if (withValue) {
      this.#valHi = new Uint32Array(capacity);
      this.#valLo = new Uint32Array(capacity);
      this.#tag = new Uint8Array(capacity);
    }
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  #slot(hi: number, lo: number): number {
    const mask = this.#seq.length - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    while (this.#seq[i] !== EMPTY && (this.#keyHi[i] !== hi || this.#keyLo[i] !== lo)) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** The slot of a key, or -1 when absent. */
  find(key: Hash64): number {
    const i = this.#slot(key.hi, key.lo);
    return this.#seq[i] === EMPTY ? -1 : i;
  }

  #seqAt(i: number): number {
    const offset = this.#seq[i] ?? EMPTY;
    return offset === EMPTY ? 0 : this.#base + offset - 1;
  }

  /** The sequence stored for a key; 0 when absent. */
  seqOf(key: Hash64): number {
    return this.#seqAt(this.#slot(key.hi, key.lo));
  }

  has(key: Hash64): boolean {
    return this.find(key) !== -1;
  }

  /** Stores (or replaces) a key's entry; returns true when the key was new. */
  set(key: Hash64, seq: number, value?: Hash64, tag = 0): boolean {
    if (seq <= 0) throw new RangeError(`stream sequences start at 1, got ${seq}`);
    if (this.#base < 0) this.#base = seq;
    if (seq < this.#base) this.#rebase(seq);
    const offset = seq - this.#base + 1;
    if (offset > MAX_OFFSET) {
      throw new RangeError(
        `sequence ${seq} is more than 2^32 after ${this.#base}, the first one stored`,
      );
    }
    if ((this.#size + 1) * 4 > this.#seq.length * 3) this.#grow();
    const i = this.#slot(key.hi, key.lo);
    const added = this.#seq[i] === EMPTY;
    this.#keyHi[i] = key.hi;
    this.#keyLo[i] = key.lo;
    this.#seq[i] = offset;
    if (this.#valHi !== undefined && this.#valLo !== undefined && this.#tag !== undefined) {
      this.#valHi[i] = value?.hi ?? 0;
      this.#valLo[i] = value?.lo ?? 0;
      this.#tag[i] = tag;
    }
    if (added) this.#size++;
    return added;
  }

  /** Reads slot `i` (from `find` or `slots`) into `key` / `value`; returns its sequence. */
  read(i: number, key?: Hash64, value?: Hash64): { seq: number; tag: number } {
    if (key !== undefined) {
      key.hi = this.#keyHi[i] ?? 0;
      key.lo = this.#keyLo[i] ?? 0;
    }
    if (value !== undefined) {
      value.hi = this.#valHi?.[i] ?? 0;
      value.lo = this.#valLo?.[i] ?? 0;
    }
    return { seq: this.#seqAt(i), tag: this.#tag?.[i] ?? 0 };
  }

  /** The occupied slots, for `read`. */
  *slots(): Generator<number> {
    for (let i = 0; i < this.#seq.length; i++) if (this.#seq[i] !== EMPTY) yield i;
  }

  /** The stored sequences, ascending (stream order). */
  sortedSeqs(): Float64Array {
    const out = new Float64Array(this.#size);
    let n = 0;
    for (let i = 0; i < this.#seq.length; i++)
      if (this.#seq[i] !== EMPTY) out[n++] = this.#seqAt(i);
    return out.sort();
  }

  /** Moves the base down to `seq` (a sequence stored out of order). */
  #rebase(seq: number): void {
    const shift = this.#base - seq;
    for (let i = 0; i < this.#seq.length; i++) {
      const offset = this.#seq[i] ?? EMPTY;
      if (offset === EMPTY) continue;
      if (offset + shift > MAX_OFFSET)
        throw new RangeError(`sequence ${seq} is too far before the others`);
      this.#seq[i] = offset + shift;
    }
    this.#base = seq;
  }

  #grow(): void {
    const keyHi = this.#keyHi;
    const keyLo = this.#keyLo;
    const seq = this.#seq;
    const valHi = this.#valHi;
    const valLo = this.#valLo;
    const tag = this.#tag;
    const capacity = seq.length * 2;
    this.#keyHi = new Uint32Array(capacity);
    this.#keyLo = new Uint32Array(capacity);
    this.#seq = new Uint32Array(capacity);
    if (this.withValue) {
      this.#valHi = new Uint32Array(capacity);
      this.#valLo = new Uint32Array(capacity);
      this.#tag = new Uint8Array(capacity);
    }
    for (let i = 0; i < seq.length; i++) {
      const s = seq[i] ?? EMPTY;
      if (s === EMPTY) continue;
      const j = this.#slot(keyHi[i] ?? 0, keyLo[i] ?? 0);
      this.#keyHi[j] = keyHi[i] ?? 0;
      this.#keyLo[j] = keyLo[i] ?? 0;
      this.#seq[j] = s;
      if (this.#valHi && this.#valLo && this.#tag) {
        this.#valHi[j] = valHi?.[i] ?? 0;
        this.#valLo[j] = valLo?.[i] ?? 0;
        this.#tag[j] = tag?.[i] ?? 0;
      }
    }
  }
}

/** Small integers for a handful of repeated strings (scan ids, hash schemes). */
export class Interner {
  readonly #ids = new Map<string, number>();
  readonly #values: string[] = [];

  id(value: string): number {
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.#values.length;
      this.#ids.set(value, id);
      this.#values.push(value);
    }
    return id;
  }

  value(id: number): string {
    const v = this.#values[id];
    if (v === undefined) throw new RangeError(`no interned value ${id}`);
    return v;
  }
}
