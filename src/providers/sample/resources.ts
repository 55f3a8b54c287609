/**
 * The resources of one cell, one generator per resource type. Each reads the cell's plan
 * (cell.ts) and, for what changes between scans, the churn functions (churn.ts); none
 * knows about the others, so one partition is generated without the rest of the estate.
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ObservedResource } from "../../contract/encode.ts";
import { type MessageOf, payload, type ResourceType } from "../../contract/resource-types.ts";
import {
  AutoscalingGroupSchema,
  Ec2InstanceSchema,
  LambdaFunctionSchema,
  LaunchTemplateSchema,
} from "../../gen/elava/v1/compute_pb.ts";
import {
  CapacityProviderStrategyItemSchema,
  EcsClusterSchema,
  EcsLoadBalancerSchema,
  EcsServiceSchema,
  EcsTaskSchema,
  EksClusterSchema,
  EksNodeGroupSchema,
  NodeTaintSchema,
} from "../../gen/elava/v1/containers_pb.ts";
import {
  DbSubnetGroupSchema,
  RdsClusterMemberSchema,
  RdsClusterSchema,
  RdsInstanceSchema,
} from "../../gen/elava/v1/database_pb.ts";
import {
  AccessKeySchema,
  IamPolicySchema,
  IamRoleSchema,
  IamUserSchema,
} from "../../gen/elava/v1/identity_pb.ts";
import {
  LoadBalancerSchema,
  TargetGroupSchema,
  TargetHealthSchema,
} from "../../gen/elava/v1/load_balancing_pb.ts";
import {
  SnsSubscriptionSchema,
  SnsTopicSchema,
  SqsQueueSchema,
} from "../../gen/elava/v1/messaging_pb.ts";
import { CloudwatchAlarmSchema } from "../../gen/elava/v1/monitoring_pb.ts";
import {
  ElasticIpSchema,
  InternetGatewaySchema,
  NatGatewaySchema,
  NetworkInterfaceSchema,
  type Route,
  RouteSchema,
  RouteTableSchema,
  SecurityGroupSchema,
  type SecurityRule,
  SecurityRuleSchema,
  SubnetSchema,
  VpcPeeringSchema,
  VpcSchema,
} from "../../gen/elava/v1/network_pb.ts";
import {
  EbsVolumeSchema,
  EfsFilesystemSchema,
  EfsMountTargetSchema,
  PublicAccessBlockSchema,
  S3BucketSchema,
  VolumeAttachmentSchema,
} from "../../gen/elava/v1/storage_pb.ts";
import {
  type CellPlan,
  type InstancePlan,
  instancePlan,
  isArm,
  Key,
  peeringIdOf,
  privateDns,
  type RolePlan,
  type SubnetPlan,
  sharedPeeringIdOf,
  vpcIdOf,
  vpcOctet,
} from "./cell.ts";
import {
  instanceVersion,
  modValues,
  SLOT_KINDS,
  type SlotLife,
  slotIds,
  slotLife,
  version,
  workerType,
} from "./churn.ts";
import { type Estate, scanTime, unitOfCell, unitPlace } from "./estate.ts";
import { ec2Id, hash, Rng } from "./random.ts";

/** What a generator needs besides the cell: the estate and the scan it generates. */
export interface ScanView {
  readonly estate: Estate;
  /** The scan generated (1-based). */
  readonly scan: number;
}

/**
 * A random value of one scan (the real scan index, churn or not): what the values the
 * schema marks volatile are drawn from, so that they move on every scan as AWS's do.
 */
function moving(view: ScanView, cell: CellPlan, what: number, which = 0): number {
  return hash(view.estate.key, Key.Volatile, cell.index * 64 + what, which, view.scan);
}

/** Appends the resources of one type in one cell to `out`. */
export type CellGenerator = (cell: CellPlan, view: ScanView, out: ObservedResource[]) => void;

type Tags = Record<string, string>;

function observe<T extends ResourceType>(
  out: ObservedResource[],
  type: T,
  id: string,
  naturalName: string,
  arn: string,
  tags: Tags,
  value: MessageOf<T>,
): void {
  // The envelope's resource_name: the Name tag when present, else the natural name.
  out.push({ id, name: tags.Name ?? naturalName, arn, tags, payload: payload(type, value) });
}

function ownerTags(cell: CellPlan, name?: string): Tags {
  const tags: Tags = name === undefined ? {} : { Name: name };
  tags.Environment = cell.env;
  tags.Team = cell.team;
  return tags;
}

function ec2Arn(cell: CellPlan, kind: string, id: string): string {
  return `arn:aws:ec2:${cell.region.name}:${cell.accountId}:${kind}/${id}`;
}

const ts = timestampFromMs;
const ALL_TRAFFIC = "0.0.0.0/0";

function rule(init: Partial<Omit<SecurityRule, "$typeName">>): SecurityRule {
  return create(SecurityRuleSchema, init);
}

function route(destination: string, targetType: string, targetId: string): Route {
  return create(RouteSchema, {
    destinationCidr: destination,
    targetType,
    targetId,
    state: "active",
    origin: targetType === "local" ? "CreateRouteTable" : "CreateRoute",
  });
}

/** Routes to the other side of the cell's peerings: the hub for a spoke, the spokes for the hub. */
function peeringRoutes(cell: CellPlan, estate: Estate): Route[] {
  if (cell.indexInUnit > 0) {
    return [route(`10.${vpcOctet(0)}.0.0/16`, "pcx", cell.peeringId ?? "")];
  }
  const routes: Route[] = [];
  for (
    let c = cell.index + estate.unitCount, j = 1;
    c < estate.cellCount;
    c += estate.unitCount, j++
  ) {
    routes.push(route(`10.${vpcOctet(j)}.0.0/16`, "pcx", peeringIdOf(estate, c)));
  }
  return routes;
}

function instance(
  out: ObservedResource[],
  cell: CellPlan,
  plan: InstancePlan,
  opts: {
    state: string;
    securityGroups: string[];
    profileArn: string;
    imageId: string;
    asg?: string;
    template?: { id: string; version: string };
    cluster?: string;
    nodeGroup?: string;
    name?: string;
  },
): void {
  const tags = ownerTags(cell, opts.name);
  if (opts.asg !== undefined) tags["aws:autoscaling:groupName"] = opts.asg;
  if (opts.template !== undefined) {
    tags["aws:ec2launchtemplate:id"] = opts.template.id;
    tags["aws:ec2launchtemplate:version"] = opts.template.version;
  }
  if (opts.cluster !== undefined && opts.nodeGroup !== undefined) {
    tags["eks:cluster-name"] = opts.cluster;
    tags["eks:nodegroup-name"] = opts.nodeGroup;
    tags[`kubernetes.io/cluster/${opts.cluster}`] = "owned";
  }
  observe(
    out,
    "ec2_instance",
    plan.id,
    opts.name ?? plan.id,
    ec2Arn(cell, "instance", plan.id),
    tags,
    create(Ec2InstanceSchema, {
      instanceId: plan.id,
      instanceType: plan.type,
      state: opts.state,
      privateIp: plan.ip,
      privateDnsName: privateDns(cell.region.name, plan.ip),
      vpcId: cell.vpcId,
      subnetId: plan.subnet.id,
      securityGroupIds: opts.securityGroups,
      availabilityZone: plan.subnet.az,
      imageId: opts.imageId,
      iamInstanceProfileArn: opts.profileArn,
      autoscalingGroupName: opts.asg ?? "",
      launchTemplateId: opts.template?.id ?? "",
      launchTemplateVersion: opts.template?.version ?? "",
      eksClusterName: opts.cluster ?? "",
      eksNodeGroupName: opts.nodeGroup ?? "",
      launchTime: ts(plan.launchMs),
      architecture: isArm(plan.type) ? "arm64" : "x86_64",
    }),
  );
}

/** The EKS-optimized AMI of a cell's nodes. */
function nodeAmi(cell: CellPlan, estate: Estate): string {
  return ec2Id("ami", hash(estate.key, Key.Misc, cell.index, 3));
}

/** Calls `fn` for every live generation of a slot kind in the cell at the view's scan. */
function eachLiveSlot(
  cell: CellPlan,
  view: ScanView,
  kind: keyof typeof SLOT_KINDS,
  fn: (slot: number, life: SlotLife) => void,
): void {
  for (let s = 0; s < SLOT_KINDS[kind].count; s++) {
    const life = slotLife(view.estate, cell.index, kind, s, view.scan);
    if (life.alive) fn(s, life);
  }
}

