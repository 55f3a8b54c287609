/**
 * The resource types of stream contract v1. Each is a case of the `resource` oneof of
 * `InfrastructureChangeEvent`; the proto field name (`ec2_instance`) is the
 * `resource_type` string used in subjects, markers and CLI filters, and protobuf-es names
 * the case in camelCase (`ec2Instance`).
 */
import type { InfrastructureChangeEvent } from "../gen/elava/v1/event_pb.ts";

/** The `resource` oneof of the event: `{ case: "vpc", value: Vpc }` and so on. */
export type ResourcePayload = Exclude<InfrastructureChangeEvent["resource"], { case: undefined }>;

/** A protobuf-es oneof case name, e.g. `ec2Instance`. */
export type ResourceCase = ResourcePayload["case"];

/** Where a resource type is scanned: once per region, or once per account under `global`. */
export type Scope = "regional" | "global";

/** The region name under which global types are scanned and published. */
export const GLOBAL_REGION = "global";

/** Every v1 resource type: the first 18 in the domain order of DESIGN.md, later ones appended. */
export const RESOURCE_TYPES = {
  ec2_instance: { case: "ec2Instance", domain: "compute", scope: "regional" },
  launch_template: { case: "launchTemplate", domain: "compute", scope: "regional" },
  autoscaling_group: { case: "autoscalingGroup", domain: "compute", scope: "regional" },
  eks_cluster: { case: "eksCluster", domain: "containers", scope: "regional" },
  eks_node_group: { case: "eksNodeGroup", domain: "containers", scope: "regional" },
  rds_instance: { case: "rdsInstance", domain: "database", scope: "regional" },
  db_subnet_group: { case: "dbSubnetGroup", domain: "database", scope: "regional" },
  vpc: { case: "vpc", domain: "network", scope: "regional" },
  subnet: { case: "subnet", domain: "network", scope: "regional" },
  route_table: { case: "routeTable", domain: "network", scope: "regional" },
  internet_gateway: { case: "internetGateway", domain: "network", scope: "regional" },
  nat_gateway: { case: "natGateway", domain: "network", scope: "regional" },
  vpc_peering: { case: "vpcPeering", domain: "network", scope: "regional" },
  security_group: { case: "securityGroup", domain: "network", scope: "regional" },
  load_balancer: { case: "loadBalancer", domain: "load balancing", scope: "regional" },
  target_group: { case: "targetGroup", domain: "load balancing", scope: "regional" },
  s3_bucket: { case: "s3Bucket", domain: "storage", scope: "global" },
  iam_role: { case: "iamRole", domain: "identity", scope: "global" },
  network_interface: { case: "networkInterface", domain: "network", scope: "regional" },
  elastic_ip: { case: "elasticIp", domain: "network", scope: "regional" },
  ebs_volume: { case: "ebsVolume", domain: "storage", scope: "regional" },
  rds_cluster: { case: "rdsCluster", domain: "database", scope: "regional" },
  iam_user: { case: "iamUser", domain: "identity", scope: "global" },
  iam_policy: { case: "iamPolicy", domain: "identity", scope: "global" },
  lambda_function: { case: "lambdaFunction", domain: "compute", scope: "regional" },
  ecs_cluster: { case: "ecsCluster", domain: "containers", scope: "regional" },
  ecs_service: { case: "ecsService", domain: "containers", scope: "regional" },
  ecs_task: { case: "ecsTask", domain: "containers", scope: "regional" },
  efs_filesystem: { case: "efsFilesystem", domain: "storage", scope: "regional" },
  cloudwatch_alarm: { case: "cloudwatchAlarm", domain: "monitoring", scope: "regional" },
  sns_topic: { case: "snsTopic", domain: "messaging", scope: "regional" },
  sqs_queue: { case: "sqsQueue", domain: "messaging", scope: "regional" },
} as const satisfies Record<string, { case: ResourceCase; domain: string; scope: Scope }>;

/** A resource type string, e.g. `ec2_instance`. */
export type ResourceType = keyof typeof RESOURCE_TYPES;

/** The oneof payload of one type: `PayloadOf<"vpc">` is `{ case: "vpc"; value: Vpc }`. */
export type PayloadOf<T extends ResourceType> = Extract<
  ResourcePayload,
  { case: (typeof RESOURCE_TYPES)[T]["case"] }
>;

/** The typed message of one type: `MessageOf<"vpc">` is `Vpc`. */
export type MessageOf<T extends ResourceType> = PayloadOf<T>["value"];

// Fails to compile when a oneof case has no entry above.
type Unlisted = Exclude<ResourceCase, (typeof RESOURCE_TYPES)[ResourceType]["case"]>;
const everyCaseListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyCaseListed;

/** All resource type names. */
export const ALL_RESOURCE_TYPES = Object.keys(RESOURCE_TYPES) as ResourceType[];

const TYPE_OF_CASE = new Map<string, ResourceType>(
  ALL_RESOURCE_TYPES.map((t) => [RESOURCE_TYPES[t].case, t]),
);

export function isResourceType(value: string): value is ResourceType {
  return Object.hasOwn(RESOURCE_TYPES, value);
}

/** The resource type of a oneof case name (`ec2Instance` -> `ec2_instance`). */
export function resourceTypeOfCase(c: ResourceCase): ResourceType {
  const t = TYPE_OF_CASE.get(c);
  if (t === undefined) throw new Error(`oneof case "${c}" is not a known resource type`);
  return t;
}

export function scopeOf(type: ResourceType): Scope {
  return RESOURCE_TYPES[type].scope;
}

/** The resource types scanned in a unit: the global ones in `global`, the others elsewhere. */
export function typesForRegion(region: string): ResourceType[] {
  const scope: Scope = region === GLOBAL_REGION ? "global" : "regional";
  return ALL_RESOURCE_TYPES.filter((t) => RESOURCE_TYPES[t].scope === scope);
}

/** Builds a typed payload: `payload("vpc", vpc)`. */
export function payload<T extends ResourceType>(type: T, value: MessageOf<T>): PayloadOf<T> {
  return { case: RESOURCE_TYPES[type].case, value } as PayloadOf<T>;
}
