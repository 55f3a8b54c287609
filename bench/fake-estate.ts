/**
 * The estate bench 4 scans through the fake AWS endpoint (test/support/fake-aws.ts), and
 * the least number of API calls it can be listed with.
 *
 * Every regional type has a few resources in each region, global types a few in the
 * account; EC2 instances span two pages so paging is exercised. The minimum follows from
 * the data and the page sizes the APIs allow: ceil(items / page size) calls per listing
 * per partition, plus the per-resource calls the APIs give no batch form of (EKS describes,
 * target health, S3 bucket settings, IAM role tags and policies, ELBv2 tags per 20 ARNs).
 * Where two collectors need the same listing (EKS clusters for clusters and node groups,
 * ELBv2 target groups for load balancers and target groups), each partition lists it:
 * partitions are independent by design, so that counts toward the minimum.
 */
import { type FakeAws, listOf, type WireObject } from "../test/support/fake-aws.ts";

/** How many of each thing the estate has. */
export interface EstateShape {
  readonly regions: readonly string[];
  readonly accountId: string;
  /** Per region. */
  readonly instances: number;
  readonly launchTemplates: number;
  readonly autoscalingGroups: number;
  readonly vpcs: number;
  readonly subnets: number;
  readonly routeTables: number;
  readonly internetGateways: number;
  readonly natGateways: number;
  readonly peerings: number;
  readonly securityGroups: number;
  readonly clusters: number;
  /** Per cluster. */
  readonly nodegroups: number;
  readonly dbInstances: number;
  readonly dbSubnetGroups: number;
  readonly loadBalancers: number;
  readonly targetGroups: number;
  /** In the account (global). */
  readonly buckets: number;
  readonly roles: number;
}

/**
 * The default estate: 4 regions, every type present, instances over two pages (1000 + 1).
 * It is kept small otherwise: the bench measures how well API latency overlaps, and a
 * large estate would measure the CPU time of parsing and encoding instead.
 */
export const DEFAULT_SHAPE: EstateShape = {
  regions: ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"],
  accountId: "123456789012",
  instances: 1001,
  launchTemplates: 3,
  autoscalingGroups: 3,
  vpcs: 2,
  subnets: 6,
  routeTables: 3,
  internetGateways: 2,
  natGateways: 2,
  peerings: 1,
  securityGroups: 6,
  clusters: 2,
  nodegroups: 2,
  dbInstances: 3,
  dbSubnetGroups: 2,
  loadBalancers: 2,
  targetGroups: 3,
  buckets: 4,
  roles: 6,
};

/** The largest page each paged listing allows (and the collectors ask for). */
export const PAGE_SIZES = {
  "ec2:DescribeInstances": 1000,
  "ec2:DescribeLaunchTemplates": 200,
  "ec2:DescribeLaunchTemplateVersions": 200,
  "ec2:DescribeVpcs": 1000,
  "ec2:DescribeSubnets": 1000,
  "ec2:DescribeRouteTables": 100,
  "ec2:DescribeInternetGateways": 1000,
  "ec2:DescribeNatGateways": 1000,
  "ec2:DescribeVpcPeeringConnections": 1000,
  "ec2:DescribeSecurityGroups": 1000,
  "autoscaling:DescribeAutoScalingGroups": 100,
  "eks:ListClusters": 100,
  "eks:ListNodegroups": 100,
  "eks:ListFargateProfiles": 100,
  "rds:DescribeDBInstances": 100,
  "rds:DescribeDBSubnetGroups": 100,
  "elasticloadbalancing:DescribeLoadBalancers": 400,
  "elasticloadbalancing:DescribeTargetGroups": 400,
  "s3:ListBuckets": 10000,
  "iam:ListRoles": 1000,
  "iam:ListInstanceProfiles": 1000,
} as const;

/** ARNs per ELBv2 DescribeTags call. */
export const ELBV2_TAGS_PER_CALL = 20;

const pages = (items: number, pageSize: number) => Math.max(1, Math.ceil(items / pageSize));

