/**
 * The checked headers read from a message's header block bytes agree with the headers
 * nats.js decodes, for the messages a real nats-server delivers, and the installed
 * nats.js keeps those bytes where `headerBlockOf` looks (else the tools fall back, slower).
 */
import type { JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { headerBlockOf, readHeaderBlock } from "../../src/consumer/header-block.ts";
import { StreamReader } from "../../src/consumer/reader.ts";
import { Header } from "../../src/contract/headers.ts";
import { WireHeaders } from "../../src/publisher/wire-headers.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream } from "./publish.ts";

const nats = useNatsServer();

const text = new TextEncoder();

/** Header blocks as another publisher might write them. */
const BLOCKS: Record<string, string> = {
  canonical: `NATS/1.0\r\n${Header.MsgId}: a:1\r\n${Header.Schema}: elava.v1.InfrastructureChangeEvent\r\n${Header.ScanId}: 01SCAN\r\n${Header.ContentHash}: sha256-v3:abc\r\n\r\n`,
  "names in any case, values padded": `NATS/1.0\r\nelava-schema:elava.v1.PartitionScanned\r\nELAVA-SCAN-ID:   01OTHER \t\r\nElava-Content-Hash: h\r\n\r\n`,
  "values padded": `NATS/1.0\r\n${Header.ScanId}:   01OTHER \t\r\n\r\n`,
  "a header twice: the first counts": `NATS/1.0\r\n${Header.ScanId}: first\r\n${Header.ScanId}: second\r\n\r\n`,
  "none of the three": "NATS/1.0\r\nX-Other: 1\r\n\r\n",
  "a value with a colon and no name's match": `NATS/1.0\r\nElava-Schemas: no\r\n${Header.ContentHash}: sha256-v3:x:y\r\n\r\n`,
};

async function delivered(): Promise<Map<string, JsMsg>> {
  await createStream(nats.nc, "BLOCKS", "blocks");
  const headers = new WireHeaders();
  const names = Object.keys(BLOCKS);
  for (const [i, name] of names.entries()) {
    headers.block = text.encode(BLOCKS[name] as string);
    nats.nc.publish(`blocks.m${i}`, text.encode("payload"), { headers });
  }
  nats.nc.publish(`blocks.m${names.length}`, text.encode("no headers"));
  await nats.nc.flush();
  const reader = await StreamReader.open(nats.nc, { stream: "BLOCKS", prefix: "blocks" });
  const out = new Map<string, JsMsg>();
  for await (const m of reader.read({ filter: "blocks.>", start: { kind: "all" } })) {
    const i = Number(m.subject.slice("blocks.m".length));
    out.set(names[i] ?? "no headers", m);
  }
  return out;
}

describe("reading the checked headers from a header block", () => {
  it("gives what the decoded headers give, for messages as nats-server delivers them", async () => {
    const messages = await delivered();
    expect([...messages.keys()].sort()).toEqual([...Object.keys(BLOCKS), "no headers"].sort());
    for (const [name, m] of messages) {
      if (name === "no headers") {
        expect(headerBlockOf(m), name).toBeUndefined();
        continue;
      }
      const block = headerBlockOf(m);
      // The installed nats.js keeps the bytes where headerBlockOf looks.
      expect(block, name).toBeDefined();
      if (block === undefined) continue;
      const fromBlock = readHeaderBlock(block, { schema: "", scanId: "", contentHash: "" });
      const decoded = m.headers;
      expect({ ...fromBlock }, name).toEqual({
        schema: decoded?.get(Header.Schema) ?? "",
        scanId: decoded?.get(Header.ScanId) ?? "",
        contentHash: decoded?.get(Header.ContentHash) ?? "",
      });
    }
    const read = (name: string) => {
      const block = headerBlockOf(messages.get(name) as JsMsg);
      if (block === undefined) throw new Error(`no block for ${name}`);
      return readHeaderBlock(block, { schema: "", scanId: "", contentHash: "" });
    };
    expect(read("canonical")).toEqual({
      schema: "elava.v1.InfrastructureChangeEvent",
      scanId: "01SCAN",
      contentHash: "sha256-v3:abc",
    });
    // Names are matched as written, as nats.js's headers match them.
    expect(read("names in any case, values padded")).toEqual({
      schema: "",
      scanId: "",
      contentHash: "h",
    });
    expect(read("values padded").scanId).toBe("01OTHER");
    expect(read("a header twice: the first counts").scanId).toBe("first");
    expect(read("a value with a colon and no name's match")).toEqual({
      schema: "",
      scanId: "",
      contentHash: "sha256-v3:x:y",
    });
  });

  it("reads each block's own values when consecutive blocks repeat or change them", () => {
    const block = (scan: string, hash: string) => {
      const bytes = text.encode(
        `NATS/1.0\r\n${Header.Schema}: elava.v1.InfrastructureChangeEvent\r\n${Header.ScanId}: ${scan}\r\n${Header.ContentHash}: ${hash}\r\n\r\n`,
      );
      return { bytes, end: bytes.length };
    };
    const read = (scan: string, hash: string) =>
      readHeaderBlock(block(scan, hash), { schema: "", scanId: "", contentHash: "" });
    const seen = [
      read("01AAAA", "h1"),
      read("01AAAA", "h2"),
      read("01BBBB", "h3"),
      read("01AAAB", "h4"),
      read("01AAAA", "h5"),
    ];
    expect(seen.map((h) => `${h.scanId} ${h.contentHash}`)).toEqual([
      "01AAAA h1",
      "01AAAA h2",
      "01BBBB h3",
      "01AAAB h4",
      "01AAAA h5",
    ]);
    expect(new Set(seen.map((h) => h.schema))).toEqual(
      new Set(["elava.v1.InfrastructureChangeEvent"]),
    );
  });

  it("finds no block in a message built by hand, so the tools read its headers", () => {
    expect(headerBlockOf({ subject: "a.b", seq: 1, data: new Uint8Array(0) })).toBeUndefined();
    expect(headerBlockOf({ msg: { _rdata: new Uint8Array(4), _msg: { hdr: 9 } } })).toBeUndefined();
  });
});
