/**
 * The messages a sample scan publishes, encoded once into a file that every reference
 * publisher reads: nats.go's PublishAsync (bench/go-reference), nats.js's `js.publish` and
 * Elava's own JetStreamPublisher (bench/publish-reference.ts). So each reference sends the
 * very subjects, headers and bytes `elava scan --provider sample` sends, and none of them
 * pays for generating or encoding them.
 *
 * The framing is deliberately trivial, so a Go program reads it in a dozen lines:
 *
 *   file    = magic record*
 *   magic   = the 8 ASCII bytes "ELAVAMS1"
 *   record  = field(subject) field(headers) field(data)
 *   field   = length (unsigned 32-bit, big-endian) followed by that many bytes
 *
 * `subject` is UTF-8; `headers` is the NATS header block exactly as Elava's publisher puts
 * it on the wire (`NATS/1.0\r\nName: value\r\n...\r\n\r\n`, the msg id among them);
 * `data` is the protobuf payload. Records are in the order a scan at concurrency 1
 * publishes them: each partition's snapshots, then its marker.
 */
import { open } from "node:fs/promises";
import {
  encodeMarker,
  encodeSnapshot,
  type OutgoingMessage,
  type ScanContext,
} from "../src/contract/encode.ts";
import { newScanId } from "../src/contract/ids.ts";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../src/providers/sample/index.ts";
import { planPartitions } from "../src/scanner/scanner.ts";

/** The first bytes of a messages file. */
export const MESSAGES_FILE_MAGIC = "ELAVAMS1";

/** One record of a messages file; the byte arrays are views into the file's buffer. */
export interface FramedMessage {
  readonly subject: string;
  /** The NATS header block, wire format. */
  readonly headers: Uint8Array;
  readonly data: Uint8Array;
}

/** What a messages file holds. */
export interface MessagesFileSummary {
  readonly messages: number;
  readonly snapshots: number;
  readonly markers: number;
  /** Subject, header and payload bytes, framing excluded. */
  readonly bytes: number;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The header block a message goes out with: the one the encoder wrote, as the publisher
 * sends it, or else its pairs in the NATS wire format.
 */
export function headerBlock(message: OutgoingMessage): Uint8Array {
  if (message.headerBlock !== undefined) return message.headerBlock;
  const lines = message.headers.map(([name, value]) => `${name}: ${value}\r\n`).join("");
  return encoder.encode(`NATS/1.0\r\n${lines}\r\n`);
}

/** The (name, value) pairs of a NATS header block, in order. */
export function headerPairs(block: Uint8Array): Array<[string, string]> {
  const lines = latin1.decode(block).split("\r\n");
  if (!lines[0]?.startsWith("NATS/1.0")) {
    throw new Error(`a header block must start with NATS/1.0, got ${JSON.stringify(lines[0])}`);
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

/** The framed bytes of one message: three length-prefixed fields. */
export function frameMessage(message: OutgoingMessage): Buffer {
  const subject = Buffer.from(message.subject, "utf8");
  const headers = headerBlock(message);
  const out = Buffer.allocUnsafe(12 + subject.length + headers.length + message.data.length);
  let at = 0;
  for (const field of [subject, headers, message.data]) {
    out.writeUInt32BE(field.length, at);
    out.set(field, at + 4);
    at += 4 + field.length;
  }
  return out;
}

/** Reads every record of a messages file's bytes; throws naming the offset of a bad one. */
export function readMessagesFile(bytes: Uint8Array): FramedMessage[] {
  const magic = latin1.decode(bytes.subarray(0, MESSAGES_FILE_MAGIC.length));
  if (magic !== MESSAGES_FILE_MAGIC) {
    throw new Error(
      `not a messages file: it starts with ${JSON.stringify(magic)}, not ${MESSAGES_FILE_MAGIC}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: FramedMessage[] = [];
  let at = MESSAGES_FILE_MAGIC.length;
  const field = (): Uint8Array => {
    if (at + 4 > bytes.length) {
      throw new Error(`messages file truncated at byte ${at}: a length needs 4 bytes`);
    }
    const length = view.getUint32(at);
    const end = at + 4 + length;
    if (end > bytes.length) {
      throw new Error(
        `messages file truncated at byte ${at}: a field of ${length} bytes runs past its end (${bytes.length})`,
      );
    }
    const value = bytes.subarray(at + 4, end);
    at = end;
    return value;
  };
  while (at < bytes.length) {
    const subject = utf8.decode(field());
    out.push({ subject, headers: field(), data: field() });
  }
  return out;
}

/**
 * Encodes the sample scan of `resources` resources (the CLI's default seed, scan and churn,
 * so the estate `elava scan --provider sample --sample-resources N` publishes) into a
 * messages file, one partition at a time: the messages are never all in memory.
 */
export async function writeSampleScanMessages(
  path: string,
  resources: number,
  prefix: string,
): Promise<MessagesFileSummary> {
  const provider = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources });
  const signal = new AbortController().signal;
  const startedAt = new Date();
  const scan: ScanContext = { scanId: newScanId(startedAt), scanStartedAt: startedAt, prefix };
  const file = await open(path, "w");
  let snapshots = 0;
  let markers = 0;
  let bytes = 0;
  try {
    await file.write(MESSAGES_FILE_MAGIC);
    for (const { key } of planPartitions(await provider.units(signal))) {
      let count = 0;
      for await (const page of provider.list(key, signal)) {
        const observedAt = new Date();
        const frames = page.map((r) => frameMessage(encodeSnapshot(scan, key, r, observedAt)));
        await file.writev(frames);
        for (const f of frames) bytes += f.length - 12;
        count += page.length;
      }
      snapshots += count;
      const marker = frameMessage(
        encodeMarker(scan, key, {
          status: "OK",
          resourceCount: count,
          startedAt,
          finishedAt: new Date(),
          error: "",
        }),
      );
      await file.write(marker);
      bytes += marker.length - 12;
      markers += 1;
    }
  } finally {
    await file.close();
  }
  return { messages: snapshots + markers, snapshots, markers, bytes };
}