/**
 * The least number of calls of each operation that lists the estate: paged listings per
 * partition, plus the per-resource calls. Framework calls (STS, region discovery) are
 * one each per scan; the regions are given, so none is spent discovering them.
 */
export function minimumCalls(shape: EstateShape): Map<string, number> {
  const r = shape.regions.length;
  const s = shape;
  const page = (op: keyof typeof PAGE_SIZES, items: number) => pages(items, PAGE_SIZES[op]);
  const clusters = s.clusters;
  return new Map<string, number>([
    ["sts:GetCallerIdentity", 1],
    ["ec2:DescribeInstances", r * page("ec2:DescribeInstances", s.instances)],
    ["ec2:DescribeLaunchTemplates", r * page("ec2:DescribeLaunchTemplates", s.launchTemplates)],
    [
      "ec2:DescribeLaunchTemplateVersions",
      r * page("ec2:DescribeLaunchTemplateVersions", s.launchTemplates),
    ],
    ["ec2:DescribeVpcs", r * page("ec2:DescribeVpcs", s.vpcs)],
    ["ec2:DescribeSubnets", r * page("ec2:DescribeSubnets", s.subnets)],
    // subnet lists route tables too (a subnet's route table is found there, not on the subnet).
    ["ec2:DescribeRouteTables", 2 * r * page("ec2:DescribeRouteTables", s.routeTables)],
    ["ec2:DescribeInternetGateways", r * page("ec2:DescribeInternetGateways", s.internetGateways)],
    ["ec2:DescribeNatGateways", r * page("ec2:DescribeNatGateways", s.natGateways)],
    [
      "ec2:DescribeVpcPeeringConnections",
      r * page("ec2:DescribeVpcPeeringConnections", s.peerings),
    ],
    ["ec2:DescribeSecurityGroups", r * page("ec2:DescribeSecurityGroups", s.securityGroups)],
    [
      "autoscaling:DescribeAutoScalingGroups",
      r * page("autoscaling:DescribeAutoScalingGroups", s.autoscalingGroups),
    ],
    // eks_cluster and eks_node_group each list the clusters and their node groups.
    ["eks:ListClusters", 2 * r * page("eks:ListClusters", clusters)],
    ["eks:DescribeCluster", r * clusters],
    ["eks:ListNodegroups", 2 * r * clusters * page("eks:ListNodegroups", s.nodegroups)],
    ["eks:ListFargateProfiles", r * clusters],
    ["eks:DescribeNodegroup", r * clusters * s.nodegroups],
    ["rds:DescribeDBInstances", r * page("rds:DescribeDBInstances", s.dbInstances)],
    ["rds:DescribeDBSubnetGroups", r * page("rds:DescribeDBSubnetGroups", s.dbSubnetGroups)],
    ["rds:ListTagsForResource", r * s.dbSubnetGroups],
    [
      "elasticloadbalancing:DescribeLoadBalancers",
      r * page("elasticloadbalancing:DescribeLoadBalancers", s.loadBalancers),
    ],
    // load_balancer lists target groups (LB -> target groups); target_group lists them too.
    [
      "elasticloadbalancing:DescribeTargetGroups",
      2 * r * page("elasticloadbalancing:DescribeTargetGroups", s.targetGroups),
    ],
    [
      "elasticloadbalancing:DescribeTags",
      r *
        (pages(s.loadBalancers, ELBV2_TAGS_PER_CALL) + pages(s.targetGroups, ELBV2_TAGS_PER_CALL)),
    ],
    ["elasticloadbalancing:DescribeTargetHealth", r * s.targetGroups],
    ["s3:ListBuckets", page("s3:ListBuckets", s.buckets)],
    // Tagging, versioning, encryption, public access block; the region comes with the list.
    ["s3:GetBucketTagging", s.buckets],
    ["s3:GetBucketVersioning", s.buckets],
    ["s3:GetBucketEncryption", s.buckets],
    ["s3:GetPublicAccessBlock", s.buckets],
    ["iam:ListRoles", page("iam:ListRoles", s.roles)],
    ["iam:ListInstanceProfiles", page("iam:ListInstanceProfiles", 1)],
    ["iam:ListRoleTags", s.roles],
    ["iam:ListAttachedRolePolicies", s.roles],
  ]);
}

