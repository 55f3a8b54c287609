/**
 * eks_node_group: EKS managed node groups. Per ListClusters page (100 names), each
 * cluster's ListNodegroups pages and then one DescribeNodegroup per group, all under
 * `ctx.limit`: EKS has no other way to tell a node group's settings. A node group's id is
 * "<cluster>/<nodegroup>" because names are unique only within a cluster.
 */
import { DescribeNodegroupCommand, type Nodegroup } from "@aws-sdk/client-eks";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { EksNodeGroupSchema, NodeTaintSchema } from "../../../gen/elava/v1/containers_pb.ts";
import { type CollectorContext, callOptions, defineCollector } from "../collector.ts";
import { nameFrom, requireId, timestamp } from "../tags.ts";
import { clusterNamePages, isGone, nodegroupNames } from "./eks-cluster.ts";

async function nodegroupsOf(ctx: CollectorContext, clusterName: string): Promise<Nodegroup[]> {
  let names: string[];
  try {
    names = await nodegroupNames(ctx, clusterName);
  } catch (err) {
    if (isGone(err)) return [];
    throw err;
  }
  const described = await Promise.all(
    names.map((nodegroupName) =>
      ctx
        .limit(() =>
          ctx.clients.eks.send(
            new DescribeNodegroupCommand({ clusterName, nodegroupName }),
            callOptions(ctx),
          ),
        )
        .then(
          // A describe without a node group is kept so that toProto fails the partition on it.
          (out) => out.nodegroup ?? {},
          (err: unknown) => {
            if (isGone(err)) return undefined;
            throw err;
          },
        ),
    ),
  );
  return described.filter((g): g is Nodegroup => g !== undefined);
}

/** EKS managed node groups of every cluster of the unit. */
export const eksNodeGroupCollector = defineCollector({
  type: "eks_node_group",
  service: "eks",
  iamActions: ["eks:ListClusters", "eks:ListNodegroups", "eks:DescribeNodegroup"],

  async *list(ctx): AsyncGenerator<Nodegroup[]> {
    for await (const clusters of clusterNamePages(ctx)) {
      const perCluster = await Promise.all(clusters.map((name) => nodegroupsOf(ctx, name)));
      yield perCluster.flat();
    }
  },

  toProto(g: Nodegroup, unit) {
    const what = `EKS node group (ARN ${g.nodegroupArn ?? "none"})`;
    const cluster = requireId(g.clusterName, `${what} without a cluster name`, unit);
    const nodegroup = requireId(g.nodegroupName, what, unit);
    const id = `${cluster}/${nodegroup}`;
    const tags = { ...g.tags };
    return {
      id,
      name: nameFrom(tags, nodegroup),
      arn: g.nodegroupArn ?? "",
      tags,
      payload: payload(
        "eks_node_group",
        create(EksNodeGroupSchema, {
          clusterName: cluster,
          nodeGroupName: nodegroup,
          status: g.status ?? "",
          nodeRole: g.nodeRole ?? "",
          instanceTypes: g.instanceTypes ?? [],
          amiType: g.amiType ?? "",
          minSize: g.scalingConfig?.minSize ?? 0,
          maxSize: g.scalingConfig?.maxSize ?? 0,
          desiredSize: g.scalingConfig?.desiredSize ?? 0,
          currentSize: g.scalingConfig?.desiredSize ?? 0,
          autoscalingGroupName: g.resources?.autoScalingGroups?.[0]?.name ?? "",
          subnetIds: g.subnets ?? [],
          launchTemplateId: g.launchTemplate?.id ?? "",
          remoteAccessSg: g.resources?.remoteAccessSecurityGroup ?? "",
          labels: { ...g.labels },
          taints: (g.taints ?? []).map((t) =>
            create(NodeTaintSchema, {
              key: t.key ?? "",
              value: t.value ?? "",
              effect: t.effect ?? "",
            }),
          ),
          createdAt: timestamp(g.createdAt),
          capacityType: g.capacityType ?? "",
          version: g.version ?? "",
        }),
      ),
    };
  },
});
