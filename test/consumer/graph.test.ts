import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { buildGraph, formatGraph, nodeKey } from "../../src/consumer/graph.ts";
import { payload, type ResourceType } from "../../src/contract/resource-types.ts";
import { AutoscalingGroupSchema, Ec2InstanceSchema } from "../../src/gen/elava/v1/compute_pb.ts";
import {
  EcsLoadBalancerSchema,
  EcsServiceSchema,
  EcsTaskSchema,
  EksClusterSchema,
  EksNodeGroupSchema,
} from "../../src/gen/elava/v1/containers_pb.ts";
import {
  RdsClusterMemberSchema,
  RdsClusterSchema,
  RdsInstanceSchema,
} from "../../src/gen/elava/v1/database_pb.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import {
  IamPolicySchema,
  IamRoleSchema,
  IamUserSchema,
} from "../../src/gen/elava/v1/identity_pb.ts";
import { LoadBalancerSchema, TargetGroupSchema } from "../../src/gen/elava/v1/load_balancing_pb.ts";
import { CloudwatchAlarmSchema } from "../../src/gen/elava/v1/monitoring_pb.ts";
import {
  NatGatewaySchema,
  NetworkInterfaceSchema,
  RouteSchema,
  RouteTableSchema,
  SecurityGroupSchema,
  SecurityRuleSchema,
  SubnetSchema,
  VpcPeeringSchema,
  VpcSchema,
} from "../../src/gen/elava/v1/network_pb.ts";
import {
  EbsVolumeSchema,
  EfsFilesystemSchema,
  EfsMountTargetSchema,
} from "../../src/gen/elava/v1/storage_pb.ts";

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

  it("lists a reference to a removed resource as dangling, with no edge, and why", () => {
    const g = buildGraph(estate.filter((e) => e.resourceId !== "i-2" && e.resourceId !== "nat-1"));
    expect(g.edges.some((e) => e.to === key("ec2_instance", "i-2"))).toBe(false);
    const partition = (type: string) => `aws.${type}.${A}.${R}`;
    expect(g.dangling).toEqual(
      expect.arrayContaining([
        {
          source: key("autoscaling_group", "web-asg"),
          field: "instance_ids",
          targetType: "ec2_instance",
          missing: "i-2",
          reason: "gone",
          partition: partition("ec2_instance"),
        },
        {
          source: key("target_group", TG),
          field: "target_ids",
          targetType: "ec2_instance",
          missing: "i-2",
          reason: "gone",
          partition: partition("ec2_instance"),
        },
        {
          source: key("route_table", "rtb-priv"),
          field: "routes[].target_id",
          targetType: "nat_gateway",
          missing: "nat-1",
          reason: "outside",
          partition: partition("nat_gateway"),
        },
      ]),
    );
    expect(g.dangling).toHaveLength(3);
  });

  it("renders JSON lines, dot and mermaid, with stable node ids", () => {
    const g = buildGraph(estate);
    const lines = formatGraph(g, "json")
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string });
    expect(lines.filter((l) => l.kind === "edge")).toHaveLength(g.edges.length);
    expect(lines.filter((l) => l.kind === "node")).toHaveLength(estate.length);
    const dot = formatGraph(g, "dot");
    expect(dot).toMatch(/^digraph elava \{/u);
    expect(dot).toContain('[label="replicates_from"]');
    const replica = g.nodes.find((n) => n.resourceId === "db-replica");
    const primary = g.nodes.find((n) => n.resourceId === "db-primary");
    expect(replica?.id).toMatch(/^n[0-9a-f]{16}$/u);
    expect(dot).toContain(`${replica?.id} -> ${primary?.id} [label="replicates_from"]`);
    expect(buildGraph(estate).nodes.map((n) => n.id)).toEqual(g.nodes.map((n) => n.id));
    expect(formatGraph(g, "mermaid")).toMatch(/-->\|nats_through\|/u);
  });

  it("draws an edge seen from both of its ends once", () => {
    // The subnet names its route table, and the route table lists the subnet.
    const both = [
      ev(
        "subnet",
        "subnet-a",
        payload("subnet", create(SubnetSchema, { subnetId: "subnet-a", routeTableId: "rtb-a" })),
      ),
      ev(
        "route_table",
        "rtb-a",
        payload(
          "route_table",
          create(RouteTableSchema, { routeTableId: "rtb-a", subnetIds: ["subnet-a"] }),
        ),
      ),
    ];
    const g = buildGraph(both);
    expect(g.edges.map((e) => [e.from, e.relation, e.to])).toEqual([
      [key("subnet", "subnet-a"), "routes_via", key("route_table", "rtb-a")],
    ]);
  });
});

