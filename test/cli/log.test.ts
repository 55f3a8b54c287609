import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/cli/log.ts";

const at = () => new Date("2026-01-02T03:04:05.678Z");

function capture() {
  const lines: string[] = [];
  return { lines, sink: { write: (chunk: string) => lines.push(chunk) } };
}

describe("the logger", () => {
  it("writes one JSON object per line, fields of children included, below-level lines dropped", () => {
    const { lines, sink } = capture();
    const log = createLogger(sink, "info", { command: "scan" }, at).child({
      partition: "aws.vpc.1.r",
    });
    log.debug("hidden");
    log.info("partition scanned", { resources: 3, big: 10n });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      time: "2026-01-02T03:04:05.678Z",
      level: "info",
      msg: "partition scanned",
      command: "scan",
      partition: "aws.vpc.1.r",
      resources: 3,
      big: "10",
    });
  });

  it("writes a readable line for a terminal, quoting values with spaces", () => {
    const { lines, sink } = capture();
    createLogger(sink, "info", { command: "scan" }, at, "text").warn("slow call", {
      action: "describe instances",
      ms: 900,
    });
    expect(lines).toEqual([
      '03:04:05 warn slow call command=scan action="describe instances" ms=900\n',
    ]);
  });
});
