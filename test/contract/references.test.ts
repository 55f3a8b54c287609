import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  type ResolvedReference,
  resolveReferences,
  resourceKey,
} from "../../src/contract/references.ts";
import {
  ALL_RESOURCE_TYPES,
  type PayloadOf,
  payload,
  type ResourceType,
} from "../../src/contract/resource-types.ts";
import { IdForm, resourceRules } from "../../src/contract/schema-rules.ts";
import { Ec2InstanceSchema, LaunchTemplateSchema } from "../../src/gen/elava/v1/compute_pb.ts";
import { EksClusterSchema } from "../../src/gen/elava/v1/containers_pb.ts";
import { RdsInstanceSchema } from "../../src/gen/elava/v1/database_pb.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import { TargetGroupSchema, TargetHealthSchema } from "../../src/gen/elava/v1/load_balancing_pb.ts";
import { SnsSubscriptionSchema, SnsTopicSchema } from "../../src/gen/elava/v1/messaging_pb.ts";
import { CloudwatchAlarmSchema } from "../../src/gen/elava/v1/monitoring_pb.ts";
import {
  RouteSchema,
  RouteTableSchema,
  SecurityGroupSchema,
  SecurityRuleSchema,
  VpcPeeringSchema,
} from "../../src/gen/elava/v1/network_pb.ts";
import { sampleResources } from "../../src/providers/sample/index.ts";
import { fullEvents } from "../support/full-events.ts";

const A = "123456789012";
const B = "210987654321";
const R = "us-east-1";

function ev<T extends ResourceType>(
  type: T,
  id: string,
  p: PayloadOf<T>,
  where: { account?: string; region?: string } = {},
): InfrastructureChangeEvent {
  return create(InfrastructureChangeEventSchema, {
    provider: "aws",
    accountId: where.account ?? A,
    region: where.region ?? R,
    resourceType: type,
    resourceId: id,
    resource: p,
  });
}

/** A reference as [field, relation, inverse, key text (+ target field)]. */
const brief = (r: ResolvedReference) => [
  r.field,
  r.relation,
  r.inverse,
  `${r.target.resourceType}:${r.target.accountId}:${r.target.region}:${r.target.resourceId}${r.targetField ? ` by ${r.targetField}` : ""}`,
];

