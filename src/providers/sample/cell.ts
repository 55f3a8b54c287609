/**
 * The plan of one cell: one VPC and everything in it, with its ids, names and addresses
 * decided once so that every resource type of the cell can be generated from it alone.
 *
 * A cell has, per availability zone, a public, a private and a db subnet; a main route
 * table (local only, used implicitly by the db subnets), a public table (to the internet
 * gateway) and one private table per zone (to the zone's NAT gateway in its public
 * subnet); security groups alb -> app -> db plus default, bastion and the EKS cluster's;
 * an app launch template and Auto Scaling group whose instances an ALB's target group
 * targets; an EKS cluster whose managed node groups own an ASG, a launch template and
 * their instances; an RDS primary with read replicas in a DB subnet group; three IAM
 * roles (cluster, nodes, app) and two S3 buckets, which are global but belong to the
 * cell that uses them. A cell other than the first of its unit peers with that first one;
 * the second cell of every unit but the first also peers with the estate's first cell, in
 * another account or region, so that both sides list that peering.
 *
 * Everything here is independent of the scan; what changes between scans is in churn.ts,
 * and the values that move by themselves on every scan (free IPs, restore times, target
 * health) are drawn per scan in resources.ts.
 */
import { type Estate, type RegionInfo, unitOfCell } from "./estate.ts";
import { ec2Id, hash, Rng } from "./random.ts";

/** What a random value is for: the second part of its key, so keys never collide. */
export const Key = {
  Cell: 1,
  Vpc: 2,
  Subnet: 3,
  RouteTable: 4,
  Igw: 5,
  Nat: 6,
  Peering: 7,
  SecurityGroup: 8,
  LaunchTemplate: 9,
  Instance: 10,
  Cluster: 11,
  NodeGroup: 12,
  LoadBalancer: 13,
  Rds: 14,
  Role: 15,
  Bucket: 16,
  UnitRds: 17,
  Slot: 18,
  SlotGeneration: 19,
  Mod: 20,
  Misc: 21,
  Volatile: 22,
  SharedPeering: 23,
  Eni: 24,
  Volume: 25,
  Aurora: 26,
  Iam: 27,
  ClassicLb: 28,
} as const;

export type Tier = "public" | "private" | "db";
export const TIERS: readonly Tier[] = ["public", "private", "db"];

export interface SubnetPlan {
  readonly id: string;
  readonly tier: Tier;
  readonly az: string;
  readonly azId: string;
  /** Third octet of its /20 (10.<vpc>.<base>.0/20). */
  readonly base: number;
  readonly cidr: string;
  readonly freeIps: number;
}

export interface InstancePlan {
  readonly id: string;
  readonly type: string;
  readonly subnet: SubnetPlan;
  readonly ip: string;
  readonly launchMs: number;
}

export interface RolePlan {
  readonly name: string;
  readonly arn: string;
  readonly roleId: string;
  readonly createdMs: number;
  readonly service: string;
  readonly policies: readonly string[];
  readonly profileArn: string;
  readonly description: string;
}

export interface NodeGroupPlan {
  readonly name: string;
  readonly uuid: string;
  readonly asgName: string;
  readonly ltId: string;
  readonly ltName: string;
  readonly capacity: "ON_DEMAND" | "SPOT";
  readonly instanceTypes: readonly string[];
  readonly instances: readonly InstancePlan[];
  readonly createdMs: number;
  /** The EKS-created instance profile of the node role for this group. */
  readonly profileArn: string;
}

