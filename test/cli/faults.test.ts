/**
 * `bin/elava scan` on an operator's bad day, against real nats-servers: the server killed
 * (and restarted, or not), frozen, frozen while the scan is told to stop, and streams
 * that would lose the scan's messages or belong to someone else. Each ends with the exit
 * status the help promises, a log line for every partition, and a stream that holds what
 * the log says.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { NatsServer } from "../support/nats-server.ts";
import { expectStreamMatches, type SaidOfPartition } from "../support/stream-check.ts";
import { CliProcess, runCli } from "./run-cli.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function start(): Promise<NatsServer> {
  const server = await NatsServer.start();
  cleanup.push(() => server.dispose());
  return server;
}

async function client(server: NatsServer): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url });
  cleanup.push(() => nc.close());
  return nc;
}

function scan(server: NatsServer, ...more: string[]): CliProcess {
  const p = new CliProcess([
    "scan",
    "--provider",
    "sample",
    "--nats-url",
    server.url,
    "--sample-resources",
    "40000",
    "--concurrency",
    "8",
    ...more,
  ]);
  cleanup.push(async () => {
    p.child.kill("SIGKILL");
  });
  return p;
}

const PARTITION_LINES = new Set([
  "partition scanned",
  "partition failed",
  "partition interrupted",
  "partition scanned, marker unconfirmed",
]);

/** The partition lines of a scan's log, one per partition, and the scan's summary line. */
function partitionsOf(p: CliProcess): {
  said: SaidOfPartition[];
  summary: Record<string, unknown>;
} {
  const logs = p.logs();
  const said = logs
    .filter((l) => PARTITION_LINES.has(String(l.msg)))
    .map((l) => ({
      partition: String(l.partition),
      status: String(l.status),
      marker: String(l.marker),
    }));
  const summary = logs.find((l) => typeof l.scan_id === "string" && "partitions_ok" in l);
  if (summary === undefined) throw new Error(`no scan summary line:\n${p.stderr.slice(-3000)}`);
  expect(new Set(said.map((s) => s.partition)).size).toBe(said.length);
  expect(said.length).toBe(
    Number(summary.partitions_ok) +
      Number(summary.partitions_failed) +
      Number(summary.partitions_interrupted),
  );
  return { said, summary };
}

const started = (p: CliProcess) =>
  p.waitFor("a finished partition", () => p.stderr.includes('"partition scanned"'));