describe("resolveReferences", () => {
  it("follows a map's values by key: an alarm's dimensions name instances, groups, queues, clusters", () => {
    const alarm = (namespace: string, dimensions: Record<string, string>) =>
      ev(
        "cloudwatch_alarm",
        "a",
        payload(
          "cloudwatch_alarm",
          create(CloudwatchAlarmSchema, {
            alarmName: "a",
            namespace,
            dimensions,
            alarmActions: [
              `arn:aws:sns:${R}:${A}:alerts`,
              `arn:aws:autoscaling:${R}:${A}:scalingPolicy:x:autoScalingGroupName/web:policyName/up`,
            ],
          }),
        ),
      );
    expect(
      resolveReferences(
        alarm("AWS/EC2", { InstanceId: "i-1", AutoScalingGroupName: "web", Other: "x" }),
      ).map(brief),
    ).toEqual([
      ["dimensions[InstanceId]", "depends_on", false, `ec2_instance:${A}:${R}:i-1`],
      ["dimensions[AutoScalingGroupName]", "depends_on", false, `autoscaling_group:${A}:${R}:web`],
      ["alarm_actions", "connects_to", false, `sns_topic:${A}:${R}:arn:aws:sns:${R}:${A}:alerts`],
    ]);
    // The same dimension name names an ECS or an EKS cluster by the alarm's namespace.
    expect(
      resolveReferences(alarm("AWS/ECS", { ClusterName: "prod" }))
        .map(brief)
        .slice(0, 1),
    ).toEqual([["dimensions[ClusterName]", "depends_on", false, `ecs_cluster:${A}:${R}:prod`]]);
    expect(
      resolveReferences(alarm("ContainerInsights", { ClusterName: "prod" }))
        .map(brief)
        .slice(0, 1),
    ).toEqual([["dimensions[ClusterName]", "depends_on", false, `eks_cluster:${A}:${R}:prod`]]);
    expect(
      resolveReferences(alarm("AWS/SQS", { QueueName: "jobs" }))
        .map(brief)
        .slice(0, 1),
    ).toEqual([
      ["dimensions[QueueName]", "depends_on", false, `sqs_queue:${A}:${R}:jobs by queue_name`],
    ]);
    expect(
      resolveReferences(alarm("AWS/EC2", { InstanceId: "" }))
        .map(brief)
        .slice(0, 1),
    ).toEqual([
      ["alarm_actions", "connects_to", false, `sns_topic:${A}:${R}:arn:aws:sns:${R}:${A}:alerts`],
    ]);
  });

  it("follows a subscription's endpoint to a queue or a function by its ARN's prefix", () => {
    const topic = ev(
      "sns_topic",
      `arn:aws:sns:${R}:${A}:t`,
      payload(
        "sns_topic",
        create(SnsTopicSchema, {
          topicName: "t",
          subscriptions: [
            create(SnsSubscriptionSchema, {
              protocol: "sqs",
              endpoint: `arn:aws:sqs:eu-west-1:${B}:jobs`,
            }),
            create(SnsSubscriptionSchema, {
              protocol: "lambda",
              endpoint: `arn:aws:lambda:${R}:${A}:function:worker`,
            }),
            create(SnsSubscriptionSchema, { protocol: "email", endpoint: "ops@example.com" }),
          ],
        }),
      ),
    );
    expect(resolveReferences(topic).map(brief)).toEqual([
      [
        "subscriptions[].endpoint",
        "connects_to",
        false,
        `sqs_queue:${B}:eu-west-1:arn:aws:sqs:eu-west-1:${B}:jobs`,
      ],
      ["subscriptions[].endpoint", "connects_to", false, `lambda_function:${A}:${R}:worker`],
    ]);
  });

  it("follows ids in the source's account and region, ARNs where they point, global types to global", () => {
    const instance = ev(
      "ec2_instance",
      "i-1",
      payload(
        "ec2_instance",
        create(Ec2InstanceSchema, {
          instanceId: "i-1",
          vpcId: "vpc-1",
          securityGroupIds: ["sg-1", "sg-2"],
          iamInstanceProfileArn: `arn:aws:iam::${A}:instance-profile/web`,
          autoscalingGroupName: "web-asg",
          eksClusterName: "prod",
          eksNodeGroupName: "workers",
        }),
      ),
    );
    expect(resolveReferences(instance).map(brief)).toEqual([
      ["vpc_id", "runs_in", false, `vpc:${A}:${R}:vpc-1`],
      ["security_group_ids", "protected_by", false, `security_group:${A}:${R}:sg-1`],
      ["security_group_ids", "protected_by", false, `security_group:${A}:${R}:sg-2`],
      [
        "iam_instance_profile_arn",
        "assumed_by",
        false,
        `iam_role:${A}:global:arn:aws:iam::${A}:instance-profile/web by instance_profile_arns`,
      ],
      ["autoscaling_group_name", "owns", true, `autoscaling_group:${A}:${R}:web-asg`],
      [
        "eks_cluster_name+eks_node_group_name",
        "managed_by",
        false,
        `eks_node_group:${A}:${R}:prod/workers`,
      ],
      [
        "eks_cluster_name+eks_node_group_name",
        "owns",
        true,
        `eks_node_group:${A}:${R}:prod/workers`,
      ],
    ]);
  });

  it("takes a cross-region replica's source from its ARN, and a plain identifier locally", () => {
    const replica = (source: string) =>
      ev(
        "rds_instance",
        "db-replica",
        payload(
          "rds_instance",
          create(RdsInstanceSchema, {
            dbInstanceIdentifier: "db-replica",
            readReplicaSourceDbIdentifier: source,
            readReplicaDbIdentifiers: [`arn:aws:rds:eu-west-1:${A}:db:db-far`, "db-near"],
          }),
        ),
      );
    expect(
      resolveReferences(replica(`arn:aws:rds:us-west-2:${B}:db:db-primary`)).map(brief),
    ).toEqual([
      [
        "read_replica_db_identifiers",
        "replicates_from",
        true,
        `rds_instance:${A}:eu-west-1:db-far`,
      ],
      ["read_replica_db_identifiers", "replicates_from", true, `rds_instance:${A}:${R}:db-near`],
      [
        "read_replica_source_db_identifier",
        "replicates_from",
        false,
        `rds_instance:${B}:us-west-2:db-primary`,
      ],
    ]);
    expect(resolveReferences(replica("db-primary")).map(brief).at(-1)).toEqual([
      "read_replica_source_db_identifier",
      "replicates_from",
      false,
      `rds_instance:${A}:${R}:db-primary`,
    ]);
  });

  it("joins composites with the resource's own fields, and keeps an ARN target's ARN as its id", () => {
    const cluster = ev(
      "eks_cluster",
      "prod",
      payload(
        "eks_cluster",
        create(EksClusterSchema, {
          name: "prod",
          roleArn: `arn:aws:iam::${B}:role/eks`,
          nodeGroupNames: ["a", "b"],
        }),
      ),
    );
    expect(resolveReferences(cluster).map(brief)).toEqual([
      ["role_arn", "assumed_by", false, `iam_role:${B}:global:arn:aws:iam::${B}:role/eks`],
      ["name+node_group_names", "belongs_to", true, `eks_node_group:${A}:${R}:prod/a`],
      ["name+node_group_names", "belongs_to", true, `eks_node_group:${A}:${R}:prod/b`],
    ]);
  });

  it("tells route targets apart by prefix and follows nothing else", () => {
    const routes = ["local", "igw-1", "nat-1", "pcx-1", "i-1", "tgw-1", "eni-1"].map((t) =>
      create(RouteSchema, { targetId: t }),
    );
    const table = ev(
      "route_table",
      "rtb-1",
      payload(
        "route_table",
        create(RouteTableSchema, { routeTableId: "rtb-1", routes, gatewayIds: ["igw-1", "vgw-1"] }),
      ),
    );
    expect(resolveReferences(table).map(brief)).toEqual([
      ["routes[].target_id", "public_access", false, `internet_gateway:${A}:${R}:igw-1`],
      ["routes[].target_id", "nats_through", false, `nat_gateway:${A}:${R}:nat-1`],
      ["routes[].target_id", "peers_via", false, `vpc_peering:${A}:${R}:pcx-1`],
      ["routes[].target_id", "routes_through", false, `ec2_instance:${A}:${R}:i-1`],
      ["gateway_ids", "routes_via", true, `internet_gateway:${A}:${R}:igw-1`],
    ]);
  });

  it("puts another account's security group in its account, from the rule", () => {
    const group = ev(
      "security_group",
      "sg-db",
      payload(
        "security_group",
        create(SecurityGroupSchema, {
          groupId: "sg-db",
          ingressRules: [
            create(SecurityRuleSchema, { sourceSg: "sg-peer", sourceSgOwnerId: B }),
            create(SecurityRuleSchema, { sourceSg: "sg-app" }),
            create(SecurityRuleSchema, { cidrBlock: "10.0.0.0/8" }),
          ],
          egressRules: [create(SecurityRuleSchema, { sourceSg: "sg-cache", sourceSgOwnerId: A })],
        }),
      ),
    );
    expect(resolveReferences(group).map(brief)).toEqual([
      ["ingress_rules[].source_sg", "depends_on", false, `security_group:${B}:${R}:sg-peer`],
      ["ingress_rules[].source_sg", "depends_on", false, `security_group:${A}:${R}:sg-app`],
      ["egress_rules[].source_sg", "depends_on", false, `security_group:${A}:${R}:sg-cache`],
    ]);
  });

  it("follows a target group's targets by its target type", () => {
    const group = (targetType: string, id: string) =>
      ev(
        "target_group",
        "tg",
        payload(
          "target_group",
          create(TargetGroupSchema, {
            targetType,
            targetIds: [id],
            targets: [create(TargetHealthSchema, { id })],
          }),
        ),
      );
    const alb = `arn:aws:elasticloadbalancing:${R}:${A}:loadbalancer/app/inner/1`;
    expect(resolveReferences(group("instance", "i-1")).map(brief)).toEqual([
      ["target_ids", "targets", false, `ec2_instance:${A}:${R}:i-1`],
      ["targets[].id", "targets", false, `ec2_instance:${A}:${R}:i-1`],
    ]);
    expect(resolveReferences(group("alb", alb)).map(brief)).toEqual([
      ["target_ids", "targets", false, `load_balancer:${A}:${R}:${alb}`],
      ["targets[].id", "targets", false, `load_balancer:${A}:${R}:${alb}`],
    ]);
    expect(resolveReferences(group("ip", "10.0.0.5"))).toEqual([]);
  });

  it("follows a peering's VPCs into the accounts and regions it names", () => {
    const peering = ev(
      "vpc_peering",
      "pcx-1",
      payload(
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
      ),
      { account: B, region: "eu-west-1" },
    );
    expect(resolveReferences(peering).map(brief)).toEqual([
      ["requester_vpc_id", "peers_via", false, `vpc:${A}:${R}:vpc-r`],
      ["accepter_vpc_id", "peers_via", false, `vpc:${B}:eu-west-1:vpc-a`],
    ]);
    expect(resourceKey(peering)).toEqual({
      resourceType: "vpc_peering",
      accountId: A,
      region: R,
      resourceId: "pcx-1",
    });
  });

  it("skips a value that should be an ARN and is not (a launch template's profile by name)", () => {
    const lt = (profile: string) =>
      ev(
        "launch_template",
        "lt-1",
        payload("launch_template", create(LaunchTemplateSchema, { iamInstanceProfile: profile })),
      );
    expect(resolveReferences(lt("web-profile"))).toEqual([]);
    expect(resolveReferences(lt(`arn:aws:iam::${A}:instance-profile/web`)).map(brief)).toEqual([
      [
        "iam_instance_profile",
        "assumed_by",
        false,
        `iam_role:${A}:global:arn:aws:iam::${A}:instance-profile/web by instance_profile_arns`,
      ],
    ]);
  });
});

