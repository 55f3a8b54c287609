import { describe, expect, it } from "vitest";
import { type Hash64, hash64, hashHex, Interner, SeqTable } from "../../src/consumer/compact.ts";

const h = (s: string): Hash64 => hash64(s, { hi: 0, lo: 0 });

describe("compact per-resource state", () => {
  it("hashes a string to the same 64 bits every time, and different strings apart", () => {
    expect(hashHex(h("aws.vpc.123456789012.us-east-1.vpc-1"))).toBe(
      hashHex(h("aws.vpc.123456789012.us-east-1.vpc-1")),
    );
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++)
      seen.add(hashHex(h(`aws.ec2_instance.123456789012.us-east-1.i-${i}`)));
    expect(seen.size).toBe(100_000);
    expect(hashHex(h(""))).toMatch(/^[0-9a-f]{16}$/u);
  });

  it("keeps a sequence and a value per key through growth (stored out of order), replacing on a second set", () => {
    const t = new SeqTable(true);
    for (let i = 5000; i >= 1; i--) t.set(h(`r${i}`), 2 ** 40 + i, { hi: i, lo: i * 2 }, i % 7);
    expect(t.size).toBe(5000);
    const big = 2 ** 40;
    expect(t.set(h("r42"), big + 9999, { hi: 1, lo: 2 }, 3)).toBe(false);
    expect(t.size).toBe(5000);
    const value: Hash64 = { hi: 0, lo: 0 };
    const slot = t.find(h("r42"));
    expect(t.read(slot, undefined, value)).toEqual({ seq: big + 9999, tag: 3 });
    expect(value).toEqual({ hi: 1, lo: 2 });
    expect(t.seqOf(h("r7"))).toBe(big + 7);
    expect(t.find(h("absent"))).toBe(-1);
    expect(t.seqOf(h("absent"))).toBe(0);
    const seqs = t.sortedSeqs();
    expect(seqs.length).toBe(5000);
    expect(seqs[0]).toBe(big + 1);
    expect(seqs.at(-1)).toBe(big + 9999);
    expect(() => t.set(h("x"), 0)).toThrow(/start at 1/u);
    expect(() => t.set(h("x"), big + 2 ** 33)).toThrow(/more than 2\^32 after/u);
  });

  it("interns repeated strings", () => {
    const i = new Interner();
    expect([i.id("sha256"), i.id("v2:sha256"), i.id("sha256")]).toEqual([0, 1, 0]);
    expect(i.value(1)).toBe("v2:sha256");
  });
});
