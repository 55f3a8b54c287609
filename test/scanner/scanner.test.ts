/**
 * Contract tests of the scanner pipeline against a real nats-server: subjects, headers,
 * markers after their snapshots, FAILED and interrupted partitions, LastPerSubject replay
 * and the dedup of a republished scan.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedResource } from "../../src/contract/encode.ts";
import { Header } from "../../src/contract/headers.ts";
import type { ResourceType } from "../../src/contract/resource-types.ts";
import { parseSubject, partitionId } from "../../src/contract/subject.ts";
import { PartitionFailure } from "../../src/errors.ts";
import { ScanStatus } from "../../src/gen/elava/v1/marker_pb.ts";
import { connectNats } from "../../src/publisher/connection.ts";
import { JetStreamPublisher } from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { runScan, type ScanOptions } from "../../src/scanner/scanner.ts";
import { FakeProvider, type FakeProviderOptions } from "../support/fake-provider.ts";
import { NatsServer } from "../support/nats-server.ts";
import { decodeMarker, decodeSnapshot, isMarker, readStream } from "./stream-reader.ts";

const ACCOUNT = "123456789012";
const TYPES: ResourceType[] = ["vpc", "subnet", "s3_bucket", "iam_role"];
const UNITS = [
  { accountId: ACCOUNT, region: "us-east-1" },
  { accountId: ACCOUNT, region: "global" },
];

let server: NatsServer;
let nc: NatsConnection;
let streams = 0;

beforeAll(async () => {
  server = await NatsServer.start({ config: "max_payload: 65536" });
  nc = await connectNats({
    servers: [server.url],
    name: "scanner-test",
    connectTimeoutMs: 5000,
    reconnect: "never",
  });
});

afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

/** A fresh stream and prefix per test, so tests do not see each other's messages. */
async function freshStream(): Promise<{ stream: string; prefix: string }> {
  streams += 1;
  const settings = {
    ...DEFAULT_STREAM_SETTINGS,
    name: `T${streams}`,
    subjectPrefix: `t${streams}`,
  };
  await ensureStream(nc, settings, { verifyOnly: false });
  return { stream: settings.name, prefix: settings.subjectPrefix };
}

async function scan(
  provider: FakeProvider,
  prefix: string,
  extra: Partial<ScanOptions> = {},
  publisher = new JetStreamPublisher(nc, {
    window: 64,
    ackTimeoutMs: 2000,
    publishDeadlineMs: 10_000,
  }),
) {
  const report = await runScan(provider, publisher, {
    prefix,
    concurrency: 3,
    types: TYPES,
    signal: new AbortController().signal,
    ...extra,
  });
  await publisher.close();
  return { report, publisher };
}

function fake(options: Partial<FakeProviderOptions> = {}): FakeProvider {
  return new FakeProvider({ units: UNITS, resources: 25, pageSize: 10, ...options });
}

