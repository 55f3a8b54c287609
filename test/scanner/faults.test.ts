/**
 * The scanner when things go wrong on the NATS side, against real nats-servers: the server
 * killed (SIGKILL) or frozen (SIGSTOP) at several points of a scan, a stream that refuses
 * messages for good, a FAILED marker whose error text is larger than the stream takes,
 * and a stream whose limits would discard the scan's own messages.
 *
 * What must hold every time: the scan ends, every planned partition is reported, and what
 * the report says of each partition's marker is what the stream holds; an OK marker is
 * stored only after every snapshot it counts.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { ResourceType } from "../../src/contract/resource-types.ts";
import { partitionId } from "../../src/contract/subject.ts";
import { PartitionFailure } from "../../src/errors.ts";
import { connectNats } from "../../src/publisher/connection.ts";
import { JetStreamPublisher } from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { MARKER_ERROR_MAX_BYTES, runScan, type ScanReport } from "../../src/scanner/scanner.ts";
import { FakeProvider } from "../support/fake-provider.ts";
import { NatsServer } from "../support/nats-server.ts";
import { expectStreamMatches } from "../support/stream-check.ts";
import { decodeMarker, isMarker, readStream } from "./stream-reader.ts";

const ACCOUNT = "123456789012";
const TYPES: ResourceType[] = ["vpc", "subnet", "security_group", "route_table", "ec2_instance"];
const UNITS = [{ accountId: ACCOUNT, region: "us-east-1" }];

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function start(): Promise<NatsServer> {
  const server = await NatsServer.start();
  cleanup.push(() => server.dispose());
  return server;
}

async function connect(server: NatsServer): Promise<NatsConnection> {
  const nc = await connectNats({
    servers: [server.url],
    name: "faults-test",
    connectTimeoutMs: 5000,
    reconnect: "never",
  });
  cleanup.push(async () => {
    if (!nc.isClosed()) await nc.close();
  });
  return nc;
}

/** Checks the stream against the report (see expectStreamMatches). */
async function expectStreamMatchesReport(
  nc: NatsConnection,
  report: ScanReport,
  stream = "ELAVA",
  prefix = "elava",
): Promise<void> {
  await expectStreamMatches(
    nc,
    { stream, prefix },
    report.scanId,
    report.partitions.map((p) => ({ ...p, partition: partitionId(p.partition) })),
  );
}

function provider(resources = 2000): FakeProvider {
  return new FakeProvider({ units: UNITS, resources, pageSize: 200 });
}

describe("runScan when NATS fails", () => {
  it.each([{ killAt: 1 }, { killAt: 2_500 }, { killAt: 9_000 }])(
    "ends, reporting every partition, when the server is killed after $killAt acks",
    async ({ killAt }) => {
      const server = await start();
      const nc = await connect(server);
      await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
      // A deadline beyond the test's timeout: only noticing the closed connection ends it.
      const publisher = new JetStreamPublisher(nc, {
        window: 256,
        ackTimeoutMs: 60_000,
        publishDeadlineMs: 600_000,
      });
      let acked = 0;
      let killed: Promise<void> | undefined;
      const report = await runScan(
        provider(),
        publisher,
        { prefix: "elava", concurrency: 2, types: TYPES, signal: new AbortController().signal },
        {
          onPublished: (n) => {
            acked += n;
            if (acked >= killAt) killed ??= server.kill();
          },
        },
      );
      await killed;
      await publisher.close();

      expect(report.partitions.map((p) => p.partition.resourceType).sort()).toEqual(
        [...TYPES].sort(),
      );
      expect(report.unavailable).toContain("the NATS connection closed");
      expect(report.partitions.some((p) => p.status === "FAILED")).toBe(true);
      for (const p of report.partitions) {
        expect(["OK", "FAILED"]).toContain(p.status);
        if (p.status === "FAILED" && p.marker === "none") {
          expect(p.error).toMatch(/JetStream is unavailable: the NATS connection closed/u);
        }
      }

      await server.restart();
      const after = await connect(server);
      await expectStreamMatchesReport(after, report);
    },
  );

  it.each([{ freezeAt: 1 }, { freezeAt: 5_000 }, { freezeAt: 9_000 }])(
    "ends, and the stream later matches its report, when the server freezes after $freezeAt acks",
    async ({ freezeAt }) => {
      const server = await start();
      const nc = await connect(server);
      await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
      const publisher = new JetStreamPublisher(nc, {
        window: 256,
        ackTimeoutMs: 300,
        publishDeadlineMs: 1_500,
        sweepIntervalMs: 20,
      });
      let acked = 0;
      let frozen: Promise<void> | undefined;
      let report: ScanReport;
      try {
        report = await runScan(
          provider(),
          publisher,
          { prefix: "elava", concurrency: 2, types: TYPES, signal: new AbortController().signal },
          {
            onPublished: (n) => {
              acked += n;
              frozen ??= acked >= freezeAt ? server.pause() : undefined;
            },
          },
        );
      } finally {
        await frozen;
        server.resume();
      }
      await publisher.close();

      expect(report.partitions).toHaveLength(TYPES.length);
      expect(report.unavailable).toContain("JetStream answered nothing for 1500 ms");
      // Frozen late, the scan may have only markers left unacknowledged.
      expect(report.partitions.some((p) => p.marker !== "stored")).toBe(true);
      // The server now writes what it had received while frozen; give it a moment.
      await nc.flush();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await expectStreamMatchesReport(nc, report);
    },
  );
});

