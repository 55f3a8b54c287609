/**
 * End to end: fake AWS endpoint -> AWS provider and collectors -> scanner -> a real
 * nats-server. One test scans the EC2 types of the shared estate (test/support/aws-estate.ts)
 * with one call denied in one region; the other every type in two regions plus global, with
 * one service denied and throttling and 5xx answers on several others.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ALL_RESOURCE_TYPES,
  type ResourceType,
  scopeOf,
} from "../../../src/contract/resource-types.ts";
import { partitionSubject, snapshotSubject } from "../../../src/contract/subject.ts";
import { createAwsProvider } from "../../../src/providers/aws/provider.ts";
import { COLLECTORS } from "../../../src/providers/aws/registry.ts";
import { DEFAULT_PUBLISHER_OPTIONS, JetStreamPublisher } from "../../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../../src/publisher/stream.ts";
import { runScan } from "../../../src/scanner/scanner.ts";
import { decodeMarker, decodeSnapshot, isMarker, readStream } from "../../scanner/stream-reader.ts";
import { pageSizeViolations, scriptAwsEstate } from "../../support/aws-estate.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";
import { useNatsServer } from "../../support/nats-server.ts";

const nats = useNatsServer();
let fake: FakeAws;

beforeAll(async () => {
  await ensureStream(nats.nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
});
beforeEach(async () => {
  await (await jetstreamManager(nats.nc)).streams.purge("ELAVA");
  fake = await FakeAws.start();
});
afterEach(() => fake.close());

/** The types whose collectors call EC2: the first scan is of these only. */
const TYPES = (Object.keys(COLLECTORS) as ResourceType[]).filter(
  (t) => COLLECTORS[t].service === "ec2",
);
const ACCOUNT = "123456789012";