describe("buildGraph: edges the schema's references add", () => {
  const B = "210987654321";
  const at = (e: InfrastructureChangeEvent, account: string, region = R) =>
    create(InfrastructureChangeEventSchema, { ...e, accountId: account, region });
  const keyIn = (t: string, account: string, region: string, id: string) =>
    nodeKey(t, account, region, id);
  const edgesOf = (g: ReturnType<typeof buildGraph>) =>
    g.edges.map((e) => [e.from, e.relation, e.to]);

  it("links security groups their rules name, in another account when the rule says so", () => {
    const group = (id: string, rules: { sourceSg: string; sourceSgOwnerId?: string }[]) =>
      ev(
        "security_group",
        id,
        payload(
          "security_group",
          create(SecurityGroupSchema, {
            groupId: id,
            ingressRules: rules.map((r) => create(SecurityRuleSchema, r)),
          }),
        ),
      );
    const g = buildGraph([
      group("sg-db", [{ sourceSg: "sg-app" }, { sourceSg: "sg-peer", sourceSgOwnerId: B }]),
      group("sg-app", [{ sourceSg: "sg-app" }]),
      at(group("sg-peer", []), B),
    ]);
    expect(edgesOf(g)).toEqual([
      [key("security_group", "sg-db"), "depends_on", key("security_group", "sg-app")],
      [key("security_group", "sg-db"), "depends_on", keyIn("security_group", B, R, "sg-peer")],
    ]);
    expect(g.dangling).toEqual([]);
  });

  it("has a node group own its instances, from the instances' tags", () => {
    const g = buildGraph(estate);
    expect(edgesOf(g)).toContainEqual([
      key("eks_node_group", "prod/workers"),
      "owns",
      key("ec2_instance", "i-1"),
    ]);
  });

  it("resolves a cross-region replica's source ARN instead of leaving it dangling", () => {
    const primary = at(
      ev(
        "rds_instance",
        "db-primary",
        payload("rds_instance", create(RdsInstanceSchema, { dbInstanceIdentifier: "db-primary" })),
      ),
      A,
      "us-west-2",
    );
    const replica = ev(
      "rds_instance",
      "db-replica",
      payload(
        "rds_instance",
        create(RdsInstanceSchema, {
          dbInstanceIdentifier: "db-replica",
          readReplicaSourceDbIdentifier: `arn:aws:rds:us-west-2:${A}:db:db-primary`,
        }),
      ),
    );
    const g = buildGraph([primary, replica]);
    expect(edgesOf(g)).toEqual([
      [
        key("rds_instance", "db-replica"),
        "replicates_from",
        keyIn("rds_instance", A, "us-west-2", "db-primary"),
      ],
    ]);
    expect(g.dangling).toEqual([]);
  });

  it("makes a VPC peering one node whichever side scanned it, and routes reach it from both", () => {
    const peeringPayload = payload(
      "vpc_peering",
      create(VpcPeeringSchema, {
        vpcPeeringConnectionId: "pcx-1",
        requesterVpcId: "vpc-r",
        requesterOwnerId: A,
        requesterRegion: R,
        accepterVpcId: "vpc-a",
        accepterOwnerId: B,
        accepterRegion: "eu-west-1",
      }),
    );
    const requesterSide = create(InfrastructureChangeEventSchema, {
      ...ev("vpc_peering", "pcx-1", peeringPayload),
      resourceName: "to-shared",
    });
    const accepterSide = create(InfrastructureChangeEventSchema, {
      ...at(ev("vpc_peering", "pcx-1", peeringPayload), B, "eu-west-1"),
      resourceName: "from-prod",
    });
    const table = (account: string, region: string) =>
      at(
        ev(
          "route_table",
          "rtb-1",
          payload(
            "route_table",
            create(RouteTableSchema, { routes: [create(RouteSchema, { targetId: "pcx-1" })] }),
          ),
        ),
        account,
        region,
      );
    const vpc = (id: string, account: string, region: string) =>
      at(ev("vpc", id, payload("vpc", create(VpcSchema, { vpcId: id }))), account, region);
    const peering = keyIn("vpc_peering", A, R, "pcx-1");
    for (const order of [
      [accepterSide, requesterSide],
      [requesterSide, accepterSide],
    ]) {
      const g = buildGraph([
        ...order,
        table(A, R),
        table(B, "eu-west-1"),
        vpc("vpc-r", A, R),
        vpc("vpc-a", B, "eu-west-1"),
      ]);
      const peerings = g.nodes.filter((n) => n.resourceType === "vpc_peering");
      expect(peerings).toEqual([
        {
          key: peering,
          id: expect.stringMatching(/^n[0-9a-f]{16}$/u),
          provider: "aws",
          status: "ok",
          resourceType: "vpc_peering",
          accountId: A,
          region: R,
          resourceId: "pcx-1",
          name: "to-shared",
        },
      ]);
      expect(edgesOf(g)).toEqual(
        expect.arrayContaining([
          [keyIn("route_table", A, R, "rtb-1"), "peers_via", peering],
          [keyIn("route_table", B, "eu-west-1", "rtb-1"), "peers_via", peering],
          [peering, "peers_via", keyIn("vpc", A, R, "vpc-r")],
          [peering, "peers_via", keyIn("vpc", B, "eu-west-1", "vpc-a")],
        ]),
      );
      expect(g.dangling).toEqual([]);
    }
  });

  it("follows a target group's ALB targets to the load balancer", () => {
    const g = buildGraph([
      ev(
        "load_balancer",
        LB,
        payload("load_balancer", create(LoadBalancerSchema, { name: "web" })),
      ),
      ev(
        "target_group",
        TG,
        payload(
          "target_group",
          create(TargetGroupSchema, { targetType: "alb", targetIds: [LB], loadBalancerArns: [] }),
        ),
      ),
    ]);
    expect(edgesOf(g)).toEqual([[key("target_group", TG), "targets", key("load_balancer", LB)]]);
  });

  it("finds an autoscaling group's classic load balancer by its name, and its instances", () => {
    const CLB = `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/legacy`;
    const g = buildGraph([
      ev(
        "load_balancer",
        CLB,
        payload(
          "load_balancer",
          create(LoadBalancerSchema, { name: "legacy", type: "classic", instanceIds: ["i-1"] }),
        ),
      ),
      // An ELBv2 load balancer of another name is not the one the group names.
      ev(
        "load_balancer",
        LB,
        payload("load_balancer", create(LoadBalancerSchema, { name: "web" })),
      ),
      ev("ec2_instance", "i-1", payload("ec2_instance", create(Ec2InstanceSchema, {}))),
      ev(
        "autoscaling_group",
        "web-asg",
        payload(
          "autoscaling_group",
          create(AutoscalingGroupSchema, { name: "web-asg", loadBalancerNames: ["legacy"] }),
        ),
      ),
    ]);
    expect(edgesOf(g)).toEqual([
      [key("autoscaling_group", "web-asg"), "registers_to", key("load_balancer", CLB)],
      [key("load_balancer", CLB), "targets", key("ec2_instance", "i-1")],
    ]);
    expect(g.dangling).toEqual([]);
  });

  it("follows a customer-managed policy and leaves an AWS-managed one outside the scan", () => {
    const OWN = `arn:aws:iam::${A}:policy/deploy`;
    const MANAGED = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const USER = `arn:aws:iam::${A}:user/ci`;
    const global = "global";
    const g = buildGraph([
      ev(
        "iam_policy",
        OWN,
        payload("iam_policy", create(IamPolicySchema, { name: "deploy" })),
        global,
      ),
      ev(
        "iam_role",
        ROLE,
        payload("iam_role", create(IamRoleSchema, { attachedPolicyArns: [OWN, MANAGED] })),
        global,
      ),
      ev(
        "iam_user",
        USER,
        payload("iam_user", create(IamUserSchema, { attachedPolicyArns: [OWN] })),
        global,
      ),
    ]);
    expect(edgesOf(g)).toEqual([
      [key("iam_role", ROLE, global), "depends_on", key("iam_policy", OWN, global)],
      [key("iam_user", USER, global), "depends_on", key("iam_policy", OWN, global)],
    ]);
    // AWS's own account "aws" is never scanned: outside, never gone.
    expect(g.dangling).toEqual([
      {
        source: key("iam_role", ROLE, global),
        field: "attached_policy_arns",
        targetType: "iam_policy",
        missing: MANAGED,
        reason: "outside",
        partition: "aws.iam_policy.aws.global",
      },
    ]);
  });

  it("links an Aurora cluster and its members once, from both ends", () => {
    const g = buildGraph([
      ev(
        "rds_cluster",
        "orders",
        payload(
          "rds_cluster",
          create(RdsClusterSchema, {
            dbClusterIdentifier: "orders",
            members: [
              create(RdsClusterMemberSchema, { dbInstanceIdentifier: "orders-1", isWriter: true }),
            ],
          }),
        ),
      ),
      ev(
        "rds_instance",
        "orders-1",
        payload(
          "rds_instance",
          create(RdsInstanceSchema, {
            dbInstanceIdentifier: "orders-1",
            dbClusterIdentifier: "orders",
          }),
        ),
      ),
    ]);
    expect(edgesOf(g)).toEqual([
      [key("rds_instance", "orders-1"), "belongs_to", key("rds_cluster", "orders")],
    ]);
  });

  it("has the ENIs of an ECS task and of an EFS mount target attached to them", () => {
    const TASK = `arn:aws:ecs:${R}:${A}:task/apps/0a1b`;
    const eni = (id: string, description: string) =>
      ev(
        "network_interface",
        id,
        payload(
          "network_interface",
          create(NetworkInterfaceSchema, {
            networkInterfaceId: id,
            interfaceType: "interface",
            description,
            requesterManaged: true,
          }),
        ),
      );
    const g = buildGraph([
      eni("eni-task", `arn:aws:ecs:${R}:${A}:attachment/5c8e`),
      eni("eni-efs", "EFS mount target for fs-1 (fsmt-1)"),
      ev(
        "ecs_task",
        TASK,
        payload("ecs_task", create(EcsTaskSchema, { networkInterfaceId: "eni-task" })),
      ),
      ev(
        "efs_filesystem",
        "fs-1",
        payload(
          "efs_filesystem",
          create(EfsFilesystemSchema, {
            fileSystemId: "fs-1",
            mountTargets: [
              create(EfsMountTargetSchema, {
                mountTargetId: "fsmt-1",
                networkInterfaceId: "eni-efs",
              }),
              // A mount target whose interface is gone is dangling, as any other reference.
              create(EfsMountTargetSchema, {
                mountTargetId: "fsmt-2",
                networkInterfaceId: "eni-gone",
              }),
            ],
          }),
        ),
      ),
    ]);
    // The interface points at what it is attached to, as an instance's does.
    expect(edgesOf(g)).toEqual([
      [key("network_interface", "eni-efs"), "attached_to", key("efs_filesystem", "fs-1")],
      [key("network_interface", "eni-task"), "attached_to", key("ecs_task", TASK)],
    ]);
    expect(g.dangling.map((d) => [d.source, d.field, d.targetType, d.missing])).toEqual([
      [
        key("efs_filesystem", "fs-1"),
        "mount_targets[].network_interface_id",
        "network_interface",
        "eni-gone",
      ],
    ]);
  });

  it("finds an ECS service's classic load balancer by its name", () => {
    const CLB = `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/legacy`;
    const g = buildGraph([
      ev(
        "load_balancer",
        CLB,
        payload("load_balancer", create(LoadBalancerSchema, { name: "legacy", type: "classic" })),
      ),
      ev(
        "load_balancer",
        LB,
        payload("load_balancer", create(LoadBalancerSchema, { name: "web" })),
      ),
      ev(
        "ecs_service",
        "apps/api",
        payload(
          "ecs_service",
          create(EcsServiceSchema, {
            loadBalancers: [create(EcsLoadBalancerSchema, { loadBalancerName: "legacy" })],
          }),
        ),
      ),
    ]);
    expect(edgesOf(g)).toEqual([
      [key("ecs_service", "apps/api"), "registers_to", key("load_balancer", CLB)],
    ]);
    expect(g.dangling).toEqual([]);
  });

  it("has an alarm depend on the volume, Aurora cluster and classic load balancer it watches", () => {
    const CLB = `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/legacy`;
    const alarm = (name: string, namespace: string, dimensions: Record<string, string>) =>
      ev(
        "cloudwatch_alarm",
        name,
        payload(
          "cloudwatch_alarm",
          create(CloudwatchAlarmSchema, { alarmName: name, namespace, dimensions }),
        ),
      );
    const g = buildGraph([
      ev(
        "ebs_volume",
        "vol-1",
        payload("ebs_volume", create(EbsVolumeSchema, { volumeId: "vol-1" })),
      ),
      ev(
        "rds_cluster",
        "orders",
        payload("rds_cluster", create(RdsClusterSchema, { dbClusterIdentifier: "orders" })),
      ),
      ev(
        "load_balancer",
        CLB,
        payload("load_balancer", create(LoadBalancerSchema, { name: "legacy", type: "classic" })),
      ),
      alarm("disk", "AWS/EBS", { VolumeId: "vol-1" }),
      alarm("db", "AWS/RDS", { DBClusterIdentifier: "orders" }),
      alarm("clb", "AWS/ELB", { LoadBalancerName: "legacy" }),
      // An ALB's metrics name it by LoadBalancer ("app/web/2"), never by LoadBalancerName
      // outside AWS/ELB: that dimension is followed in AWS/ELB only.
      alarm("other", "Custom/App", { LoadBalancerName: "legacy" }),
    ]);
    expect(edgesOf(g)).toEqual([
      [key("cloudwatch_alarm", "clb"), "depends_on", key("load_balancer", CLB)],
      [key("cloudwatch_alarm", "db"), "depends_on", key("rds_cluster", "orders")],
      [key("cloudwatch_alarm", "disk"), "depends_on", key("ebs_volume", "vol-1")],
    ]);
    expect(g.dangling).toEqual([]);
  });
});
