import { equals, fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  type Change,
  deriveChanges,
  type PartitionScanReport,
} from "../../src/consumer/changes.ts";
import { BadMessages, decodeSnapshot } from "../../src/consumer/decode.ts";
import { buildGraph } from "../../src/consumer/graph.ts";
import { inventorySnapshots } from "../../src/consumer/inventory.ts";
import { StreamReader } from "../../src/consumer/reader.ts";
import { replay } from "../../src/consumer/replay.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import {
  createSampleProvider,
  type SampleOptions,
  sampleChurn,
  sampleResources,
} from "../../src/providers/sample/index.ts";
import { DEFAULT_PUBLISHER_OPTIONS, JetStreamPublisher } from "../../src/publisher/publisher.ts";
import { runScan } from "../../src/scanner/scanner.ts";
import { outsideAws } from "../providers/sample/estate-support.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { createStream } from "./publish.ts";

const nats = useNatsServer();

const base: SampleOptions = { resources: 400, seed: 7, scan: 1, churn: 0.05 };

async function scan(prefix: string, options: SampleOptions) {
  const publisher = new JetStreamPublisher(nats.nc, DEFAULT_PUBLISHER_OPTIONS);
  try {
    return await runScan(createSampleProvider(options), publisher, {
      prefix,
      concurrency: 4,
      signal: new AbortController().signal,
    });
  } finally {
    await publisher.close();
  }
}

async function allChanges(loc: { stream: string; prefix: string }) {
  const changes: Change[] = [];
  const reports: PartitionScanReport[] = [];
  const { derived } = await deriveChanges(await StreamReader.open(nats.nc, loc), {
    since: { kind: "all" },
    sinceText: "all",
    bad: new BadMessages(),
    onChange: (c) => {
      changes.push(c);
    },
    onSkipped: (r) => {
      reports.push(r);
    },
  });
  return { changes, reports, derived };
}

async function inventoryEvents(loc: { stream: string; prefix: string }) {
  const reader = await StreamReader.open(nats.nc, loc);
  const plan = await replay(reader);
  const events: InfrastructureChangeEvent[] = [];
  for await (const { msg } of inventorySnapshots(reader, plan)) {
    const e = decodeSnapshot(msg.data);
    if (typeof e === "string") throw new Error(e);
    events.push(e);
  }
  return events;
}

const ref = (c: {
  resource_type: string;
  account_id: string;
  region: string;
  resource_id: string;
}) => `${c.resource_type}|${c.account_id}|${c.region}|${c.resource_id}`;

