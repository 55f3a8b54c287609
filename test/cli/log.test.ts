import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { createLogger, logProcessWarnings } from "../../src/cli/log.ts";

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

  it("redacts URL credentials and NKey seeds wherever a library's text put them, in both formats", () => {
    const seed = `SUA${"B".repeat(55)}`;
    for (const format of ["json", "text"] as const) {
      const { lines, sink } = capture();
      createLogger(sink, "info", {}, at, format).error(
        "cannot reach nats://alice:pw-log-1@h:4222",
        {
          error: new Error(`bad seed ${seed}`),
          server: "tls://tok-log-2@h:4222",
          nested: { url: "nats://bob:pw-log-3@h:4222" },
        },
      );
      const line = lines.join("");
      for (const secret of ["pw-log-1", "tok-log-2", "pw-log-3", seed]) {
        expect(line).not.toContain(secret);
      }
      expect(line).toContain("nats://alice:<redacted>@h:4222");
      expect(line).toContain("tls://<redacted>@h:4222");
      expect(line).toContain("bad seed <redacted>");
    }
  });
});

describe("process warnings", () => {
  it("become warn lines of the log, and Node's own printer is removed", () => {
    const lines: string[] = [];
    const emitter = new EventEmitter();
    let printed = 0;
    emitter.on("warning", () => {
      printed += 1;
    });
    const log = createLogger(
      { write: (l: string) => lines.push(l) },
      "warn",
      {},
      () => new Date(0),
    );
    logProcessWarnings(log, emitter);
    const deprecation = Object.assign(new Error("the thing is deprecated\nuse the other"), {
      name: "DeprecationWarning",
      code: "DEP0001",
    });
    emitter.emit("warning", deprecation);
    emitter.emit("warning", Object.assign(new Error("odd"), { name: "Warning" }));
    expect(printed).toBe(0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        time: "1970-01-01T00:00:00.000Z",
        level: "warn",
        msg: "the thing is deprecated\nuse the other",
        warning: "DeprecationWarning",
        code: "DEP0001",
      },
      { time: "1970-01-01T00:00:00.000Z", level: "warn", msg: "odd", warning: "Warning" },
    ]);
  });
});
