import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { diffSnapshots } from "../../src/consumer/diff.ts";
import { payload } from "../../src/contract/resource-types.ts";
import { Ec2InstanceSchema } from "../../src/gen/elava/v1/compute_pb.ts";
import { EksNodeGroupSchema } from "../../src/gen/elava/v1/containers_pb.ts";
import {
  ChangeType,
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import { TargetGroupSchema, TargetHealthSchema } from "../../src/gen/elava/v1/load_balancing_pb.ts";
import {
  SecurityGroupSchema,
  SecurityRuleSchema,
  SubnetSchema,
} from "../../src/gen/elava/v1/network_pb.ts";
import { PublicAccessBlockSchema, S3BucketSchema } from "../../src/gen/elava/v1/storage_pb.ts";

function event(
  init: MessageInitShape<typeof InfrastructureChangeEventSchema>,
): InfrastructureChangeEvent {
  return create(InfrastructureChangeEventSchema, {
    changeType: ChangeType.SNAPSHOT,
    provider: "aws",
    accountId: "123456789012",
    region: "us-east-1",
    resourceId: "x",
    ...init,
  });
}

describe("diffSnapshots", () => {
  it("ignores what changes every scan and reports envelope fields and tags by key", () => {
    const a = event({
      id: "A",
      scanId: "S1",
      contentHash: "h1",
      resourceName: "web",
      tags: { Team: "a", Old: "x" },
    });
    const b = event({
      id: "B",
      scanId: "S2",
      contentHash: "h2",
      resourceName: "web-2",
      tags: { Team: "b", New: "y" },
    });
    expect(diffSnapshots(a, b)).toEqual([
      { path: "resource_name", old: "web", new: "web-2" },
      { path: "tags.New", old: null, new: "y" },
      { path: "tags.Old", old: "x", new: null },
      { path: "tags.Team", old: "a", new: "b" },
    ]);
    expect(
      diffSnapshots(
        a,
        event({ ...a, id: "C", scanId: "S3", observedAt: timestampFromDate(new Date()) }),
      ),
    ).toEqual([]);
  });

  it("names payload fields <type>.<proto name>, compares repeated scalars and timestamps whole", () => {
    const launched = (d: string) => timestampFromDate(new Date(d));
    const i = (init: Parameters<typeof create<typeof Ec2InstanceSchema>>[1]) =>
      event({
        resourceType: "ec2_instance",
        resource: payload("ec2_instance", create(Ec2InstanceSchema, init)),
      });
    const a = i({
      instanceType: "t3.small",
      securityGroupIds: ["sg-1"],
      launchTime: launched("2026-01-01T00:00:00Z"),
    });
    const b = i({
      instanceType: "t3.large",
      securityGroupIds: ["sg-1", "sg-2"],
      launchTime: launched("2026-01-02T00:00:00Z"),
    });
    expect(diffSnapshots(a, b)).toEqual([
      { path: "ec2_instance.instance_type", old: "t3.small", new: "t3.large" },
      {
        path: "ec2_instance.launch_time",
        old: "2026-01-01T00:00:00.000Z",
        new: "2026-01-02T00:00:00.000Z",
      },
      { path: "ec2_instance.security_group_ids", old: ["sg-1"], new: ["sg-1", "sg-2"] },
    ]);
  });

  it("indexes repeated message elements and reports added ones whole", () => {
    const rule = (fromPort: number) =>
      create(SecurityRuleSchema, {
        protocol: "tcp",
        fromPort,
        toPort: fromPort,
        cidrBlock: "0.0.0.0/0",
      });
    const sg = (rules: number[]) =>
      event({
        resourceType: "security_group",
        resource: payload(
          "security_group",
          create(SecurityGroupSchema, { groupId: "sg-1", ingressRules: rules.map(rule) }),
        ),
      });
    expect(diffSnapshots(sg([22]), sg([443, 80]))).toEqual([
      { path: "security_group.ingress_rules[0].from_port", old: 22, new: 443 },
      { path: "security_group.ingress_rules[0].to_port", old: 22, new: 443 },
      {
        path: "security_group.ingress_rules[1]",
        old: null,
        new: { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlock: "0.0.0.0/0" },
      },
    ]);
  });

  it("compares a payload map whole and walks nested messages by sub-field", () => {
    const ng = (labels: Record<string, string>) =>
      event({
        resourceType: "eks_node_group",
        resource: payload("eks_node_group", create(EksNodeGroupSchema, { labels })),
      });
    expect(diffSnapshots(ng({ b: "1", a: "2" }), ng({ a: "2", b: "1" }))).toEqual([]);
    expect(diffSnapshots(ng({ a: "1" }), ng({ a: "2" }))).toEqual([
      { path: "eks_node_group.labels", old: { a: "1" }, new: { a: "2" } },
    ]);

    const bucket = (pab?: boolean) =>
      event({
        resourceType: "s3_bucket",
        resource: payload(
          "s3_bucket",
          create(S3BucketSchema, {
            name: "b",
            ...(pab === undefined
              ? {}
              : { publicAccessBlock: create(PublicAccessBlockSchema, { blockPublicAcls: pab }) }),
          }),
        ),
      });
    expect(diffSnapshots(bucket(false), bucket(true))).toEqual([
      { path: "s3_bucket.public_access_block.block_public_acls", old: false, new: true },
    ]);
    expect(diffSnapshots(bucket(), bucket(true))).toEqual([
      { path: "s3_bucket.public_access_block", old: null, new: { blockPublicAcls: true } },
    ]);
  });

  it("leaves out the fields the schema marks volatile, nested ones included", () => {
    const subnet = (free: number, cidr: string) =>
      event({
        resourceType: "subnet",
        resource: payload(
          "subnet",
          create(SubnetSchema, { subnetId: "s", cidr, availableIpAddressCount: free }),
        ),
      });
    expect(diffSnapshots(subnet(10, "10.0.0.0/24"), subnet(9, "10.0.0.0/24"))).toEqual([]);
    expect(diffSnapshots(subnet(10, "10.0.0.0/24"), subnet(9, "10.0.1.0/24"))).toEqual([
      { path: "subnet.cidr", old: "10.0.0.0/24", new: "10.0.1.0/24" },
    ]);
    const group = (health: string, port: number) =>
      event({
        resourceType: "target_group",
        resource: payload(
          "target_group",
          create(TargetGroupSchema, {
            targets: [
              create(TargetHealthSchema, { id: "i-1", port, healthState: health, reason: health }),
            ],
          }),
        ),
      });
    expect(diffSnapshots(group("healthy", 80), group("unhealthy", 81))).toEqual([
      { path: "target_group.targets[0].port", old: 80, new: 81 },
    ]);
  });
});
