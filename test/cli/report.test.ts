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
    const table = reporter.table(
      {
        scanId: "S",
        startedAt: new Date(0),
        finishedAt: new Date(3000),
        published: 6,
        interrupted: false,
      },
      3,
      { ok: 2, failed: 1, interrupted: 0 },
    );
    const [head, row] = table.split("\n");
    expect(head?.split(/\s{2,}/)).toEqual([
      "resource type",
      "resources",
      "partitions OK",
      "FAILED",
      "slowest partition",
    ]);
    expect(row?.trim().split(/\s+/)).toEqual(["vpc", "6", "2", "1", "3.0s"]);
    expect(table).toContain("1 partition(s) FAILED");
  });
});
