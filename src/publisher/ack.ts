/**
 * JetStream's acknowledgement of a published message, read from its bytes.
 *
 * A plain ack is a flat JSON object: `{"stream":"ELAVA", "seq":12}`, with `"domain"` and
 * `"duplicate": true` when they apply (nats-server writes it with its own formatting, so
 * spacing varies between versions). `readPlainAck` reads such an object without decoding
 * the bytes into a string and parsing it into an object, and gives the stream's name as
 * the same string every time it is the same. Anything else (an error ack, which nests an
 * object, a string with an escape, bytes that are not JSON) gives undefined, and the
 * caller parses the text as JSON: the answer is the same either way (tested against
 * `JSON.parse`), only the garbage differs.
 */

import { bytesEqual, RepeatedText } from "../util/bytes.ts";

/** What an ack says, as JSON.parse would give it. */
export interface AckJson {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  domain?: string;
  error?: { code?: number; err_code?: number; description?: string };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const KEY_STREAM = encoder.encode("stream");
const KEY_SEQ = encoder.encode("seq");
const KEY_DUPLICATE = encoder.encode("duplicate");
const KEY_DOMAIN = encoder.encode("domain");

/** The stream's name, the same string for every ack of the same stream. */
const streamName = new RepeatedText();

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Reads a plain ack (see the module comment); undefined for anything else. */
export function readPlainAck(b: Uint8Array): AckJson | undefined {
  const n = b.length;
  let i = 0;
  while (isSpace(b[i])) i++;
  if (b[i++] !== 0x7b) return undefined; // {
  const ack: AckJson = {};
  for (;;) {
    while (isSpace(b[i])) i++;
    if (b[i++] !== QUOTE) return undefined;
    const keyStart = i;
    while (i < n && b[i] !== QUOTE) {
      if (b[i] === BACKSLASH) return undefined;
      i++;
    }
    if (i >= n) return undefined;
    const keyEnd = i++;
    while (isSpace(b[i])) i++;
    if (b[i++] !== 0x3a) return undefined; // :
    while (isSpace(b[i])) i++;
    const c = b[i];
    if (c === QUOTE) {
      const start = ++i;
      while (i < n && b[i] !== QUOTE) {
        if (b[i] === BACKSLASH || (b[i] as number) < 0x20) return undefined;
        i++;
      }
      if (i >= n) return undefined;
      const end = i++;
      if (bytesEqual(b, keyStart, keyEnd, KEY_STREAM)) ack.stream = streamName.of(b, start, end);
      else if (bytesEqual(b, keyStart, keyEnd, KEY_DOMAIN))
        ack.domain = decoder.decode(b.subarray(start, end));
      else return undefined;
    } else if (c !== undefined && c >= 0x30 && c <= 0x39) {
      let v = 0;
      while (i < n && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39) {
        v = v * 10 + ((b[i] as number) - 0x30);
        i++;
      }
      if (b[i] === 0x2e || b[i] === 0x65 || b[i] === 0x45) return undefined; // . e E
      if (!Number.isSafeInteger(v) || !bytesEqual(b, keyStart, keyEnd, KEY_SEQ)) return undefined;
      ack.seq = v;
    } else if (c === 0x74 || c === 0x66) {
      // true / false
      const value = c === 0x74;
      const word = value ? "true" : "false";
      for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return undefined;
      i += word.length;
      if (!bytesEqual(b, keyStart, keyEnd, KEY_DUPLICATE)) return undefined;
      ack.duplicate = value;
    } else {
      return undefined;
    }
    while (isSpace(b[i])) i++;
    if (b[i] === 0x2c) {
      i++;
      continue;
    }
    if (b[i] !== 0x7d) return undefined; // }
    i++;
    while (isSpace(b[i])) i++;
    return i === n ? ack : undefined;
  }
}

/** The ack in `bytes`: read directly when plain, else parsed as JSON (which may throw). */
export function parseAck(bytes: Uint8Array): AckJson {
  return readPlainAck(bytes) ?? (JSON.parse(decoder.decode(bytes)) as AckJson);
}
