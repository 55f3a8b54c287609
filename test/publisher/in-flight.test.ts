/** The in-flight table: tokens, slots and what a settled entry leaves behind. */
import { describe, expect, it } from "vitest";
import { InFlight } from "../../src/publisher/in-flight.ts";

interface Entry {
  readonly token: number;
  readonly name: string;
}

function fill(table: InFlight<Entry>, names: string[]): Entry[] {
  return names.map((name) => {
    const entry = { token: table.take(), name };
    table.add(entry);
    return entry;
  });
}

describe("InFlight", () => {
  it("gives counting tokens and finds each entry by its token", () => {
    const table = new InFlight<Entry>(4);
    const [a, b, c] = fill(table, ["a", "b", "c"]);
    expect([a?.token, b?.token, c?.token]).toEqual([0, 1, 2]);
    expect(table.get(1)).toBe(b);
    expect(table.size).toBe(3);
    expect(table.values().map((e) => e.name)).toEqual(["a", "b", "c"]);
  });

  it("forgets a deleted entry, and a token that maps to its slot later is not it", () => {
    const table = new InFlight<Entry>(2); // 4 slots
    const [a] = fill(table, ["a"]);
    expect(table.delete(a as Entry)).toBe(true);
    expect(table.delete(a as Entry)).toBe(false);
    expect(table.get(0)).toBeUndefined();
    fill(table, ["b", "c", "d", "e"]); // tokens 1..4; token 4 takes slot 0
    expect(table.get(4)?.name).toBe("e");
    expect(table.get(0)).toBeUndefined();
    expect(table.get(Number.NaN)).toBeUndefined();
  });

  it("skips the token of a slot still held by an entry waiting long", () => {
    const table = new InFlight<Entry>(2); // 4 slots
    const [slow, ...rest] = fill(table, ["slow", "b", "c", "d"]);
    for (const e of rest) table.delete(e);
    // Token 4 would take slot 0, which "slow" (token 0) still holds.
    const [next] = fill(table, ["next"]);
    expect(next?.token).toBe(5);
    expect(table.get(0)).toBe(slow);
    expect(table.get(5)).toBe(next);
  });

  it("refuses more entries than it has slots", () => {
    const table = new InFlight<Entry>(1); // 2 slots
    fill(table, ["a", "b"]);
    expect(() => table.take()).toThrow(/full/u);
  });

  it("hands out a copy of its entries that later changes leave alone", () => {
    const table = new InFlight<Entry>(4);
    const [a, b] = fill(table, ["a", "b"]);
    const values = table.values();
    table.delete(a as Entry);
    table.delete(b as Entry);
    expect(values.map((e) => e.name)).toEqual(["a", "b"]);
    expect(table.values()).toEqual([]);
  });
});