/** A time between scan `bornScan` - 1 and `bornScan`: when a slot's generation was made. */
function bornAt(life: SlotLife): number {
  return scanTime(life.bornScan) - (1 + (life.key % 13)) * 60_000;
}

function role(
  out: ObservedResource[],
  cell: CellPlan,
  plan: RolePlan,
  maxSession: number,
  profiles: string[],
): void {
  const document = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: plan.service }, Action: "sts:AssumeRole" },
    ],
  });
  observe(
    out,
    "iam_role",
    plan.arn,
    plan.name,
    plan.arn,
    ownerTags(cell),
    create(IamRoleSchema, {
      name: plan.name,
      path: "/",
      roleId: plan.roleId,
      createdAt: ts(plan.createdMs),
      assumeRolePolicyDocument: document,
      maxSessionDuration: maxSession,
      description: plan.description,
      attachedPolicyArns: [...plan.policies],
      instanceProfileArns: profiles,
      trustedServices: [plan.service],
    }),
  );
}

function subnetIds(subnets: readonly SubnetPlan[]): string[] {
  return subnets.map((s) => s.id);
}

/**
 * The instances of the cell that live as long as the cell (the app ASG's and the node
 * groups'), with their security group: the ones whose interfaces and volumes the sample
 * holds. The churned workers have neither, so their births and deaths stay one resource.
 */
function lastingInstances(cell: CellPlan): Array<{ plan: InstancePlan; sg: string }> {
  return [
    ...cell.appAsg.instances.map((plan) => ({ plan, sg: cell.sg.app })),
    ...cell.cluster.nodeGroups.flatMap((ng) =>
      ng.instances.map((plan) => ({ plan, sg: cell.sg.cluster })),
    ),
  ];
}

/** A number of an EC2 id (its last 8 hex digits), to key what belongs to it. */
function idKey(id: string): number {
  return Number.parseInt(id.slice(-8), 16);
}

/** The primary network interface of an instance. */
function instanceEni(view: ScanView, instanceId: string): string {
  return ec2Id("eni", hash(view.estate.key, Key.Eni, idKey(instanceId)));
}

/** The network interface of a NAT gateway, a load balancer node or the EKS control plane. */
function serviceEni(view: ScanView, cell: CellPlan, what: number, n: number): string {
  return ec2Id("eni", hash(view.estate.key, Key.Eni, cell.index, what, n));
}

/** A MAC address keyed by an interface id. */
function macOf(eni: string): string {
  const h = eni.slice(-10);
  return `0e:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}`;
}

/** An address in a subnet, keyed. */
function addressIn(cell: CellPlan, subnet: SubnetPlan, key: number): string {
  const r = new Rng(key);
  return `10.${vpcOctet(cell.indexInUnit)}.${subnet.base + r.int(0, 15)}.${r.int(4, 254)}`;
}

/**
 * The cell's serverless and container estate: its functions, queues, topic, ECS cluster
 * and file system, named from the cell's stem so that every generator below finds the
 * others' ids without sharing state.
 */
function appServices(cell: CellPlan, estate: Estate) {
  const { name: region } = cell.region;
  const account = cell.accountId;
  const random = (n: number) => new Rng(hash(estate.key, Key.Misc, cell.index, 100 + n));
  const queue = (name: string) => ({
    name,
    url: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
    arn: `arn:aws:sqs:${region}:${account}:${name}`,
  });
  const fn = (name: string) => ({
    name,
    arn: `arn:aws:lambda:${region}:${account}:function:${name}`,
  });
  const ecsCluster = `${cell.stem}-ecs`;
  const ecsArn = (kind: string, rest: string) => `arn:aws:ecs:${region}:${account}:${kind}/${rest}`;
  const taskIds = [0, 1, 2].map((t) => random(t).hex(32));
  return {
    jobs: queue(`${cell.stem}-jobs`),
    deadLetters: queue(`${cell.stem}-jobs-dlq`),
    api: fn(`${cell.stem}-api`),
    worker: fn(`${cell.stem}-worker`),
    topic: {
      name: `${cell.stem}-alerts`,
      arn: `arn:aws:sns:${region}:${account}:${cell.stem}-alerts`,
    },
    ecs: {
      name: ecsCluster,
      arn: ecsArn("cluster", ecsCluster),
      service: "web",
      serviceArn: ecsArn("service", `${ecsCluster}/web`),
      taskDefinition: `arn:aws:ecs:${region}:${account}:task-definition/${cell.stem}-web:${3 + (cell.index % 5)}`,
      batchDefinition: `arn:aws:ecs:${region}:${account}:task-definition/${cell.stem}-batch:1`,
      tasks: taskIds.map((id) => ({ id, arn: ecsArn("task", `${ecsCluster}/${id}`) })),
      containerInstance: ecsArn("container-instance", `${ecsCluster}/${random(3).hex(32)}`),
    },
    efs: { id: `fs-0${random(4).hex(16)}` },
    eni: (n: number) => ec2Id("eni", hash(estate.key, Key.Misc, cell.index, 110 + n)),
    createdMs: cell.createdMs + 30 * 86_400_000,
  };
}

/**
 * Where the cell's ECS task t runs: tasks 0 and 1 are the web service's, on Fargate in a
 * private subnet; task 2 is a batch job on the first app instance. All are awsvpc: each has
 * an interface of its own (`appServices(...).eni(t)`) with the task's address.
 */
function ecsTaskPlacement(cell: CellPlan, t: number) {
  const service = t < 2;
  const host = service ? undefined : cell.appAsg.instances[0];
  const subnet =
    host?.subnet ?? (cell.subnets.private[t % cell.subnets.private.length] as SubnetPlan);
  const ip = `10.${vpcOctet(cell.indexInUnit)}.${subnet.base + 1}.${40 + t}`;
  return { service, host, subnet, ip };
}

/** The cell's EFS mount targets, one per private subnet, with their interfaces. */
function efsMountTargets(cell: CellPlan, estate: Estate) {
  return cell.subnets.private.map((subnet, m) => {
    const r = new Rng(hash(estate.key, Key.Misc, cell.index, 105 + m));
    return {
      subnet,
      id: `fsmt-0${r.hex(16)}`,
      eni: `eni-0${r.hex(16)}`,
      ip: `10.${vpcOctet(cell.indexInUnit)}.${subnet.base + 2}.${10 + m}`,
    };
  });
}

/** The root volume of a lasting instance. */
function rootVolume(view: ScanView, instanceId: string): string {
  return ec2Id("vol", hash(view.estate.key, Key.Volume, idKey(instanceId)));
}