describe("an AWS scan against a fake endpoint", () => {
  it("publishes every expected snapshot and marker; a denied call fails only its partition", async () => {
    const estate = await scriptAwsEstate(fake, {
      regions: ["us-east-1", "eu-west-1"],
      perType: 2,
      counts: { ec2_instance: 1001 },
    });
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
    const provider = createAwsProvider(fakeProviderOptions(fake));
    const publisher = new JetStreamPublisher(nats.nc, DEFAULT_PUBLISHER_OPTIONS);
    const report = await runScan(provider, publisher, {
      prefix: "elava",
      concurrency: 4,
      types: TYPES,
      signal: new AbortController().signal,
    });
    await publisher.close();
    await provider.close();

    const stored = await readStream(nats.nc, "ELAVA");
    const markers = stored.filter(isMarker);
    const snapshots = stored.filter((m) => !isMarker(m));

    const expectedMarkers = ["eu-west-1", "us-east-1"].flatMap((region) =>
      TYPES.map((t) => `elava.aws.${t}.${ACCOUNT}.${region}`),
    );
    expect(markers.map((m) => m.subject).sort()).toEqual(expectedMarkers.sort());
    const expectedSnapshots = estate.partitions
      .filter((p) => TYPES.includes(p.resourceType))
      .filter((p) => !(p.resourceType === "security_group" && p.region === "eu-west-1"))
      .flatMap((p) =>
        p.ids.map((id) => `elava.aws.${p.resourceType}.${ACCOUNT}.${p.region}.${id}`),
      );
    expect(expectedSnapshots.length).toBeGreaterThan(2000);
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
    const instance = snapshots.find((s) => s.subject.endsWith(".us-east-1.i-00100000000000001"));
    const event = instance && decodeSnapshot(instance);
    expect(event?.resourceName).toBe("web-1");
    expect(event?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:instance/i-00100000000000001");
    expect(fake.calls("ec2", "DescribeRegions")).toHaveLength(1);
    expect(fake.calls().some((c) => c.region === "ap-east-1")).toBe(false);
    expect(report.partitions.filter((p) => p.status === "FAILED").map((p) => p.reason)).toEqual([
      "access_denied",
    ]);
    expect(provider.apiCalls().get("ec2:DescribeVpcs")).toBe(3);
  });
});

describe("an AWS scan of every type against a fake endpoint", () => {
  it("publishes every snapshot and marker; a denied service fails only its types; throttles and 5xx are retried", async () => {
    const regions = ["us-east-1", "eu-west-1"];
    const estate = await scriptAwsEstate(fake, {
      regions,
      perType: 4,
      // Enough of these that their listings take several pages.
      counts: {
        ec2_instance: 1001,
        route_table: 101,
        autoscaling_group: 101,
        eks_cluster: 101,
        eks_node_group: 101,
        rds_instance: 101,
        iam_role: 6,
        s3_bucket: 6,
      },
      bucketRegionsListed: false,
    });
    fake.fail({ service: "elbv2", code: "AccessDenied", status: 403 });
    // Each fault fails that many calls of its operation, wherever they come from.
    const faults = [
      {
        service: "ec2",
        operation: "DescribeInstances",
        code: "RequestLimitExceeded",
        status: 503,
        times: 2,
      },
      { service: "ec2", operation: "DescribeVpcs", code: "InternalError", status: 500, times: 1 },
      {
        service: "eks",
        operation: "ListClusters",
        code: "ThrottlingException",
        status: 429,
        times: 3,
      },
      {
        service: "rds",
        operation: "DescribeDBInstances",
        code: "InternalFailure",
        status: 500,
        times: 1,
      },
      {
        service: "autoscaling",
        operation: "DescribeAutoScalingGroups",
        code: "Throttling",
        status: 400,
        times: 1,
      },
      { service: "iam", operation: "ListRoleTags", code: "Throttling", status: 400, times: 1 },
      { service: "s3", operation: "GetBucketTagging", code: "SlowDown", status: 503, times: 2 },
    ] as const;
    for (const f of faults) fake.fail(f);
    const provider = createAwsProvider(fakeProviderOptions(fake));
    const publisher = new JetStreamPublisher(nats.nc, DEFAULT_PUBLISHER_OPTIONS);
    const report = await runScan(provider, publisher, {
      prefix: "elava",
      concurrency: 8,
      signal: new AbortController().signal,
    });
    await publisher.close();
    await provider.close();

    const stored = await readStream(nats.nc, "ELAVA");
    const markers = stored.filter(isMarker);
    const snapshots = stored.filter((m) => !isMarker(m));
    const denied = new Set<ResourceType>(["load_balancer", "target_group"]);
    const key = (p: (typeof estate.partitions)[number]) => ({ provider: "aws", ...p });

    const globalTypes = ALL_RESOURCE_TYPES.filter((t) => scopeOf(t) === "global").length;
    expect(estate.partitions).toHaveLength(
      (ALL_RESOURCE_TYPES.length - globalTypes) * regions.length + globalTypes,
    );
    expect(markers.map((m) => m.subject).sort()).toEqual(
      estate.partitions.map((p) => partitionSubject("elava", key(p))).sort(),
    );
    const expectedSnapshots = estate.partitions
      .filter((p) => !denied.has(p.resourceType))
      .flatMap((p) => p.ids.map((id) => snapshotSubject("elava", key(p), id)));
    expect(expectedSnapshots.length).toBeGreaterThan(2500);
    expect(snapshots.map((m) => m.subject).sort()).toEqual(expectedSnapshots.sort());

    const bySubject = new Map(estate.partitions.map((p) => [partitionSubject("elava", key(p)), p]));
    for (const m of markers) {
      const partition = bySubject.get(m.subject);
      const marker = decodeMarker(m);
      const own = snapshots.filter((s) => s.subject.startsWith(`${m.subject}.`));
      expect(
        own.every((s) => s.seq < m.seq),
        m.subject,
      ).toBe(true);
      if (partition !== undefined && denied.has(partition.resourceType)) {
        expect(marker.status, m.subject).toBe(2);
        expect(marker.error).toMatch(
          new RegExp(`^access_denied: .* in ${partition.region} for ${estate.accountId}`),
        );
      } else {
        expect(marker.status, m.subject).toBe(1);
        expect(Number(marker.resourceCount), m.subject).toBe(partition?.ids.length);
      }
    }
    expect(
      report.partitions
        .filter((p) => p.status !== "OK")
        .map((p) => `${p.partition.resourceType} ${p.partition.region} ${p.reason}`)
        .sort(),
    ).toEqual([
      "load_balancer eu-west-1 access_denied",
      "load_balancer us-east-1 access_denied",
      "target_group eu-west-1 access_denied",
      "target_group us-east-1 access_denied",
    ]);
    expect(fake.calls().some((c) => c.region === estate.notEnabledRegion)).toBe(false);

    // No wasted call: the estate's minimum, plus one per injected fault, and ELBv2 stops at
    // the first (denied) DescribeTargetGroups of each of its partitions: load_balancer's
    // classic listing, which comes after ELBv2's, is never reached.
    const expected = new Map(
      [...estate.minimumCalls].filter(([op]) => !op.startsWith("elbv2:") && !op.startsWith("elb:")),
    );
    expected.set("elbv2:DescribeTargetGroups", 2 * regions.length);
    for (const f of faults) {
      const op = `${f.service}:${f.operation}`;
      expected.set(op, (expected.get(op) ?? 0) + f.times);
    }
    expect(Object.fromEntries(provider.apiCalls())).toEqual(Object.fromEntries(expected));
    expect(pageSizeViolations(estate, fake.calls())).toEqual([]);
    expect(provider.throttledCalls().get("eks:ListClusters")).toBe(3);
    expect(provider.throttledCalls().get("s3:GetBucketTagging")).toBe(2);

    // A few references, as they come out of the wire formats.
    const decoded = (subject: string) => {
      const m = snapshots.find((s) => s.subject === subject);
      return m && decodeSnapshot(m);
    };
    const east = { provider: "aws", accountId: estate.accountId, region: "eu-west-1" };
    const instance = decoded(
      snapshotSubject("elava", { ...east, resourceType: "ec2_instance" }, "i-00200000000000067"),
    );
    expect(instance?.resource.case).toBe("ec2Instance");
    if (instance?.resource.case === "ec2Instance") {
      expect(instance.resource.value.autoscalingGroupName).toBe("asg-2");
      expect(instance.resource.value.eksClusterName).toBe("eks-2");
      expect(instance.resource.value.eksNodeGroupName).toBe("ng-2");
    }
    const group = decoded(
      snapshotSubject("elava", { ...east, resourceType: "eks_node_group" }, "eks-7/ng-7"),
    );
    expect(
      group?.resource.case === "eksNodeGroup" && group.resource.value.autoscalingGroupName,
    ).toBe("asg-7");
    const replica = decoded(
      snapshotSubject("elava", { ...east, resourceType: "rds_instance" }, "db-3"),
    );
    expect(
      replica?.resource.case === "rdsInstance" &&
        replica.resource.value.readReplicaSourceDbIdentifier,
    ).toBe("db-2");
    const global = { provider: "aws", accountId: estate.accountId, region: "global" };
    const bucket = decoded(
      snapshotSubject("elava", { ...global, resourceType: "s3_bucket" }, "data.bucket-1.example"),
    );
    expect(bucket?.resource.case === "s3Bucket" && bucket.resource.value.region).toBe("eu-west-1");
    expect(bucket?.tags).toEqual({ Name: "bucket-1" });
  });
});
