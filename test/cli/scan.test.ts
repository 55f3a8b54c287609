import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../../src/providers/sample/index.ts";
import { planPartitions } from "../../src/scanner/scanner.ts";
import { freePort, NatsServer } from "../support/nats-server.ts";
import { CliProcess, runCli } from "./run-cli.ts";

let nats: NatsServer;
beforeAll(async () => {
  nats = await NatsServer.start();
});
afterAll(async () => {
  await nats.dispose();
});

/** Subject -> message count of the markers (5-token subjects) of a stream. */
async function markerSubjects(stream: string, prefix: string): Promise<Map<string, number>> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}.*.*.*.*` });
    return new Map(Object.entries(info.state.subjects ?? {}));
  } finally {
    await nc.close();
  }
}

const sample = (stream: string, prefix: string, ...more: string[]) => [
  "--provider",
  "sample",
  "--nats-url",
  nats.url,
  "--stream",
  stream,
  "--subject-prefix",
  prefix,
  ...more,
];

describe("elava scan", () => {
  it("exits 0 when every partition is OK and 1 when any FAILED, with a marker for each", async () => {
    const ok = await runCli(["scan", ...sample("OKSCAN", "okscan", "--sample-resources", "500")]);
    expect(ok.code, ok.stderr).toBe(0);
    const scanLine = ok.logs.find((l) => l.msg === "scan finished");
    expect(scanLine?.partitions_failed).toBe(0);
    const partitions = ok.logs.filter((l) => l.msg === "partition scanned");
    expect(partitions.length).toBe(scanLine?.partitions_ok);
    expect((await markerSubjects("OKSCAN", "okscan")).size).toBe(partitions.length);

    const failed = await runCli([
      "scan",
      ...sample("FAILSCAN", "failscan", "--sample-resources", "500", "--sample-fail", "vpc"),
    ]);
    expect(failed.code, failed.stderr).toBe(1);
    const failures = failed.logs.filter((l) => l.msg === "partition failed");
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((l) => l.resource_type === "vpc" && l.reason === "access_denied")).toBe(
      true,
    );
  });

  it("exits 2 naming the problem for each kind of bad configuration", async () => {
    const deadPort = await freePort();
    const [unknownFlag, badDuration, unreachable, missingStream, noCommand] = await Promise.all([
      runCli(["scan", "--bogus-flag", "1"]),
      runCli(["scan", "--shutdown-grace", "15x"]),
      runCli([
        "scan",
        "--provider",
        "sample",
        "--nats-url",
        `nats://127.0.0.1:${deadPort}`,
        "--nats-connect-timeout",
        "300ms",
      ]),
      runCli(["scan", ...sample("NOSUCHSTREAM", "nosuch", "--stream-verify-only")]),
      runCli(["frobnicate"]),
    ]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("--bogus-flag");
    expect(unknownFlag.stderr).toContain("usage: elava scan");
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toContain('--shutdown-grace \\"15x\\"');
    expect(badDuration.stderr).toContain("--shutdown-grace 20s");
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(`cannot connect to NATS at nats://127.0.0.1:${deadPort}`);
    expect(missingStream.code).toBe(2);
    expect(missingStream.stderr).toContain("stream NOSUCHSTREAM does not exist");
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain('unknown command "frobnicate"');
    // Nothing was created in verify-only mode.
    await expect(markerSubjects("NOSUCHSTREAM", "nosuch")).rejects.toThrow();
  });

  it("on AWS without credentials exits 2 naming them, and writes nothing but JSON log lines", async () => {
    // No AWS variables, an empty home (no ~/.aws) and no instance metadata service.
    const home = await mkdtemp(join(tmpdir(), "elava-home-"));
    const run = await runCli(
      [
        "scan",
        "--provider",
        "aws",
        "--regions",
        "us-east-1",
        "--nats-url",
        nats.url,
        "--stream",
        "NOCREDS",
        "--subject-prefix",
        "nocreds",
      ],
      { HOME: home, AWS_EC2_METADATA_DISABLED: "true" },
    );
    expect(run.code).toBe(2);
    // "Nothing was done": the credentials are found missing before the stream is touched.
    await expect(markerSubjects("NOCREDS", "nocreds")).rejects.toThrow(/stream not found/u);
    const lines = run.stderr.split("\n").filter((l) => l !== "");
    // The AWS SDK's notices (on Node 20, that it will require Node 22) are log lines too.
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const last = JSON.parse(lines.at(-1) ?? "{}") as Record<string, unknown>;
    expect(last).toMatchObject({ level: "error", error: "config" });
    expect(last.msg).toMatch(/credentials .*us-east-1.*configure AWS credentials/);
  });

  it("prints help for every command, and `config` never prints a secret", async () => {
    const dir = await mkdtemp(join(tmpdir(), "elava-cli-"));
    await writeFile(join(dir, "token"), "tok-FILE-SECRET\n");
    await writeFile(join(dir, "elava.yaml"), "interval: 5m\nstream:\n  replicas: 3\n");
    const [help, config, json] = await Promise.all([
      runCli(["scan", "--help"]),
      runCli(["config", "--config", "elava.yaml", "--nats-token-file", "token"], {}, dir),
      runCli(["config", "--json"], { NATS_USER: "elava", NATS_PASSWORD: "pw-ENV-SECRET" }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: elava scan [options]");
    expect(help.stdout).toContain("--sample-fail TYPE[,TYPE]");
    expect(help.stdout).toContain("--nats-url URL[,URL]");
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout).not.toContain("tok-FILE-SECRET");
    expect(config.stdout).toMatch(/nats\.token\s+<redacted>/);
    expect(config.stdout).toMatch(/interval\s+5m\s+\(file .*elava\.yaml\)/);
    expect(config.stdout).toMatch(/stream\.replicas\s+3/);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toContain("pw-ENV-SECRET");
    expect(JSON.parse(json.stdout)["nats.password"]).toBe("<redacted>");
  });

  it("on SIGTERM mid-scan exits 0 promptly and publishes no marker for unfinished partitions", async () => {
    const scan = new CliProcess([
      "scan",
      ...sample("TERM", "term", "--sample-resources", "150000", "--concurrency", "2"),
      "--shutdown-grace",
      "3s",
    ]);
    await scan.waitFor("a finished partition", () => scan.stderr.includes('"partition scanned"'));
    const signalledAt = Date.now();
    scan.child.kill("SIGTERM");
    const code = await scan.exited;
    expect(code, scan.stderr.slice(-2000)).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(8_000);

    const logs = scan.logs();
    const summary = logs.find((l) => l.msg === "scan interrupted");
    expect(summary?.interrupted).toBe(true);
    const finished = new Set(
      logs
        .filter((l) => l.msg === "partition scanned" || l.msg === "partition failed")
        .filter((l) => l.status === "OK" || l.status === "FAILED")
        .map((l) => String(l.partition)),
    );
    const markers = await markerSubjects("TERM", "term");
    expect([...markers.keys()].map((s) => s.slice("term.".length)).sort()).toEqual(
      [...finished].sort(),
    );
    // Fewer markers than the estate has partitions: the scan really was cut short.
    const estate = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources: 150_000 });
    const planned = planPartitions(await estate.units(new AbortController().signal));
    expect(markers.size).toBeGreaterThan(0);
    expect(markers.size).toBeLessThan(planned.length);
  });
});
