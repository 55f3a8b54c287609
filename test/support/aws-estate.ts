/**
 * A consistent AWS estate of all 18 resource types, scripted on the fake AWS endpoint
 * (`fake-aws.ts`) in the wire formats the real SDK clients parse, for end-to-end tests and
 * the benchmark suite.
 *
 * Every list is served in pages of exactly the largest size the API allows (`PAGE_SIZES`,
 * the AWS documented maxima, kept here independently of the collectors so a test can check
 * the collectors against them), so a scan that asks for anything smaller makes more calls
 * than `minimumCalls`. `minimumCalls` is the fewest API calls per operation a scan of the
 * estate can make, keyed like `AwsProvider.apiCalls()` (`ec2:DescribeInstances`): one per
 * page of each listing, plus the per-resource calls the APIs force (see the collectors).
 *
 * References are consistent within a region: resource i of one type points at resource
 * `i mod n` of the type it references (subnet -> VPC, instance -> subnet, ASG, EKS cluster
 * and node group, ...). A type of count 0 is referenced by nobody. Ids embed the region's
 * index, so they differ between regions as real ones do.
 */
import { RESOURCE_TYPES, type ResourceType } from "../../src/contract/resource-types.ts";
import { type AwsService, SERVICES } from "../../src/providers/aws/services.ts";
import {
  type FakeAws,
  type FakeCall,
  FakeErrorAnswer,
  listOf,
  type WireObject,
} from "./fake-aws.ts";

/** The regional resource types, whose counts `perType` and `counts` set. */
export type RegionalType = Exclude<ResourceType, "s3_bucket" | "iam_role">;

/** The largest page each list operation allows, as AWS documents it. */
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
  "elbv2:DescribeLoadBalancers": 400,
  "elbv2:DescribeTargetGroups": 400,
  "iam:ListRoles": 1000,
  "iam:ListInstanceProfiles": 1000,
  "iam:ListRoleTags": 1000,
  "iam:ListAttachedRolePolicies": 1000,
  "s3:ListBuckets": 10_000,
} as const;

/** A paged operation of `PAGE_SIZES`. */
export type PagedOperation = keyof typeof PAGE_SIZES;

/** The request parameter that carries each paged operation's page size. */
export const PAGE_SIZE_PARAMS: Readonly<Record<PagedOperation, string>> = {
  "ec2:DescribeInstances": "MaxResults",
  "ec2:DescribeLaunchTemplates": "MaxResults",
  "ec2:DescribeLaunchTemplateVersions": "MaxResults",
  "ec2:DescribeVpcs": "MaxResults",
  "ec2:DescribeSubnets": "MaxResults",
  "ec2:DescribeRouteTables": "MaxResults",
  "ec2:DescribeInternetGateways": "MaxResults",
  "ec2:DescribeNatGateways": "MaxResults",
  "ec2:DescribeVpcPeeringConnections": "MaxResults",
  "ec2:DescribeSecurityGroups": "MaxResults",
  "autoscaling:DescribeAutoScalingGroups": "MaxRecords",
  "eks:ListClusters": "maxResults",
  "eks:ListNodegroups": "maxResults",
  "eks:ListFargateProfiles": "maxResults",
  "rds:DescribeDBInstances": "MaxRecords",
  "rds:DescribeDBSubnetGroups": "MaxRecords",
  "elbv2:DescribeLoadBalancers": "PageSize",
  "elbv2:DescribeTargetGroups": "PageSize",
  "iam:ListRoles": "MaxItems",
  "iam:ListInstanceProfiles": "MaxItems",
  "iam:ListRoleTags": "MaxItems",
  "iam:ListAttachedRolePolicies": "MaxItems",
  "s3:ListBuckets": "max-buckets",
};

/** DescribeTags (ELBv2) takes at most this many ARNs. */
export const ELBV2_TAGS_CHUNK = 20;

/** What to script. */
export interface AwsEstateOptions {
  /** The account of every resource. Default 123456789012 (the fake's default account). */
  readonly accountId?: string;
  /** The enabled regions, as DescribeRegions lists them; `ap-east-1` is listed as not enabled. */
  readonly regions: readonly string[];
  /** Resources per regional type per region. */
  readonly perType: number;
  /** Per-type overrides of `perType` (e.g. 1001 instances so DescribeInstances pages). */
  readonly counts?: Partial<Record<RegionalType, number>>;
  /** S3 buckets of the account, spread over the regions. Default `perType`. */
  readonly buckets?: number;
  /** IAM roles of the account. Default `perType`. */
  readonly roles?: number;
  /**
   * Whether ListBuckets names each bucket's region (AWS does when paged). When false each
   * bucket costs a GetBucketLocation, as with older S3-compatible stores. Default true.
   */
  readonly bucketRegionsListed?: boolean;
  /** True when the provider is given its regions: no DescribeRegions in `minimumCalls`. */
  readonly regionsGiven?: boolean;
}

/** The resources of one partition. */
export interface EstatePartition {
  readonly resourceType: ResourceType;
  readonly accountId: string;
  /** A region of the estate, or "global". */
  readonly region: string;
  /** The resource ids, as the publisher puts them in subjects (before encoding). */
  readonly ids: readonly string[];
}

/** What was scripted and what a complete scan of it costs at least. */
export interface AwsEstate {
  readonly accountId: string;
  readonly regions: readonly string[];
  /** The region DescribeRegions lists as not opted in: never scanned. */
  readonly notEnabledRegion: string;
  /** Every partition of the estate: each regional type in each region, the global types once. */
  readonly partitions: readonly EstatePartition[];
  /** The fewest API calls per operation (`service:Operation`) a complete scan can make. */
  readonly minimumCalls: ReadonlyMap<string, number>;
}

