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

  it("rejects text that is not a ULID", () => {
    expect(() => ulidTime("not-a-ulid!")).toThrow(/not a ULID/);
  });
});