/** Resources each type should publish, for checking the scan saw the whole estate. */
export function expectedResources(shape: EstateShape): Map<string, number> {
  const r = shape.regions.length;
  return new Map([
    ["ec2_instance", r * shape.instances],
    ["launch_template", r * shape.launchTemplates],
    ["autoscaling_group", r * shape.autoscalingGroups],
    ["vpc", r * shape.vpcs],
    ["subnet", r * shape.subnets],
    ["route_table", r * shape.routeTables],
    ["internet_gateway", r * shape.internetGateways],
    ["nat_gateway", r * shape.natGateways],
    ["vpc_peering", r * shape.peerings],
    ["security_group", r * shape.securityGroups],
    ["eks_cluster", r * shape.clusters],
    ["eks_node_group", r * shape.clusters * shape.nodegroups],
    ["rds_instance", r * shape.dbInstances],
    ["db_subnet_group", r * shape.dbSubnetGroups],
    ["load_balancer", r * shape.loadBalancers],
    ["target_group", r * shape.targetGroups],
    ["s3_bucket", shape.buckets],
    ["iam_role", shape.roles],
  ]);
}

/** Splits items into pages of `size` (at least one page, possibly empty). */
export function paginate<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length === 0 ? [[]] : out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const hex = (prefix: string, i: number) => `${prefix}-0${i.toString(16).padStart(16, "0")}`;