export interface CellPlan {
  readonly index: number;
  readonly indexInUnit: number;
  readonly hubCell: number;
  readonly accountId: string;
  readonly region: RegionInfo;
  readonly app: string;
  readonly env: string;
  readonly team: string;
  /** The stem of every name in the cell: `<app>-<env>-<cell in base 36>`, unique in the estate. */
  readonly stem: string;
  readonly createdMs: number;
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly azs: readonly string[];
  /** Subnets by tier, then zone: subnets[tier][az]. */
  readonly subnets: Readonly<Record<Tier, readonly SubnetPlan[]>>;
  readonly mainRouteTable: string;
  readonly publicRouteTable: string;
  readonly privateRouteTables: readonly string[];
  readonly igwId: string;
  readonly nats: ReadonlyArray<{ id: string; eip: string; allocationId: string; ip: string }>;
  /** The peering with the hub VPC; undefined for the hub itself. */
  readonly peeringId: string | undefined;
  /** The peering this cell requests with the estate's first cell, in another unit; undefined for most. */
  readonly sharedPeeringId: string | undefined;
  readonly sg: Readonly<Record<"default" | "alb" | "app" | "db" | "bastion" | "cluster", string>>;
  readonly amiId: string;
  readonly appLt: { id: string; name: string; version: number; createdMs: number };
  readonly appAsg: { name: string; uuid: string; createdMs: number; instances: InstancePlan[] };
  readonly cluster: {
    name: string;
    version: string;
    platform: string;
    endpoint: string;
    createdMs: number;
    nodeGroups: NodeGroupPlan[];
  };
  readonly alb: { name: string; arn: string; dns: string; createdMs: number };
  readonly tg: { name: string; arn: string };
  readonly db: {
    subnetGroup: string;
    engine: string;
    engineVersion: string;
    port: number;
    instanceClass: string;
    primary: string;
    replicas: string[];
    endpointSuffix: string;
    kmsKey: string;
    createdMs: number;
    storage: number;
  };
  readonly roles: Readonly<Record<"cluster" | "node" | "app", RolePlan>>;
  readonly buckets: ReadonlyArray<{ name: string; createdMs: number; kms: boolean }>;
  /** The Aurora cluster of the cell: a writer and a reader, in the DB subnet group. */
  readonly aurora: { id: string; writer: string; reader: string; createdMs: number };
  /** The customer-managed policy of the app (its buckets), attached to the app role and the deploy user. */
  readonly policy: { name: string; arn: string; id: string; createdMs: number };
  /** The CI user deploying the cell; every third cell also has a person's user with MFA. */
  readonly users: ReadonlyArray<{
    name: string;
    arn: string;
    id: string;
    keyId: string;
    createdMs: number;
    person: boolean;
  }>;
  /** A legacy Classic Load Balancer in front of the app ASG, in every third cell. */
  readonly classicLb: { name: string; dns: string; createdMs: number } | undefined;
}

const APPS: ReadonlyArray<readonly [string, string]> = [
  ["checkout", "payments"],
  ["payments", "payments"],
  ["search", "discovery"],
  ["catalog", "discovery"],
  ["identity", "platform"],
  ["ingest", "data"],
  ["reporting", "data"],
  ["notify", "platform"],
  ["orders", "commerce"],
  ["pricing", "commerce"],
];
const ENVS = ["prod", "prod", "staging", "dev"];
const APP_TYPES = ["m6i.large", "m6i.xlarge", "c6i.large", "m7g.large", "t3.large"];
const NODE_TYPES = ["m6i.xlarge", "m6a.xlarge", "m7g.xlarge", "c6i.2xlarge"];
const SPOT_TYPES = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge"];
const DB_ENGINES = [
  ["postgres", "16.3", 5432],
  ["postgres", "15.7", 5432],
  ["mysql", "8.0.36", 3306],
] as const;
const DAY_MS = 86_400_000;
/** Estates were built during 2022 to 2024. */
const BUILD_START_MS = Date.UTC(2022, 0, 1);

/** True for Graviton instance types (m7g.large): arm64. */
export function isArm(instanceType: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType);
}

