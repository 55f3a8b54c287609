/**
 * The messages file the reference publishers read, and the JavaScript references run as
 * the bench runs them, against a real nats-server: each stores exactly the subjects,
 * headers and bytes of the file.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  frameMessage,
  headerPairs,
  MESSAGES_FILE_MAGIC,
  readMessagesFile,
  writeSampleScanMessages,
} from "../../bench/messages-file.ts";
import { jsReferenceCommand, runReferenceChild } from "../../bench/reference-child.ts";
import { Header } from "../../src/contract/headers.ts";
import { InfrastructureChangeEventSchema } from "../../src/gen/elava/v1/event_pb.ts";
import { PartitionScannedSchema } from "../../src/gen/elava/v1/marker_pb.ts";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../../src/providers/sample/index.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { planPartitions } from "../../src/scanner/scanner.ts";
import { useNatsServer } from "../support/nats-server.ts";

let dir = "";
let file = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "elava-messages-file-"));
  file = join(dir, "messages.bin");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const header = (block: Uint8Array, name: string) =>
  headerPairs(block).find(([n]) => n === name)?.[1];

describe("messages file", () => {
  it("frames a message and reads it back, its headers encoded from their pairs", () => {
    const marker = {
      subject: "elava.aws.marker.ü",
      msgId: "scan:x",
      headers: [
        [Header.MsgId, "scan:x"],
        [Header.Status, "OK"],
      ] as const,
      data: new Uint8Array([1, 2, 3]),
    };
    const empty = {
      ...marker,
      data: new Uint8Array(0),
      headers: [[Header.MsgId, "y"]] as const,
    };
    const bytes = Buffer.concat([
      Buffer.from(MESSAGES_FILE_MAGIC),
      frameMessage(marker),
      frameMessage(empty),
    ]);
    const [a, b, ...rest] = readMessagesFile(bytes);
    expect(rest).toEqual([]);
    expect(a?.subject).toBe("elava.aws.marker.ü");
    expect([...(a?.data ?? [])]).toEqual([1, 2, 3]);
    expect(headerPairs(a?.headers ?? new Uint8Array())).toEqual([
      ["Nats-Msg-Id", "scan:x"],
      ["Elava-Status", "OK"],
    ]);
    expect(new TextDecoder().decode(a?.headers)).toBe(
      "NATS/1.0\r\nNats-Msg-Id: scan:x\r\nElava-Status: OK\r\n\r\n",
    );
    expect(b?.data.length).toBe(0);
    expect(headerPairs(b?.headers ?? new Uint8Array())).toEqual([["Nats-Msg-Id", "y"]]);
    // A block the encoder wrote is framed as it is, byte for byte.
    const written = new TextEncoder().encode("NATS/1.0\r\nNats-Msg-Id: z\r\n\r\n");
    const [c] = readMessagesFile(
      Buffer.concat([
        Buffer.from(MESSAGES_FILE_MAGIC),
        frameMessage({ ...empty, headers: [], headerBlock: written }),
      ]),
    );
    expect(Buffer.from(c?.headers ?? []).equals(Buffer.from(written))).toBe(true);
  });

  it("rejects a file without its magic, and a truncated one, saying where", () => {
    expect(() => readMessagesFile(Buffer.from("NOTMAGIC"))).toThrow(/not a messages file/u);
    const one = frameMessage({ subject: "s", msgId: "m", headers: [], data: new Uint8Array(10) });
    const truncated = Buffer.concat([Buffer.from(MESSAGES_FILE_MAGIC), one.subarray(0, -3)]);
    expect(() => readMessagesFile(truncated)).toThrow(
      /truncated at byte \d+: a field of 10 bytes/u,
    );
    expect(() => headerPairs(Buffer.from("HTTP/1.1\r\n\r\n"))).toThrow(
      /must start with NATS\/1\.0/u,
    );
  });

  it("holds the sample scan's snapshots, each partition followed by its marker", async () => {
    const resources = 1200;
    const summary = await writeSampleScanMessages(file, resources, "elava");
    const records = readMessagesFile(await readFile(file));
    const provider = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources });
    const partitions = planPartitions(await provider.units(new AbortController().signal));
    expect(summary.markers).toBe(partitions.length);
    expect(records.length).toBe(summary.messages);
    expect(summary.snapshots + summary.markers).toBe(summary.messages);

    let inPartition = 0;
    let snapshots = 0;
    let markers = 0;
    for (const r of records) {
      const schema = header(r.headers, Header.Schema);
      expect(header(r.headers, Header.MsgId)).toMatch(/^[0-9A-Z]{26}:/u);
      if (schema === InfrastructureChangeEventSchema.typeName) {
        const event = fromBinary(InfrastructureChangeEventSchema, r.data);
        expect(header(r.headers, Header.ContentHash)).toBe(event.contentHash);
        expect(r.subject.startsWith("elava.")).toBe(true);
        inPartition += 1;
        snapshots += 1;
      } else {
        expect(schema).toBe(PartitionScannedSchema.typeName);
        const marker = fromBinary(PartitionScannedSchema, r.data);
        expect(Number(marker.resourceCount)).toBe(inPartition);
        expect(header(r.headers, Header.ResourceCount)).toBe(String(inPartition));
        inPartition = 0;
        markers += 1;
      }
    }
    expect(snapshots).toBe(summary.snapshots);
    expect(markers).toBe(summary.markers);
    // The estate the CLI's `--sample-resources` publishes: about the number asked for.
    expect(Math.abs(snapshots - resources) / resources).toBeLessThan(0.1);
  });
});

describe("the JavaScript reference publishers", () => {
  const shared = useNatsServer();

  for (const client of ["nats.js", "elava"]) {
    it(`${client} stores every message of the file with its subject, headers and bytes`, async () => {
      const small = join(dir, `small-${client}.bin`);
      const summary = await writeSampleScanMessages(small, 300, "elava");
      const jsm = await jetstreamManager(shared.nc);
      await jsm.streams.delete(DEFAULT_STREAM_SETTINGS.name).catch(() => undefined);
      await ensureStream(shared.nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });

      const run = await runReferenceChild(
        jsReferenceCommand(client, { file: small, url: shared.server.url, window: 64 }),
        shared.server.pid,
      );
      expect(run).toMatchObject({
        client,
        messages: summary.messages,
        acked: summary.messages,
        failed: 0,
      });
      expect(run.seconds).toBeGreaterThan(0);
      expect(run.cpuSeconds).toBeGreaterThan(0);

      const info = await jsm.streams.info(DEFAULT_STREAM_SETTINGS.name);
      expect(info.state.messages).toBe(summary.messages);
      const records = readMessagesFile(await readFile(small));
      for (const seq of [1, summary.messages]) {
        const stored = await jsm.streams.getMessage(DEFAULT_STREAM_SETTINGS.name, { seq });
        const sent = records[seq - 1];
        expect(stored?.subject).toBe(sent?.subject);
        expect(Buffer.from(stored?.data ?? []).equals(Buffer.from(sent?.data ?? []))).toBe(true);
        for (const [name, value] of headerPairs(sent?.headers ?? new Uint8Array())) {
          expect(stored?.header.get(name)).toBe(value);
        }
      }
    });
  }

  it("fails naming the reference's error when it cannot run", async () => {
    const bad = join(dir, "bad.bin");
    await writeFile(bad, "NOTMAGIC");
    await expect(
      runReferenceChild(
        jsReferenceCommand("nats.js", { file: bad, url: shared.server.url, window: 8 }),
        shared.server.pid,
      ),
    ).rejects.toThrow(/exited with 1 without a result: .*not a messages file/su);
  });
});
