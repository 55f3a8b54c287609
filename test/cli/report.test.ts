import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/cli/log.ts";
import { type PartitionEnd, ScanReporter } from "../../src/cli/report.ts";

function partition(
  region: string,
  seconds: number,
  status: PartitionEnd["status"] = "OK",
): PartitionEnd {
  const startedAt = new Date("2026-01-01T00:00:00Z");
  return {
    partition: { provider: "aws", resourceType: "vpc", accountId: "123456789012", region },
    status,
    resourceCount: 2,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + seconds * 1000),
    marker: status === "INTERRUPTED" ? "none" : "stored",
  };
}

describe("the scan table on a terminal", () => {
  it("shows per type the resources, partitions by outcome and the slowest partition", () => {
    let out = "";
    const sink = { write: (chunk: string) => (out += chunk) };
    const reporter = new ScanReporter(
      { stdout: sink, stderr: sink, isTTY: false },
      createLogger(sink, "error"),
    );
    reporter.partitionFinished(partition("us-east-1", 1));
    reporter.partitionFinished(partition("eu-west-1", 3));
    reporter.partitionFinished(partition("ap-south-1", 2, "FAILED"));
    reporter.partitionFinished(partition("sa-east-1", 0, "INTERRUPTED"));
    const table = reporter.table(
      {
        scanId: "S",
        startedAt: new Date(0),
        finishedAt: new Date(3000),
        published: 6,
        interrupted: true,
      },
      3,
      { ok: 2, failed: 1, interrupted: 1, unconfirmed: 0 },
    );
    const [head, row] = table.split("\n");
    expect(head?.split(/\s{2,}/)).toEqual([
      "resource type",
      "resources",
      "partitions OK",
      "FAILED",
      "interrupted",
      "slowest partition",
    ]);
    // Interrupted partitions are counted apart: none of them was published as FAILED.
    expect(row?.trim().split(/\s+/)).toEqual(["vpc", "8", "2", "1", "1", "3.0s"]);
    expect(table).toContain("2 partitions OK, 1 FAILED, 1 interrupted (no marker)");
  });
});

describe("the progress line", () => {
  it("counts partitions done of those planned, and estimates the time left", () => {
    const sink = { write: (_chunk: string) => undefined };
    const reporter = new ScanReporter(
      { stdout: sink, stderr: sink, isTTY: false },
      createLogger(sink, "error"),
    );
    const start = Date.now();
    expect(reporter.progressLine(start)).toMatch(/^discovering partitions {2}0 snapshots/u);
    reporter.planned(40);
    for (let i = 0; i < 10; i++) reporter.partitionFinished(partition(`r-${i}`, 1));
    reporter.published(5000);
    const line = reporter.progressLine(start + 20_000);
    expect(line).toContain("partitions 10/40 done");
    expect(line).toContain("5000 snapshots");
    expect(line).toContain("250/s");
    expect(line).toContain("elapsed 20s");
    // 10 of 40 in 20 s: 30 more take about a minute.
    expect(line).toContain("about 1m00s left");
  });

  it("is erased before any other line on the terminal, and stderr is given back at the end", async () => {
    const writes: string[] = [];
    const stderr = { write: (chunk: string) => writes.push(chunk) };
    const original = stderr.write;
    const log = createLogger(stderr, "info", {}, () => new Date(), "text");
    const reporter = new ScanReporter({ stdout: { write: () => 0 }, stderr, isTTY: true }, log);
    reporter.planned(4);
    await new Promise((resolve) => setTimeout(resolve, 400));
    log.warn("a line in the middle");
    const logged = writes.findIndex((w) => w.includes("a line in the middle"));
    expect(writes[logged - 1]).toBe("\r\u001b[K");
    expect(writes[logged - 2]).toContain("partitions 0/4 done");
    reporter.close();
    expect(stderr.write).toBe(original);
    const count = writes.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(writes).toHaveLength(count);
  });
});