describe("elava scan losing NATS", () => {
  it("exits 1, reporting every partition, when the server is killed and stays down", async () => {
    const server = await start();
    const p = scan(server, "--publish-deadline", "3s", "--publish-ack-timeout", "1s");
    await started(p);
    await server.kill();
    const code = await p.exited;
    expect(code, p.stderr.slice(-3000)).toBe(1);
    const { said, summary } = partitionsOf(p);
    expect(summary.msg).toBe("scan ended: JetStream unavailable");
    expect(String(summary.error)).toContain("JetStream is unavailable");
    expect(said.some((s) => s.status === "FAILED" && s.marker === "none")).toBe(true);
    expect(p.stderr).not.toContain("EventTarget");

    await server.restart();
    const nc = await client(server);
    await expectStreamMatches(
      nc,
      { stream: "ELAVA", prefix: "elava" },
      String(summary.scan_id),
      said,
    );
  });

  it("completes when the server is killed and restarted within the publish deadline", async () => {
    const server = await start();
    const p = scan(server, "--publish-deadline", "30s");
    await started(p);
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.restart();
    const code = await p.exited;
    expect(code, p.stderr.slice(-3000)).toBe(0);
    const { said, summary } = partitionsOf(p);
    expect(said.every((s) => s.status === "OK" && s.marker === "stored")).toBe(true);
    const nc = await client(server);
    const markers = await expectStreamMatches(
      nc,
      { stream: "ELAVA", prefix: "elava" },
      String(summary.scan_id),
      said,
    );
    expect(markers).toBe(said.length);
    const info = await (await jetstreamManager(nc)).streams.info("ELAVA");
    // Every snapshot once, whatever was sent again after the restart.
    expect(info.state.messages).toBe(Number(summary.published) + said.length);
  });

  it("exits 1 when the server freezes, and the stream holds what the log says once it thaws", async () => {
    const server = await start();
    const p = scan(server, "--publish-deadline", "3s", "--publish-ack-timeout", "500ms");
    await started(p);
    await server.pause();
    let code: number | null;
    try {
      code = await p.exited;
    } finally {
      server.resume();
    }
    expect(code, p.stderr.slice(-3000)).toBe(1);
    const { said, summary } = partitionsOf(p);
    expect(String(summary.error)).toContain("JetStream answered nothing");
    const nc = await client(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expectStreamMatches(
      nc,
      { stream: "ELAVA", prefix: "elava" },
      String(summary.scan_id),
      said,
    );
  });

  it("exits 0 after the grace period on SIGTERM while the server is frozen", async () => {
    const server = await start();
    // The default 60 s publish deadline: only the grace period can end this scan in time.
    const p = scan(server, "--shutdown-grace", "2s");
    await started(p);
    await server.pause();
    let code: number | null;
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      p.child.kill("SIGTERM");
      code = await p.exited;
    } finally {
      server.resume();
    }
    expect(code, p.stderr.slice(-3000)).toBe(0);
    expect(p.stderr).not.toContain("EventTarget");
    const { said, summary } = partitionsOf(p);
    expect(summary.msg).toBe("scan interrupted");
    expect(said.some((s) => s.status === "INTERRUPTED")).toBe(true);
    expect(p.logs().some((l) => l.msg === "stopping the scan")).toBe(true);
    const nc = await client(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expectStreamMatches(
      nc,
      { stream: "ELAVA", prefix: "elava" },
      String(summary.scan_id),
      said,
    );
  });
});

describe("elava scan and a stream that would lose its messages", () => {
  it("exits 2 naming max_bytes when the stream keeps less than the scan", async () => {
    const server = await start();
    const p = scan(server, "--stream-max-bytes", "100000");
    const code = await p.exited;
    expect(code, p.stderr.slice(-3000)).toBe(2);
    const { summary } = partitionsOf(p);
    expect(summary.msg).toBe("scan stopped by the stream's limits");
    expect(String(summary.error)).toContain("stream ELAVA keeps at most 100000 bytes (max_bytes)");
    expect(String(summary.error)).toContain("--stream-max-bytes");
  });

  it("exits 2 listing what it would change on another application's stream, and changes nothing", async () => {
    const server = await start();
    const nc = await client(server);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: "ELAVA",
      subjects: ["other.>"],
      max_age: 0,
      max_msgs_per_subject: -1,
    });
    const refused = await runCli(["scan", "--provider", "sample", "--nats-url", server.url]);
    expect(refused.code, refused.stderr).toBe(2);
    const error = refused.logs.at(-1);
    expect(error?.level).toBe("error");
    expect(String(error?.msg)).toContain("so it changed nothing");
    expect(String(error?.msg)).toContain(
      'subjects: elava wants to include elava.>, the stream has ["other.>"]',
    );
    expect(String(error?.msg)).toContain("max_age: elava wants 604800000 ms, the stream has 0 ms");
    expect(String(error?.msg)).toContain("--stream-force-update");
    expect((await jsm.streams.info("ELAVA")).config).toMatchObject({
      subjects: ["other.>"],
      max_age: 0,
      max_msgs_per_subject: -1,
    });
    expect(refused.logs.some((l) => l.msg === "partition scanned")).toBe(false);

    const forced = await runCli([
      "scan",
      "--provider",
      "sample",
      "--sample-resources",
      "200",
      "--nats-url",
      server.url,
      "--stream-force-update",
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    const changes = forced.logs.filter((l) => l.msg === "stream ELAVA: max_age changed");
    expect(changes).toEqual([
      expect.objectContaining({ setting: "max_age", from: "0 ms", to: "604800000 ms" }),
    ]);
    expect(forced.logs.some((l) => l.setting === "subjects")).toBe(true);
    expect(forced.logs.some((l) => l.setting === "max_msgs_per_subject")).toBe(true);
  });

  it("exits 2 naming the other stream when its subjects overlap", async () => {
    const server = await start();
    const nc = await client(server);
    await (await jetstreamManager(nc)).streams.add({ name: "HOLDER", subjects: ["elava.aws.>"] });
    const run = await runCli(["scan", "--provider", "sample", "--nats-url", server.url]);
    expect(run.code, run.stderr).toBe(2);
    expect(String(run.logs.at(-1)?.msg)).toContain("overlap those of stream HOLDER (elava.aws.>)");
  });
});
