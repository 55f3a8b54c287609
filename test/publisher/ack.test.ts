/**
 * Acks read from their bytes: the same answer as JSON.parse, or none at all; and the acks
 * of the nats-server the tests run are plain ones, so the publisher reads them directly.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { parseAck, readPlainAck } from "../../src/publisher/ack.ts";
import { NatsServer } from "../support/nats-server.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const bytes = (text: string) => new TextEncoder().encode(text);

describe("readPlainAck", () => {
  it.each([
    '{"stream":"ELAVA", "seq":12}',
    '{"stream":"ELAVA","seq":12}',
    '{"stream":"ELAVA", "seq":9007199254740991,"duplicate": true}',
    '{"stream":"ELAVA", "domain":"hub", "seq":1}',
    '{"stream":"ELAVA","seq":3,"duplicate":false}',
    ' { "stream" : "ÉLAVA" , "seq" : 0 } \n',
  ])("reads %s as JSON.parse does", (text) => {
    expect(readPlainAck(bytes(text))).toEqual(JSON.parse(text));
  });

  it.each([
    '{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"ELAVA"}',
    '{"stream":"EL\\"AVA","seq":1}',
    '{"stream":"ELAVA","seq":1.5}',
    '{"stream":"ELAVA","seq":-1}',
    '{"stream":"ELAVA","seq":1e3}',
    '{"stream":"ELAVA","seq":12,"batch":"x"}',
    '{"stream":"ELAVA","seq":12,}',
    '{"stream":"ELAVA","seq":12',
    '{"stream":"ELAVA","seq":12} x',
    '{"stream":"ELAVA","duplicate":tru}',
    "{}",
    "",
    "not json",
  ])("leaves %s to JSON.parse", (text) => {
    expect(readPlainAck(bytes(text))).toBeUndefined();
  });

  it("gives a stream's name as one string while it stays the same", () => {
    const a = readPlainAck(bytes('{"stream":"ELAVA","seq":1}'));
    const b = readPlainAck(bytes('{"stream":"ELAVA","seq":2}'));
    const c = readPlainAck(bytes('{"stream":"OTHER","seq":3}'));
    expect([a?.stream, b?.stream, c?.stream]).toEqual(["ELAVA", "ELAVA", "OTHER"]);
  });
});

describe("parseAck", () => {
  it("parses what is not a plain ack as JSON, and throws on what is not JSON", () => {
    expect(parseAck(bytes('{"error":{"code":503,"description":"no"},"stream":"S"}'))).toEqual({
      error: { code: 503, description: "no" },
      stream: "S",
    });
    expect(() => parseAck(bytes("not json"))).toThrow();
  });
});

describe("the acks of a real nats-server", () => {
  it("are plain acks, first stored and then duplicate", async () => {
    const server = await NatsServer.start();
    cleanup.push(() => server.dispose());
    const nc = await connect({ servers: server.url });
    cleanup.push(() => nc.close());
    await (await jetstreamManager(nc)).streams.add({ name: "ACKS", subjects: ["acks.>"] });
    const read: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const h = headers();
      h.set("Nats-Msg-Id", "same");
      const answer = await nc.request("acks.x", new Uint8Array(3), { headers: h, timeout: 5000 });
      const plain = readPlainAck(answer.data);
      expect(plain).toEqual(JSON.parse(new TextDecoder().decode(answer.data)));
      read.push(plain);
    }
    expect(read).toEqual([
      { stream: "ACKS", seq: 1 },
      { stream: "ACKS", seq: 1, duplicate: true },
    ]);
  });
});