describe("runScan against a stream's limits", () => {
  it("fails at once a snapshot the stream refuses, and cuts a FAILED marker to fit the stream", async () => {
    const server = await start();
    const nc = await connect(server);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SMALL", subjects: ["small.>"], max_msg_size: 1000 });
    const vpc = `aws.vpc.${ACCOUNT}.us-east-1`;
    const subnet = `aws.subnet.${ACCOUNT}.us-east-1`;
    const arns = Array.from(
      { length: 60 },
      (_, i) => `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-${String(i).padStart(17, "0")}`,
    ).join(", ");
    const fake = new FakeProvider({
      units: UNITS,
      resources: 20,
      pageSize: 5,
      throwIn: new Map([
        [vpc, { after: 7, error: new PartitionFailure("access_denied", `denied on ${arns}`) }],
      ]),
      oversized: new Map([[subnet, { index: 3, bytes: 2_000 }]]),
    });
    // Deadlines beyond the test's timeout: only failing at once can end this test.
    const publisher = new JetStreamPublisher(nc, {
      window: 64,
      ackTimeoutMs: 60_000,
      publishDeadlineMs: 600_000,
    });
    const report = await runScan(fake, publisher, {
      prefix: "small",
      concurrency: 2,
      types: ["vpc", "subnet"],
      signal: new AbortController().signal,
      streamLimits: { stream: "SMALL", maxBytes: -1, maxMsgs: -1, maxAgeMs: 0, maxMsgSize: 1000 },
    });
    await publisher.close();

    const [vpcResult, subnetResult] = report.partitions;
    expect(subnetResult).toMatchObject({
      status: "FAILED",
      reason: "publish_failed",
      resourceCount: 19,
      marker: "stored",
    });
    expect(subnetResult?.error).toContain("snapshot of subnet-00000003");
    expect(subnetResult?.error).toContain("JetStream error 10054");
    expect(publisher.stats.retries).toBe(0);
    expect(vpcResult).toMatchObject({
      status: "FAILED",
      reason: "access_denied",
      marker: "stored",
    });

    const stored = await readStream(nc, "SMALL");
    const marker = stored.find((m) => isMarker(m) && m.subject === `small.${vpc}`);
    expect(marker).toBeDefined();
    const error = decodeMarker(marker as NonNullable<typeof marker>).error;
    expect(error.startsWith("access_denied: denied on arn:aws:ec2")).toBe(true);
    expect(error).toMatch(/\.\.\. \(cut from \d+ bytes\)$/u);
    expect(Buffer.byteLength(error)).toBeLessThanOrEqual(MARKER_ERROR_MAX_BYTES);
    expect(Buffer.byteLength(`access_denied: denied on ${arns}`)).toBeGreaterThan(1000);
    await expectStreamMatchesReport(nc, report, "SMALL", "small");
  });

  it("stops publishing markers once the scan alone is over the stream's max_bytes", async () => {
    const server = await start();
    const nc = await connect(server);
    const settings = { ...DEFAULT_STREAM_SETTINGS, maxBytes: 120_000 };
    const { info } = await ensureStream(nc, settings, { verifyOnly: false });
    const publisher = new JetStreamPublisher(nc, {
      window: 16,
      ackTimeoutMs: 5_000,
      publishDeadlineMs: 10_000,
    });
    const report = await runScan(provider(100), publisher, {
      prefix: "elava",
      concurrency: 1,
      types: TYPES,
      signal: new AbortController().signal,
      streamLimits: {
        stream: "ELAVA",
        maxBytes: info.config.max_bytes,
        maxMsgs: info.config.max_msgs,
        maxAgeMs: 0,
        maxMsgSize: info.config.max_msg_size ?? -1,
      },
    });
    await publisher.close();

    expect(report.streamLimit).toContain("stream ELAVA keeps at most 120000 bytes (max_bytes)");
    expect(report.streamLimit).toContain("--stream-max-bytes");
    expect(report.partitions).toHaveLength(TYPES.length);
    const withMarker = report.partitions.filter((p) => p.marker !== "none");
    expect(withMarker.length).toBeGreaterThan(0);
    expect(withMarker.length).toBeLessThan(TYPES.length);
    for (const p of report.partitions.slice(withMarker.length)) {
      expect(p).toMatchObject({ status: "INTERRUPTED", marker: "none" });
    }
    const stored = await readStream(nc, "ELAVA");
    expect(stored.filter(isMarker)).toHaveLength(withMarker.length);
  });
});
