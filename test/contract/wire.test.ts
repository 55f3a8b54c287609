import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { describe, expect, it } from "vitest";
import { compareUtf8, WireWriter } from "../../src/contract/wire.ts";

/** The writer calls both writers take, so each test states its writes once. */
type Writes = (w: {
  tag(no: number, t: WireType): unknown;
  uint32(v: number): unknown;
  int32(v: number): unknown;
  int64(v: bigint | number | string): unknown;
  bool(v: boolean): unknown;
  double(v: number): unknown;
  string(v: string): unknown;
  bytes(v: Uint8Array): unknown;
  fork(): unknown;
  join(): unknown;
}) => void;

/** Asserts that WireWriter writes exactly the bytes protobuf-es's BinaryWriter writes. */
function expectSameBytes(writes: Writes, initialSize?: number): Buffer {
  const reference = new BinaryWriter();
  writes(reference);
  const ours = new WireWriter(initialSize);
  writes(ours);
  const bytes = ours.take();
  const expected = Buffer.from(reference.finish());
  // A deep comparison of megabytes takes seconds; the diff only helps for small ones.
  if (expected.length > 4096) expect(bytes.equals(expected)).toBe(true);
  else expect(bytes).toEqual(expected);
  return bytes;
}

describe("WireWriter writes protobuf-es's bytes", () => {
  it("for strings: short and long, ASCII, accented, CJK, emoji and lone surrogates", () => {
    const samples = [
      "",
      "a",
      "vpc-0123456789abcdef0",
      "x".repeat(127),
      "x".repeat(128),
      "arn:aws:iam::123456789012:role/".padEnd(200, "r"),
      "équipe-données",
      "é".repeat(100),
      "é".repeat(127),
      "東京リージョン",
      "🚀 launch",
      "ok\ud800broken",
      `${"a".repeat(126)}é`,
      "z".repeat(20_000),
    ];
    for (const s of samples) {
      expectSameBytes((w) => {
        w.tag(1, WireType.LengthDelimited);
        w.string(s);
      });
    }
  });

  it("for varints: int32 (negatives take ten bytes), int64 from bigint, number and string, bool", () => {
    expectSameBytes((w) => {
      for (const v of [0, 1, 127, 128, 300, 2 ** 31 - 1, -1, -(2 ** 31)]) w.int32(v);
      for (const v of [0n, 1n, 2n ** 32n, 2n ** 63n - 1n, -1n, -(2n ** 63n)]) w.int64(v);
      w.int64(1_700_000_000);
      w.int64("9007199254740993");
      w.int64("-42");
      w.bool(true);
      w.bool(false);
      w.uint32(2 ** 32 - 1);
    });
  });

  it("for doubles: zero, negative zero, fractions, extremes, infinities and NaN", () => {
    expectSameBytes((w) => {
      for (const v of [0, -0, 0.5, 80, -1.25, 1e300, Number.MIN_VALUE, Infinity, -Infinity, NaN]) {
        w.tag(1, WireType.Bit64);
        w.double(v);
      }
    });
  });

  it("for nested messages whose lengths take one to four bytes, growing from a tiny buffer", () => {
    for (const size of [0, 127, 128, 16_383, 16_384, 2_097_152]) {
      const body = new Uint8Array(size).fill(7);
      const bytes = expectSameBytes((w) => {
        w.tag(1, WireType.LengthDelimited);
        w.fork();
        w.tag(2, WireType.LengthDelimited);
        w.fork();
        w.bytes(body);
        w.join();
        w.tag(3, WireType.Varint);
        w.int32(5);
        w.join();
      }, 8);
      expect(bytes.length).toBeGreaterThan(size);
    }
  });

  it("takes a copy and starts again empty; refuses to take or join out of turn", () => {
    const w = new WireWriter(4);
    w.string("first");
    const first = w.take();
    w.string("second");
    expect(first).toEqual(Buffer.from([5, ...Buffer.from("first")]));
    expect(Buffer.from(w.written())).toEqual(Buffer.from([6, ...Buffer.from("second")]));
    expect(() => w.join()).toThrow(/without a fork/);
    w.fork();
    expect(() => w.take()).toThrow(/open fork/);
  });
});

describe("WireWriter.truncate", () => {
  it("drops what was written after a length, and refuses to cut into an open fork", () => {
    const w = new WireWriter(4);
    w.string("keep");
    const mark = w.length;
    w.string("drop me");
    w.truncate(mark);
    w.string("then");
    expect(w.take()).toEqual(Buffer.from([4, ...Buffer.from("keep"), 4, ...Buffer.from("then")]));
    w.string("x");
    w.fork();
    expect(() => w.truncate(0)).toThrow(/open fork/);
    expect(() => w.truncate(99)).toThrow(/outside/);
  });
});

describe("compareUtf8", () => {
  it("orders strings as their UTF-8 bytes, where UTF-16 code units would not", () => {
    const strings = [
      "b",
      "a",
      "",
      "ab",
      "é",
      "z",
      "\uffff",
      "\ue000",
      "😀",
      "𝒜",
      "東京",
      "A",
      "\u07ff",
    ];
    const byBytes = [...strings].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...strings].sort(compareUtf8)).toEqual(byBytes);
    // The case `<` gets wrong: U+FFFF sorts before an emoji in UTF-8, after it in UTF-16.
    expect(["😀", "\uffff"].sort()).toEqual(["😀", "\uffff"]);
    expect(["😀", "\uffff"].sort(compareUtf8)).toEqual(["\uffff", "😀"]);
  });
});