const NOT_ENABLED_REGION = "ap-east-1";
const EPOCH = Date.UTC(2024, 0, 15, 10, 0, 0);

/** Splits a list into pages of `size`; an empty list is one empty page (one call). */
export function pagesOf<T>(items: readonly T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages.length === 0 ? [[]] : pages;
}

/** The number of calls a listing of `n` items costs at `size` a page. */
function pageCount(n: number, size: number): number {
  return Math.max(1, Math.ceil(n / size));
}

function hex(r: number, i: number): string {
  return `0${r.toString(16).padStart(2, "0")}${i.toString(16).padStart(14, "0")}`;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const tagSet = (tags: Record<string, string>) =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));
const Tags = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a `page-<n>` token asks for (the fake's paging convention). */
function pageIndex(token: string | undefined): number {
  return token?.startsWith("page-") ? Number(token.slice(5)) : 0;
}

/** Scripts identity and region discovery: GetCallerIdentity and DescribeRegions. */
export function scriptDiscovery(
  fake: FakeAws,
  accountId: string,
  regions: readonly string[],
): void {
  fake
    .respond("ec2", "DescribeRegions", {
      regionInfo: [
        ...regions.map((regionName) => ({ regionName, optInStatus: "opt-in-not-required" })),
        { regionName: NOT_ENABLED_REGION, optInStatus: "not-opted-in" },
      ],
    })
    .respond("sts", "GetCallerIdentity", {
      Account: accountId,
      Arn: `arn:aws:iam::${accountId}:user/scanner`,
      UserId: "AIDAFAKE",
    });
}

/** The names and ids of one region's resources, from which every script of the region is built. */
class RegionPlan {
  readonly count: (t: RegionalType) => number;
  constructor(
    readonly region: string,
    readonly r: number,
    readonly accountId: string,
    options: AwsEstateOptions,
  ) {
    const given = (t: RegionalType) => options.counts?.[t] ?? options.perType;
    // A node group needs a cluster to belong to.
    this.count = (t) => (t === "eks_node_group" && given("eks_cluster") === 0 ? 0 : given(t));
  }
  /** The id of resource i of a type, or "" when the type has none to point at. */
  id(type: RegionalType, i: number): string {
    const n = this.count(type);
    if (n === 0) return "";
    const k = i % n;
    const r = this.r;
    switch (type) {
      case "ec2_instance":
        return `i-${hex(r, k)}`;
      case "launch_template":
        return `lt-${hex(r, k)}`;
      case "autoscaling_group":
        return `asg-${k}`;
      case "eks_cluster":
        return `eks-${k}`;
      case "eks_node_group":
        return `${this.id("eks_cluster", k)}/ng-${k}`;
      case "rds_instance":
        return `db-${k}`;
      case "db_subnet_group":
        return `dbsg-${k}`;
      case "vpc":
        return `vpc-${hex(r, k)}`;
      case "subnet":
        return `subnet-${hex(r, k)}`;
      case "route_table":
        return `rtb-${hex(r, k)}`;
      case "internet_gateway":
        return `igw-${hex(r, k)}`;
      case "nat_gateway":
        return `nat-${hex(r, k)}`;
      case "vpc_peering":
        return `pcx-${hex(r, k)}`;
      case "security_group":
        return `sg-${hex(r, k)}`;
      case "load_balancer":
        return `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:loadbalancer/app/lb-${k}/${hex(r, k).slice(1)}`;
      case "target_group":
        return `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:targetgroup/tg-${k}/${hex(r, k).slice(1)}`;
    }
  }
  ids(type: RegionalType): string[] {
    return range(this.count(type)).map((i) => this.id(type, i));
  }
  /** The node groups of cluster c: node group j belongs to cluster j mod clusters. */
  nodegroupsOf(c: number): number[] {
    const clusters = this.count("eks_cluster");
    return range(this.count("eks_node_group")).filter((j) => j % clusters === c);
  }
  zone(i: number): string {
    return `${this.region}${"abc"[i % 3]}`;
  }
  /** The VPC a subnet-like resource i sits in: that of subnet i. */
  vpcOfSubnet(i: number): string {
    return this.id("vpc", i);
  }
}

function scriptEc2(fake: FakeAws, p: RegionPlan): void {
  const region = p.region;
  const page = (op: PagedOperation, items: unknown[], key: string) =>
    fake.pages(
      "ec2",
      op.slice(4),
      pagesOf(items, PAGE_SIZES[op]).map((chunk) => ({ [key]: chunk })),
      { region },
    );
  page(
    "ec2:DescribeInstances",
    range(p.count("ec2_instance")).map((i) => {
      const tags: Record<string, string> = { Name: `web-${i}` };
      const asg = p.id("autoscaling_group", i);
      if (asg !== "") tags["aws:autoscaling:groupName"] = asg;
      const ng = p.id("eks_node_group", i);
      if (ng !== "") {
        const [cluster = "", nodegroup = ""] = ng.split("/");
        tags["eks:cluster-name"] = cluster;
        tags["eks:nodegroup-name"] = nodegroup;
      }
      const lt = p.id("launch_template", i);
      if (lt !== "") {
        tags["aws:ec2launchtemplate:id"] = lt;
        tags["aws:ec2launchtemplate:version"] = "1";
      }
      return {
        reservationId: `r-${hex(p.r, i)}`,
        ownerId: p.accountId,
        instancesSet: [
          {
            instanceId: p.id("ec2_instance", i),
            imageId: "ami-0123456789abcdef0",
            instanceState: { code: 16, name: "running" },
            privateDnsName: `ip-10-${p.r}-${i >> 8}-${i & 255}.${region}.compute.internal`,
            privateIpAddress: `10.${p.r}.${i >> 8}.${i & 255}`,
            instanceType: "m6i.large",
            launchTime: new Date(EPOCH),
            placement: { availabilityZone: p.zone(i) },
            subnetId: p.id("subnet", i) || undefined,
            vpcId: p.vpcOfSubnet(i) || undefined,
            groupSet:
              p.id("security_group", i) === ""
                ? undefined
                : [{ groupId: p.id("security_group", i), groupName: `sg-${i}` }],
            architecture: "x86_64",
            tagSet: tagSet(tags),
          },
        ],
      };
    }),
    "reservationSet",
  );
  const templates = range(p.count("launch_template"));
  page(
    "ec2:DescribeLaunchTemplateVersions",
    templates.map((i) => ({
      launchTemplateId: p.id("launch_template", i),
      launchTemplateName: `lt-${i}`,
      versionNumber: 1,
      defaultVersion: true,
      launchTemplateData: {
        instanceType: "m6i.large",
        imageId: "ami-0123456789abcdef0",
        securityGroupIdSet:
          p.id("security_group", i) === "" ? undefined : [p.id("security_group", i)],
      },
    })),
    "launchTemplateVersionSet",
  );
  page(
    "ec2:DescribeLaunchTemplates",
    templates.map((i) => ({
      launchTemplateId: p.id("launch_template", i),
      launchTemplateName: `lt-${i}`,
      defaultVersionNumber: 1,
      latestVersionNumber: 1,
      createdBy: `arn:aws:iam::${p.accountId}:user/ops`,
      createTime: new Date(EPOCH),
      tagSet: tagSet({ team: "web" }),
    })),
    "launchTemplates",
  );
  page(
    "ec2:DescribeVpcs",
    p.ids("vpc").map((vpcId, i) => ({
      vpcId,
      ownerId: p.accountId,
      cidrBlock: `10.${i & 255}.0.0/16`,
      state: "available",
      isDefault: i === 0,
      dhcpOptionsId: `dopt-${hex(p.r, 0)}`,
      instanceTenancy: "default",
      tagSet: tagSet({ Name: `vpc-${i}` }),
    })),
    "vpcSet",
  );
  page(
    "ec2:DescribeSubnets",
    p.ids("subnet").map((subnetId, i) => ({
      subnetId,
      ownerId: p.accountId,
      vpcId: p.vpcOfSubnet(i) || undefined,
      cidrBlock: `10.${i & 255}.${i >> 8}.0/24`,
      availabilityZone: p.zone(i),
      state: "available",
      availableIpAddressCount: 250,
      mapPublicIpOnLaunch: false,
      tagSet: tagSet({ Name: `subnet-${i}` }),
    })),
    "subnetSet",
  );
  // Route table i < vpcs is VPC i's main table; the others each route one subnet explicitly.
  const vpcs = p.count("vpc");
  page(
    "ec2:DescribeRouteTables",
    p.ids("route_table").map((routeTableId, i) => {
      const main = i < vpcs;
      const subnet = main ? "" : p.id("subnet", i - vpcs);
      return {
        routeTableId,
        ownerId: p.accountId,
        vpcId: main ? p.id("vpc", i) : p.vpcOfSubnet(i - vpcs) || undefined,
        associationSet: main
          ? [{ routeTableAssociationId: `rtbassoc-${hex(p.r, i)}`, routeTableId, main: true }]
          : subnet === ""
            ? []
            : [
                {
                  routeTableAssociationId: `rtbassoc-${hex(p.r, i)}`,
                  routeTableId,
                  subnetId: subnet,
                  main: false,
                },
              ],
        routeSet: [
          {
            destinationCidrBlock: "10.0.0.0/8",
            gatewayId: "local",
            state: "active",
            origin: "CreateRouteTable",
          },
          ...(p.id("internet_gateway", i) === ""
            ? []
            : [
                {
                  destinationCidrBlock: "0.0.0.0/0",
                  gatewayId: p.id("internet_gateway", i),
                  state: "active",
                  origin: "CreateRoute",
                },
              ]),
        ],
      };
    }),
    "routeTableSet",
  );
  page(
    "ec2:DescribeInternetGateways",
    p.ids("internet_gateway").map((internetGatewayId, i) => ({
      internetGatewayId,
      ownerId: p.accountId,
      attachmentSet: p.id("vpc", i) === "" ? [] : [{ vpcId: p.id("vpc", i), state: "available" }],
    })),
    "internetGatewaySet",
  );
  page(
    "ec2:DescribeNatGateways",
    p.ids("nat_gateway").map((natGatewayId, i) => ({
      natGatewayId,
      vpcId: p.vpcOfSubnet(i) || undefined,
      subnetId: p.id("subnet", i) || undefined,
      state: "available",
      connectivityType: "public",
      natGatewayAddressSet: [
        {
          allocationId: `eipalloc-${hex(p.r, i)}`,
          publicIp: `198.51.${p.r}.${i & 255}`,
          privateIp: `10.${p.r}.255.${i & 255}`,
        },
      ],
    })),
    "natGatewaySet",
  );
  page(
    "ec2:DescribeVpcPeeringConnections",
    p.ids("vpc_peering").map((vpcPeeringConnectionId, i) => ({
      vpcPeeringConnectionId,
      requesterVpcInfo: {
        vpcId: p.id("vpc", i) || undefined,
        ownerId: p.accountId,
        region,
        cidrBlock: `10.${i & 255}.0.0/16`,
      },
      accepterVpcInfo: {
        vpcId: p.id("vpc", i + 1) || undefined,
        ownerId: p.accountId,
        region,
        cidrBlock: `10.${(i + 1) & 255}.0.0/16`,
      },
      status: { code: "active", message: "Active" },
    })),
    "vpcPeeringConnectionSet",
  );
  page(
    "ec2:DescribeSecurityGroups",
    p.ids("security_group").map((groupId, i) => ({
      groupId,
      groupName: `sg-${i}`,
      ownerId: p.accountId,
      groupDescription: `group ${i}`,
      vpcId: p.id("vpc", i) || undefined,
      ipPermissions: [
        { ipProtocol: "tcp", fromPort: 443, toPort: 443, ipRanges: [{ cidrIp: "0.0.0.0/0" }] },
      ],
      ipPermissionsEgress: [{ ipProtocol: "-1", ipRanges: [{ cidrIp: "0.0.0.0/0" }] }],
    })),
    "securityGroupInfo",
  );
}

function scriptAutoscaling(fake: FakeAws, p: RegionPlan): void {
  const groups = p.ids("autoscaling_group").map((name, i) => {
    // The instances of group g are those whose tag names it: instance j with j mod groups = g.
    const instances = range(p.count("ec2_instance"))
      .filter((j) => p.id("autoscaling_group", j) === name)
      .map((j) => ({
        InstanceId: p.id("ec2_instance", j),
        AvailabilityZone: p.zone(j),
        LifecycleState: "InService",
        HealthStatus: "Healthy",
        ProtectedFromScaleIn: false,
      }));
    return {
      AutoScalingGroupName: name,
      AutoScalingGroupARN: `arn:aws:autoscaling:${p.region}:${p.accountId}:autoScalingGroup:${hex(p.r, i)}:autoScalingGroupName/${name}`,
      MinSize: 0,
      MaxSize: instances.length + 1,
      DesiredCapacity: instances.length,
      DefaultCooldown: 300,
      AvailabilityZones: [p.zone(i)],
      HealthCheckType: "EC2",
      HealthCheckGracePeriod: 300,
      CreatedTime: new Date(EPOCH),
      VPCZoneIdentifier: p.id("subnet", i),
      LaunchTemplate:
        p.id("launch_template", i) === ""
          ? undefined
          : { LaunchTemplateId: p.id("launch_template", i), Version: "$Latest" },
      Instances: instances,
      TargetGroupARNs: p.id("target_group", i) === "" ? [] : [p.id("target_group", i)],
      Tags: [{ Key: "team", Value: "web", ResourceId: name, ResourceType: "auto-scaling-group" }],
    };
  });
  fake.pages(
    "autoscaling",
    "DescribeAutoScalingGroups",
    pagesOf(groups, PAGE_SIZES["autoscaling:DescribeAutoScalingGroups"]).map((chunk) => ({
      AutoScalingGroups: chunk,
    })),
    { region: p.region },
  );
}

/** Answers a paged REST JSON list from a function of the call's path. */
function eksPaged(
  fake: FakeAws,
  region: string,
  pattern: RegExp,
  key: string,
  itemsOf: (segments: string[]) => string[] | undefined,
): void {
  fake.answer(
    "eks",
    pattern,
    (call) => {
      const segments = call.operation.split(" ")[1]?.split("/").map(decodeURIComponent) ?? [];
      const items = itemsOf(segments);
      if (items === undefined) return new FakeErrorAnswer(404, "ResourceNotFoundException");
      const pages = pagesOf(items, PAGE_SIZES["eks:ListNodegroups"]);
      const index = pageIndex(call.params.nextToken);
      return {
        [key]: pages[index] ?? [],
        ...(index + 1 < pages.length ? { nextToken: `page-${index + 1}` } : {}),
      };
    },
    { region },
  );
}

function scriptEks(fake: FakeAws, p: RegionPlan): void {
  const clusters = p.ids("eks_cluster");
  const index = new Map(clusters.map((name, c) => [name, c]));
  const seconds = EPOCH / 1000;
  fake.pages(
    "eks",
    "GET /clusters",
    pagesOf(clusters, PAGE_SIZES["eks:ListClusters"]).map((chunk, i, all) => ({
      clusters: chunk,
      ...(i + 1 < all.length ? { nextToken: `page-${i + 1}` } : {}),
    })),
    { region: p.region, tokenIn: "nextToken" },
  );
  fake.answer(
    "eks",
    /^GET \/clusters\/[^/]+$/,
    (call) => {
      const name = decodeURIComponent(call.operation.slice("GET /clusters/".length));
      const c = index.get(name);
      if (c === undefined) return new FakeErrorAnswer(404, "ResourceNotFoundException");
      return {
        cluster: {
          name,
          arn: `arn:aws:eks:${p.region}:${p.accountId}:cluster/${name}`,
          version: "1.30",
          status: "ACTIVE",
          endpoint: `https://${hex(p.r, c)}.gr7.${p.region}.eks.amazonaws.com`,
          roleArn: `arn:aws:iam::${p.accountId}:role/eks-cluster`,
          platformVersion: "eks.7",
          createdAt: seconds,
          resourcesVpcConfig: {
            vpcId: p.id("vpc", c) || undefined,
            subnetIds: p.id("subnet", c) === "" ? [] : [p.id("subnet", c)],
            securityGroupIds: p.id("security_group", c) === "" ? [] : [p.id("security_group", c)],
            clusterSecurityGroupId: `sg-eks${hex(p.r, c)}`,
            endpointPublicAccess: true,
          },
          tags: { team: "platform" },
        },
      };
    },
    { region: p.region },
  );
  eksPaged(fake, p.region, /^GET \/clusters\/[^/]+\/node-groups$/, "nodegroups", (s) => {
    const c = index.get(s[2] ?? "");
    return c === undefined ? undefined : p.nodegroupsOf(c).map((j) => `ng-${j}`);
  });
  // Every other cluster has one Fargate profile.
  eksPaged(
    fake,
    p.region,
    /^GET \/clusters\/[^/]+\/fargate-profiles$/,
    "fargateProfileNames",
    (s) => {
      const c = index.get(s[2] ?? "");
      return c === undefined ? undefined : c % 2 === 0 ? [`fp-${c}`] : [];
    },
  );
  fake.answer(
    "eks",
    /^GET \/clusters\/[^/]+\/node-groups\/[^/]+$/,
    (call) => {
      const [, , clusterName = "", , nodegroupName = ""] =
        call.operation.split(" ")[1]?.split("/").map(decodeURIComponent) ?? [];
      const j = Number(nodegroupName.slice(3));
      if (
        !nodegroupName.startsWith("ng-") ||
        p.id("eks_node_group", j) !== `${clusterName}/${nodegroupName}`
      ) {
        return new FakeErrorAnswer(404, "ResourceNotFoundException");
      }
      return {
        nodegroup: {
          nodegroupName,
          clusterName,
          nodegroupArn: `arn:aws:eks:${p.region}:${p.accountId}:nodegroup/${clusterName}/${nodegroupName}/${hex(p.r, j)}`,
          version: "1.30",
          status: "ACTIVE",
          capacityType: "ON_DEMAND",
          scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
          instanceTypes: ["m6i.large"],
          subnets: p.id("subnet", j) === "" ? [] : [p.id("subnet", j)],
          amiType: "AL2023_x86_64_STANDARD",
          nodeRole: `arn:aws:iam::${p.accountId}:role/eks-node`,
          labels: { role: "worker" },
          taints: [{ key: "dedicated", value: "web", effect: "NO_SCHEDULE" }],
          resources: {
            autoScalingGroups:
              p.id("autoscaling_group", j) === "" ? [] : [{ name: p.id("autoscaling_group", j) }],
            remoteAccessSecurityGroup: p.id("security_group", j) || undefined,
          },
          launchTemplate:
            p.id("launch_template", j) === ""
              ? undefined
              : { id: p.id("launch_template", j), name: `lt-${j}`, version: "1" },
          createdAt: seconds,
          tags: { team: "platform" },
        },
      };
    },
    { region: p.region },
  );
}

function scriptRds(fake: FakeAws, p: RegionPlan): void {
  const arnOf = (kind: string, name: string) =>
    `arn:aws:rds:${p.region}:${p.accountId}:${kind}:${name}`;
  const groups = p.ids("db_subnet_group");
  const subnetGroup = (i: number): WireObject | undefined => {
    const name = p.id("db_subnet_group", i);
    if (name === "") return undefined;
    const subnet = p.id("subnet", i);
    return {
      DBSubnetGroupName: name,
      DBSubnetGroupDescription: `subnet group ${i}`,
      DBSubnetGroupArn: arnOf("subgrp", name),
      VpcId: p.vpcOfSubnet(i) || undefined,
      SubnetGroupStatus: "Complete",
      Subnets: listOf(
        "Subnet",
        subnet === ""
          ? []
          : [
              {
                SubnetIdentifier: subnet,
                SubnetAvailabilityZone: { Name: p.zone(i) },
                SubnetStatus: "Active",
              },
            ],
      ),
    };
  };
  const instances = p.ids("rds_instance").map((id, i) => {
    // Instance 2k+1 is a read replica of instance 2k.
    const replica = i % 2 === 1;
    const replicas =
      !replica && i + 1 < p.count("rds_instance") ? [p.id("rds_instance", i + 1)] : [];
    return {
      DBInstanceIdentifier: id,
      DBInstanceArn: arnOf("db", id),
      DBInstanceClass: "db.r6g.large",
      Engine: "postgres",
      EngineVersion: "16.3",
      DBInstanceStatus: "available",
      AvailabilityZone: p.zone(i),
      MultiAZ: false,
      Endpoint: { Address: `${id}.${hex(p.r, i)}.${p.region}.rds.amazonaws.com`, Port: 5432 },
      AllocatedStorage: 100,
      StorageType: "gp3",
      StorageEncrypted: true,
      PubliclyAccessible: false,
      BackupRetentionPeriod: 7,
      InstanceCreateTime: new Date(EPOCH),
      DBSubnetGroup: subnetGroup(i),
      VpcSecurityGroups: listOf(
        "VpcSecurityGroupMembership",
        p.id("security_group", i) === ""
          ? []
          : [{ VpcSecurityGroupId: p.id("security_group", i), Status: "active" }],
      ),
      ReadReplicaDBInstanceIdentifiers: listOf("ReadReplicaDBInstanceIdentifier", replicas),
      ReadReplicaSourceDBInstanceIdentifier: replica ? p.id("rds_instance", i - 1) : undefined,
      TagList: listOf("Tag", Tags({ team: "data" })),
    };
  });
  fake.pages(
    "rds",
    "DescribeDBInstances",
    pagesOf(instances, PAGE_SIZES["rds:DescribeDBInstances"]).map((chunk) => ({
      DBInstances: listOf("DBInstance", chunk),
    })),
    { region: p.region, tokenIn: "Marker", tokenOut: "Marker" },
  );
  fake.pages(
    "rds",
    "DescribeDBSubnetGroups",
    pagesOf(
      groups.map((_, i) => subnetGroup(i) ?? {}),
      PAGE_SIZES["rds:DescribeDBSubnetGroups"],
    ).map((chunk) => ({ DBSubnetGroups: listOf("DBSubnetGroup", chunk) })),
    { region: p.region, tokenIn: "Marker", tokenOut: "Marker" },
  );
  fake.answer(
    "rds",
    "ListTagsForResource",
    (call) => ({
      TagList: listOf(
        "Tag",
        Tags({ Name: (call.params.ResourceName ?? "").split(":").pop() ?? "" }),
      ),
    }),
    { region: p.region },
  );
}

function scriptElbv2(fake: FakeAws, p: RegionPlan): void {
  const lbCount = p.count("load_balancer");
  // Target group i routes to load balancer i and has two instances as targets.
  const groups = p.ids("target_group").map((arn, i) => ({
    TargetGroupArn: arn,
    TargetGroupName: `tg-${i}`,
    Protocol: "HTTP",
    Port: 8080,
    VpcId: p.id("vpc", i) || undefined,
    TargetType: "instance",
    HealthCheckProtocol: "HTTP",
    HealthCheckPort: "traffic-port",
    HealthCheckPath: "/healthz",
    LoadBalancerArns: i < lbCount ? [p.id("load_balancer", i)] : [],
  }));
  const balancers = p.ids("load_balancer").map((arn, i) => ({
    LoadBalancerArn: arn,
    LoadBalancerName: `lb-${i}`,
    DNSName: `lb-${i}-${hex(p.r, i)}.${p.region}.elb.amazonaws.com`,
    CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
    CreatedTime: new Date(EPOCH),
    Scheme: "internet-facing",
    VpcId: p.id("vpc", i) || undefined,
    State: { Code: "active" },
    Type: "application",
    IpAddressType: "ipv4",
    AvailabilityZones:
      p.id("subnet", i) === "" ? [] : [{ ZoneName: p.zone(i), SubnetId: p.id("subnet", i) }],
    SecurityGroups: p.id("security_group", i) === "" ? [] : [p.id("security_group", i)],
  }));
  const paged = { region: p.region, tokenIn: "Marker", tokenOut: "NextMarker" };
  fake.pages(
    "elasticloadbalancing",
    "DescribeTargetGroups",
    pagesOf(groups, PAGE_SIZES["elbv2:DescribeTargetGroups"]).map((chunk) => ({
      TargetGroups: chunk,
    })),
    paged,
  );
  fake.pages(
    "elasticloadbalancing",
    "DescribeLoadBalancers",
    pagesOf(balancers, PAGE_SIZES["elbv2:DescribeLoadBalancers"]).map((chunk) => ({
      LoadBalancers: chunk,
    })),
    paged,
  );
  fake.answer(
    "elasticloadbalancing",
    "DescribeTags",
    (call) => {
      const arns = Object.entries(call.params)
        .filter(([k]) => k.startsWith("ResourceArns.member."))
        .map(([, v]) => v);
      if (arns.length > ELBV2_TAGS_CHUNK) return new FakeErrorAnswer(400, "ValidationError");
      return {
        TagDescriptions: arns.map((ResourceArn) => ({
          ResourceArn,
          Tags: Tags({ Name: ResourceArn.split("/")[1] ?? "" }),
        })),
      };
    },
    { region: p.region },
  );
  fake.answer(
    "elasticloadbalancing",
    "DescribeTargetHealth",
    (call) => {
      const i = groups.findIndex((g) => g.TargetGroupArn === call.params.TargetGroupArn);
      if (i < 0) return new FakeErrorAnswer(400, "TargetGroupNotFound");
      const targets = p.count("ec2_instance") === 0 ? [] : [i, i + 1];
      return {
        TargetHealthDescriptions: targets.map((j) => ({
          Target: { Id: p.id("ec2_instance", j), Port: 8080, AvailabilityZone: p.zone(j) },
          HealthCheckPort: "8080",
          TargetHealth: { State: "healthy" },
        })),
      };
    },
    { region: p.region },
  );
}

function scriptIam(fake: FakeAws, accountId: string, roles: number): void {
  const roleArn = (i: number) => `arn:aws:iam::${accountId}:role/service/role-${i}`;
  const trust = encodeURIComponent(
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    }),
  );
  const role = (i: number) => ({
    Path: "/service/",
    RoleName: `role-${i}`,
    RoleId: `AROA${hex(0, i).toUpperCase()}`,
    Arn: roleArn(i),
    CreateDate: new Date(EPOCH),
    AssumeRolePolicyDocument: trust,
    Description: `role ${i}`,
    MaxSessionDuration: 3600,
  });
  const iamPages = (items: unknown[], size: number, key: string) =>
    pagesOf(items, size).map((chunk, i, all) => ({
      [key]: chunk,
      IsTruncated: i + 1 < all.length,
    }));
  fake.pages(
    "iam",
    "ListRoles",
    iamPages(range(roles).map(role), PAGE_SIZES["iam:ListRoles"], "Roles"),
    {
      tokenIn: "Marker",
      tokenOut: "Marker",
    },
  );
  // Every even role has an instance profile.
  const profiles = range(roles)
    .filter((i) => i % 2 === 0)
    .map((i) => ({
      Path: "/",
      InstanceProfileName: `profile-${i}`,
      InstanceProfileId: `AIPA${hex(0, i).toUpperCase()}`,
      Arn: `arn:aws:iam::${accountId}:instance-profile/profile-${i}`,
      CreateDate: new Date(EPOCH),
      Roles: [role(i)],
    }));
  fake.pages(
    "iam",
    "ListInstanceProfiles",
    iamPages(profiles, PAGE_SIZES["iam:ListInstanceProfiles"], "InstanceProfiles"),
    { tokenIn: "Marker", tokenOut: "Marker" },
  );
  fake.answer("iam", "ListRoleTags", (call) => ({
    Tags: Tags({ owner: `team-${call.params.RoleName ?? ""}` }),
    IsTruncated: false,
  }));
  fake.answer("iam", "ListAttachedRolePolicies", () => ({
    AttachedPolicies: [
      {
        PolicyName: "ReadOnlyAccess",
        PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
      },
    ],
    IsTruncated: false,
  }));
}

