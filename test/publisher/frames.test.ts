/**
 * The frame writer against a real nats-server: what it writes is stored byte for byte,
 * large frames and many frames in one run included, it refuses what the client's publish
 * refuses, and the publisher falls back to the client's publish on a connection without
 * the protocol handler it writes to.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../../src/contract/encode.ts";
import { Header } from "../../src/contract/headers.ts";
import { connectNats } from "../../src/publisher/connection.ts";
import { frameWriterFor } from "../../src/publisher/frames.ts";
import { JetStreamPublisher, publishAll } from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { readStream } from "../scanner/stream-reader.ts";
import { NatsServer } from "../support/nats-server.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function connected(): Promise<NatsConnection> {
  const server = await NatsServer.start();
  cleanup.push(() => server.dispose());
  const nc = await connectNats({
    servers: [server.url],
    name: "frames-test",
    connectTimeoutMs: 5000,
    reconnect: "never",
  });
  cleanup.push(() => nc.close());
  await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
  return nc;
}

/** Messages of many sizes, one larger than a 64 KiB chunk, one with a non-ASCII subject. */
function messages(): OutgoingMessage[] {
  const sizes = [0, 1, 100, 1500, 70_000, 65_536, 3];
  const out = sizes.map((size, i) => ({
    subject: `elava.frames.m${i}`,
    msgId: `s1:m${i}`,
    data: Uint8Array.from({ length: size }, (_, j) => (i * 31 + j) % 256),
    headers: [
      [Header.MsgId, `s1:m${i}`],
      [Header.ContentType, "application/protobuf"],
    ] as [string, string][],
  }));
  out.push({
    subject: "elava.frames.caf%C3%A9.é",
    msgId: "s1:utf8",
    data: new TextEncoder().encode("é"),
    headers: [[Header.MsgId, "s1:utf8"]],
  });
  return out;
}

async function storedAsSent(nc: NatsConnection, sent: OutgoingMessage[]): Promise<void> {
  const stored = await readStream(nc, DEFAULT_STREAM_SETTINGS.name, { filter: "elava.frames.>" });
  expect(stored.map((m) => m.subject)).toEqual(sent.map((m) => m.subject));
  for (const [i, m] of sent.entries()) {
    expect(Buffer.from(stored[i]?.data ?? []).equals(Buffer.from(m.data))).toBe(true);
    expect(stored[i]?.headers).toEqual(Object.fromEntries(m.headers));
  }
}

describe("FrameWriter", () => {
  it("is what the publisher writes with on nats.js's connection", async () => {
    const nc = await connected();
    expect(frameWriterFor(nc)).toBeDefined();
  });

  it("has every message stored as sent, large and many at once included", async () => {
    const nc = await connected();
    const publisher = new JetStreamPublisher(nc, {
      window: 64,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 10_000,
    });
    const sent = messages();
    const many = Array.from({ length: 2000 }, (_, i) => ({
      subject: `elava.frames.many.${i}`,
      msgId: `s1:many${i}`,
      data: new Uint8Array(200).fill(i % 256),
      headers: [[Header.MsgId, `s1:many${i}`]] as [string, string][],
    }));
    expect(await publishAll(publisher, [...sent, ...many])).toMatchObject({
      acked: sent.length + many.length,
      failed: 0,
    });
    await storedAsSent(nc, [...sent, ...many]);
    expect(nc.stats().outMsgs).toBeGreaterThanOrEqual(sent.length + many.length);
  });

  it("refuses what the client's publish refuses: whitespace in a subject, a closed connection", async () => {
    const nc = await connected();
    const frames = frameWriterFor(nc);
    if (frames === undefined) throw new Error("no frame writer");
    const reply = new TextEncoder().encode("_INBOX.test.");
    const empty = new Uint8Array(0);
    expect(() => frames.hpub("elava.a b", reply, 1, empty, empty)).toThrow(/whitespace/u);
    expect(() => frames.hpub("elava.a\tb", reply, 1, empty, empty)).toThrow(/whitespace/u);
    await nc.close();
    expect(() => frames.hpub("elava.ok", reply, 1, empty, empty)).toThrow(/closed/u);
  });

  it("leaves the publisher on the client's publish for a connection without a protocol handler", async () => {
    const nc = await connected();
    const bare = new Proxy(nc, {
      get(target, key) {
        if (key === "protocol") return undefined;
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    expect(frameWriterFor(bare)).toBeUndefined();
    const publisher = new JetStreamPublisher(bare, {
      window: 8,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 10_000,
    });
    const sent = messages();
    expect(await publishAll(publisher, sent)).toMatchObject({ acked: sent.length, failed: 0 });
    await storedAsSent(nc, sent);
  });
});
