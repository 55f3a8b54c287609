/**
 * The one registry of AWS collectors: each resource type's collector, keyed by type, so a
 * type without a collector (or a collector under the wrong type) does not compile. Adding
 * a resource type is its module under `collectors/` and its line here; the provider, the
 * IAM policy, the docs table and the tests walk this record (docs/adding-a-resource-type.md).
 */
import { ALL_RESOURCE_TYPES, type ResourceType } from "../../contract/resource-types.ts";
import type { Collector } from "./collector.ts";
import { autoscalingGroupCollector } from "./collectors/autoscaling-group.ts";
import { cloudwatchAlarmCollector } from "./collectors/cloudwatch-alarm.ts";
import { dbSubnetGroupCollector } from "./collectors/db-subnet-group.ts";
import { ebsVolumeCollector } from "./collectors/ebs-volume.ts";
import { ec2InstanceCollector } from "./collectors/ec2-instance.ts";
import { ecsClusterCollector } from "./collectors/ecs-cluster.ts";
import { ecsServiceCollector } from "./collectors/ecs-service.ts";
import { ecsTaskCollector } from "./collectors/ecs-task.ts";
import { efsFilesystemCollector } from "./collectors/efs-filesystem.ts";
import { eksClusterCollector } from "./collectors/eks-cluster.ts";
import { eksNodeGroupCollector } from "./collectors/eks-node-group.ts";
import { elasticIpCollector } from "./collectors/elastic-ip.ts";
import { iamPolicyCollector } from "./collectors/iam-policy.ts";
import { iamRoleCollector } from "./collectors/iam-role.ts";
import { iamUserCollector } from "./collectors/iam-user.ts";
import { internetGatewayCollector } from "./collectors/internet-gateway.ts";
import { lambdaFunctionCollector } from "./collectors/lambda-function.ts";
import { launchTemplateCollector } from "./collectors/launch-template.ts";
import { loadBalancerCollector } from "./collectors/load-balancer.ts";
import { natGatewayCollector } from "./collectors/nat-gateway.ts";
import { networkInterfaceCollector } from "./collectors/network-interface.ts";
import { rdsClusterCollector } from "./collectors/rds-cluster.ts";
import { rdsInstanceCollector } from "./collectors/rds-instance.ts";
import { routeTableCollector } from "./collectors/route-table.ts";
import { s3BucketCollector } from "./collectors/s3-bucket.ts";
import { securityGroupCollector } from "./collectors/security-group.ts";
import { snsTopicCollector } from "./collectors/sns-topic.ts";
import { sqsQueueCollector } from "./collectors/sqs-queue.ts";
import { subnetCollector } from "./collectors/subnet.ts";
import { targetGroupCollector } from "./collectors/target-group.ts";
import { vpcCollector } from "./collectors/vpc.ts";
import { vpcPeeringCollector } from "./collectors/vpc-peering.ts";

/** The collector of every resource type. */
export const COLLECTORS: { readonly [T in ResourceType]: Collector<T> } = {
  autoscaling_group: autoscalingGroupCollector,
  cloudwatch_alarm: cloudwatchAlarmCollector,
  db_subnet_group: dbSubnetGroupCollector,
  ebs_volume: ebsVolumeCollector,
  ec2_instance: ec2InstanceCollector,
  ecs_cluster: ecsClusterCollector,
  ecs_service: ecsServiceCollector,
  ecs_task: ecsTaskCollector,
  efs_filesystem: efsFilesystemCollector,
  eks_cluster: eksClusterCollector,
  eks_node_group: eksNodeGroupCollector,
  elastic_ip: elasticIpCollector,
  iam_policy: iamPolicyCollector,
  iam_role: iamRoleCollector,
  iam_user: iamUserCollector,
  internet_gateway: internetGatewayCollector,
  lambda_function: lambdaFunctionCollector,
  launch_template: launchTemplateCollector,
  load_balancer: loadBalancerCollector,
  nat_gateway: natGatewayCollector,
  network_interface: networkInterfaceCollector,
  rds_cluster: rdsClusterCollector,
  rds_instance: rdsInstanceCollector,
  route_table: routeTableCollector,
  s3_bucket: s3BucketCollector,
  security_group: securityGroupCollector,
  sns_topic: snsTopicCollector,
  sqs_queue: sqsQueueCollector,
  subnet: subnetCollector,
  target_group: targetGroupCollector,
  vpc: vpcCollector,
  vpc_peering: vpcPeeringCollector,
};

/** Every collector, in the order of ALL_RESOURCE_TYPES. */
export const ALL_COLLECTORS: readonly Collector[] = ALL_RESOURCE_TYPES.map((t) => COLLECTORS[t]);

/**
 * The IAM actions the framework itself calls: identity, region discovery, and the
 * organisation's accounts (`--org-role`, by the management or delegated administrator
 * account only; elsewhere it is never called).
 */
export const FRAMEWORK_IAM_ACTIONS: readonly string[] = [
  "ec2:DescribeRegions",
  "organizations:ListAccounts",
  "sts:GetCallerIdentity",
];

/** Every IAM action a scan may need, sorted: what `deploy/iam-policy.json` must hold. */
export function requiredIamActions(): string[] {
  return [
    ...new Set([
      ...FRAMEWORK_IAM_ACTIONS,
      ...ALL_COLLECTORS.flatMap((c) => [...c.iamActions, ...(c.impliedIamActions ?? [])]),
    ]),
  ].sort();
}
