/**
 * Publishing a message as the bytes NATS sends, written once:
 * `HPUB <subject> <reply> <header bytes> <total bytes>\r\n<header block><payload>\r\n`.
 *
 * The client's publish builds the protocol line as a string, encodes it into a buffer of
 * its own, queues line, headers, payload and CRLF as four buffers, and at its flush copies
 * everything queued into one more buffer: about a kilobyte of garbage per message, an
 * eighth of what a sample scan allocated, and at the shipped heap settings garbage is CPU
 * (docs/benchmarks.md). `FrameWriter` writes each frame into a 64 KiB chunk and, at the
 * end of the synchronous run that wrote it, hands the client what was written since as
 * one buffer, which its flush sends as it is.
 *
 * The client takes bytes to send through its protocol handler (`sendCommand`), which
 * nats.js v3 keeps as `protocol` on the connection, public in its declarations but not in
 * the `NatsConnection` interface. `frameWriterFor` returns undefined for a connection
 * without that shape (another nats.js), and the publisher then calls `publish`. What the
 * client's publish checks, the writer checks too: the connection is open and not
 * draining, and the subject and reply have no whitespace (the server would read a broken
 * line); the publisher checks the size against max_payload before. The publisher's tests
 * read every message back from a real nats-server, headers and payload byte for byte.
 */
import type { NatsConnection } from "@nats-io/transport-node";

/** What the writer uses of nats.js's protocol handler. */
interface ProtocolHandlerLike {
  sendCommand(cmd: Uint8Array): void;
  noMorePublishing: boolean;
  outBytes: number;
  outMsgs: number;
}

/** Bytes per chunk; a frame larger than that gets a chunk of its own. */
const CHUNK_BYTES = 64 * 1024;

const HPUB = Buffer.from("HPUB ");
const SPACE = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const DIGITS = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz");

/** Writes frames into chunks and hands them to the client (see the module comment). */
export class FrameWriter {
  readonly #nc: NatsConnection;
  readonly #protocol: ProtocolHandlerLike;
  #chunk: Buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  /** Written up to here. */
  #pos = 0;
  /** Handed to the client up to here. */
  #handed = 0;
  #handOverQueued = false;
  readonly #handOver = (): void => {
    this.#handOverQueued = false;
    this.#handOverNow();
  };

  constructor(nc: NatsConnection, protocol: ProtocolHandlerLike) {
    this.#nc = nc;
    this.#protocol = protocol;
  }

  /**
   * Publishes `data` with a header block to `subject`, asking for the answer on
   * `<replyPrefix><token in base 36>`. Throws what the client's publish would: on a
   * closed or draining connection, and on a subject or reply with whitespace.
   */
  hpub(
    subject: string,
    replyPrefix: Uint8Array,
    token: number,
    headers: Uint8Array,
    data: Uint8Array,
  ): void {
    if (this.#nc.isClosed()) throw new Error("the NATS connection is closed");
    if (this.#protocol.noMorePublishing) throw new Error("the NATS connection is draining");
    const total = headers.length + data.length;
    // At most 3 bytes per UTF-16 unit of the subject, 11 base-36 digits of a token (a
    // safe integer), 10 decimal digits of each length, and the frame's separators.
    const most = HPUB.length + subject.length * 3 + replyPrefix.length + 11 + 26 + total + 2;
    if (most > this.#chunk.length - this.#pos) this.#nextChunk(most);
    const chunk = this.#chunk;
    const start = this.#pos;
    let pos = start + HPUB.copy(chunk, start);
    const subjectStart = pos;
    pos += chunk.write(subject, pos);
    if (hasWhitespace(chunk, subjectStart, pos)) {
      throw new Error(`invalid subject ${JSON.stringify(subject)}: it contains whitespace`);
    }
    chunk[pos++] = SPACE;
    chunk.set(replyPrefix, pos);
    pos = writeUint(chunk, pos + replyPrefix.length, token, 36);
    chunk[pos++] = SPACE;
    pos = writeUint(chunk, pos, headers.length, 10);
    chunk[pos++] = SPACE;
    pos = writeUint(chunk, pos, total, 10);
    chunk[pos++] = CR;
    chunk[pos++] = LF;
    chunk.set(headers, pos);
    pos += headers.length;
    chunk.set(data, pos);
    pos += data.length;
    chunk[pos++] = CR;
    chunk[pos++] = LF;
    this.#pos = pos;
    this.#protocol.outBytes += total;
    this.#protocol.outMsgs += 1;
    if (!this.#handOverQueued) {
      this.#handOverQueued = true;
      queueMicrotask(this.#handOver);
    }
  }

  #handOverNow(): void {
    if (this.#pos === this.#handed) return;
    const bytes = this.#chunk.subarray(this.#handed, this.#pos);
    this.#handed = this.#pos;
    this.#protocol.sendCommand(bytes);
  }

  /** Hands over what the chunk holds and starts one with room for `bytes`. */
  #nextChunk(bytes: number): void {
    this.#handOverNow();
    this.#chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes));
    this.#pos = 0;
    this.#handed = 0;
  }
}

/** A frame writer over the connection's protocol handler, or undefined without one. */
export function frameWriterFor(nc: NatsConnection): FrameWriter | undefined {
  const protocol = (nc as { protocol?: unknown }).protocol as
    | Partial<Record<keyof ProtocolHandlerLike, unknown>>
    | undefined;
  if (
    protocol === undefined ||
    typeof protocol.sendCommand !== "function" ||
    typeof protocol.noMorePublishing !== "boolean" ||
    typeof protocol.outBytes !== "number" ||
    typeof protocol.outMsgs !== "number"
  ) {
    return undefined;
  }
  return new FrameWriter(nc, protocol as ProtocolHandlerLike);
}

/** Whether bytes [from, to) hold a space, a tab or a line break. */
function hasWhitespace(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i] as number;
    if (b === SPACE || b === 0x09 || b === CR || b === LF) return true;
  }
  return false;
}

/** Writes `n` (a whole number >= 0) in `base` at `pos`; returns the end. */
function writeUint(bytes: Uint8Array, pos: number, n: number, base: number): number {
  let digits = 1;
  for (let v = n; v >= base; v = Math.floor(v / base)) digits += 1;
  let v = n;
  for (let i = pos + digits - 1; i >= pos; i--) {
    bytes[i] = DIGITS[v % base] as number;
    v = Math.floor(v / base);
  }
  return pos + digits;
}
