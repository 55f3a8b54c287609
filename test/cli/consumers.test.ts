/**
 * The consumer commands as an operator runs them: bin/elava against a real nats-server,
 * piped into readers that stop early, on streams with bad messages, with shallow history
 * and wrong settings.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/command.ts";
import { command as tailCommand } from "../../src/cli/commands/tail.ts";
import { createStream, partition, publishRaw, publishScan, vpc } from "../consumer/publish.ts";
import { NatsServer } from "../support/nats-server.ts";
import { CliProcess, runCli } from "./run-cli.ts";

let nats: NatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await NatsServer.start();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc.close();
  await nats.dispose();
});

const at = (stream: string, prefix: string) => [
  "--nats-url",
  nats.url,
  "--stream",
  stream,
  "--subject-prefix",
  prefix,
];

/** Two sample scans with churn, through bin/elava scan. */
async function sampleStream(stream: string, prefix: string, resources: number): Promise<void> {
  for (const k of ["1", "2"]) {
    const scan = await runCli([
      "scan",
      "--provider",
      "sample",
      "--sample-resources",
      String(resources),
      "--sample-scan",
      k,
      "--sample-churn",
      "0.3",
      ...at(stream, prefix),
    ]);
    expect(scan.code, scan.stderr.slice(-2000)).toBe(0);
  }
}

/** Runs a command, reads `lines` lines of its output, then closes the pipe. */
async function headOf(args: string[], lines: number) {
  const p = new CliProcess(args);
  await p.waitFor(`${lines} lines of output`, () => p.stdout.split("\n").length > lines, 60_000);
  p.child.stdout?.destroy();
  const code = await p.exited;
  return { code, stderr: p.stderr, stdout: p.stdout };
}

