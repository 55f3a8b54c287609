import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { buildGraph } from "../../../src/consumer/graph.ts";
import { encodeSnapshot } from "../../../src/contract/encode.ts";
import { ALL_RESOURCE_TYPES, GLOBAL_REGION } from "../../../src/contract/resource-types.ts";
import { InfrastructureChangeEventSchema } from "../../../src/gen/elava/v1/event_pb.ts";
import { SAMPLE_REGIONS } from "../../../src/providers/sample/estate.ts";
import {
  DEFAULT_SAMPLE_OPTIONS,
  type SampleOptions,
  sampleResources,
} from "../../../src/providers/sample/index.ts";
import { collect, danglingReferences, type Entry, outsideAws } from "./estate-support.ts";

const scan = { scanId: "01JSAMPLE0000000000000000", scanStartedAt: new Date(0), prefix: "elava" };

function contentHashes(options: SampleOptions): string[] {
  const hashes: string[] = [];
  for (const { partition, resource } of sampleResources(options)) {
    hashes.push(`${resource.id} ${encodeSnapshot(scan, partition, resource).contentHash}`);
  }
  return hashes;
}

describe("sample estate", () => {
  it.each([200, 1000, 3000, 20_000])("holds every resource type at %i resources", (n) => {
    const counts = new Map<string, number>();
    let total = 0;
    for (const { partition } of sampleResources({ ...DEFAULT_SAMPLE_OPTIONS, resources: n })) {
      counts.set(partition.resourceType, (counts.get(partition.resourceType) ?? 0) + 1);
      total += 1;
    }
    expect(ALL_RESOURCE_TYPES.filter((t) => !counts.has(t))).toEqual([]);
    expect(total).toBeGreaterThan(n * 0.7);
    expect(total).toBeLessThan(n * 1.3);
  });

  it.each([
    [2000, 1, 1],
    [5000, 7, 4],
    [3000, 99, 12],
  ])("resolves every reference at %i resources, seed %i, scan %i", (resources, seed, k) => {
    const estate = collect({ resources, seed, scan: k, churn: 0.05 });
    expect(danglingReferences(estate)).toEqual([]);
  });

  it("gives byte-identical resources for the same options and different ones for another seed", () => {
    const options = { ...DEFAULT_SAMPLE_OPTIONS, resources: 1500, scan: 3 };
    const first = contentHashes(options);
    expect(contentHashes(options)).toEqual(first);
    const other = contentHashes({ ...options, seed: options.seed + 1 });
    expect(other).not.toEqual(first);
    const firstIds = new Set(first.map((h) => h.split(" ")[0]));
    expect(other.filter((h) => firstIds.has(h.split(" ")[0])).length).toBeLessThan(
      other.length / 10,
    );
  });

  it("says it is sample data: provider sample, account ids no one takes for AWS's 12 digits", () => {
    const accounts = new Set<string>();
    for (const { partition, resource } of sampleResources({
      ...DEFAULT_SAMPLE_OPTIONS,
      resources: 20_000,
    })) {
      expect(partition.provider).toBe("sample");
      accounts.add(partition.accountId);
      // ARNs keep AWS's shape with the sample's account (IAM and S3 ARNs name theirs or none).
      if (resource.arn !== "" && !resource.arn.startsWith("arn:aws:s3:::")) {
        expect(resource.arn.split(":")[4]).toMatch(/^sample-[0-9a-z]{6}$/);
      }
    }
    expect(accounts.size).toBeGreaterThan(1);
    for (const a of accounts) {
      expect(a).toMatch(/^sample-[0-9a-z]{6}$/);
      expect(a).not.toMatch(/^\d{12}$/);
    }
  });

  it("uses realistic regions, ids, names and DNS names", () => {
    const regionNames = new Set(SAMPLE_REGIONS.map((r) => r.name));
    const idShapes: Partial<Record<string, RegExp>> = {
      ec2_instance: /^i-0[0-9a-f]{16}$/,
      vpc: /^vpc-0[0-9a-f]{16}$/,
      subnet: /^subnet-0[0-9a-f]{16}$/,
      security_group: /^sg-0[0-9a-f]{16}$/,
      route_table: /^rtb-0[0-9a-f]{16}$/,
      internet_gateway: /^igw-0[0-9a-f]{16}$/,
      nat_gateway: /^nat-0[0-9a-f]{16}$/,
      vpc_peering: /^pcx-0[0-9a-f]{16}$/,
      launch_template: /^lt-0[0-9a-f]{16}$/,
      // An application load balancer's, or a classic one's (its name only).
      load_balancer:
        /^arn:aws:elasticloadbalancing:[a-z0-9-]+:sample-\w{6}:loadbalancer\/(app\/[\w-]+\/[0-9a-f]{16}|[\w-]{1,32})$/,
      target_group:
        /^arn:aws:elasticloadbalancing:[a-z0-9-]+:sample-\w{6}:targetgroup\/[\w-]{1,32}\/[0-9a-f]{16}$/,
      iam_role: /^arn:aws:iam::sample-\w{6}:role\/[\w+=,.@-]{1,64}$/,
      iam_user: /^arn:aws:iam::sample-\w{6}:user\/[\w+=,.@-]{1,64}$/,
      iam_policy: /^arn:aws:iam::sample-\w{6}:policy\/[\w+=,.@-]{1,128}$/,
      network_interface: /^eni-0[0-9a-f]{16}$/,
      elastic_ip: /^eipalloc-0[0-9a-f]{16}$/,
      ebs_volume: /^vol-0[0-9a-f]{16}$/,
      rds_cluster: /^[a-z][a-z0-9-]{0,62}$/,
      s3_bucket: /^(?=.{3,63}$)[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/,
    };
    for (const { partition, resource } of sampleResources({ ...DEFAULT_SAMPLE_OPTIONS })) {
      if (partition.region !== GLOBAL_REGION) expect(regionNames).toContain(partition.region);
      expect(resource.id).toMatch(idShapes[partition.resourceType] ?? /\S/);
      expect(resource.name).not.toBe("");
      if (resource.tags.Name !== undefined) expect(resource.name).toBe(resource.tags.Name);
      const p = resource.payload;
      if (p.case === "ec2Instance") {
        const dashed = p.value.privateIp.replaceAll(".", "-");
        expect(p.value.privateDnsName).toMatch(
          new RegExp(`^ip-${dashed}\\.(ec2\\.internal|${partition.region}\\.compute\\.internal)$`),
        );
        expect(p.value.availabilityZone.startsWith(partition.region)).toBe(true);
        if (p.value.eksClusterName !== "") {
          expect(resource.tags["eks:cluster-name"]).toBe(p.value.eksClusterName);
          expect(resource.tags["eks:nodegroup-name"]).toBe(p.value.eksNodeGroupName);
        }
        if (p.value.launchTemplateId !== "") {
          expect(resource.tags["aws:ec2launchtemplate:id"]).toBe(p.value.launchTemplateId);
        }
      }
      if (p.case === "s3Bucket") expect(regionNames).toContain(p.value.region);
      if (p.case === "subnet")
        expect(p.value.availabilityZone.startsWith(partition.region)).toBe(true);
    }
  });

  it("gives the ECS tasks and EFS mount targets the interfaces AWS makes for them", () => {
    const estate = collect({ ...DEFAULT_SAMPLE_OPTIONS, resources: 3000 });
    const enis = new Map<string, Entry>();
    for (const e of estate.values()) {
      if (e.resource.payload.case === "networkInterface") enis.set(e.resource.id, e);
    }
    const eniOf = (id: string, where: Entry) => {
      const e = enis.get(id);
      expect(e?.partition.accountId).toBe(where.partition.accountId);
      expect(e?.partition.region).toBe(where.partition.region);
      if (e?.resource.payload.case !== "networkInterface") throw new Error(`no interface ${id}`);
      expect(e.resource.payload.value.interfaceType).toBe("interface");
      expect(e.resource.payload.value.requesterManaged).toBe(true);
      expect(e.resource.payload.value.status).toBe("in-use");
      return e.resource.payload.value;
    };
    let tasks = 0;
    let mountTargets = 0;
    for (const e of estate.values()) {
      const p = e.resource.payload;
      if (p.case === "ecsTask") {
        tasks += 1;
        const eni = eniOf(p.value.networkInterfaceId, e);
        const { accountId, region } = e.partition;
        expect(eni.description).toMatch(
          new RegExp(`^arn:aws:ecs:${region}:${accountId}:attachment/[0-9a-f-]{36}$`, "u"),
        );
        expect(eni.subnetId).toBe(p.value.subnetId);
        expect(eni.privateIpAddress).toBe(p.value.privateIpv4Address);
        expect(eni.attachmentInstanceId).toBe(p.value.ec2InstanceId);
      }
      if (p.case === "efsFilesystem") {
        for (const mt of p.value.mountTargets) {
          mountTargets += 1;
          const eni = eniOf(mt.networkInterfaceId, e);
          expect(eni.description).toBe(
            `EFS mount target for ${p.value.fileSystemId} (${mt.mountTargetId})`,
          );
          expect(eni.subnetId).toBe(mt.subnetId);
          expect(eni.privateIpAddress).toBe(mt.ipAddress);
          expect(eni.securityGroupIds).toEqual(mt.securityGroupIds);
        }
      }
    }
    expect(tasks).toBeGreaterThan(0);
    expect(mountTargets).toBeGreaterThan(0);
  });

  it("lists a peering between two units on both sides, with the requester's ARN: one graph node", () => {
    const estate = collect({ ...DEFAULT_SAMPLE_OPTIONS, resources: 20_000 });
    const peerings = new Map<string, Entry[]>();
    for (const e of estate.values()) {
      if (e.partition.resourceType !== "vpc_peering") continue;
      peerings.set(e.resource.id, [...(peerings.get(e.resource.id) ?? []), e]);
    }
    const shared = [...peerings.values()].filter((sides) => sides.length === 2);
    expect(shared.length).toBeGreaterThan(0);
    for (const [a, b] of shared as [Entry, Entry][]) {
      expect(`${a.partition.accountId} ${a.partition.region}`).not.toBe(
        `${b.partition.accountId} ${b.partition.region}`,
      );
      expect(a.resource.arn).toBe(b.resource.arn);
      const p = a.resource.payload.case === "vpcPeering" ? a.resource.payload.value : undefined;
      expect(a.resource.arn).toBe(
        `arn:aws:ec2:${p?.requesterRegion}:${p?.requesterOwnerId}:vpc-peering-connection/${a.resource.id}`,
      );
    }
    const graph = buildGraph(
      [...estate.values()].map(({ partition, resource }) =>
        create(InfrastructureChangeEventSchema, {
          ...partition,
          resourceId: resource.id,
          resource: resource.payload,
        }),
      ),
    );
    const nodes = graph.nodes.filter((n) => n.resourceType === "vpc_peering");
    expect(nodes.length).toBe(peerings.size);
    expect(outsideAws(graph.dangling)).toEqual([]);
  });
});
