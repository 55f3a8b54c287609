/**
 * The one list of AWS collectors. Adding a resource type is: write its module under
 * `collectors/`, append it here (the list is kept sorted by type), add its fixture and
 * tests. The provider, the IAM policy test and the registry test read this list.
 */
import type { ResourceType } from "../../contract/resource-types.ts";
import type { Collector } from "./collector.ts";
import { autoscalingGroupCollector } from "./collectors/autoscaling-group.ts";
import { dbSubnetGroupCollector } from "./collectors/db-subnet-group.ts";
import { ec2InstanceCollector } from "./collectors/ec2-instance.ts";
import { eksClusterCollector } from "./collectors/eks-cluster.ts";
import { eksNodeGroupCollector } from "./collectors/eks-node-group.ts";
import { iamRoleCollector } from "./collectors/iam-role.ts";
import { internetGatewayCollector } from "./collectors/internet-gateway.ts";
import { launchTemplateCollector } from "./collectors/launch-template.ts";
import { loadBalancerCollector } from "./collectors/load-balancer.ts";
import { natGatewayCollector } from "./collectors/nat-gateway.ts";
import { rdsInstanceCollector } from "./collectors/rds-instance.ts";
import { routeTableCollector } from "./collectors/route-table.ts";
import { s3BucketCollector } from "./collectors/s3-bucket.ts";
import { securityGroupCollector } from "./collectors/security-group.ts";
import { subnetCollector } from "./collectors/subnet.ts";
import { targetGroupCollector } from "./collectors/target-group.ts";
import { vpcCollector } from "./collectors/vpc.ts";
import { vpcPeeringCollector } from "./collectors/vpc-peering.ts";

/** Every registered collector, sorted by resource type. */
export const COLLECTORS: readonly Collector[] = [
  autoscalingGroupCollector,
  dbSubnetGroupCollector,
  ec2InstanceCollector,
  eksClusterCollector,
  eksNodeGroupCollector,
  iamRoleCollector,
  internetGatewayCollector,
  launchTemplateCollector,
  loadBalancerCollector,
  natGatewayCollector,
  rdsInstanceCollector,
  routeTableCollector,
  s3BucketCollector,
  securityGroupCollector,
  subnetCollector,
  targetGroupCollector,
  vpcCollector,
  vpcPeeringCollector,
];

const BY_TYPE = new Map<string, Collector>(COLLECTORS.map((c) => [c.type, c]));

/** The collector of a resource type, or undefined when none is registered. */
export function collectorFor(type: ResourceType): Collector | undefined {
  return BY_TYPE.get(type);
}

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
    ...new Set([...FRAMEWORK_IAM_ACTIONS, ...COLLECTORS.flatMap((c) => c.iamActions)]),
  ].sort();
}
