/** End to end: fake AWS endpoint -> AWS provider and collectors -> scanner -> a real nats-server. */
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceType } from "../../../src/contract/resource-types.ts";
import { createAwsProvider } from "../../../src/providers/aws/provider.ts";
import { connectNats } from "../../../src/publisher/connection.ts";
import { DEFAULT_PUBLISHER_OPTIONS, JetStreamPublisher } from "../../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../../src/publisher/stream.ts";
import { runScan } from "../../../src/scanner/scanner.ts";
import { decodeMarker, decodeSnapshot, isMarker, readStream } from "../../scanner/stream-reader.ts";
import { FakeAws } from "../../support/fake-aws.ts";
import { NatsServer } from "../../support/nats-server.ts";
import { EC2_ESTATE_IDS, scriptEc2Estate } from "./support/ec2-wire.ts";

let server: NatsServer;
let nc: NatsConnection;
let fake: FakeAws;

beforeAll(async () => {
  server = await NatsServer.start();
  nc = await connectNats({
    servers: [server.url],
    name: "aws-e2e",
    connectTimeoutMs: 5000,
    reconnect: "never",
  });
  await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
  fake = await FakeAws.start();
});
afterAll(async () => {
  await fake?.close();
  await nc?.close();
  await server?.dispose();
});

const TYPES = Object.keys(EC2_ESTATE_IDS) as ResourceType[];
const ACCOUNT = "123456789012";

describe("an AWS scan against a fake endpoint", () => {
  it("publishes every expected snapshot and marker; a denied call fails only its partition", async () => {
    scriptEc2Estate(fake);
    fake.fail({
      service: "ec2",
      operation: "DescribeSecurityGroups",
      region: "eu-west-1",
      code: "UnauthorizedOperation",
      status: 403,
    });
    fake.fail({
      service: "ec2",
      operation: "DescribeVpcs",
      code: "RequestLimitExceeded",
      status: 503,
      times: 1,
    });
    const provider = createAwsProvider({
      endpoint: fake.url,
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      homeRegion: "us-east-1",
      retryMode: "standard",
      log: () => {},
    });
    const publisher = new JetStreamPublisher(nc, DEFAULT_PUBLISHER_OPTIONS);
    const report = await runScan(provider, publisher, {
      prefix: "elava",
      concurrency: 4,
      types: TYPES,
      signal: new AbortController().signal,
    });
    await publisher.close();
    await provider.close();

    const stored = await readStream(nc, "ELAVA");
    const markers = stored.filter(isMarker);
    const snapshots = stored.filter((m) => !isMarker(m));

    const expectedMarkers = ["eu-west-1", "us-east-1"].flatMap((region) =>
      TYPES.map((t) => `elava.aws.${t}.${ACCOUNT}.${region}`),
    );
    expect(markers.map((m) => m.subject).sort()).toEqual(expectedMarkers.sort());
    const expectedSnapshots = ["eu-west-1", "us-east-1"].flatMap((region) =>
      TYPES.filter((t) => !(t === "security_group" && region === "eu-west-1")).flatMap((t) =>
        EC2_ESTATE_IDS[t as keyof typeof EC2_ESTATE_IDS].map(
          (id) => `elava.aws.${t}.${ACCOUNT}.${region}.${id}`,
        ),
      ),
    );
    expect(snapshots.map((m) => m.subject).sort()).toEqual(expectedSnapshots.sort());

    for (const m of markers) {
      const marker = decodeMarker(m);
      const own = snapshots.filter((s) => s.subject.startsWith(`${m.subject}.`));
      expect(own.every((s) => s.seq < m.seq)).toBe(true);
      if (m.subject === `elava.aws.security_group.${ACCOUNT}.eu-west-1`) {
        expect(marker.status).toBe(2);
        expect(marker.error).toMatch(
          /^access_denied: describe security groups in eu-west-1 for 123456789012/,
        );
      } else {
        expect(marker.status, m.subject).toBe(1);
        expect(Number(marker.resourceCount)).toBe(own.length);
      }
    }
    const instance = snapshots.find((s) => s.subject.endsWith(".us-east-1.i-0aaa"));
    const event = instance && decodeSnapshot(instance);
    expect(event?.resourceName).toBe("web-1");
    expect(event?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:instance/i-0aaa");
    expect(fake.calls("ec2", "DescribeRegions")).toHaveLength(1);
    expect(fake.calls().some((c) => c.region === "ap-east-1")).toBe(false);
    expect(report.partitions.filter((p) => p.status === "FAILED").map((p) => p.reason)).toEqual([
      "access_denied",
    ]);
    expect(provider.apiCalls().get("ec2:DescribeVpcs")).toBe(3);
  });
});
