import { Match, MsgHdrsImpl } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import {
  headerBlock,
  headerBlockLength,
  parseHeaderBlock,
  WireHeaders,
} from "../../src/publisher/wire-headers.ts";

const PAIRS: Array<[string, string]> = [
  ["Nats-Msg-Id", "01SCAN:aws.vpc.123456789012.eu-west-1.vpc-1"],
  ["Content-Type", "application/protobuf"],
  ["Elava-Name", "café"],
];

describe("header blocks", () => {
  it("are the bytes the client's own headers encode to, with their length", () => {
    const h = new MsgHdrsImpl();
    for (const [k, v] of PAIRS) h.append(k, v);
    const block = headerBlock(PAIRS);
    expect(Buffer.from(block).equals(Buffer.from(h.encode()))).toBe(true);
    expect(headerBlockLength(PAIRS)).toBe(block.length);
    expect(parseHeaderBlock(block)).toEqual(PAIRS);
  });

  it("refuse a line break or a colon that would forge another header", () => {
    expect(() => headerBlock([["Elava-Name", "a\r\nNats-Msg-Id: x"]])).toThrow(/line break/);
    expect(() => headerBlock([["Bad:Name", "v"]])).toThrow(/without ":"/);
    expect(() => parseHeaderBlock(new TextEncoder().encode("HTTP/1.1\r\n\r\n"))).toThrow(
      /NATS\/1.0/,
    );
  });

  it("WireHeaders sends its block as it is and reads its headers from it", () => {
    const w = new WireHeaders();
    w.block = headerBlock([...PAIRS, ["Content-Type", "text/plain"]]);
    expect(w.encode()).toBe(w.block);
    expect(w.get("Content-Type")).toBe("application/protobuf");
    expect(w.last("Content-Type")).toBe("text/plain");
    expect(w.get("content-type", Match.IgnoreCase)).toBe("application/protobuf");
    expect(w.has("Elava-Name")).toBe(true);
    expect(w.has("Missing")).toBe(false);
    expect(w.keys()).toEqual(["Nats-Msg-Id", "Content-Type", "Elava-Name"]);
    expect([...w].map(([k, v]) => `${k}=${v.join("|")}`)).toContain(
      "Content-Type=application/protobuf|text/plain",
    );
    expect(() => w.set("X", "y")).toThrow(/written once/);
  });
});