/** A full event of every type, its payload from the AWS collector's full fixture. */
const EVENTS = await fullEvents();

describe("resourceKey", () => {
  function fixture(type: ResourceType): InfrastructureChangeEvent {
    return EVENTS[type];
  }

  /** The resource_id the type's (elava.v1.resource) identity says an event must have. */
  function declaredId(e: InfrastructureChangeEvent): string {
    const rules = resourceRules(e.resourceType as ResourceType);
    if (rules.idForm === IdForm.ARN) return e.arn;
    const p = e.resource.value as unknown as Record<string, unknown>;
    const schema = InfrastructureChangeEventSchema.fields.find((f) => f.name === e.resourceType);
    if (schema?.fieldKind !== "message") throw new Error(`no payload for ${e.resourceType}`);
    return rules.idFields
      .map((n) => String(p[schema.message.fields.find((f) => f.name === n)?.localName ?? ""]))
      .join("/");
  }

  it.each(ALL_RESOURCE_TYPES)("%s: the fixture's resource_id is its declared identity", (type) => {
    const e = fixture(type);
    expect(e.resourceId).toBe(declaredId(e));
    expect(resourceKey(e).resourceId).toBe(e.resourceId);
  });

  it("every sample resource's resource_id is its declared identity", () => {
    let n = 0;
    for (const { partition, resource } of sampleResources({
      resources: 600,
      seed: 3,
      scan: 2,
      churn: 0.1,
    })) {
      const e = create(InfrastructureChangeEventSchema, {
        resourceType: partition.resourceType,
        accountId: partition.accountId,
        region: partition.region,
        resourceId: resource.id,
        arn: resource.arn,
        resource: resource.payload,
      });
      expect(e.resourceId, `${partition.resourceType} ${resource.id}`).toBe(declaredId(e));
      n++;
    }
    expect(n).toBeGreaterThan(400);
  });

  it("keys every other type by the subject it was published on", () => {
    const e = fixture("subnet");
    expect(resourceKey(e)).toEqual({
      resourceType: "subnet",
      accountId: e.accountId,
      region: e.region,
      resourceId: e.resourceId,
    });
  });
});
