import { describe, expect, it } from "vitest";
import { newScanId, UlidFactory, ulidTime } from "../../src/contract/ids.ts";

describe("ids", () => {
  it("scan ids sort by start time and encode it", () => {
    const early = newScanId(new Date("2026-01-01T00:00:00.000Z"));
    const late = newScanId(new Date("2026-01-01T00:00:00.001Z"));
    expect(early < late).toBe(true);
    expect(early).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidTime(late).toISOString()).toBe("2026-01-01T00:00:00.001Z");
  });

  it("stays strictly increasing within one millisecond", () => {
    const f = new UlidFactory();
    const ids = Array.from({ length: 1000 }, () => f.next(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("writes the same ids as ASCII bytes, without a string", () => {
    const a = new UlidFactory();
    const b = new UlidFactory();
    const ms = 1_700_000_000_000;
    // Equal starts: copy the random part of the first id of one factory into the other.
    const first = a.next(ms);
    const bytes = Buffer.from(b.nextAscii(ms)).toString("latin1");
    expect(bytes.slice(0, 10)).toBe(first.slice(0, 10));
    expect(bytes).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidTime(bytes).getTime()).toBe(ms);
    const next = Buffer.from(a.nextAscii(ms)).toString("latin1");
    expect(next > first).toBe(true);
    expect(next.slice(0, 25)).toBe(first.slice(0, 25));
  });

  it("rejects text that is not a ULID", () => {
    expect(() => ulidTime("not-a-ulid!")).toThrow(/not a ULID/);
  });
});
