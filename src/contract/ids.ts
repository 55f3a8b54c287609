/**
 * Time-sortable ids (ULIDs: 48-bit millisecond time + 80 random bits, Crockford base32).
 * Scan ids sort by scan start; event ids are monotonic within a process so that a burst
 * of events in one millisecond still sorts in publish order.
 */
import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/**
 * Random bytes drawn 4 KiB at a time: a scan starts a new millisecond about once per
 * page, and one `randomBytes(16)` per millisecond was 1.3% of its CPU.
 */
const POOL = new Uint8Array(4096);
let poolUsed = POOL.length;

function random16(into: Uint8Array): void {
  if (poolUsed + 16 > POOL.length) {
    randomFillSync(POOL);
    poolUsed = 0;
  }
  for (let i = 0; i < 16; i++) into[i] = (POOL[poolUsed + i] as number) & 31;
  poolUsed += 16;
}

function encodeTime(ms: number): string {
  let out = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** Generates ULIDs; within one millisecond each id increments the random part of the last. */
export class UlidFactory {
  #lastMs = -1;
  #random = new Uint8Array(16); // 16 base32 digits of randomness, one digit (5 bits) per byte

  /** The id as ASCII bytes, in a buffer the next call overwrites. */
  readonly #ascii = new Uint8Array(26);

  next(now: number = Date.now()): string {
    this.#advance(now);
    let rand = "";
    for (const digit of this.#random) rand += ALPHABET[digit];
    return encodeTime(this.#lastMs) + rand;
  }

  /**
   * The next id as 26 ASCII bytes, without building a string (the encoder writes one per
   * snapshot). The bytes are valid until the next call of `next` or `nextAscii`.
   */
  nextAscii(now: number = Date.now()): Uint8Array {
    this.#advance(now);
    const out = this.#ascii;
    let t = this.#lastMs;
    for (let i = 9; i >= 0; i--) {
      out[i] = ALPHABET_CODES[t % 32] as number;
      t = Math.floor(t / 32);
    }
    for (let i = 0; i < 16; i++) out[10 + i] = ALPHABET_CODES[this.#random[i] as number] as number;
    return out;
  }

  #advance(now: number): void {
    if (now > this.#lastMs) {
      this.#lastMs = now;
      random16(this.#random);
    } else {
      this.#increment();
    }
  }

  #increment(): void {
    for (let i = 15; i >= 0; i--) {
      const digit = this.#random[i] ?? 0;
      if (digit < 31) {
        this.#random[i] = digit + 1;
        return;
      }
      this.#random[i] = 0;
    }
    // 2^80 ids in one millisecond: borrow the next millisecond rather than repeat an id.
    this.#lastMs += 1;
  }
}

const scanIds = new UlidFactory();

/** A new scan id: a ULID, so scan ids sort by the time their scan started. */
export function newScanId(now: Date = new Date()): string {
  return scanIds.next(now.getTime());
}

/** The time encoded in a ULID, e.g. a scan id. */
export function ulidTime(id: string): Date {
  let ms = 0;
  for (const ch of id.slice(0, 10)) {
    const digit = ALPHABET.indexOf(ch.toUpperCase());
    if (digit < 0)
      throw new Error(`"${id}" is not a ULID: "${ch}" is not a Crockford base32 digit`);
    ms = ms * 32 + digit;
  }
  return new Date(ms);
}
