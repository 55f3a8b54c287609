/**
 * Message headers as the bytes NATS sends: `NATS/1.0\r\n`, one `Name: value\r\n` line per
 * header in order, and an empty line.
 *
 * The client's `MsgHdrs` keeps a Map of arrays per message and turns it into a string and
 * then into bytes on every publish; at tens of thousands of messages a second that was a
 * quarter of everything a scan allocated. The encoder instead writes each snapshot's
 * header block as bytes next to its payload (encode.ts), from parts built once per scan
 * and per partition, and the publisher hands that block to the client as it is.
 *
 * The client's publish takes headers as a `MsgHdrs` and asks them for their bytes with
 * `encode()` (nats.js v3, `ProtocolHandler.publish`), the one thing it does with them.
 * `WireHeaders` extends the client's exported `MsgHdrsImpl` and overrides its declared
 * `encode()` to return a header block as it is; its other methods read that block, and
 * it refuses changes. The publisher keeps one and points it at each message's block just before
 * publishing it; the client reads it synchronously and keeps nothing. The tests that
 * read what a scan stored from a real nats-server check every header of every message, so
 * a client that stopped asking `encode()` would fail them.
 */
import { Match, MsgHdrsImpl } from "@nats-io/transport-node";

const utf8 = new TextEncoder();
const decoder = new TextDecoder();
const START = "NATS/1.0\r\n";

/** Throws when a header name or value cannot be written in a header block. */
export function checkHeader(name: string, value: string): void {
  if (/[\r\n]/u.test(name) || /[\r\n]/u.test(value)) {
    throw new Error(`header ${JSON.stringify(name)} cannot contain a line break`);
  }
  if (name === "" || name.includes(":")) {
    throw new Error(`header name ${JSON.stringify(name)} must be non-empty without ":"`);
  }
}

/** The header block of (name, value) pairs, in their order; throws on a line break. */
export function headerBlock(pairs: ReadonlyArray<readonly [string, string]>): Uint8Array {
  let text = START;
  for (const [name, value] of pairs) {
    checkHeader(name, value);
    text += `${name}: ${value}\r\n`;
  }
  return utf8.encode(`${text}\r\n`);
}

/** The byte length of the header block of the pairs, without building it. */
export function headerBlockLength(pairs: ReadonlyArray<readonly [string, string]>): number {
  let n = START.length + 2;
  for (const [k, v] of pairs) n += Buffer.byteLength(k) + 2 + Buffer.byteLength(v) + 2;
  return n;
}

/** The (name, value) pairs of a header block, in order. */
export function parseHeaderBlock(block: Uint8Array): Array<[string, string]> {
  const lines = decoder.decode(block).split("\r\n");
  if (lines[0] !== "NATS/1.0") {
    throw new Error(`a header block starts with NATS/1.0, not ${JSON.stringify(lines[0])}`);
  }
  const pairs: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`header line without a name: ${JSON.stringify(line)}`);
    pairs.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return pairs;
}

const EMPTY_BLOCK = utf8.encode(`${START}\r\n`);

/** A read-only `MsgHdrs` over a header block (see the module comment). */
export class WireHeaders extends MsgHdrsImpl {
  /** The block `encode()` returns; the publisher sets it before each publish. */
  block: Uint8Array = EMPTY_BLOCK;

  /** The bytes the client sends. */
  override encode(): Uint8Array {
    return this.block;
  }

  override toString(): string {
    return decoder.decode(this.block);
  }

  #values(k: string, match: Match = Match.Exact): string[] {
    const exact = match === Match.Exact;
    const want = exact ? k : k.toLowerCase();
    return parseHeaderBlock(this.block)
      .filter(([name]) => (exact ? name : name.toLowerCase()) === want)
      .map(([, value]) => value);
  }

  override get(k: string, match?: Match): string {
    return this.#values(k, match)[0] ?? "";
  }

  override last(k: string, match?: Match): string {
    return this.#values(k, match).at(-1) ?? "";
  }

  override has(k: string, match?: Match): boolean {
    return this.#values(k, match).length > 0;
  }

  override values(k: string, match?: Match): string[] {
    return this.#values(k, match);
  }

  override keys(): string[] {
    return [...new Set(parseHeaderBlock(this.block).map(([name]) => name))];
  }

  override size(): number {
    return this.keys().length;
  }

  override set(k: string, _v?: string): void {
    throw new Error(`cannot set header ${k}: a header block is written once by the encoder`);
  }

  override append(k: string, _v?: string): void {
    throw new Error(`cannot append header ${k}: a header block is written once by the encoder`);
  }

  override delete(k: string): void {
    throw new Error(`cannot delete header ${k}: a header block is written once by the encoder`);
  }

  override *[Symbol.iterator](): IterableIterator<[string, string[]]> {
    for (const k of this.keys()) yield [k, this.values(k)];
  }
}
