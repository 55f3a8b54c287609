import { describe, expect, it } from "vitest";
import { compareInventories, inventoryValue } from "../../bench/cluster.ts";

describe("bench 5's inventory", () => {
  it("takes a snapshot's content hash, and a marker's status and count", () => {
    expect(
      inventoryValue([
        ["Nats-Msg-Id", ["01SCAN:sample.vpc.a.r.vpc-1"]],
        ["Elava-Content-Hash", ["sha256-v2:ab"]],
      ]),
    ).toBe("sha256-v2:ab");
    expect(
      inventoryValue([
        ["Elava-Status", ["OK"]],
        ["Elava-Resource-Count", ["25"]],
      ]),
    ).toBe("marker OK 25");
  });

  it("says which subjects are missing, extra or different", () => {
    const one = new Map([
      ["a", "h1"],
      ["b", "h2"],
      ["m", "marker OK 2"],
    ]);
    expect(compareInventories(one, new Map(one))).toBe("");
    const other = new Map([
      ["a", "h1"],
      ["m", "marker OK 1"],
      ["c", "h3"],
    ]);
    expect(compareInventories(one, other)).toBe(
      "1 subjects missing (b); 1 subjects extra (c); 1 subjects differ (m)",
    );
  });
});
