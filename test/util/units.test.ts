import { describe, expect, it } from "vitest";
import { formatDuration, formatSize, parseDuration, parseSize } from "../../src/util/units.ts";

describe("durations", () => {
  it.each([
    ["15m", 900_000],
    ["90s", 90_000],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["7d", 604_800_000],
    ["1.5s", 1_500],
    ["0", 0],
  ])("parses %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["15", "15x", "", "m", "-5m", "15 m"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("formats the shortest exact text", () => {
    expect(formatDuration(900_000)).toBe("15m");
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(1_500)).toBe("1s500ms");
    expect(formatDuration(0)).toBe("0");
  });
});

describe("sizes", () => {
  it.each([
    ["10GiB", 10 * 2 ** 30],
    ["512MiB", 512 * 2 ** 20],
    ["1GB", 1e9],
    ["1048576", 1_048_576],
    ["-1", -1],
    ["unlimited", -1],
  ])("parses %s", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(["10XB", "GiB", "ten"])("rejects %j", (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  it("formats with the largest exact binary unit", () => {
    expect(formatSize(10 * 2 ** 30)).toBe("10GiB");
    expect(formatSize(1000)).toBe("1000B");
    expect(formatSize(-1)).toBe("unlimited");
  });
});
