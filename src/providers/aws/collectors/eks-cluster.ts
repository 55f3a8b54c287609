/**
 * eks_cluster: EKS clusters. ListClusters gives only names, 100 a page; every cluster then
 * costs a DescribeCluster, a ListNodegroups and a ListFargateProfiles (each paged at 100),
 * the only way EKS tells these things, run concurrently under `ctx.limit`. A cluster
 * deleted between the list and its describe is left out: it no longer exists.
 */
import {
  type Cluster,
  DescribeClusterCommand,
  paginateListClusters,
  paginateListFargateProfiles,
  paginateListNodegroups,
} from "@aws-sdk/client-eks";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { EksClusterSchema } from "../../../gen/elava/v1/containers_pb.ts";
import {
  allItems,
  type CollectorContext,
  callOptions,
  defineCollector,
  describeEach,
  limited,
} from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, timestamp } from "../tags.ts";

/** The largest page of EKS list operations. */
export const EKS_PAGE_SIZE = 100;

/** A cluster with the names of its managed node groups and Fargate profiles. */
export interface EksClusterItem {
  readonly cluster: Cluster;
  readonly nodegroups: readonly string[];
  readonly fargateProfiles: readonly string[];
}

/** Streams the unit's cluster names, one ListClusters call per page. */
export async function* clusterNamePages(ctx: CollectorContext): AsyncGenerator<string[]> {
  for await (const page of paginateListClusters(
    { client: ctx.clients.eks, pageSize: EKS_PAGE_SIZE },
    {},
    callOptions(ctx),
  )) {
    yield page.clusters ?? [];
  }
}

/** Every node group name of a cluster; each ListNodegroups page runs under `ctx.limit`. */
export function nodegroupNames(ctx: CollectorContext, clusterName: string): Promise<string[]> {
  const pages = paginateListNodegroups(
    { client: limited(ctx, ctx.clients.eks), pageSize: EKS_PAGE_SIZE },
    { clusterName },
    callOptions(ctx),
  );
  return allItems(pages, (page) => page.nodegroups);
}

function fargateProfileNames(ctx: CollectorContext, clusterName: string): Promise<string[]> {
  const pages = paginateListFargateProfiles(
    { client: limited(ctx, ctx.clients.eks), pageSize: EKS_PAGE_SIZE },
    { clusterName },
    callOptions(ctx),
  );
  return allItems(pages, (page) => page.fargateProfileNames);
}

/** True for the answer EKS gives about a resource deleted since it was listed. */
export function isGone(err: unknown): boolean {
  return awsErrorName(err) === "ResourceNotFoundException";
}

async function describe(ctx: CollectorContext, name: string): Promise<EksClusterItem | undefined> {
  try {
    const [described, nodegroups, fargateProfiles] = await Promise.all([
      ctx.limit(() => ctx.clients.eks.send(new DescribeClusterCommand({ name }), callOptions(ctx))),
      nodegroupNames(ctx, name),
      fargateProfileNames(ctx, name),
    ]);
    // A describe without a cluster is kept so that toProto fails the partition on it.
    return { cluster: described.cluster ?? {}, nodegroups, fargateProfiles };
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** EKS clusters with their node group and Fargate profile names. */
export const eksClusterCollector = defineCollector({
  type: "eks_cluster",
  service: "eks",
  iamActions: [
    "eks:ListClusters",
    "eks:DescribeCluster",
    "eks:ListNodegroups",
    "eks:ListFargateProfiles",
  ],

  async *list(ctx): AsyncGenerator<EksClusterItem[]> {
    for await (const names of clusterNamePages(ctx)) {
      yield await describeEach(names, (name) => describe(ctx, name));
    }
  },

  toProto({ cluster: c, nodegroups, fargateProfiles }: EksClusterItem, unit) {
    const name = requireId(c.name, `EKS cluster (ARN ${c.arn ?? "none"})`, unit);
    const tags = { ...c.tags };
    const vpc = c.resourcesVpcConfig;
    const groups = [...(vpc?.securityGroupIds ?? [])];
    if (vpc?.clusterSecurityGroupId && !groups.includes(vpc.clusterSecurityGroupId)) {
      groups.push(vpc.clusterSecurityGroupId);
    }
    return {
      id: name,
      name: nameFrom(tags, name),
      arn: c.arn ?? "",
      tags,
      payload: payload(
        "eks_cluster",
        create(EksClusterSchema, {
          name,
          version: c.version ?? "",
          status: c.status ?? "",
          endpoint: c.endpoint ?? "",
          roleArn: c.roleArn ?? "",
          vpcId: vpc?.vpcId ?? "",
          subnetIds: vpc?.subnetIds ?? [],
          securityGroupIds: groups,
          nodeGroupNames: [...nodegroups],
          fargateProfiles: [...fargateProfiles],
          createdAt: timestamp(c.createdAt),
          platformVersion: c.platformVersion ?? "",
          endpointPublicAccess: vpc?.endpointPublicAccess ?? false,
        }),
      ),
    };
  },
});
