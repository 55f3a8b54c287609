import { describe, expect, it } from "vitest";
import {
  type Figure,
  formatMarkdown,
  formatTable,
  formatTarget,
  formatValue,
  judge,
  meets,
} from "../../bench/figures.ts";

const rate: Figure = {
  bench: "1 publish",
  name: "end-to-end events/s",
  value: 71_234.4,
  unit: "events/s",
  target: { direction: "at-least", value: 70_000 },
};

describe("bench figures", () => {
  it("judges at-least and at-most targets, boundaries included, NaN never passing", () => {
    expect(meets(70_000, { direction: "at-least", value: 70_000 })).toBe(true);
    expect(meets(69_999, { direction: "at-least", value: 70_000 })).toBe(false);
    expect(meets(128, { direction: "at-most", value: 128 })).toBe(true);
    expect(meets(128.1, { direction: "at-most", value: 128 })).toBe(false);
    expect(meets(Number.NaN, { direction: "at-most", value: 128 })).toBe(false);
  });

  it("adds a verdict only to figures with a target", () => {
    expect(judge(rate).pass).toBe(true);
    expect(judge({ ...rate, value: 12_000 }).pass).toBe(false);
    const context = judge({ bench: "1 publish", name: "raw", value: 5, unit: "events/s" });
    expect("pass" in context).toBe(false);
  });

  it("formats large values with separators, small ones with up to 2 decimals, ratios with x", () => {
    expect(formatValue(71_234.4, "events/s")).toBe("71,234 events/s");
    expect(formatValue(0.8, "x")).toBe("0.8x");
    expect(formatValue(1.256, "x")).toBe("1.26x");
    expect(formatValue(2, "s")).toBe("2 s");
    expect(formatValue(Number.NaN, "MiB")).toBe("n/a");
    expect(formatTarget({ direction: "at-most", value: 128 }, "MiB")).toBe("<= 128 MiB");
    expect(formatTarget(undefined, "MiB")).toBe("");
  });

  it("prints an aligned table with pass and FAIL, and the same rows in Markdown", () => {
    const figures = [
      judge(rate),
      judge({
        ...rate,
        name: "ratio",
        value: 0.29,
        unit: "x",
        target: { direction: "at-least", value: 0.8 },
      }),
    ];
    const lines = formatTable(figures).split("\n");
    expect(lines[0]).toMatch(/^bench\s+figure\s+value\s+target\s+result$/u);
    expect(lines[2]).toContain("71,234 events/s");
    expect(lines[2]).toMatch(/pass$/u);
    expect(lines[3]).toMatch(/0\.29x\s+>= 0\.8x\s+FAIL$/u);
    // The value column is right-aligned: both values end at the same column.
    const end = (line: string, text: string) => line.indexOf(text) + text.length;
    expect(end(lines[2] ?? "", "71,234 events/s")).toBe(end(lines[3] ?? "", "0.29x"));
    expect(formatMarkdown(figures).split("\n")).toEqual([
      "| bench | figure | value | target | result |",
      "| --- | --- | ---: | --- | --- |",
      "| 1 publish | end-to-end events/s | 71,234 events/s | >= 70,000 events/s | pass |",
      "| 1 publish | ratio | 0.29x | >= 0.8x | **FAIL** |",
    ]);
  });
});