describe("consumer tools on sample scans", () => {
  it("derives exactly the churn the sample generator reports, modified field paths included", async () => {
    const loc = { stream: "S1", prefix: "s1" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await scan(loc.prefix, base);
    await scan(loc.prefix, { ...base, scan: 2 });
    const churn = sampleChurn({ ...base, scan: 2 });

    const { changes } = await allChanges(loc);

    const of = (kind: Change["change"]) =>
      changes
        .filter((c) => c.change === kind)
        .map(ref)
        .sort();
    const refs = (
      list: readonly {
        resourceType: string;
        accountId: string;
        region: string;
        resourceId: string;
      }[],
    ) => list.map((r) => `${r.resourceType}|${r.accountId}|${r.region}|${r.resourceId}`).sort();
    expect(of("created")).toEqual(refs(churn.created));
    expect(of("disappeared")).toEqual(refs(churn.disappeared));
    expect(of("modified")).toEqual(refs(churn.modified));
    const paths = new Map(
      changes.map((c) => [ref(c), (c.differences ?? []).map((d) => d.path).sort()]),
    );
    for (const m of churn.modified) {
      expect(paths.get(`${m.resourceType}|${m.accountId}|${m.region}|${m.resourceId}`)).toEqual(
        [...m.fieldPaths].sort(),
      );
    }
    expect(churn.created.length + churn.modified.length + churn.disappeared.length).toBeGreaterThan(
      0,
    );
  });

  it("derives no disappearance from a partition FAILED between two scans", async () => {
    const loc = { stream: "S2", prefix: "s2" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    await scan(loc.prefix, base);
    await scan(loc.prefix, { ...base, scan: 2, failTypes: ["ec2_instance"] });
    const { changes, reports } = await allChanges(loc);
    expect(changes.filter((c) => c.resource_type === "ec2_instance")).toEqual([]);
    expect(
      reports.some((r) => r.outcome === "failed" && r.partition.includes(".ec2_instance.")),
    ).toBe(true);
  });

  it("replays after three scans to the inventory of the last scan, and its graph holds", async () => {
    const loc = { stream: "S3", prefix: "s3" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    for (const k of [1, 2, 3]) await scan(loc.prefix, { ...base, scan: k });

    const events = await inventoryEvents(loc);

    const expected = [...sampleResources({ ...base, scan: 3 })]
      .map(
        (r) =>
          `${r.partition.resourceType}|${r.partition.accountId}|${r.partition.region}|${r.resource.id}`,
      )
      .sort();
    const got = events
      .map((e) => `${e.resourceType}|${e.accountId}|${e.region}|${e.resourceId}`)
      .sort();
    expect(got).toEqual(expected);

    const graph = buildGraph(events);
    // Only AWS-managed policies are missing, as outside the scan (account "aws").
    expect(outsideAws(graph.dangling)).toEqual([]);
    expect(graph.dangling.length).toBeGreaterThan(0);
    expect(graph.dangling.every((d) => d.missing.startsWith("arn:aws:iam::aws:policy/"))).toBe(
      true,
    );
    const relations = new Set(
      graph.edges.map((e) => `${e.from.split(":")[0]} ${e.relation} ${e.to.split(":")[0]}`),
    );
    for (const r of [
      "autoscaling_group owns ec2_instance",
      "eks_node_group belongs_to eks_cluster",
      "rds_instance replicates_from rds_instance",
      "subnet routes_via route_table",
      "route_table nats_through nat_gateway",
      "load_balancer routes_through target_group",
      "target_group targets ec2_instance",
      "security_group depends_on security_group",
      "eks_node_group owns ec2_instance",
      "vpc_peering peers_via vpc",
      "network_interface attached_to ec2_instance",
      "elastic_ip attached_to network_interface",
      "elastic_ip attached_to nat_gateway",
      "ebs_volume attached_to ec2_instance",
      "rds_instance belongs_to rds_cluster",
      "rds_cluster protected_by security_group",
      "iam_role depends_on iam_policy",
      "iam_user depends_on iam_policy",
      "autoscaling_group registers_to load_balancer",
      "load_balancer targets ec2_instance",
      "network_interface attached_to ecs_task",
      "network_interface attached_to efs_filesystem",
      "cloudwatch_alarm depends_on ebs_volume",
      "cloudwatch_alarm depends_on rds_cluster",
      "cloudwatch_alarm depends_on load_balancer",
    ]) {
      expect(relations.has(r), r).toBe(true);
    }
  });

  it("derives no change from two scans of an unchanged estate whose volatile values moved", async () => {
    const loc = { stream: "S4", prefix: "s4" };
    await createStream(nats.nc, loc.stream, loc.prefix);
    const still: SampleOptions = { ...base, churn: 0 };
    await scan(loc.prefix, still);
    await scan(loc.prefix, { ...still, scan: 2 });

    const { changes, derived } = await allChanges(loc);

    expect(changes).toEqual([]);
    expect(derived).toBeGreaterThan(20);
    // The published payloads did move: the stream holds two versions of them, same hashes.
    const versions = new Map<string, InfrastructureChangeEvent[]>();
    const reader = await StreamReader.open(nats.nc, loc);
    for await (const m of reader.read({
      filter: `${loc.prefix}.sample.*.*.*.*`,
      start: { kind: "all" },
    })) {
      const e = fromBinary(InfrastructureChangeEventSchema, m.data);
      expect(e.provider).toBe("sample");
      versions.set(m.subject, [...(versions.get(m.subject) ?? []), e]);
    }
    let moved = 0;
    for (const [subject, [first, second]] of versions) {
      if (first === undefined || second === undefined) throw new Error(`${subject}: one scan only`);
      expect(second.contentHash, subject).toBe(first.contentHash);
      if (
        !equals(
          InfrastructureChangeEventSchema,
          { ...first, id: "", observedAt: undefined, scanId: "", scanStartedAt: undefined },
          { ...second, id: "", observedAt: undefined, scanId: "", scanStartedAt: undefined },
        )
      )
        moved++;
    }
    expect(moved).toBeGreaterThan(10);
  });
});