describe("runScan", () => {
  it("publishes snapshots and markers with the contract's subjects and headers", async () => {
    const { stream, prefix } = await freshStream();
    const { report } = await scan(fake(), prefix);

    expect(
      report.partitions.map((p) => [partitionId(p.partition), p.status, p.resourceCount]),
    ).toEqual([
      [`aws.vpc.${ACCOUNT}.us-east-1`, "OK", 25],
      [`aws.subnet.${ACCOUNT}.us-east-1`, "OK", 25],
      [`aws.s3_bucket.${ACCOUNT}.global`, "OK", 25],
      [`aws.iam_role.${ACCOUNT}.global`, "OK", 25],
    ]);
    expect(report.published).toBe(100);
    expect(report.interrupted).toBe(false);

    const stored = await readStream(nc, stream);
    expect(stored).toHaveLength(104);
    for (const m of stored) {
      const parsed = parseSubject(prefix, m.subject);
      expect(parsed, m.subject).toBeDefined();
      expect(m.headers[Header.MsgId]).toBe(
        `${report.scanId}:${m.subject.slice(prefix.length + 1)}`,
      );
      expect(m.headers[Header.ContentType]).toBe("application/protobuf");
      expect(m.headers[Header.ScanId]).toBe(report.scanId);
      if (isMarker(m)) {
        expect(parsed?.kind).toBe("marker");
        const marker = decodeMarker(m);
        expect(marker.scanId).toBe(report.scanId);
        expect(marker.status).toBe(ScanStatus.OK);
        expect(marker.resourceCount).toBe(25n);
        expect(marker.error).toBe("");
        expect(m.headers[Header.Status]).toBe("OK");
        expect(m.headers[Header.ResourceCount]).toBe("25");
      } else {
        expect(parsed?.kind).toBe("snapshot");
        const event = decodeSnapshot(m);
        expect(m.headers[Header.Schema]).toBe("elava.v1.InfrastructureChangeEvent");
        expect(m.headers[Header.ContentHash]).toBe(event.contentHash);
        expect(event.contentHash).toMatch(/^sha256-v3:[0-9a-f]{64}$/u);
        expect(event.scanId).toBe(report.scanId);
        if (parsed?.kind === "snapshot") expect(event.resourceId).toBe(parsed.resourceId);
      }
    }
    const subjects = stored.map((m) => m.subject);
    expect(subjects).toContain(
      `${prefix}.aws.s3_bucket.${ACCOUNT}.global.bucket%2E3%2Eexample%2Ecom`,
    );
    expect(subjects).toContain(
      `${prefix}.aws.iam_role.${ACCOUNT}.global.arn:aws:iam::${ACCOUNT}:role/team/role-3`,
    );
    expect(subjects).toContain(`${prefix}.aws.vpc.${ACCOUNT}.us-east-1`);
  });

  it("stores every marker after all snapshots of its partition", async () => {
    const { stream, prefix } = await freshStream();
    await scan(fake({ resources: 40, pageSize: 7 }), prefix, { concurrency: 4 });
    const stored = await readStream(nc, stream);
    const markers = stored.filter(isMarker);
    expect(markers).toHaveLength(4);
    for (const marker of markers) {
      const snapshots = stored.filter((m) => m.subject.startsWith(`${marker.subject}.`));
      expect(snapshots).toHaveLength(40);
      expect(Math.max(...snapshots.map((m) => m.seq))).toBeLessThan(marker.seq);
    }
  });

  it("takes each page over: it is emptied once encoded, so the provider holds no resource while its snapshots wait", async () => {
    const { stream, prefix } = await freshStream();
    const pages: ObservedResource[][] = [];
    const provider = fake({ resources: 30, pageSize: 7 });
    const list = provider.list.bind(provider);
    provider.list = async function* (p, signal) {
      for await (const page of list(p, signal)) {
        pages.push(page);
        yield page;
      }
    };
    const { report } = await scan(provider, prefix);
    expect(report.published).toBe(120);
    expect(pages).toHaveLength(4 * 5);
    expect(pages.filter((page) => page.length > 0)).toEqual([]);
    expect((await readStream(nc, stream)).filter((m) => !isMarker(m))).toHaveLength(120);
  });

  it("adds no message when the same scan is published again", async () => {
    const { stream, prefix } = await freshStream();
    const first = await scan(fake(), prefix);
    const before = await readStream(nc, stream);
    const again = await scan(fake(), prefix, { scanId: first.report.scanId });
    const after = await readStream(nc, stream);
    expect(after.map((m) => m.seq)).toEqual(before.map((m) => m.seq));
    expect(again.report.partitions.every((p) => p.status === "OK")).toBe(true);
    expect(again.publisher.stats.duplicates).toBe(104);
  });

  it("replays with LastPerSubject to the latest snapshot per resource and latest marker per partition", async () => {
    const { stream, prefix } = await freshStream();
    const first = await scan(fake({ resources: 10 }), prefix);
    const second = await scan(fake({ resources: 8, generation: 1 }), prefix);
    const latest = await readStream(nc, stream, { lastPerSubject: true });

    expect(new Set(latest.map((m) => m.subject)).size).toBe(latest.length);
    const markers = latest.filter(isMarker).map(decodeMarker);
    expect(markers).toHaveLength(4);
    expect(markers.every((m) => m.scanId === second.report.scanId && m.resourceCount === 8n)).toBe(
      true,
    );

    const snapshots = latest.filter((m) => !isMarker(m)).map(decodeSnapshot);
    expect(snapshots).toHaveLength(40);
    const byScan = (scanId: string) =>
      snapshots.filter((e) => e.scanId === scanId).map((e) => e.resourceName);
    expect(byScan(second.report.scanId)).toHaveLength(32);
    // Resources 8 and 9 were not seen by the second scan: their latest snapshot is older
    // than their partition's latest OK marker, which is how a replay sees they are gone.
    expect(byScan(first.report.scanId).sort()).toEqual(
      TYPES.flatMap((t) => [`${t}-8`, `${t}-9`]).sort(),
    );
    const hashes = await readStream(nc, stream, {
      filter: `${prefix}.aws.vpc.${ACCOUNT}.us-east-1.vpc-00000000`,
    });
    expect(hashes).toHaveLength(2);
    expect(hashes[0]?.headers[Header.ContentHash]).not.toBe(hashes[1]?.headers[Header.ContentHash]);
  });

  it("publishes FAILED markers with the reason, counting what was stored, and leaves other partitions OK", async () => {
    const { stream, prefix } = await freshStream();
    const vpc = `aws.vpc.${ACCOUNT}.us-east-1`;
    const provider = new FakeProvider({
      units: [
        ...UNITS,
        {
          accountId: "210987654321",
          region: "us-east-1",
          failure: new PartitionFailure(
            "access_denied",
            "cannot assume role arn:aws:iam::210987654321:role/elava",
          ),
        },
      ],
      resources: 25,
      pageSize: 10,
      throwIn: new Map([
        [
          vpc,
          {
            after: 15,
            error: new PartitionFailure(
              "throttled",
              "describe vpcs in us-east-1 for 123456789012: Throttling",
            ),
          },
        ],
      ]),
    });
    const { report } = await scan(provider, prefix);

    const results = new Map(report.partitions.map((p) => [partitionId(p.partition), p]));
    expect(results.get(vpc)).toMatchObject({
      status: "FAILED",
      reason: "throttled",
      resourceCount: 15,
    });
    expect(results.get(`aws.subnet.${ACCOUNT}.us-east-1`)?.status).toBe("OK");
    expect(results.get("aws.vpc.210987654321.us-east-1")).toMatchObject({
      status: "FAILED",
      reason: "access_denied",
      resourceCount: 0,
    });
    expect(provider.listed.has("aws.vpc.210987654321.us-east-1")).toBe(false);

    const markers = (await readStream(nc, stream)).filter(isMarker).map(decodeMarker);
    const vpcMarker = markers.find((m) => m.accountId === ACCOUNT && m.resourceType === "vpc");
    expect(vpcMarker?.status).toBe(ScanStatus.FAILED);
    expect(vpcMarker?.resourceCount).toBe(15n);
    expect(vpcMarker?.error).toBe(
      "throttled: describe vpcs in us-east-1 for 123456789012: Throttling",
    );
    const denied = markers.filter((m) => m.accountId === "210987654321");
    expect(denied.map((m) => m.resourceType).sort()).toEqual(["subnet", "vpc"]);
    expect(
      denied.every(
        (m) =>
          m.status === ScanStatus.FAILED && m.error.startsWith("access_denied: cannot assume role"),
      ),
    ).toBe(true);
  });

  it("fails only the partition of a resource over max_payload, naming the resource and the sizes", async () => {
    const { stream, prefix } = await freshStream();
    const subnet = `aws.subnet.${ACCOUNT}.us-east-1`;
    const { report } = await scan(
      fake({ oversized: new Map([[subnet, { index: 4, bytes: 100_000 }]]) }),
      prefix,
    );

    const failed = report.partitions.find((p) => partitionId(p.partition) === subnet);
    expect(failed).toMatchObject({ status: "FAILED", reason: "publish_failed", resourceCount: 24 });
    expect(failed?.error).toContain("snapshot of subnet-00000004");
    expect(failed?.error).toMatch(/is 1\d{5} bytes, over the server's max_payload of 65536 bytes/u);
    expect(report.partitions.filter((p) => p.status === "OK")).toHaveLength(3);
    const stored = await readStream(nc, stream, { filter: `${prefix}.aws.subnet.>` });
    expect(stored.filter((m) => !isMarker(m))).toHaveLength(24);
  });

  it("publishes no marker for partitions an abort interrupted", async () => {
    const { stream, prefix } = await freshStream();
    const controller = new AbortController();
    const provider = fake({ resources: 50, pageSize: 5, pageDelayMs: 20 });
    const publisher = new JetStreamPublisher(nc, {
      window: 64,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 10_000,
    });
    const pending = runScan(
      provider,
      publisher,
      { prefix, concurrency: 2, types: TYPES, signal: controller.signal },
      {
        onPublished: () => undefined,
        onPartitionStart: () => setTimeout(() => controller.abort(), 60),
      },
    );
    const report = await pending;
    await publisher.close();

    expect(report.interrupted).toBe(true);
    // Every planned partition is reported; those never started are interrupted too.
    expect(report.partitions).toHaveLength(4);
    const interrupted = report.partitions.filter((p) => p.status === "INTERRUPTED");
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.every((p) => p.marker === "none")).toBe(true);
    expect(provider.listed.size).toBeLessThan(4);
    const stored = await readStream(nc, stream);
    const markerSubjects = stored.filter(isMarker).map((m) => m.subject);
    for (const p of interrupted) {
      expect(markerSubjects).not.toContain(`${prefix}.${partitionId(p.partition)}`);
      expect(
        stored.filter((m) => m.subject.startsWith(`${prefix}.${partitionId(p.partition)}.`)).length,
      ).toBe(p.resourceCount);
    }
  });
});