/** Scripts every operation of every collector on the fake, for every region. */
export function scriptEstate(fake: FakeAws, shape: EstateShape): void {
  const s = shape;
  const account = s.accountId;
  const vpcId = (i: number) => hex("vpc", i % Math.max(1, s.vpcs));
  const subnetId = (i: number) => hex("subnet", i % Math.max(1, s.subnets));
  const sgId = (i: number) => hex("sg", i % Math.max(1, s.securityGroups));
  const tag = (key: string, value: string) => ({ key, value });
  const Tag = (Key: string, Value: string) => ({ Key, Value });

  fake
    .respond("sts", "GetCallerIdentity", {
      Account: account,
      Arn: `arn:aws:iam::${account}:user/bench`,
      UserId: "AIDABENCH",
    })
    .respond("ec2", "DescribeRegions", {
      regionInfo: s.regions.map((regionName) => ({
        regionName,
        optInStatus: "opt-in-not-required",
      })),
    });

  const instances = range(s.instances).map((i) => ({
    reservationId: hex("r", i),
    instancesSet: [
      {
        instanceId: hex("i", i),
        instanceType: "m6i.large",
        instanceState: { code: 16, name: "running" },
        privateDnsName: `ip-10-0-${i % 250}-${i % 200}.ec2.internal`,
        privateIpAddress: `10.0.${i % 250}.${i % 200}`,
        vpcId: vpcId(i),
        subnetId: subnetId(i),
        groupSet: [{ groupId: sgId(i), groupName: "app" }],
        tagSet: [tag("Name", `app-${i}`)],
      },
    ],
  }));
  fake.pages(
    "ec2",
    "DescribeInstances",
    paginate(instances, PAGE_SIZES["ec2:DescribeInstances"]).map((reservationSet) => ({
      reservationSet,
    })),
  );
  fake
    .respond("ec2", "DescribeLaunchTemplateVersions", {
      launchTemplateVersionSet: range(s.launchTemplates).map((i) => ({
        launchTemplateId: hex("lt", i),
        versionNumber: 1,
        launchTemplateData: { instanceType: "m6i.large" },
      })),
    })
    .respond("ec2", "DescribeLaunchTemplates", {
      launchTemplates: range(s.launchTemplates).map((i) => ({
        launchTemplateId: hex("lt", i),
        launchTemplateName: `app-${i}`,
        latestVersionNumber: 1,
      })),
    })
    .respond("ec2", "DescribeVpcs", {
      vpcSet: range(s.vpcs).map((i) => ({
        vpcId: vpcId(i),
        cidrBlock: `10.${i}.0.0/16`,
        isDefault: false,
      })),
    })
    .respond("ec2", "DescribeSubnets", {
      subnetSet: range(s.subnets).map((i) => ({
        subnetId: subnetId(i),
        vpcId: vpcId(i),
        cidrBlock: `10.${i % 250}.1.0/24`,
      })),
    })
    .respond("ec2", "DescribeRouteTables", {
      routeTableSet: range(s.routeTables).map((i) => ({
        routeTableId: hex("rtb", i),
        vpcId: vpcId(i),
        routeSet: [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", state: "active" }],
      })),
    })
    .respond("ec2", "DescribeInternetGateways", {
      internetGatewaySet: range(s.internetGateways).map((i) => ({
        internetGatewayId: hex("igw", i),
        attachmentSet: [{ vpcId: vpcId(i), state: "available" }],
      })),
    })
    .respond("ec2", "DescribeNatGateways", {
      natGatewaySet: range(s.natGateways).map((i) => ({
        natGatewayId: hex("nat", i),
        vpcId: vpcId(i),
        subnetId: subnetId(i),
        state: "available",
      })),
    })
    .respond("ec2", "DescribeVpcPeeringConnections", {
      vpcPeeringConnectionSet: range(s.peerings).map((i) => ({
        vpcPeeringConnectionId: hex("pcx", i),
        status: { code: "active" },
      })),
    })
    .respond("ec2", "DescribeSecurityGroups", {
      securityGroupInfo: range(s.securityGroups).map((i) => ({
        groupId: sgId(i),
        groupName: `app-${i}`,
        vpcId: vpcId(i),
      })),
    });

  fake.respond("autoscaling", "DescribeAutoScalingGroups", {
    AutoScalingGroups: range(s.autoscalingGroups).map((i) => ({
      AutoScalingGroupName: `app-${i}-asg`,
      AutoScalingGroupARN: `arn:aws:autoscaling:us-east-1:${account}:autoScalingGroup:0:autoScalingGroupName/app-${i}-asg`,
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 2,
      LaunchTemplate: { LaunchTemplateId: hex("lt", i), Version: "$Latest" },
    })),
  });

  const clusters = range(s.clusters).map((i) => `cluster-${i}`);
  fake.respond("eks", "GET /clusters", { clusters });
  for (const name of clusters) {
    const nodegroups = range(s.nodegroups).map((j) => `${name}-ng-${j}`);
    fake
      .respond("eks", `GET /clusters/${name}`, {
        cluster: {
          name,
          arn: `arn:aws:eks:us-east-1:${account}:cluster/${name}`,
          version: "1.30",
          status: "ACTIVE",
          resourcesVpcConfig: { vpcId: vpcId(0), subnetIds: [subnetId(0)] },
        },
      })
      .respond("eks", `GET /clusters/${name}/node-groups`, { nodegroups })
      .respond("eks", `GET /clusters/${name}/fargate-profiles`, { fargateProfileNames: [] });
    for (const ng of nodegroups) {
      fake.respond("eks", `GET /clusters/${name}/node-groups/${ng}`, {
        nodegroup: {
          nodegroupName: ng,
          nodegroupArn: `arn:aws:eks:us-east-1:${account}:nodegroup/${name}/${ng}/0`,
          clusterName: name,
          status: "ACTIVE",
          scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
        },
      });
    }
  }

  fake
    .respond("rds", "DescribeDBInstances", {
      DBInstances: listOf(
        "DBInstance",
        range(s.dbInstances).map((i) => ({
          DBInstanceIdentifier: `db-${i}`,
          DBInstanceArn: `arn:aws:rds:us-east-1:${account}:db:db-${i}`,
          DBInstanceClass: "db.r6g.large",
          Engine: "postgres",
        })),
      ),
    })
    .respond("rds", "DescribeDBSubnetGroups", {
      DBSubnetGroups: listOf(
        "DBSubnetGroup",
        range(s.dbSubnetGroups).map((i) => ({
          DBSubnetGroupName: `dbsg-${i}`,
          DBSubnetGroupArn: `arn:aws:rds:us-east-1:${account}:subgrp:dbsg-${i}`,
          VpcId: vpcId(i),
        })),
      ),
    })
    .respond("rds", "ListTagsForResource", { TagList: listOf("Tag", [Tag("env", "bench")]) });

  const lbArn = (i: number) =>
    `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/app/lb-${i}/${hex("x", i).slice(4)}`;
  const tgArn = (i: number) =>
    `arn:aws:elasticloadbalancing:us-east-1:${account}:targetgroup/tg-${i}/${hex("y", i).slice(4)}`;
  fake
    .respond("elasticloadbalancing", "DescribeLoadBalancers", {
      LoadBalancers: range(s.loadBalancers).map((i) => ({
        LoadBalancerArn: lbArn(i),
        LoadBalancerName: `lb-${i}`,
        Type: "application",
        Scheme: "internet-facing",
        VpcId: vpcId(i),
      })),
    })
    .respond("elasticloadbalancing", "DescribeTargetGroups", {
      TargetGroups: range(s.targetGroups).map((i) => ({
        TargetGroupArn: tgArn(i),
        TargetGroupName: `tg-${i}`,
        Protocol: "HTTP",
        Port: 80,
        VpcId: vpcId(i),
        TargetType: "instance",
        LoadBalancerArns: [lbArn(i % Math.max(1, s.loadBalancers))],
      })),
    })
    .respond("elasticloadbalancing", "DescribeTags", {
      TagDescriptions: [
        ...range(s.loadBalancers).map((i) => ({
          ResourceArn: lbArn(i),
          Tags: [Tag("env", "bench")],
        })),
        ...range(s.targetGroups).map((i) => ({
          ResourceArn: tgArn(i),
          Tags: [Tag("env", "bench")],
        })),
      ],
    })
    .respond("elasticloadbalancing", "DescribeTargetHealth", {
      TargetHealthDescriptions: [
        { Target: { Id: hex("i", 0), Port: 80 }, TargetHealth: { State: "healthy" } },
      ],
    });

  const bucket = (i: number) => `bench-bucket-${i}`;
  fake.respond(
    "s3",
    "GET /",
    `<ListAllMyBucketsResult><Buckets>${range(s.buckets)
      .map(
        (i) =>
          `<Bucket><Name>${bucket(i)}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate><BucketRegion>${s.regions[i % s.regions.length]}</BucketRegion></Bucket>`,
      )
      .join("")}</Buckets><Owner><ID>bench</ID></Owner></ListAllMyBucketsResult>`,
  );
  // S3 names a bucket's settings by sub-resource (`GET /<bucket>/?tagging`), as the fake does.
  const settings: Record<string, string> = {
    tagging: "<Tagging><TagSet><Tag><Key>env</Key><Value>bench</Value></Tag></TagSet></Tagging>",
    versioning: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    encryption:
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
    publicAccessBlock:
      "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
  };
  for (const i of range(s.buckets)) {
    for (const [subresource, body] of Object.entries(settings)) {
      fake.respond("s3", `GET /${bucket(i)}/?${subresource}`, body);
    }
  }

  const role = (i: number): WireObject => ({
    RoleName: `role-${i}`,
    RoleId: `AROA${String(i).padStart(17, "0")}`,
    Arn: `arn:aws:iam::${account}:role/role-${i}`,
    Path: "/",
    CreateDate: new Date("2024-01-01T00:00:00Z"),
    AssumeRolePolicyDocument: encodeURIComponent(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "ec2.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
    ),
  });
  fake
    .respond("iam", "ListRoles", { Roles: range(s.roles).map(role), IsTruncated: false })
    .respond("iam", "ListInstanceProfiles", { InstanceProfiles: [], IsTruncated: false })
    .respond("iam", "ListRoleTags", { Tags: [Tag("env", "bench")], IsTruncated: false })
    .respond("iam", "ListAttachedRolePolicies", {
      AttachedPolicies: [
        { PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
      ],
      IsTruncated: false,
    });
}
