import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { buildGraph, formatGraph, nodeKey } from "../../src/consumer/graph.ts";
import { payload, type ResourceType } from "../../src/contract/resource-types.ts";
import { AutoscalingGroupSchema, Ec2InstanceSchema } from "../../src/gen/elava/v1/compute_pb.ts";
import { EksClusterSchema, EksNodeGroupSchema } from "../../src/gen/elava/v1/containers_pb.ts";
import { RdsInstanceSchema } from "../../src/gen/elava/v1/database_pb.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import { IamRoleSchema } from "../../src/gen/elava/v1/identity_pb.ts";
import { LoadBalancerSchema, TargetGroupSchema } from "../../src/gen/elava/v1/load_balancing_pb.ts";
import {
  NatGatewaySchema,
  RouteSchema,
  RouteTableSchema,
  SubnetSchema,
} from "../../src/gen/elava/v1/network_pb.ts";

const A = "123456789012";
const R = "us-east-1";
type Payload = InfrastructureChangeEvent["resource"];

function ev(
  resourceType: ResourceType,
  resourceId: string,
  resource: Payload,
  region = R,
): InfrastructureChangeEvent {
  return create(InfrastructureChangeEventSchema, {
    provider: "aws",
    accountId: A,
    region,
    resourceType,
    resourceId,
    resource,
  });
}
const key = (t: string, id: string, region = R) => nodeKey(t, A, region, id);
const TG = `arn:aws:elasticloadbalancing:${R}:${A}:targetgroup/web/1`;
const LB = `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/app/web/2`;
const ROLE = `arn:aws:iam::${A}:role/web`;
const PROFILE = `arn:aws:iam::${A}:instance-profile/web`;

const estate = [
  ev(
    "autoscaling_group",
    "web-asg",
    payload(
      "autoscaling_group",
      create(AutoscalingGroupSchema, {
        name: "web-asg",
        instanceIds: ["i-1", "i-2"],
        targetGroupArns: [TG],
      }),
    ),
  ),
  ev(
    "ec2_instance",
    "i-1",
    payload(
      "ec2_instance",
      create(Ec2InstanceSchema, {
        instanceId: "i-1",
        subnetId: "subnet-priv",
        iamInstanceProfileArn: PROFILE,
        eksClusterName: "prod",
        eksNodeGroupName: "workers",
      }),
    ),
  ),
  ev(
    "ec2_instance",
    "i-2",
    payload(
      "ec2_instance",
      create(Ec2InstanceSchema, { instanceId: "i-2", subnetId: "subnet-priv" }),
    ),
  ),
  ev(
    "iam_role",
    ROLE,
    payload("iam_role", create(IamRoleSchema, { name: "web", instanceProfileArns: [PROFILE] })),
    "global",
  ),
  ev("eks_cluster", "prod", payload("eks_cluster", create(EksClusterSchema, { name: "prod" }))),
  ev(
    "eks_node_group",
    "prod/workers",
    payload(
      "eks_node_group",
      create(EksNodeGroupSchema, { clusterName: "prod", nodeGroupName: "workers" }),
    ),
  ),
  ev(
    "rds_instance",
    "db-primary",
    payload("rds_instance", create(RdsInstanceSchema, { dbInstanceIdentifier: "db-primary" })),
  ),
  ev(
    "rds_instance",
    "db-replica",
    payload(
      "rds_instance",
      create(RdsInstanceSchema, {
        dbInstanceIdentifier: "db-replica",
        readReplicaSourceDbIdentifier: "db-primary",
      }),
    ),
  ),
  ev(
    "subnet",
    "subnet-priv",
    payload("subnet", create(SubnetSchema, { subnetId: "subnet-priv", routeTableId: "rtb-priv" })),
  ),
  ev(
    "route_table",
    "rtb-priv",
    payload(
      "route_table",
      create(RouteTableSchema, {
        routeTableId: "rtb-priv",
        routes: [
          create(RouteSchema, { targetId: "local" }),
          create(RouteSchema, { destinationCidr: "0.0.0.0/0", targetId: "nat-1" }),
        ],
      }),
    ),
  ),
  ev(
    "nat_gateway",
    "nat-1",
    payload("nat_gateway", create(NatGatewaySchema, { natGatewayId: "nat-1" })),
  ),
  ev(
    "load_balancer",
    LB,
    payload("load_balancer", create(LoadBalancerSchema, { name: "web", targetGroupArns: [TG] })),
  ),
  ev(
    "target_group",
    TG,
    payload(
      "target_group",
      create(TargetGroupSchema, { name: "web", targetType: "instance", targetIds: ["i-1", "i-2"] }),
    ),
  ),
];

describe("buildGraph", () => {
  it("holds the seed's examples", () => {
    const g = buildGraph(estate);
    const edges = g.edges.map((e) => [e.from, e.relation, e.to]);
    expect(edges).toEqual(
      expect.arrayContaining([
        [key("autoscaling_group", "web-asg"), "owns", key("ec2_instance", "i-1")],
        [key("autoscaling_group", "web-asg"), "owns", key("ec2_instance", "i-2")],
        [key("eks_node_group", "prod/workers"), "belongs_to", key("eks_cluster", "prod")],
        [key("ec2_instance", "i-1"), "managed_by", key("eks_node_group", "prod/workers")],
        [key("ec2_instance", "i-1"), "assumed_by", key("iam_role", ROLE, "global")],
        [key("rds_instance", "db-replica"), "replicates_from", key("rds_instance", "db-primary")],
        [key("subnet", "subnet-priv"), "routes_via", key("route_table", "rtb-priv")],
        [key("route_table", "rtb-priv"), "nats_through", key("nat_gateway", "nat-1")],
        [key("load_balancer", LB), "routes_through", key("target_group", TG)],
        [key("target_group", TG), "targets", key("ec2_instance", "i-1")],
        [key("autoscaling_group", "web-asg"), "registers_to", key("target_group", TG)],
      ]),
    );
    expect(g.dangling).toEqual([]);
  });

  it("lists a reference to a removed resource as dangling, with no edge", () => {
    const g = buildGraph(estate.filter((e) => e.resourceId !== "i-2" && e.resourceId !== "nat-1"));
    expect(g.edges.some((e) => e.to === key("ec2_instance", "i-2"))).toBe(false);
    expect(g.dangling).toEqual(
      expect.arrayContaining([
        {
          source: key("autoscaling_group", "web-asg"),
          field: "instance_ids",
          targetType: "ec2_instance",
          missing: "i-2",
        },
        {
          source: key("target_group", TG),
          field: "target_ids",
          targetType: "ec2_instance",
          missing: "i-2",
        },
        {
          source: key("route_table", "rtb-priv"),
          field: "routes[].target_id",
          targetType: "nat_gateway",
          missing: "nat-1",
        },
      ]),
    );
    expect(g.dangling).toHaveLength(3);
  });

  it("renders json, dot and mermaid", () => {
    const g = buildGraph(estate);
    expect(JSON.parse(formatGraph(g, "json")).edges).toHaveLength(g.edges.length);
    const dot = formatGraph(g, "dot");
    expect(dot).toMatch(/^digraph elava \{/u);
    expect(dot).toContain('[label="replicates_from"]');
    expect(formatGraph(g, "mermaid")).toMatch(/-->\|nats_through\|/u);
  });
});