/** One generator per resource type. */
export const GENERATORS: Readonly<Record<ResourceType, CellGenerator>> = {
  vpc(cell, view, out) {
    observe(
      out,
      "vpc",
      cell.vpcId,
      `${cell.stem}-vpc`,
      ec2Arn(cell, "vpc", cell.vpcId),
      ownerTags(cell, `${cell.stem}-vpc`),
      create(VpcSchema, {
        vpcId: cell.vpcId,
        cidrBlock: cell.vpcCidr,
        state: "available",
        isDefault: false,
        cidrBlocks: [cell.vpcCidr],
        dhcpOptionsId: ec2Id("dopt", hash(view.estate.key, Key.Misc, cell.hubCell, 4)),
        instanceTenancy: "default",
        ownerId: cell.accountId,
      }),
    );
  },

  subnet(cell, view, out) {
    for (const [t, tier] of (["public", "private", "db"] as const).entries()) {
      cell.subnets[tier].forEach((s, a) => {
        const name = `${cell.stem}-${tier}-${s.az}`;
        const tags = ownerTags(cell, name);
        if (tier === "public") tags["kubernetes.io/role/elb"] = "1";
        if (tier === "private") tags["kubernetes.io/role/internal-elb"] = "1";
        const table =
          tier === "public"
            ? cell.publicRouteTable
            : tier === "private"
              ? (cell.privateRouteTables[a] ?? "")
              : cell.mainRouteTable;
        observe(
          out,
          "subnet",
          s.id,
          name,
          ec2Arn(cell, "subnet", s.id),
          tags,
          create(SubnetSchema, {
            subnetId: s.id,
            vpcId: cell.vpcId,
            cidr: s.cidr,
            availabilityZone: s.az,
            availabilityZoneId: s.azId,
            mapPublicIpOnLaunch: tier === "public",
            routeTableId: table,
            state: "available",
            // Volatile: addresses come and go with instances, ENIs and endpoints.
            availableIpAddressCount: s.freeIps - (moving(view, cell, 1, t * 8 + a) % 24),
            usesMainRouteTable: tier === "db",
          }),
        );
      });
    }
  },

  route_table(cell, view, out) {
    const local = route(cell.vpcCidr, "local", "local");
    const peers = peeringRoutes(cell, view.estate);
    const table = (
      id: string,
      name: string | undefined,
      routes: Route[],
      subnets: string[],
      main: boolean,
    ) =>
      observe(
        out,
        "route_table",
        id,
        name ?? id,
        ec2Arn(cell, "route-table", id),
        ownerTags(cell, name),
        create(RouteTableSchema, {
          routeTableId: id,
          vpcId: cell.vpcId,
          routes,
          subnetIds: subnets,
          isMain: main,
          gatewayIds: [],
        }),
      );
    table(cell.mainRouteTable, undefined, [local], [], true);
    table(
      cell.publicRouteTable,
      `${cell.stem}-public`,
      [local, route(ALL_TRAFFIC, "igw", cell.igwId), ...peers],
      subnetIds(cell.subnets.public),
      false,
    );
    cell.privateRouteTables.forEach((id, a) => {
      const nat = cell.nats[a]?.id ?? "";
      table(
        id,
        `${cell.stem}-private-${cell.azs[a]}`,
        [local, route(ALL_TRAFFIC, "nat", nat), ...peers],
        [cell.subnets.private[a]?.id ?? ""],
        false,
      );
    });
  },

  internet_gateway(cell, _view, out) {
    const name = `${cell.stem}-igw`;
    observe(
      out,
      "internet_gateway",
      cell.igwId,
      name,
      ec2Arn(cell, "internet-gateway", cell.igwId),
      ownerTags(cell, name),
      create(InternetGatewaySchema, {
        internetGatewayId: cell.igwId,
        vpcId: cell.vpcId,
        state: "available",
        ownerId: cell.accountId,
      }),
    );
  },

  nat_gateway(cell, _view, out) {
    cell.nats.forEach((nat, a) => {
      const name = `${cell.stem}-nat-${cell.azs[a]}`;
      observe(
        out,
        "nat_gateway",
        nat.id,
        name,
        ec2Arn(cell, "natgateway", nat.id),
        ownerTags(cell, name),
        create(NatGatewaySchema, {
          natGatewayId: nat.id,
          vpcId: cell.vpcId,
          subnetId: cell.subnets.public[a]?.id ?? "",
          elasticIp: nat.eip,
          state: "available",
          privateIp: nat.ip,
          connectivityType: "public",
          allocationId: nat.allocationId,
        }),
      );
    });
  },

  vpc_peering(cell, view, out) {
    const { estate } = view;
    type Side = { vpcId: string; accountId: string; region: string; cidr: string };
    // Both accounts list a peering; its ARN is the requester's on either side.
    const peering = (id: string, name: string, requester: Side, accepter: Side) =>
      observe(
        out,
        "vpc_peering",
        id,
        name,
        `arn:aws:ec2:${requester.region}:${requester.accountId}:vpc-peering-connection/${id}`,
        ownerTags(cell, name),
        create(VpcPeeringSchema, {
          vpcPeeringConnectionId: id,
          requesterVpcId: requester.vpcId,
          accepterVpcId: accepter.vpcId,
          status: "active",
          requesterOwnerId: requester.accountId,
          accepterOwnerId: accepter.accountId,
          requesterRegion: requester.region,
          accepterRegion: accepter.region,
          requesterCidr: requester.cidr,
          accepterCidr: accepter.cidr,
        }),
      );
    const side = (c: number, octet: number): Side => {
      const { accountId, region } = unitPlace(estate, unitOfCell(estate, c).unit);
      return {
        vpcId: vpcIdOf(estate, c),
        accountId,
        region: region.name,
        cidr: `10.${octet}.0.0/16`,
      };
    };
    if (cell.peeringId !== undefined) {
      peering(
        cell.peeringId,
        `${cell.stem}-to-hub`,
        side(cell.index, vpcOctet(cell.indexInUnit)),
        side(cell.hubCell, vpcOctet(0)),
      );
    }
    if (cell.sharedPeeringId !== undefined) {
      peering(
        cell.sharedPeeringId,
        `${cell.stem}-to-shared`,
        side(cell.index, vpcOctet(1)),
        side(0, vpcOctet(0)),
      );
    }
    if (cell.index !== 0) return;
    // Cell 0 accepted the shared peering of every other unit's second cell.
    for (
      let requester = estate.unitCount + 1;
      requester < Math.min(2 * estate.unitCount, estate.cellCount);
      requester++
    ) {
      const id = sharedPeeringIdOf(estate, requester);
      if (id === undefined) continue;
      peering(
        id,
        `${cell.stem}-shared-${requester.toString(36)}`,
        side(requester, vpcOctet(1)),
        side(0, vpcOctet(0)),
      );
    }
  },

  security_group(cell, view, out) {
    const egress = [rule({ protocol: "-1", fromPort: -1, toPort: -1, cidrBlock: ALL_TRAFFIC })];
    const group = (
      id: string,
      name: string,
      description: string,
      ingress: SecurityRule[],
      tags: Tags,
    ) =>
      observe(
        out,
        "security_group",
        id,
        tags.Name ?? name,
        ec2Arn(cell, "security-group", id),
        tags,
        create(SecurityGroupSchema, {
          groupId: id,
          groupName: name,
          vpcId: cell.vpcId,
          description,
          // AWS names the account of every group a rule refers to.
          ingressRules: ingress.map((r) =>
            r.sourceSg === "" ? r : { ...r, sourceSgOwnerId: cell.accountId },
          ),
          egressRules: egress,
          ownerId: cell.accountId,
        }),
      );
    const { sg, stem, db } = cell;
    group(
      sg.default,
      "default",
      "default VPC security group",
      [rule({ protocol: "-1", fromPort: -1, toPort: -1, sourceSg: sg.default })],
      {},
    );
    group(
      sg.alb,
      `${stem}-alb`,
      `Public HTTPS to the ${cell.app} load balancer`,
      [
        rule({
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrBlock: ALL_TRAFFIC,
          description: "HTTPS from anywhere",
        }),
        rule({
          protocol: "tcp",
          fromPort: 80,
          toPort: 80,
          cidrBlock: ALL_TRAFFIC,
          description: "HTTP redirect",
        }),
      ],
      ownerTags(cell, `${stem}-alb`),
    );
    group(
      sg.app,
      `${stem}-app`,
      `${cell.app} instances`,
      [
        rule({
          protocol: "tcp",
          fromPort: 8080,
          toPort: 8080,
          sourceSg: sg.alb,
          description: "From the load balancer",
        }),
        rule({
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          sourceSg: sg.bastion,
          description: "SSH from the bastion",
        }),
      ],
      ownerTags(cell, `${stem}-app`),
    );
    group(
      sg.db,
      `${stem}-db`,
      `${db.engine} of ${cell.app}`,
      [
        rule({
          protocol: "tcp",
          fromPort: db.port,
          toPort: db.port,
          sourceSg: sg.app,
          description: "From the app",
        }),
        rule({
          protocol: "tcp",
          fromPort: db.port,
          toPort: db.port,
          sourceSg: sg.cluster,
          description: "From EKS pods",
        }),
      ],
      ownerTags(cell, `${stem}-db`),
    );
    const office = modValues.officeCidr(version(view.estate, cell.index, "bastionCidr", view.scan));
    group(
      sg.bastion,
      `${stem}-bastion`,
      "SSH from the office",
      [
        rule({
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrBlock: office,
          description: "Office",
        }),
      ],
      ownerTags(cell, `${stem}-bastion`),
    );
    const clusterSgName = `eks-cluster-sg-${cell.cluster.name}-${hash(view.estate.key, Key.Cluster, cell.index, 1) % 1_000_000_000}`;
    group(
      sg.cluster,
      clusterSgName,
      "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.",
      [rule({ protocol: "-1", fromPort: -1, toPort: -1, sourceSg: sg.cluster })],
      {
        Name: clusterSgName,
        "aws:eks:cluster-name": cell.cluster.name,
        [`kubernetes.io/cluster/${cell.cluster.name}`]: "owned",
      },
    );
    eachLiveSlot(cell, view, "securityGroup", (s, life) => {
      const name = `launch-wizard-${s + 1 + 2 * life.generation}`;
      const created = new Date(bornAt(life)).toISOString();
      group(
        slotIds.securityGroup(life),
        name,
        `${name} created ${created}`,
        [rule({ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlock: ALL_TRAFFIC })],
        {},
      );
    });
  },

  launch_template(cell, view, out) {
    const lt = cell.appLt;
    const latest = modValues.templateVersion(
      lt.version,
      version(view.estate, cell.index, "templateVersion", view.scan),
    );
    observe(
      out,
      "launch_template",
      lt.id,
      lt.name,
      ec2Arn(cell, "launch-template", lt.id),
      ownerTags(cell),
      create(LaunchTemplateSchema, {
        launchTemplateId: lt.id,
        name: lt.name,
        defaultVersion: BigInt(lt.version),
        latestVersion: BigInt(latest),
        instanceType: cell.appAsg.instances[0]?.type ?? "",
        imageId: cell.amiId,
        securityGroupIds: [cell.sg.app],
        iamInstanceProfile: cell.roles.app.profileArn,
        createdBy: `arn:aws:sts::${cell.accountId}:assumed-role/TerraformDeploy/ci`,
        createdAt: ts(lt.createdMs),
      }),
    );
    for (const ng of cell.cluster.nodeGroups) {
      observe(
        out,
        "launch_template",
        ng.ltId,
        ng.ltName,
        ec2Arn(cell, "launch-template", ng.ltId),
        {
          "eks:cluster-name": cell.cluster.name,
          "eks:nodegroup-name": ng.name,
        },
        create(LaunchTemplateSchema, {
          launchTemplateId: ng.ltId,
          name: ng.ltName,
          defaultVersion: 1n,
          latestVersion: 1n,
          instanceType: ng.instanceTypes.length === 1 ? (ng.instanceTypes[0] ?? "") : "",
          imageId: nodeAmi(cell, view.estate),
          securityGroupIds: [cell.sg.cluster],
          iamInstanceProfile: ng.profileArn,
          createdBy: `arn:aws:sts::${cell.accountId}:assumed-role/AWSServiceRoleForAmazonEKSNodegroup/EKS`,
          createdAt: ts(ng.createdMs),
        }),
      );
    }
  },

  autoscaling_group(cell, view, out) {
    // Volatile: now and then an instance is being replaced and is not InService.
    const inService = (count: number, g: number) =>
      moving(view, cell, 4, g) % 6 === 0 ? count - 1 : count;
    const asgArn = (uuid: string, name: string) =>
      `arn:aws:autoscaling:${cell.region.name}:${cell.accountId}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;
    const { appAsg } = cell;
    const n = appAsg.instances.length;
    const tags = ownerTags(cell, `${cell.stem}-app`);
    observe(
      out,
      "autoscaling_group",
      appAsg.name,
      appAsg.name,
      asgArn(appAsg.uuid, appAsg.name),
      tags,
      create(AutoscalingGroupSchema, {
        name: appAsg.name,
        minSize: Math.max(1, n - 1),
        maxSize: n + 4,
        desiredCapacity: n,
        currentSize: inService(n, 0),
        instanceIds: appAsg.instances.map((i) => i.id),
        launchTemplateId: cell.appLt.id,
        launchTemplateVersion: "$Latest",
        targetGroupArns: [cell.tg.arn],
        loadBalancerNames: cell.classicLb === undefined ? [] : [cell.classicLb.name],
        vpcZoneIdentifiers: subnetIds(cell.subnets.private),
        healthCheckType: "ELB",
        healthCheckGracePeriod: 300,
        defaultCooldown: 300,
        createdTime: ts(appAsg.createdMs),
        availabilityZones: [...cell.azs],
      }),
    );
    cell.cluster.nodeGroups.forEach((ng, g) => {
      const count = ng.instances.length;
      observe(
        out,
        "autoscaling_group",
        ng.asgName,
        ng.asgName,
        asgArn(ng.uuid, ng.asgName),
        {
          "eks:cluster-name": cell.cluster.name,
          "eks:nodegroup-name": ng.name,
          "k8s.io/cluster-autoscaler/enabled": "true",
          [`k8s.io/cluster-autoscaler/${cell.cluster.name}`]: "owned",
          [`kubernetes.io/cluster/${cell.cluster.name}`]: "owned",
        },
        create(AutoscalingGroupSchema, {
          name: ng.asgName,
          minSize: 1,
          maxSize: count + 3,
          desiredCapacity: count,
          currentSize: inService(count, g + 1),
          instanceIds: ng.instances.map((i) => i.id),
          launchTemplateId: ng.ltId,
          launchTemplateVersion: "1",
          vpcZoneIdentifiers: subnetIds(cell.subnets.private),
          healthCheckType: "EC2",
          healthCheckGracePeriod: 15,
          defaultCooldown: 300,
          createdTime: ts(ng.createdMs + 120_000),
          availabilityZones: [...cell.azs],
        }),
      );
    });
  },

  ec2_instance(cell, view, out) {
    const app = cell.roles.app.profileArn;
    const appTemplate = { id: cell.appLt.id, version: String(cell.appLt.version) };
    for (const plan of cell.appAsg.instances) {
      instance(out, cell, plan, {
        state: "running",
        securityGroups: [cell.sg.app],
        profileArn: app,
        imageId: cell.amiId,
        asg: cell.appAsg.name,
        template: appTemplate,
        name: `${cell.stem}-app`,
      });
    }
    const ami = nodeAmi(cell, view.estate);
    for (const ng of cell.cluster.nodeGroups) {
      for (const plan of ng.instances) {
        instance(out, cell, plan, {
          state: "running",
          securityGroups: [cell.sg.cluster],
          profileArn: ng.profileArn,
          imageId: ami,
          asg: ng.asgName,
          template: { id: ng.ltId, version: "1" },
          cluster: cell.cluster.name,
          nodeGroup: ng.name,
        });
      }
    }
    eachLiveSlot(cell, view, "instance", (s, life) => {
      const subnet = cell.subnets.private[s % cell.azs.length] as SubnetPlan;
      const type = workerType(life.key, instanceVersion(view.estate, cell.index, s, view.scan));
      const plan = instancePlan(life.key, vpcOctet(cell.indexInUnit), subnet, type, bornAt(life));
      instance(
        out,
        cell,
        { ...plan, id: slotIds.instance(life) },
        {
          state: "running",
          securityGroups: [cell.sg.app],
          profileArn: app,
          imageId: cell.amiId,
          name: `${cell.stem}-worker-${s}`,
        },
      );
    });
  },

  eks_cluster(cell, view, out) {
    const c = cell.cluster;
    const arn = `arn:aws:eks:${cell.region.name}:${cell.accountId}:cluster/${c.name}`;
    const platformBase = Number(c.platform.slice(4));
    observe(
      out,
      "eks_cluster",
      c.name,
      c.name,
      arn,
      ownerTags(cell),
      create(EksClusterSchema, {
        name: c.name,
        version: c.version,
        status: "ACTIVE",
        endpoint: c.endpoint,
        roleArn: cell.roles.cluster.arn,
        vpcId: cell.vpcId,
        subnetIds: subnetIds(cell.subnets.private),
        securityGroupIds: [cell.sg.cluster],
        nodeGroupNames: c.nodeGroups.map((ng) => ng.name),
        fargateProfiles: [],
        createdAt: ts(c.createdMs),
        platformVersion: modValues.platform(
          platformBase,
          version(view.estate, cell.index, "clusterPlatform", view.scan),
        ),
        endpointPublicAccess: cell.env !== "prod",
      }),
    );
  },

  eks_node_group(cell, view, out) {
    const c = cell.cluster;
    c.nodeGroups.forEach((ng, g) => {
      const count = ng.instances.length;
      const labels: Record<string, string> = {
        workload: g === 0 ? "general" : "batch",
        team: cell.team,
      };
      if (g === 0) {
        labels["rollout-wave"] = modValues.rolloutWave(
          version(view.estate, cell.index, "nodeLabels", view.scan),
        );
      }
      const arm = isArm(ng.instanceTypes[0] ?? "");
      observe(
        out,
        "eks_node_group",
        `${c.name}/${ng.name}`,
        ng.name,
        `arn:aws:eks:${cell.region.name}:${cell.accountId}:nodegroup/${c.name}/${ng.name}/${ng.uuid}`,
        ownerTags(cell),
        create(EksNodeGroupSchema, {
          clusterName: c.name,
          nodeGroupName: ng.name,
          status: "ACTIVE",
          nodeRole: cell.roles.node.arn,
          instanceTypes: [...ng.instanceTypes],
          amiType: arm ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
          minSize: 1,
          maxSize: count + 3,
          desiredSize: count,
          currentSize: count,
          autoscalingGroupName: ng.asgName,
          subnetIds: subnetIds(cell.subnets.private),
          launchTemplateId: ng.ltId,
          remoteAccessSg: "",
          labels,
          taints:
            ng.capacity === "SPOT"
              ? [create(NodeTaintSchema, { key: "spot", value: "true", effect: "NO_SCHEDULE" })]
              : [],
          createdAt: ts(ng.createdMs),
          capacityType: ng.capacity,
          version: c.version,
        }),
      );
    });
  },

  rds_instance(cell, view, out) {
    const { db } = cell;
    const prod = cell.env === "prod";
    const storage = modValues.storage(
      db.storage,
      version(view.estate, cell.index, "dbStorage", view.scan),
    );
    const base = {
      dbInstanceClass: db.instanceClass,
      engine: db.engine,
      engineVersion: db.engineVersion,
      vpcId: cell.vpcId,
      dbSubnetGroupName: db.subnetGroup,
      vpcSecurityGroupIds: [cell.sg.db],
      publiclyAccessible: false,
      port: db.port,
      storageType: "gp3",
      storageEncrypted: true,
      iops: 3000,
      preferredBackupWindow: "03:00-03:30",
      enhancedMonitoring: prod,
      performanceInsights: true,
      kmsKeyId: db.kmsKey,
      deletionProtection: prod,
    };
    const arn = (id: string) => `arn:aws:rds:${cell.region.name}:${cell.accountId}:db:${id}`;
    // Volatile: the restore point follows the clock; a backup now and then.
    const live = (n: number) => {
      const r = moving(view, cell, 2, n);
      return {
        latestRestorableTime: ts(scanTime(view.scan) - (1 + (r % 5)) * 60_000),
        status: r % 11 === 0 ? "backing-up" : "available",
      };
    };
    observe(
      out,
      "rds_instance",
      db.primary,
      db.primary,
      arn(db.primary),
      ownerTags(cell),
      create(RdsInstanceSchema, {
        ...base,
        ...live(0),
        dbInstanceIdentifier: db.primary,
        availabilityZone: cell.azs[0] ?? "",
        multiAz: prod,
        secondaryAz: prod ? (cell.azs[1] ?? "") : "",
        endpoint: `${db.primary}.${db.endpointSuffix}`,
        allocatedStorage: storage,
        readReplicaDbIdentifiers: [...db.replicas],
        backupRetentionPeriod: prod ? 7 : 1,
        createdTime: ts(db.createdMs),
      }),
    );
    db.replicas.forEach((id, i) => {
      observe(
        out,
        "rds_instance",
        id,
        id,
        arn(id),
        ownerTags(cell),
        create(RdsInstanceSchema, {
          ...base,
          ...live(i + 1),
          dbInstanceIdentifier: id,
          availabilityZone: cell.azs[(i + 1) % cell.azs.length] ?? "",
          endpoint: `${id}.${db.endpointSuffix}`,
          allocatedStorage: db.storage,
          readReplicaSourceDbIdentifier: db.primary,
          backupRetentionPeriod: 0,
          createdTime: ts(db.createdMs + (i + 1) * 7 * 86_400_000),
        }),
      );
    });
    const { aurora } = cell;
    [aurora.writer, aurora.reader].forEach((id, i) => {
      observe(
        out,
        "rds_instance",
        id,
        id,
        arn(id),
        ownerTags(cell),
        create(RdsInstanceSchema, {
          ...base,
          ...live(10 + i),
          engine: "aurora-postgresql",
          engineVersion: "16.4",
          port: 5432,
          storageType: "aurora",
          iops: 0,
          dbInstanceIdentifier: id,
          availabilityZone: cell.azs[i % cell.azs.length] ?? "",
          endpoint: `${id}.${db.endpointSuffix}`,
          allocatedStorage: 1,
          backupRetentionPeriod: prod ? 14 : 1,
          createdTime: ts(aurora.createdMs + i * 600_000),
          dbClusterIdentifier: aurora.id,
        }),
      );
    });
  },

  rds_cluster(cell, view, out) {
    const { db, aurora } = cell;
    const prod = cell.env === "prod";
    const r = moving(view, cell, 5);
    observe(
      out,
      "rds_cluster",
      aurora.id,
      aurora.id,
      `arn:aws:rds:${cell.region.name}:${cell.accountId}:cluster:${aurora.id}`,
      ownerTags(cell),
      create(RdsClusterSchema, {
        dbClusterIdentifier: aurora.id,
        engine: "aurora-postgresql",
        engineVersion: "16.4",
        engineMode: "provisioned",
        // Volatile: a backup now and then.
        status: r % 11 === 0 ? "backing-up" : "available",
        members: [
          create(RdsClusterMemberSchema, {
            dbInstanceIdentifier: aurora.writer,
            isWriter: true,
            promotionTier: 1,
          }),
          create(RdsClusterMemberSchema, {
            dbInstanceIdentifier: aurora.reader,
            isWriter: false,
            promotionTier: 1,
          }),
        ],
        dbSubnetGroupName: db.subnetGroup,
        vpcSecurityGroupIds: [cell.sg.db],
        endpoint: `${aurora.id}.cluster-${db.endpointSuffix}`,
        readerEndpoint: `${aurora.id}.cluster-ro-${db.endpointSuffix}`,
        port: 5432,
        storageEncrypted: true,
        kmsKeyId: db.kmsKey,
        backupRetentionPeriod: prod ? 14 : 1,
        preferredBackupWindow: "04:00-04:30",
        deletionProtection: prod,
        multiAz: true,
        availabilityZones: [...cell.azs],
        createdTime: ts(aurora.createdMs),
        // Volatile: the restore point follows the clock.
        latestRestorableTime: ts(scanTime(view.scan) - (1 + (r % 5)) * 60_000),
        databaseName: cell.app,
        masterUsername: "postgres",
        iamDatabaseAuthentication: prod,
      }),
    );
  },

  db_subnet_group(cell, _view, out) {
    const { db } = cell;
    observe(
      out,
      "db_subnet_group",
      db.subnetGroup,
      db.subnetGroup,
      `arn:aws:rds:${cell.region.name}:${cell.accountId}:subgrp:${db.subnetGroup}`,
      ownerTags(cell),
      create(DbSubnetGroupSchema, {
        name: db.subnetGroup,
        vpcId: cell.vpcId,
        subnetIds: subnetIds(cell.subnets.db),
        description: `Database subnets of ${cell.stem}`,
        status: "Complete",
        availabilityZones: [...cell.azs],
      }),
    );
  },

  load_balancer(cell, view, out) {
    const { alb } = cell;
    const tags = ownerTags(cell);
    tags.Version = modValues.releaseTag(version(view.estate, cell.index, "albVersion", view.scan));
    observe(
      out,
      "load_balancer",
      alb.arn,
      alb.name,
      alb.arn,
      tags,
      create(LoadBalancerSchema, {
        name: alb.name,
        type: "application",
        scheme: "internet-facing",
        dnsName: alb.dns,
        vpcId: cell.vpcId,
        subnetIds: subnetIds(cell.subnets.public),
        securityGroupIds: [cell.sg.alb],
        targetGroupArns: [cell.tg.arn],
        state: "active",
        ipAddressType: "ipv4",
        createdTime: ts(alb.createdMs),
        canonicalHostedZoneId: cell.region.elbZoneId,
      }),
    );
    const clb = cell.classicLb;
    if (clb === undefined) return;
    const arn = `arn:aws:elasticloadbalancing:${cell.region.name}:${cell.accountId}:loadbalancer/${clb.name}`;
    observe(
      out,
      "load_balancer",
      arn,
      clb.name,
      arn,
      ownerTags(cell),
      create(LoadBalancerSchema, {
        name: clb.name,
        type: "classic",
        scheme: "internet-facing",
        dnsName: clb.dns,
        vpcId: cell.vpcId,
        subnetIds: subnetIds(cell.subnets.public),
        securityGroupIds: [cell.sg.alb],
        createdTime: ts(clb.createdMs),
        canonicalHostedZoneId: cell.region.elbZoneId,
        instanceIds: cell.appAsg.instances.map((i) => i.id),
      }),
    );
  },

  target_group(cell, view, out) {
    const { tg } = cell;
    // Volatile: the health checks' verdict, drawn per scan and target.
    const health = (n: number) =>
      moving(view, cell, 3, n) % 7 === 0
        ? { state: "unhealthy", reason: "Target.FailedHealthChecks" }
        : { state: "healthy", reason: "" };
    const instances = cell.appAsg.instances;
    observe(
      out,
      "target_group",
      tg.arn,
      tg.name,
      tg.arn,
      ownerTags(cell),
      create(TargetGroupSchema, {
        name: tg.name,
        protocol: "HTTP",
        port: 8080,
        vpcId: cell.vpcId,
        targetType: "instance",
        targetIds: instances.map((i) => i.id),
        healthCheckPath: modValues.healthCheckPath(
          version(view.estate, cell.index, "healthCheckPath", view.scan),
        ),
        healthCheckPort: 0,
        healthCheckProtocol: "HTTP",
        loadBalancerArns: [cell.alb.arn],
        targets: instances.map((i, n) =>
          create(TargetHealthSchema, {
            id: i.id,
            port: 8080,
            availabilityZone: i.subnet.az,
            healthState: health(n).state,
            reason: health(n).reason,
          }),
        ),
      }),
    );
  },

  s3_bucket(cell, view, out) {
    const bucket = (name: string, createdMs: number, versioning: string, kms: boolean) =>
      observe(
        out,
        "s3_bucket",
        name,
        name,
        `arn:aws:s3:::${name}`,
        ownerTags(cell),
        create(S3BucketSchema, {
          name,
          region: cell.region.name,
          createdAt: ts(createdMs),
          versioning,
          mfaDelete: false,
          encryptionAlgorithm: kms ? "aws:kms" : "AES256",
          kmsKeyId: kms ? cell.db.kmsKey : "",
          bucketKeyEnabled: kms,
          publicAccessBlock: create(PublicAccessBlockSchema, {
            blockPublicAcls: true,
            ignorePublicAcls: true,
            blockPublicPolicy: true,
            restrictPublicBuckets: true,
          }),
        }),
      );
    cell.buckets.forEach((b, i) => {
      const versioning =
        i === 0
          ? modValues.versioning(version(view.estate, cell.index, "bucketVersioning", view.scan))
          : "Enabled";
      bucket(b.name, b.createdMs, versioning, b.kms);
    });
    eachLiveSlot(cell, view, "bucket", (s, life) => {
      bucket(slotIds.bucket(view.estate.company, cell, s, life), bornAt(life), "", false);
    });
  },

  iam_role(cell, view, out) {
    const { roles } = cell;
    role(out, cell, roles.cluster, 3600, []);
    role(
      out,
      cell,
      roles.node,
      3600,
      cell.cluster.nodeGroups.map((ng) => ng.profileArn),
    );
    role(
      out,
      cell,
      roles.app,
      modValues.maxSession(version(view.estate, cell.index, "roleSession", view.scan)),
      [roles.app.profileArn],
    );
    eachLiveSlot(cell, view, "role", (s, life) => {
      const name = slotIds.roleName(cell, s, life);
      role(
        out,
        cell,
        {
          name,
          arn: slotIds.roleArn(cell, s, life),
          roleId: `AROA${new Rng(life.key).chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)}`,
          createdMs: bornAt(life),
          service: "lambda.amazonaws.com",
          policies: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
          profileArn: "",
          description: `One-off data job ${s} of ${cell.stem}`,
        },
        3600,
        [],
      );
    });
  },

  network_interface(cell, view, out) {
    const eni = (
      id: string,
      subnet: SubnetPlan,
      ip: string,
      sgs: string[],
      more: {
        type?: string;
        description: string;
        instanceId?: string;
        deviceIndex?: number;
        instanceOwner?: string;
        requester?: string;
        publicIp?: string;
      },
    ) =>
      observe(
        out,
        "network_interface",
        id,
        id,
        ec2Arn(cell, "network-interface", id),
        more.instanceId === undefined || more.requester !== undefined ? {} : ownerTags(cell),
        create(NetworkInterfaceSchema, {
          networkInterfaceId: id,
          interfaceType: more.type ?? "interface",
          description: more.description,
          subnetId: subnet.id,
          vpcId: cell.vpcId,
          securityGroupIds: sgs,
          privateIpAddress: ip,
          privateIpAddresses: [ip],
          publicIp: more.publicIp ?? "",
          attachmentInstanceId: more.instanceId ?? "",
          attachmentStatus: "attached",
          attachmentDeviceIndex: more.deviceIndex ?? (more.instanceId === undefined ? 1 : 0),
          attachmentInstanceOwnerId: more.instanceOwner ?? cell.accountId,
          requesterId: more.requester ?? "",
          requesterManaged: more.requester !== undefined,
          status: "in-use",
          availabilityZone: subnet.az,
          macAddress: macOf(id),
          ownerId: cell.accountId,
          sourceDestCheck: more.type !== "nat_gateway",
        }),
      );
    // Each instance's primary interface.
    for (const { plan, sg } of lastingInstances(cell)) {
      eni(instanceEni(view, plan.id), plan.subnet, plan.ip, [sg], {
        description: "",
        instanceId: plan.id,
      });
    }
    // The NAT gateways', the ALB's nodes' and the EKS control plane's.
    cell.nats.forEach((nat, a) => {
      const subnet = cell.subnets.public[a] as SubnetPlan;
      eni(serviceEni(view, cell, 1, a), subnet, nat.ip, [], {
        type: "nat_gateway",
        description: `Interface for NAT Gateway ${nat.id}`,
        instanceOwner: "amazon-aws",
        requester: "AROAJ3P2S5TDDCHHH4N3Y:nat-gateway",
        publicIp: nat.eip,
      });
    });
    const albHash = cell.alb.arn.split("/").at(-1) ?? "";
    cell.subnets.public.forEach((subnet, a) => {
      eni(
        serviceEni(view, cell, 2, a),
        subnet,
        addressIn(cell, subnet, hash(view.estate.key, Key.Eni, cell.index, 2, a)),
        [cell.sg.alb],
        {
          description: `ELB app/${cell.alb.name}/${albHash}`,
          instanceOwner: "amazon-elb",
          requester: "amazon-elb",
        },
      );
    });
    cell.subnets.private.slice(0, 2).forEach((subnet, a) => {
      eni(
        serviceEni(view, cell, 3, a),
        subnet,
        addressIn(cell, subnet, hash(view.estate.key, Key.Eni, cell.index, 3, a)),
        [cell.sg.cluster],
        {
          description: `Amazon EKS ${cell.cluster.name}`,
          instanceOwner: "amazon-aws",
          requester: "AROAS7B6EXAMPLEEKS:eks",
        },
      );
    });
    // The ECS tasks' (awsvpc: one each, made and managed by ECS; the batch task's is a
    // second interface of its instance).
    const app = appServices(cell, view.estate);
    app.ecs.tasks.forEach((_, t) => {
      const { host, subnet, ip } = ecsTaskPlacement(cell, t);
      const attachment = new Rng(hash(view.estate.key, Key.Misc, cell.index, 140 + t)).uuid();
      eni(app.eni(t), subnet, ip, [cell.sg.app], {
        description: `arn:aws:ecs:${cell.region.name}:${cell.accountId}:attachment/${attachment}`,
        ...(host === undefined
          ? { instanceOwner: "amazon-aws" }
          : { instanceId: host.id, deviceIndex: 1 }),
        requester: "AROAS7B6EXAMPLEECS:ecs-tasks",
      });
    });
    // The Lambda functions' (Hyperplane: one per subnet and security groups, which both
    // functions share; it names the function that made it).
    cell.subnets.private.forEach((subnet, m) => {
      const key = hash(view.estate.key, Key.Misc, cell.index, 150 + m);
      eni(ec2Id("eni", key), subnet, addressIn(cell, subnet, key), [cell.sg.app], {
        type: "lambda",
        description: `AWS Lambda VPC ENI-${app.api.name}-${new Rng(hash(view.estate.key, Key.Misc, cell.index, 160 + m)).uuid()}`,
        instanceOwner: "amazon-aws",
        requester: "AROAS7B6EXAMPLELAMBDA:lambda",
      });
    });
    // The EFS mount targets'.
    for (const mt of efsMountTargets(cell, view.estate)) {
      eni(mt.eni, mt.subnet, mt.ip, [cell.sg.app], {
        description: `EFS mount target for ${app.efs.id} (${mt.id})`,
        instanceOwner: "amazon-aws",
        requester: "AROAS7B6EXAMPLEEFS:efs",
      });
    }
  },

  elastic_ip(cell, view, out) {
    cell.nats.forEach((nat, a) => {
      const name = `${cell.stem}-nat-${cell.azs[a]}`;
      observe(
        out,
        "elastic_ip",
        nat.allocationId,
        name,
        ec2Arn(cell, "elastic-ip", nat.allocationId),
        ownerTags(cell, name),
        create(ElasticIpSchema, {
          allocationId: nat.allocationId,
          publicIp: nat.eip,
          domain: "vpc",
          networkInterfaceId: serviceEni(view, cell, 1, a),
          associationId: ec2Id("eipassoc", hash(view.estate.key, Key.Nat, cell.index, a, 3)),
          privateIpAddress: nat.ip,
          networkInterfaceOwnerId: cell.accountId,
          publicIpv4Pool: "amazon",
          networkBorderGroup: cell.region.name,
        }),
      );
    });
  },

  ebs_volume(cell, view, out) {
    for (const { plan } of lastingInstances(cell)) {
      const key = hash(view.estate.key, Key.Volume, idKey(plan.id));
      const id = rootVolume(view, plan.id);
      const size = [20, 50, 80, 100][key % 4] ?? 20;
      observe(
        out,
        "ebs_volume",
        id,
        id,
        ec2Arn(cell, "volume", id),
        ownerTags(cell),
        create(EbsVolumeSchema, {
          volumeId: id,
          sizeGib: size,
          volumeType: "gp3",
          iops: 3000,
          throughput: 125,
          encrypted: true,
          kmsKeyId: cell.db.kmsKey,
          state: "in-use",
          snapshotId: ec2Id("snap", hash(view.estate.key, Key.Volume, cell.index, 1)),
          availabilityZone: plan.subnet.az,
          createdAt: ts(plan.launchMs),
          multiAttachEnabled: false,
          attachments: [
            create(VolumeAttachmentSchema, {
              instanceId: plan.id,
              device: "/dev/xvda",
              state: "attached",
              attachTime: ts(plan.launchMs),
              deleteOnTermination: true,
            }),
          ],
        }),
      );
    }
  },

  iam_user(cell, view, out) {
    cell.users.forEach((u, n) => {
      observe(
        out,
        "iam_user",
        u.arn,
        u.name,
        u.arn,
        ownerTags(cell),
        create(IamUserSchema, {
          name: u.name,
          path: "/",
          userId: u.id,
          createdAt: ts(u.createdMs),
          // Volatile: a person signs in now and then.
          passwordLastUsed: u.person
            ? ts(scanTime(view.scan) - (moving(view, cell, 6, n) % 86_400) * 1000)
            : undefined,
          attachedPolicyArns: u.person
            ? ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
            : [cell.policy.arn],
          inlinePolicyNames: u.person ? [] : ["assume-deploy-role"],
          groupNames: [u.person ? "oncall" : "deployers"],
          accessKeys: [
            create(AccessKeySchema, {
              accessKeyId: u.keyId,
              status: "Active",
              createdAt: ts(u.createdMs),
            }),
          ],
          mfaDeviceSerials: u.person ? [`arn:aws:iam::${cell.accountId}:mfa/${u.name}`] : [],
        }),
      );
    });
  },

  iam_policy(cell, _view, out) {
    const { policy } = cell;
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject"],
          Resource: cell.buckets.map((b) => `arn:aws:s3:::${b.name}/*`),
        },
      ],
    });
    observe(
      out,
      "iam_policy",
      policy.arn,
      policy.name,
      policy.arn,
      ownerTags(cell),
      create(IamPolicySchema, {
        name: policy.name,
        policyId: policy.id,
        path: "/",
        defaultVersionId: "v1",
        // The app role and the deploy user.
        attachmentCount: 2,
        permissionsBoundaryUsageCount: 0,
        isAttachable: true,
        createdAt: ts(policy.createdMs),
        updatedAt: ts(policy.createdMs),
        document,
      }),
    );
  },
  lambda_function(cell, view, out) {
    const app = appServices(cell, view.estate);
    const fn = (
      f: { name: string; arn: string },
      handler: string,
      memorySize: number,
      env: string[],
      deadLetterTargetArn: string,
      n: number,
    ) =>
      observe(
        out,
        "lambda_function",
        f.name,
        f.name,
        f.arn,
        ownerTags(cell),
        create(LambdaFunctionSchema, {
          functionName: f.name,
          runtime: "nodejs22.x",
          handler,
          memorySize,
          timeout: 30,
          roleArn: cell.roles.app.arn,
          vpcId: cell.vpcId,
          subnetIds: subnetIds(cell.subnets.private),
          securityGroupIds: [cell.sg.app],
          layerArns: [],
          architectures: [isArm(cell.appAsg.instances[0]?.type ?? "") ? "arm64" : "x86_64"],
          packageType: "Zip",
          imageUri: "",
          // Volatile: an idle function turns Inactive now and then.
          state: moving(view, cell, 5, n) % 9 === 0 ? "Inactive" : "Active",
          lastModified: ts(app.createdMs + n * 3_600_000),
          environmentVariableNames: env,
          description: `${f.name} of ${cell.app}`,
          codeSize: BigInt(1_048_576 + n * 4096),
          codeSha256: new Rng(hash(view.estate.key, Key.Misc, cell.index, 120 + n)).hex(43),
          kmsKeyArn: "",
          deadLetterTargetArn,
          ephemeralStorageSize: 512,
          tracingMode: "PassThrough",
          logGroup: `/aws/lambda/${f.name}`,
        }),
      );
    fn(app.api, "index.handler", 512, ["LOG_LEVEL", "TABLE_NAME"], "", 0);
    fn(app.worker, "worker.handler", 1024, ["LOG_LEVEL", "QUEUE_URL"], app.deadLetters.arn, 1);
  },

  ecs_cluster(cell, view, out) {
    const { ecs } = appServices(cell, view.estate);
    const running = 2 + (moving(view, cell, 6) % 2);
    observe(
      out,
      "ecs_cluster",
      ecs.name,
      ecs.name,
      ecs.arn,
      ownerTags(cell),
      create(EcsClusterSchema, {
        clusterName: ecs.name,
        status: "ACTIVE",
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy: [
          create(CapacityProviderStrategyItemSchema, {
            capacityProvider: "FARGATE",
            weight: 1,
            base: 1,
          }),
        ],
        registeredContainerInstancesCount: cell.appAsg.instances.length > 0 ? 1 : 0,
        runningTasksCount: running,
        pendingTasksCount: 3 - running,
        activeServicesCount: 1,
        containerInsights: cell.env === "prod" ? "enabled" : "disabled",
      }),
    );
  },

  ecs_service(cell, view, out) {
    const { ecs, createdMs } = appServices(cell, view.estate);
    const running = 2 - (moving(view, cell, 6, 1) % 3 === 0 ? 1 : 0);
    observe(
      out,
      "ecs_service",
      `${ecs.name}/${ecs.service}`,
      ecs.service,
      ecs.serviceArn,
      ownerTags(cell),
      create(EcsServiceSchema, {
        clusterName: ecs.name,
        serviceName: ecs.service,
        status: "ACTIVE",
        taskDefinitionArn: ecs.taskDefinition,
        launchType: "FARGATE",
        desiredCount: 2,
        runningCount: running,
        pendingCount: 2 - running,
        loadBalancers: [
          create(EcsLoadBalancerSchema, {
            targetGroupArn: cell.tg.arn,
            containerName: "web",
            containerPort: 8080,
          }),
        ],
        subnetIds: subnetIds(cell.subnets.private),
        securityGroupIds: [cell.sg.app],
        assignPublicIp: false,
        capacityProviderStrategy: [],
        schedulingStrategy: "REPLICA",
        platformVersion: "LATEST",
        roleArn: "",
        createdAt: ts(createdMs),
        deploymentController: "ECS",
        healthCheckGracePeriodSeconds: 60,
        enableExecuteCommand: cell.env !== "prod",
      }),
    );
  },

  ecs_task(cell, view, out) {
    const app = appServices(cell, view.estate);
    const { ecs } = app;
    ecs.tasks.forEach((task, t) => {
      const { service, host, subnet, ip } = ecsTaskPlacement(cell, t);
      const onHost = host !== undefined;
      observe(
        out,
        "ecs_task",
        task.arn,
        task.id,
        task.arn,
        ownerTags(cell),
        create(EcsTaskSchema, {
          clusterName: ecs.name,
          group: service ? `service:${ecs.service}` : `family:${cell.stem}-batch`,
          serviceName: service ? ecs.service : "",
          taskDefinitionArn: service ? ecs.taskDefinition : ecs.batchDefinition,
          launchType: onHost ? "EC2" : "FARGATE",
          lastStatus: "RUNNING",
          desiredStatus: "RUNNING",
          containerInstanceArn: onHost ? ecs.containerInstance : "",
          ec2InstanceId: onHost ? host.id : "",
          networkInterfaceId: app.eni(t),
          subnetId: subnet.id,
          privateIpv4Address: ip,
          availabilityZone: subnet.az,
          cpu: service ? "512" : "1024",
          memory: service ? "1024" : "2048",
          createdAt: ts(scanTime(1) - (t + 1) * 3_600_000),
          startedAt: ts(scanTime(1) - (t + 1) * 3_600_000 + 45_000),
          startedBy: service ? "ecs-svc/1234567890123456789" : "events-rule/nightly",
          capacityProviderName: service ? "FARGATE" : "",
          platformVersion: service ? "1.4.0" : "",
          // Volatile: the containers' health checks.
          healthStatus: moving(view, cell, 7, t) % 8 === 0 ? "UNHEALTHY" : "HEALTHY",
          connectivity: "CONNECTED",
          containerNames: service ? ["web", "log-router"] : ["batch"],
          enableExecuteCommand: false,
        }),
      );
    });
  },

  efs_filesystem(cell, view, out) {
    const { efs, createdMs } = appServices(cell, view.estate);
    const name = `${cell.stem}-shared`;
    observe(
      out,
      "efs_filesystem",
      efs.id,
      name,
      `arn:aws:elasticfilesystem:${cell.region.name}:${cell.accountId}:file-system/${efs.id}`,
      ownerTags(cell, name),
      create(EfsFilesystemSchema, {
        fileSystemId: efs.id,
        name,
        lifeCycleState: "available",
        performanceMode: "generalPurpose",
        throughputMode: "elastic",
        provisionedThroughputMibps: 0,
        encrypted: true,
        kmsKeyId: cell.db.kmsKey,
        // Volatile: metered from what the clients write.
        sizeInBytes: BigInt(6144 + (moving(view, cell, 8) % 1_000_000) * 4096),
        numberOfMountTargets: cell.subnets.private.length,
        creationTime: ts(createdMs),
        availabilityZone: "",
        mountTargets: efsMountTargets(cell, view.estate).map((mt) =>
          create(EfsMountTargetSchema, {
            mountTargetId: mt.id,
            subnetId: mt.subnet.id,
            vpcId: cell.vpcId,
            availabilityZone: mt.subnet.az,
            ipAddress: mt.ip,
            lifeCycleState: "available",
            securityGroupIds: [cell.sg.app],
            networkInterfaceId: mt.eni,
          }),
        ),
      }),
    );
  },

  cloudwatch_alarm(cell, view, out) {
    const app = appServices(cell, view.estate);
    const alarm = (
      suffix: string,
      namespace: string,
      metricName: string,
      dimensions: Record<string, string>,
      threshold: number,
      n: number,
    ) => {
      const name = `${cell.stem}-${suffix}`;
      // Volatile: the state follows the metric.
      const firing = moving(view, cell, 9, n) % 10 === 0;
      observe(
        out,
        "cloudwatch_alarm",
        name,
        name,
        `arn:aws:cloudwatch:${cell.region.name}:${cell.accountId}:alarm:${name}`,
        ownerTags(cell),
        create(CloudwatchAlarmSchema, {
          alarmName: name,
          description: `${metricName} of ${cell.stem}`,
          namespace,
          metricName,
          dimensions,
          statistic: "Average",
          extendedStatistic: "",
          period: 300,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          threshold,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "missing",
          actionsEnabled: true,
          alarmActions: [app.topic.arn],
          okActions: [app.topic.arn],
          insufficientDataActions: [],
          stateValue: firing ? "ALARM" : "OK",
          stateReason: firing
            ? "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold."
            : "Threshold Crossed: no datapoint was greater than the threshold.",
          stateUpdatedAt: ts(
            scanTime(view.scan) - (1 + (moving(view, cell, 9, n + 8) % 50)) * 60_000,
          ),
          configurationUpdatedAt: ts(app.createdMs + n * 60_000),
          unit: metricName === "CPUUtilization" ? "Percent" : "Count",
        }),
      );
    };
    alarm("db-cpu", "AWS/RDS", "CPUUtilization", { DBInstanceIdentifier: cell.db.primary }, 80, 0);
    alarm(
      "app-cpu",
      "AWS/EC2",
      "CPUUtilization",
      { AutoScalingGroupName: cell.appAsg.name },
      70,
      1,
    );
    alarm(
      "jobs-backlog",
      "AWS/SQS",
      "ApproximateNumberOfMessagesVisible",
      { QueueName: app.jobs.name },
      1000,
      2,
    );
    const first = lastingInstances(cell)[0];
    if (first !== undefined) {
      alarm(
        "app-disk",
        "AWS/EBS",
        "VolumeQueueLength",
        { VolumeId: rootVolume(view, first.plan.id) },
        10,
        3,
      );
    }
    alarm(
      "aurora-cpu",
      "AWS/RDS",
      "CPUUtilization",
      { DBClusterIdentifier: cell.aurora.id },
      80,
      4,
    );
    if (cell.classicLb !== undefined) {
      alarm(
        "legacy-unhealthy",
        "AWS/ELB",
        "UnHealthyHostCount",
        { LoadBalancerName: cell.classicLb.name },
        0,
        5,
      );
    }
  },

  sns_topic(cell, view, out) {
    const app = appServices(cell, view.estate);
    const sub = (protocol: string, endpoint: string, n: number) =>
      create(SnsSubscriptionSchema, {
        subscriptionArn: `${app.topic.arn}:${new Rng(hash(view.estate.key, Key.Misc, cell.index, 130 + n)).uuid()}`,
        protocol,
        endpoint,
        owner: cell.accountId,
      });
    observe(
      out,
      "sns_topic",
      app.topic.arn,
      app.topic.name,
      app.topic.arn,
      ownerTags(cell),
      create(SnsTopicSchema, {
        topicName: app.topic.name,
        displayName: `${cell.app} ${cell.env} alerts`,
        kmsMasterKeyId: "alias/aws/sns",
        fifoTopic: false,
        contentBasedDeduplication: false,
        owner: cell.accountId,
        subscriptions: [
          sub("sqs", app.jobs.arn, 0),
          sub("lambda", app.worker.arn, 1),
          sub("email", `${cell.team}-oncall@example.com`, 2),
        ],
      }),
    );
  },

  sqs_queue(cell, view, out) {
    const app = appServices(cell, view.estate);
    const queue = (
      q: { name: string; url: string; arn: string },
      retention: number,
      deadLetterTargetArn: string,
      n: number,
    ) =>
      observe(
        out,
        "sqs_queue",
        q.arn,
        q.name,
        q.arn,
        ownerTags(cell),
        create(SqsQueueSchema, {
          queueName: q.name,
          queueUrl: q.url,
          fifoQueue: false,
          visibilityTimeout: 60,
          messageRetentionPeriod: retention,
          delaySeconds: 0,
          maximumMessageSize: 262_144,
          receiveMessageWaitTime: 20,
          kmsMasterKeyId: "",
          kmsDataKeyReusePeriod: 300,
          sqsManagedSse: true,
          deadLetterTargetArn,
          maxReceiveCount: deadLetterTargetArn === "" ? 0 : 5,
          contentBasedDeduplication: false,
          deduplicationScope: "",
          fifoThroughputLimit: "",
          createdAt: ts(app.createdMs + n * 1000),
          lastModifiedAt: ts(app.createdMs + n * 1000),
          // Volatile: the backlog follows the traffic.
          approximateNumberOfMessages: BigInt(moving(view, cell, 10, n) % 500),
          approximateNumberOfMessagesNotVisible: BigInt(moving(view, cell, 10, n + 2) % 20),
        }),
      );
    queue(app.jobs, 345_600, app.deadLetters.arn, 0);
    queue(app.deadLetters, 1_209_600, "", 1);
  },
};
