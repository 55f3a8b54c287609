/**
 * The noise figure of issue 11, end to end through bin/elava: two scans of an unchanged
 * sample estate (no churn; its free IPs, restore times, target health and in-service
 * counts still move, as AWS's do) and `elava changes` derives nothing from them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsServer } from "../support/nats-server.ts";
import { runCli } from "./run-cli.ts";

let nats: NatsServer;
beforeAll(async () => {
  nats = await NatsServer.start();
});
afterAll(async () => {
  await nats.dispose();
});

describe("elava scan --provider sample, twice with no churn, then elava changes", () => {
  it("reports 0 created, 0 modified, 0 disappeared, from partitions published as provider sample", async () => {
    const common = ["--nats-url", nats.url, "--stream", "NOISE", "--subject-prefix", "noise"];
    const sample = ["--provider", "sample", "--sample-resources", "1500", "--sample-churn", "0"];
    for (const k of ["1", "2"]) {
      const scan = await runCli(["scan", ...sample, "--sample-scan", k, ...common]);
      expect(scan.code, scan.stderr).toBe(0);
      const partitions = scan.logs.filter((l) => l.msg === "partition scanned");
      expect(partitions.length).toBeGreaterThan(20);
      for (const p of partitions) expect(String(p.partition)).toMatch(/^sample\.\w+\.sample-/u);
    }
    const changes = await runCli(["changes", "--json", ...common]);
    expect(changes.code, changes.stderr).toBe(0);
    // Nothing but the summary line: no change, no skipped scan.
    const [summary, ...rest] = changes.stdout.trimEnd().split("\n");
    expect(rest).toEqual([]);
    const counts = JSON.parse(summary ?? "{}") as Record<string, number | string>;
    expect(counts).toMatchObject({ kind: "summary", created: 0, modified: 0, disappeared: 0 });
    expect(counts.derived).toBeGreaterThan(20);
    const table = await runCli(["changes", ...common]);
    expect(table.stdout).toMatch(
      /^0 created, 0 modified, 0 disappeared since 24h, from \d+ partition scans; /u,
    );
  });
});