/** The name of bucket i: dotted, as many real bucket names are. */
export function bucketName(i: number): string {
  return `data.bucket-${i}.example`;
}

function scriptS3(
  fake: FakeAws,
  accountId: string,
  regions: readonly string[],
  buckets: number,
  regionsListed: boolean,
): void {
  const regionOf = (i: number) => regions[i % regions.length] ?? "us-east-1";
  const index = new Map(range(buckets).map((i) => [bucketName(i), i]));
  const ns = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
  const date = new Date(EPOCH).toISOString();
  const pages = pagesOf(range(buckets), PAGE_SIZES["s3:ListBuckets"]);
  fake.pages(
    "s3",
    "GET /",
    pages.map(
      (chunk, p) =>
        `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult ${ns}><Owner><ID>${hex(0, 1)}</ID></Owner><Buckets>${chunk
          .map(
            (i) =>
              `<Bucket><Name>${xmlEscape(bucketName(i))}</Name><CreationDate>${date}</CreationDate>${
                regionsListed ? `<BucketRegion>${regionOf(i)}</BucketRegion>` : ""
              }</Bucket>`,
          )
          .join(
            "",
          )}</Buckets>${p + 1 < pages.length ? `<ContinuationToken>page-${p + 1}</ContinuationToken>` : ""}</ListAllMyBucketsResult>`,
    ),
    { tokenIn: "continuation-token" },
  );
  // Bucket i has no tags when i mod 3 = 2 and no public access block when i mod 4 = 3:
  // S3 answers "not configured" errors for those.
  const settings: Record<string, (i: number) => string | FakeErrorAnswer> = {
    location: (i) => {
      const r = regionOf(i);
      return `<LocationConstraint ${ns}>${r === "us-east-1" ? "" : r}</LocationConstraint>`;
    },
    tagging: (i) =>
      i % 3 === 2
        ? new FakeErrorAnswer(404, "NoSuchTagSet")
        : `<Tagging ${ns}><TagSet><Tag><Key>Name</Key><Value>bucket-${i}</Value></Tag></TagSet></Tagging>`,
    versioning: (i) =>
      `<VersioningConfiguration ${ns}><Status>${i % 2 === 0 ? "Enabled" : "Suspended"}</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`,
    encryption: () =>
      `<ServerSideEncryptionConfiguration ${ns}><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:${accountId}:key/data</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
    publicAccessBlock: (i) =>
      i % 4 === 3
        ? new FakeErrorAnswer(404, "NoSuchPublicAccessBlockConfiguration")
        : `<PublicAccessBlockConfiguration ${ns}><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`,
  };
  fake.answer("s3", /^GET \/[^/]+\/?\?[A-Za-z]+$/, (call) => {
    const [, bucket = "", setting = ""] = /^GET \/([^/]+)\/?\?(\w+)$/.exec(call.operation) ?? [];
    const i = index.get(decodeURIComponent(bucket));
    const answer = settings[setting];
    if (i === undefined) return new FakeErrorAnswer(404, "NoSuchBucket");
    if (answer === undefined) return new FakeErrorAnswer(400, "NotImplemented");
    return answer(i);
  });
}

/**
 * Scripts the whole estate on `fake` and says what it holds and what a complete scan of
 * it costs at least. Call on a fresh fake (or one whose earlier scripts may be shadowed).
 */
export function scriptAwsEstate(fake: FakeAws, options: AwsEstateOptions): AwsEstate {
  const accountId = options.accountId ?? "123456789012";
  const buckets = options.buckets ?? options.perType;
  const roles = options.roles ?? options.perType;
  const regionsListed = options.bucketRegionsListed ?? true;
  scriptDiscovery(fake, accountId, options.regions);

  const calls = new Map<string, number>();
  const add = (op: string, n: number) => calls.set(op, (calls.get(op) ?? 0) + n);
  const pagesFor = (op: PagedOperation, n: number) => add(op, pageCount(n, PAGE_SIZES[op]));
  add("sts:GetCallerIdentity", 1);
  if (options.regionsGiven !== true) add("ec2:DescribeRegions", 1);

  const partitions: EstatePartition[] = [];
  const regional = (Object.keys(RESOURCE_TYPES) as ResourceType[]).filter(
    (t): t is RegionalType => RESOURCE_TYPES[t].scope === "regional",
  );
  options.regions.forEach((region, r) => {
    const p = new RegionPlan(region, r + 1, accountId, options);
    scriptEc2(fake, p);
    scriptAutoscaling(fake, p);
    scriptEks(fake, p);
    scriptRds(fake, p);
    scriptElbv2(fake, p);
    for (const resourceType of regional) {
      partitions.push({ resourceType, accountId, region, ids: p.ids(resourceType) });
    }

    const n = p.count;
    for (const [op, type] of [
      ["ec2:DescribeInstances", "ec2_instance"],
      ["ec2:DescribeLaunchTemplates", "launch_template"],
      ["ec2:DescribeLaunchTemplateVersions", "launch_template"],
      ["ec2:DescribeVpcs", "vpc"],
      ["ec2:DescribeSubnets", "subnet"],
      ["ec2:DescribeInternetGateways", "internet_gateway"],
      ["ec2:DescribeNatGateways", "nat_gateway"],
      ["ec2:DescribeVpcPeeringConnections", "vpc_peering"],
      ["ec2:DescribeSecurityGroups", "security_group"],
      ["autoscaling:DescribeAutoScalingGroups", "autoscaling_group"],
      ["rds:DescribeDBInstances", "rds_instance"],
      ["rds:DescribeDBSubnetGroups", "db_subnet_group"],
      ["elbv2:DescribeLoadBalancers", "load_balancer"],
    ] as const) {
      pagesFor(op, n(type));
    }
    // Listed twice: by route_table, and by subnet for the main tables.
    pagesFor("ec2:DescribeRouteTables", n("route_table"));
    pagesFor("ec2:DescribeRouteTables", n("route_table"));
    // Listed twice: by target_group, and by load_balancer for the groups routing to it.
    pagesFor("elbv2:DescribeTargetGroups", n("target_group"));
    pagesFor("elbv2:DescribeTargetGroups", n("target_group"));
    add("rds:ListTagsForResource", n("db_subnet_group"));
    add("elbv2:DescribeTargetHealth", n("target_group"));
    for (const [type, op] of [
      ["load_balancer", "elbv2:DescribeLoadBalancers"],
      ["target_group", "elbv2:DescribeTargetGroups"],
    ] as const) {
      const pages = pagesOf(range(n(type)), PAGE_SIZES[op]);
      add(
        "elbv2:DescribeTags",
        pages.reduce((sum, page) => sum + Math.ceil(page.length / ELBV2_TAGS_CHUNK), 0),
      );
    }
    // ListClusters by both EKS collectors; ListNodegroups by both, per cluster.
    pagesFor("eks:ListClusters", n("eks_cluster"));
    pagesFor("eks:ListClusters", n("eks_cluster"));
    add("eks:DescribeCluster", n("eks_cluster"));
    add("eks:ListFargateProfiles", n("eks_cluster"));
    for (const c of range(n("eks_cluster"))) {
      pagesFor("eks:ListNodegroups", p.nodegroupsOf(c).length);
      pagesFor("eks:ListNodegroups", p.nodegroupsOf(c).length);
    }
    add("eks:DescribeNodegroup", n("eks_node_group"));
  });

  scriptIam(fake, accountId, roles);
  pagesFor("iam:ListRoles", roles);
  pagesFor("iam:ListInstanceProfiles", Math.ceil(roles / 2));
  add("iam:ListRoleTags", roles);
  add("iam:ListAttachedRolePolicies", roles);
  partitions.push({
    resourceType: "iam_role",
    accountId,
    region: "global",
    ids: range(roles).map((i) => `arn:aws:iam::${accountId}:role/service/role-${i}`),
  });

  scriptS3(fake, accountId, options.regions, buckets, regionsListed);
  pagesFor("s3:ListBuckets", buckets);
  if (!regionsListed) add("s3:GetBucketLocation", buckets);
  for (const op of [
    "GetBucketTagging",
    "GetBucketVersioning",
    "GetBucketEncryption",
    "GetPublicAccessBlock",
  ]) {
    add(`s3:${op}`, buckets);
  }
  partitions.push({
    resourceType: "s3_bucket",
    accountId,
    region: "global",
    ids: range(buckets).map(bucketName),
  });

  return {
    accountId,
    regions: [...options.regions],
    notEnabledRegion: NOT_ENABLED_REGION,
    partitions,
    minimumCalls: new Map(
      [...calls].filter(([, v]) => v > 0).sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}

/** Whether a call the fake received is one of a paged operation (REST ones by method and path). */
export function isCallOf(call: FakeCall, op: PagedOperation): boolean {
  const [key, name] = op.split(":") as [AwsService, string];
  if (call.service !== SERVICES[key].iamPrefix) return false;
  if (op === "eks:ListClusters") return call.operation === "GET /clusters";
  if (op === "eks:ListNodegroups")
    return /^GET \/clusters\/[^/]+\/node-groups$/.test(call.operation);
  if (op === "eks:ListFargateProfiles") {
    return /^GET \/clusters\/[^/]+\/fargate-profiles$/.test(call.operation);
  }
  if (op === "s3:ListBuckets") return call.operation === "GET /";
  return call.operation === name;
}

/**
 * The list calls that did not ask for their operation's largest page, as
 * `ec2:DescribeInstances MaxResults=500`. The fake serves its pages whatever the request
 * asks, so this, not the call count, is what catches a smaller page size.
 */
export function pageSizeViolations(calls: readonly FakeCall[]): string[] {
  const wrong: string[] = [];
  for (const op of Object.keys(PAGE_SIZES) as PagedOperation[]) {
    const param = PAGE_SIZE_PARAMS[op];
    for (const call of calls.filter((c) => isCallOf(c, op))) {
      if (call.params[param] !== String(PAGE_SIZES[op])) {
        wrong.push(`${op} ${param}=${call.params[param] ?? "(none)"}`);
      }
    }
  }
  return wrong;
}