/** `ip-10-0-5-20.ec2.internal`, as EC2 names an instance's private DNS. */
export function privateDns(region: string, ip: string): string {
  const host = `ip-${ip.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** An IP in a subnet, keyed so the same key always gives the same address. */
function ipIn(vpcOctet: number, subnet: SubnetPlan, rng: Rng): string {
  return `10.${vpcOctet}.${subnet.base + rng.int(0, 15)}.${rng.int(4, 254)}`;
}

/** An instance of the cell, in the given subnet. */
export function instancePlan(
  key: number,
  vpcOctet: number,
  subnet: SubnetPlan,
  type: string,
  launchMs: number,
): InstancePlan {
  const rng = new Rng(key);
  return {
    id: ec2Id("i", hash(key, 0x1d)),
    type,
    subnet,
    ip: ipIn(vpcOctet, subnet, rng),
    launchMs,
  };
}

/** The 12 lower-case characters of an account's RDS endpoints in one region. */
function rdsSuffix(estate: Estate, unit: number): string {
  return new Rng(hash(estate.key, Key.UnitRds, unit)).chars(
    "abcdefghijklmnopqrstuvwxyz0123456789",
    12,
  );
}

/** The VPC id of a cell, without planning the cell. */
export function vpcIdOf(estate: Estate, cell: number): string {
  return ec2Id("vpc", hash(estate.key, Key.Vpc, cell));
}

/** The peering id of a spoke cell, without planning the cell. */
export function peeringIdOf(estate: Estate, cell: number): string {
  return ec2Id("pcx", hash(estate.key, Key.Peering, cell));
}

/**
 * The peering a unit's second cell requests with cell 0 (the estate's shared VPC, in
 * another account or region); undefined for every other cell. 10.1.0.0/16 and
 * 10.0.0.0/16 do not overlap, as AWS requires.
 */
export function sharedPeeringIdOf(estate: Estate, cell: number): string | undefined {
  const { unit, indexInUnit } = unitOfCell(estate, cell);
  if (unit === 0 || indexInUnit !== 1) return undefined;
  return ec2Id("pcx", hash(estate.key, Key.SharedPeering, cell));
}

/** The second octet of a cell's VPC CIDR (10.<octet>.0.0/16). */
export function vpcOctet(indexInUnit: number): number {
  return indexInUnit % 256;
}

/** Plans one cell. */
export function planCell(estate: Estate, index: number): CellPlan {
  const k = estate.key;
  const rng = new Rng(hash(k, Key.Cell, index));
  const { unit, indexInUnit } = unitOfCell(estate, index);
  const regionsPer = estate.regions.length;
  const region = estate.regions[unit % regionsPer] as RegionInfo;
  const accountId = estate.accounts[Math.floor(unit / regionsPer)] as string;
  const [app, team] = rng.pick(APPS);
  const env = rng.pick(ENVS);
  const stem = `${app}-${env}-${index.toString(36)}`;
  const createdMs = BUILD_START_MS + rng.int(0, 900) * DAY_MS + rng.int(0, DAY_MS - 1);
  const later = (maxDays: number) =>
    createdMs + rng.int(1, maxDays) * DAY_MS + rng.int(0, DAY_MS - 1);
  const octet = vpcOctet(indexInUnit);
  const azCount = Math.min(region.azLetters.length, rng.int(2, 3));
  const azs = Array.from({ length: azCount }, (_, i) => `${region.name}${region.azLetters[i]}`);
  const subnets = {} as Record<Tier, SubnetPlan[]>;
  TIERS.forEach((tier, t) => {
    subnets[tier] = azs.map((az, a) => {
      const base = t * 64 + a * 16;
      return {
        id: ec2Id("subnet", hash(k, Key.Subnet, index, t, a)),
        tier,
        az,
        azId: `${region.short}-az${((a + index) % region.azLetters.length) + 1}`,
        base,
        cidr: `10.${octet}.${base}.0/20`,
        freeIps: 4091 - rng.int(3, 400),
      };
    });
  });
  const nats = subnets.public.map((s, a) => {
    const r = new Rng(hash(k, Key.Nat, index, a));
    return {
      id: ec2Id("nat", hash(k, Key.Nat, index, a, 1)),
      eip: `${r.pick([3, 18, 34, 44, 52, 54])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
      allocationId: ec2Id("eipalloc", hash(k, Key.Nat, index, a, 2)),
      ip: ipIn(octet, s, r),
    };
  });
  const sgId = (n: number) => ec2Id("sg", hash(k, Key.SecurityGroup, index, n));
  const amiId = ec2Id("ami", hash(k, Key.Misc, index, 1));
  const appType = rng.pick(APP_TYPES);

  const iamArn = (kind: string, name: string) => `arn:aws:iam::${accountId}:${kind}/${name}`;
  const roleId = (n: number) =>
    `AROA${new Rng(hash(k, Key.Role, index, n)).chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)}`;
  const clusterName = `${stem}-eks`;

  const ngCount = rng.int(1, 2);
  const nodeGroups: NodeGroupPlan[] = [];
  for (let g = 0; g < ngCount; g++) {
    const spot = g === 1;
    const name = spot ? `${app}-spot` : `${app}-general`;
    const r = new Rng(hash(k, Key.NodeGroup, index, g));
    const uuid = r.uuid();
    const types = spot ? SPOT_TYPES : [rng.pick(NODE_TYPES)];
    const ngCreated = later(30);
    const count = rng.int(2, 4);
    nodeGroups.push({
      name,
      uuid,
      asgName: `eks-${name}-${uuid}`,
      ltId: ec2Id("lt", hash(k, Key.LaunchTemplate, index, g + 1)),
      ltName: `eks-${uuid}`,
      capacity: spot ? "SPOT" : "ON_DEMAND",
      instanceTypes: types,
      createdMs: ngCreated,
      profileArn: iamArn("instance-profile", `eks-${uuid}`),
      instances: Array.from({ length: count }, (_, i) =>
        instancePlan(
          hash(k, Key.Instance, index, 100 + g * 20 + i),
          octet,
          subnets.private[i % azCount] as SubnetPlan,
          types[i % types.length] as string,
          ngCreated + r.int(1, 60) * DAY_MS + r.int(0, DAY_MS - 1),
        ),
      ),
    });
  }

  const appLtCreated = later(20);
  const appAsgCreated = later(25);
  const appCount = rng.int(2, 6);
  const appInstances = Array.from({ length: appCount }, (_, i) =>
    instancePlan(
      hash(k, Key.Instance, index, i),
      octet,
      subnets.private[i % azCount] as SubnetPlan,
      appType,
      appAsgCreated + rng.int(1, 90) * DAY_MS + rng.int(0, DAY_MS - 1),
    ),
  );

  const elbArn = (kind: string, name: string, n: number) =>
    `arn:aws:elasticloadbalancing:${region.name}:${accountId}:${kind}/${name}/${new Rng(hash(k, Key.LoadBalancer, index, n)).hex(16)}`;
  const albName = `${stem}-alb`;
  const tgName = `${stem}-tg`;
  const [engine, engineVersion, port] = rng.pick(DB_ENGINES);
  const replicaCount = rng.int(0, 2);
  const primary = `${stem}-db`;

  const nodeRoleName = `${stem}-eks-node`;
  const appRoleName = `${stem}-app`;
  // Planned from their own random streams, so the rest of the cell is what it was before
  // these types were added.
  const iam = new Rng(hash(k, Key.Iam, index));
  const accessId = (prefix: string) =>
    `${prefix}${iam.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
  const policyName = `${stem}-app-access`;
  const policy = {
    name: policyName,
    arn: iamArn("policy", policyName),
    id: accessId("ANPA").slice(0, 21),
    createdMs: createdMs + iam.int(1, 20) * DAY_MS,
  };
  const users = [
    { name: `${stem}-deploy`, person: false },
    ...(index % 3 === 0 ? [{ name: `${app}-oncall-${index.toString(36)}`, person: true }] : []),
  ].map((u) => ({
    ...u,
    arn: iamArn("user", u.name),
    id: accessId("AIDA").slice(0, 21),
    keyId: accessId("AKIA").slice(0, 20),
    createdMs: createdMs + iam.int(1, 30) * DAY_MS,
  }));
  const aurora = `${stem}-aurora`;
  const clb = new Rng(hash(k, Key.ClassicLb, index));
  const classicName = `${stem}-clb`;
  return {
    index,
    indexInUnit,
    hubCell: unit,
    accountId,
    region,
    app,
    env,
    team,
    stem,
    createdMs,
    vpcId: vpcIdOf(estate, index),
    vpcCidr: `10.${octet}.0.0/16`,
    azs,
    subnets,
    mainRouteTable: ec2Id("rtb", hash(k, Key.RouteTable, index, 0)),
    publicRouteTable: ec2Id("rtb", hash(k, Key.RouteTable, index, 1)),
    privateRouteTables: azs.map((_, a) => ec2Id("rtb", hash(k, Key.RouteTable, index, 2 + a))),
    igwId: ec2Id("igw", hash(k, Key.Igw, index)),
    nats,
    peeringId: indexInUnit > 0 ? peeringIdOf(estate, index) : undefined,
    sharedPeeringId: sharedPeeringIdOf(estate, index),
    sg: {
      default: sgId(0),
      alb: sgId(1),
      app: sgId(2),
      db: sgId(3),
      bastion: sgId(4),
      cluster: sgId(5),
    },
    amiId,
    appLt: {
      id: ec2Id("lt", hash(k, Key.LaunchTemplate, index, 0)),
      name: `${stem}-app`,
      version: rng.int(1, 12),
      createdMs: appLtCreated,
    },
    appAsg: {
      name: `${stem}-app-asg`,
      uuid: new Rng(hash(k, Key.Misc, index, 2)).uuid(),
      createdMs: appAsgCreated,
      instances: appInstances,
    },
    cluster: {
      name: clusterName,
      version: rng.pick(["1.29", "1.30", "1.31"]),
      platform: `eks.${rng.int(3, 14)}`,
      endpoint: `https://${new Rng(hash(k, Key.Cluster, index)).hex(32).toUpperCase()}.gr7.${region.name}.eks.amazonaws.com`,
      createdMs: later(10),
      nodeGroups,
    },
    alb: {
      name: albName,
      arn: elbArn("loadbalancer/app", albName, 0),
      dns: `${albName}-${new Rng(hash(k, Key.LoadBalancer, index, 2)).int(100_000_000, 1_999_999_999)}.${region.name}.elb.amazonaws.com`,
      createdMs: later(40),
    },
    tg: { name: tgName, arn: elbArn("targetgroup", tgName, 1) },
    db: {
      subnetGroup: `${stem}-db-subnets`,
      engine,
      engineVersion,
      port,
      instanceClass: rng.pick(["db.r6g.large", "db.r6g.xlarge", "db.m6i.large", "db.t4g.medium"]),
      primary,
      replicas: Array.from({ length: replicaCount }, (_, i) => `${primary}-replica-${i + 1}`),
      endpointSuffix: `${rdsSuffix(estate, unit)}.${region.name}.rds.amazonaws.com`,
      kmsKey: `arn:aws:kms:${region.name}:${accountId}:key/${new Rng(hash(k, Key.Rds, index)).uuid()}`,
      createdMs: later(15),
      storage: rng.pick([100, 200, 500, 1000]),
    },
    roles: {
      cluster: {
        name: `${stem}-eks-cluster`,
        arn: iamArn("role", `${stem}-eks-cluster`),
        roleId: roleId(0),
        createdMs: later(5),
        service: "eks.amazonaws.com",
        policies: ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
        profileArn: "",
        description: `EKS control plane role of ${clusterName}`,
      },
      node: {
        name: nodeRoleName,
        arn: iamArn("role", nodeRoleName),
        roleId: roleId(1),
        createdMs: later(5),
        service: "ec2.amazonaws.com",
        policies: [
          "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
          "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
          "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        ],
        profileArn: "",
        description: `Worker node role of ${clusterName}`,
      },
      app: {
        name: appRoleName,
        arn: iamArn("role", appRoleName),
        roleId: roleId(2),
        createdMs: later(5),
        service: "ec2.amazonaws.com",
        policies: [
          "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
          "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
          policy.arn,
        ],
        profileArn: iamArn("instance-profile", appRoleName),
        description: `Instance role of the ${app} service (${env})`,
      },
    },
    buckets: [
      { name: `${estate.company}.${stem}.logs`, createdMs: later(3), kms: false },
      { name: `${estate.company}.${stem}.artifacts`, createdMs: later(3), kms: true },
    ],
    aurora: {
      id: aurora,
      writer: `${aurora}-1`,
      reader: `${aurora}-2`,
      createdMs: createdMs + new Rng(hash(k, Key.Aurora, index)).int(1, 60) * DAY_MS,
    },
    policy,
    users,
    classicLb:
      index % 3 === 2
        ? {
            name: classicName,
            dns: `${classicName}-${clb.int(100_000_000, 1_999_999_999)}.${region.name}.elb.amazonaws.com`,
            createdMs: createdMs + clb.int(1, 30) * DAY_MS,
          }
        : undefined,
  };
}