describe("consumer commands through bin/elava", () => {
  it("end quietly with 141 when their reader closes the pipe (| head)", async () => {
    await sampleStream("PIPE", "pipe", 2000);
    const runs = await Promise.all([
      headOf(["tail", "--from", "all", ...at("PIPE", "pipe")], 2),
      headOf(["replay", "--json", ...at("PIPE", "pipe")], 1),
      headOf(["changes", "--json", "--since", "all", ...at("PIPE", "pipe")], 1),
      headOf(["graph", ...at("PIPE", "pipe")], 1),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr.slice(-3000)).toBe(141);
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /u);
    }
    // Read to the end, the same outputs are complete, and `| wc -l` counts every resource.
    const replay = await runCli(["replay", "--json", ...at("PIPE", "pipe")]);
    expect(replay.code, replay.stderr).toBe(0);
    const lines = replay.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.at(-1) as Record<string, number>;
    expect(summary.kind).toBe("summary");
    expect(lines.filter((l) => l.kind === "resource")).toHaveLength(summary.resources as number);
    expect(summary.resources).toBeGreaterThan(1500);
  });

  it("skip bad messages, log each with its sequence and subject, count them and exit 3", async () => {
    await createStream(nc, "DIRTY", "dirty");
    await publishScan(nc, [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }], "dirty");
    const junk = await publishRaw(nc, "dirty.junk.x", new TextEncoder().encode("hello"));
    const blob = await publishRaw(
      nc,
      "dirty.aws.vpc.123456789012.us-east-1.vpc-2",
      new Uint8Array(900 * 1024).fill(7),
      {
        "Elava-Schema": "elava.v1.InfrastructureChangeEvent",
        "Elava-Scan-Id": "x",
        "Elava-Content-Hash": "sha256:0",
      },
    );
    const [replay, json, changes, graph, history] = await Promise.all([
      runCli(["replay", ...at("DIRTY", "dirty")]),
      runCli(["replay", "--json", ...at("DIRTY", "dirty")]),
      runCli(["changes", "--since", "all", ...at("DIRTY", "dirty")]),
      runCli(["graph", "--format", "dot", ...at("DIRTY", "dirty")]),
      runCli(["history", "vpc-1", ...at("DIRTY", "dirty")]),
    ]);
    for (const r of [replay, json, changes, graph, history]) {
      expect(r.code, r.stderr).toBe(3);
      const warned = r.logs.filter(
        (l) => l.level === "warn" && String(l.msg).startsWith("bad message skipped"),
      );
      // history reads its resource's partition only, where the blob is.
      expect(warned.map((l) => l.seq).sort()).toEqual(r === history ? [blob] : [junk, blob]);
      if (r !== history) {
        expect(warned.find((l) => l.seq === junk)?.msg).toBe(
          `bad message skipped: message ${junk} on dirty.junk.x: its subject has 2 tokens after the prefix "dirty", not the contract's dirty.<provider>.<resource_type>.<account>.<region>[.<resource>]`,
        );
        expect(warned.find((l) => l.seq === blob)?.subject).toBe(
          "dirty.aws.vpc.123456789012.us-east-1.vpc-2",
        );
      }
    }
    expect(replay.stdout).toContain(
      "1 resources in 1 partitions: 1 ok, 0 unconfirmed, 0 incomplete, 0 unknown; 2 bad messages skipped",
    );
    const summary = JSON.parse(json.stdout.trimEnd().split("\n").at(-1) ?? "{}") as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({ kind: "summary", resources: 1, bad_messages: 2 });
    expect(graph.stdout).toContain("1 resources, 0 edges");
    expect(history.stdout).toContain("now: in the inventory");
    const help = await runCli(["replay", "--help"]);
    expect(help.stdout).toContain("3 done, but messages that");
    expect(help.stdout).toContain("141 the output was closed");
  });

  it("changes fails with 2 before printing anything when the stream does not reach back to --since", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SHALLOW", subjects: ["shallow.>"], max_msgs_per_subject: 2 });
    for (const cidr of ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]) {
      await publishScan(
        nc,
        [{ partition: partition("vpc"), resources: [vpc("vpc-1", cidr)] }],
        "shallow",
      );
    }
    const r = await runCli(["changes", "--since", "24h", ...at("SHALLOW", "shallow")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("changes --since 24h: the stream reaches back only to");
    expect(r.stderr).toContain("--stream-max-msgs-per-subject");
  });

  it("say what a wrong prefix or stream found, and time out naming the call", async () => {
    await createStream(nc, "NAMED", "named");
    await publishScan(nc, [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }], "named");
    const [prefix, stream, badTimeout, notFound, found] = await Promise.all([
      runCli(["replay", ...at("NAMED", "wrong")]),
      runCli(["replay", ...at("NOPE", "named")]),
      runCli(["replay", "--nats-api-timeout", "soon", ...at("NAMED", "named")]),
      runCli(["history", "vpc-404", ...at("NAMED", "named")]),
      runCli(["history", "--json", "vpc-1", ...at("NAMED", "named")]),
    ]);
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toContain(
      "stream NAMED holds named.> (2 messages), nothing under wrong.>: check --subject-prefix",
    );
    expect(prefix.stderr).not.toContain("stream name");
    expect(stream.code).toBe(2);
    expect(stream.stderr).toContain(
      "stream NOPE does not exist on this NATS server: check --stream",
    );
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain("--nats-api-timeout");
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain('no resource with id, ARN or name \\"vpc-404\\"');
    expect(found.code, found.stderr).toBe(0);
    expect(
      found.stdout
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as { kind: string }).kind),
    ).toEqual(["version", "resource", "summary"]);
  });

  it("tail writes JSON when piped and readable lines when asked, and stops at the end with --no-follow", async () => {
    await createStream(nc, "TAILED", "tailed");
    await publishScan(
      nc,
      [{ partition: partition("vpc"), resources: [vpc("vpc-1"), vpc("vpc-2")] }],
      "tailed",
    );
    const [piped, text] = await Promise.all([
      runCli(["tail", "--no-follow", ...at("TAILED", "tailed")]),
      runCli(["tail", "--no-follow", "--text", "-n", "1", ...at("TAILED", "tailed")]),
    ]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(
      piped.stdout
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as { kind: string }).kind),
    ).toEqual(["snapshot", "snapshot", "marker"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^\d\d:\d\d:\d\d #3 marker {3}vpc 123456789012 us-east-1 OK 2 resources, scan \S+\n$/u,
    );
  });

  it("tail writes readable lines to a terminal without being asked", async () => {
    await createStream(nc, "TTY", "tty");
    await publishScan(nc, [{ partition: partition("vpc"), resources: [vpc("vpc-1")] }], "tty");
    let out = "";
    let err = "";
    const code = await runCommand(tailCommand, {
      argv: ["--no-follow", ...at("TTY", "tty")],
      env: {},
      stdout: { isTTY: true, write: (c: string | Uint8Array) => (out += String(c)) },
      stderr: { write: (c: string | Uint8Array) => (err += String(c)) },
      isTTY: true,
      signal: new AbortController().signal,
      cwd: "/",
    });
    expect(code, err).toBe(0);
    expect(out.split("\n").filter((l) => l !== "")).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d #1 snapshot vpc 123456789012 us-east-1 vpc-1 sha256/u),
      expect.stringMatching(
        /^\d\d:\d\d:\d\d #2 marker {3}vpc 123456789012 us-east-1 OK 1 resources, scan /u,
      ),
    ]);
  });
});
