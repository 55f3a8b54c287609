/**
 * The three headers a consumer checks (schema, scan id, content hash), read from the bytes
 * of a message's NATS header block.
 *
 * nats.js answers `msg.headers` by decoding the whole block into a `MsgHdrs`: the block as
 * a string, split into lines, each name canonicalized, a map of arrays. For replay that was
 * 14% of its CPU, and the main part of what kept it under 0.8x of a raw drain of the
 * same stream (docs/benchmarks.md). The block's bytes are in the message nats.js
 * delivered; `headerBlockOf` finds them, and `readHeaderBlock` reads the three values the
 * way the decoded headers give them: names as written (nats.js matches them exactly),
 * values trimmed, the first of repeated headers.
 *
 * The bytes are not part of nats.js's typed API: a core message (`Msg`) keeps them as
 * `_rdata` with the block's length in `_msg.hdr`, and a JetStream message wraps a core
 * message as `msg`. When a message does not have that shape (another nats.js version, or
 * a message built by hand), `headerBlockOf` returns undefined and the caller reads
 * `headers`; a test against a real nats-server holds the shape to the installed nats.js.
 */

import { Header } from "../contract/headers.ts";
import { bytesEqual, RepeatedText } from "../util/bytes.ts";

/** Where the installed nats.js keeps a message's bytes. */
interface CoreMessageBytes {
  readonly _rdata?: unknown;
  readonly _msg?: { readonly hdr?: unknown };
}

/** A header block: the bytes and where it ends in them. */
export interface HeaderBlock {
  readonly bytes: Uint8Array;
  readonly end: number;
}

/** The message's NATS header block, or undefined when it has none or its bytes are out of reach. */
export function headerBlockOf(message: object): HeaderBlock | undefined {
  const core = ((message as { msg?: unknown }).msg ?? message) as CoreMessageBytes;
  const bytes = core._rdata;
  const end = core._msg?.hdr;
  if (!(bytes instanceof Uint8Array) || typeof end !== "number") return undefined;
  if (end <= 0 || end > bytes.length) return undefined;
  return { bytes, end };
}

/** The headers the check reads; "" for one the block does not have. */
export interface CheckedHeaders {
  schema: string;
  scanId: string;
  contentHash: string;
}

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const decoder = new TextDecoder();

/**
 * The header names as bytes, which field each fills, and for the schema and the scan id,
 * which consecutive messages of a stream almost always repeat, the last text read (replay
 * reads a million blocks). The content hash differs every time.
 */
const NAMES: ReadonlyArray<readonly [Uint8Array, keyof CheckedHeaders, RepeatedText | undefined]> =
  (
    [
      [Header.Schema, "schema", new RepeatedText()],
      [Header.ScanId, "scanId", new RepeatedText()],
      [Header.ContentHash, "contentHash", undefined],
    ] as const
  ).map(([name, field, text]) => [new TextEncoder().encode(name), field, text] as const);

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09;
}

/** Reads the checked headers out of a header block into `into`, and returns it. */
export function readHeaderBlock(block: HeaderBlock, into: CheckedHeaders): CheckedHeaders {
  into.schema = "";
  into.scanId = "";
  into.contentHash = "";
  const { bytes, end } = block;
  // The first line is the version (and a status, which stream messages do not carry).
  let pos = bytes.indexOf(LF, 0);
  if (pos < 0 || pos >= end) return into;
  pos += 1;
  let found = 0;
  let count = 0;
  while (pos < end && count < NAMES.length) {
    let eol = bytes.indexOf(LF, pos);
    if (eol < 0 || eol > end) eol = end;
    const lineEnd = eol > pos && bytes[eol - 1] === CR ? eol - 1 : eol;
    const colon = bytes.indexOf(COLON, pos);
    if (colon >= 0 && colon < lineEnd) {
      for (let n = 0; n < NAMES.length; n++) {
        const [name, field, repeated] = NAMES[n] as (typeof NAMES)[number];
        if ((found & (1 << n)) === 0 && bytesEqual(bytes, pos, colon, name)) {
          found |= 1 << n;
          count += 1;
          let from = colon + 1;
          let to = lineEnd;
          while (from < to && isSpace(bytes[from])) from++;
          while (to > from && isSpace(bytes[to - 1])) to--;
          into[field] = repeated?.of(bytes, from, to) ?? decoder.decode(bytes.subarray(from, to));
          break;
        }
      }
    }
    pos = eol + 1;
  }
  return into;
}
