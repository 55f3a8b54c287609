/** EKS DescribeNodegroup output, as the SDK returns it. */

import type { Nodegroup } from "@aws-sdk/client-eks";
import {
  DescribeNodegroupCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
} from "@aws-sdk/client-eks";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, type EstateRegion, range } from "../../../support/aws-fixture.ts";

/** A node group's ARN in the test account. */
export function nodegroupArn(cluster: string, name: string): string {
  return `arn:aws:eks:us-east-1:123456789012:nodegroup/${cluster}/${name}/8ec5f5c8-1111-2222-3333-444455556666`;
}

/** A node group with every field the mapping reads. */
export const fullNodegroup: Nodegroup = {
  nodegroupName: "workers",
  nodegroupArn: nodegroupArn("prod", "workers"),
  clusterName: "prod",
  version: "1.30",
  releaseVersion: "1.30.4-20260301",
  createdAt: new Date("2026-03-04T05:06:07Z"),
  modifiedAt: new Date("2026-03-05T05:06:07Z"),
  status: "ACTIVE",
  capacityType: "SPOT",
  scalingConfig: { minSize: 2, maxSize: 10, desiredSize: 3 },
  instanceTypes: ["m6i.large", "m5.large"],
  subnets: ["subnet-0priv1", "subnet-0priv2"],
  remoteAccess: { ec2SshKey: "ops", sourceSecurityGroups: ["sg-0bastion000000001"] },
  amiType: "AL2023_x86_64_STANDARD",
  nodeRole: "arn:aws:iam::123456789012:role/eks-node",
  labels: { "node.kubernetes.io/pool": "workers" },
  taints: [{ key: "dedicated", value: "batch", effect: "NO_SCHEDULE" }],
  resources: {
    autoScalingGroups: [{ name: "eks-workers-20260304" }],
    remoteAccessSecurityGroup: "sg-0remote000000001",
  },
  launchTemplate: { id: "lt-0abc1234def567890", name: "eks-workers", version: "7" },
  tags: { Name: "prod-workers", Team: "platform" },
};

/** A node group being created: only its identity. */
export function bareNodegroup(cluster: string, name: string): Nodegroup {
  return {
    nodegroupName: name,
    clusterName: cluster,
    nodegroupArn: nodegroupArn(cluster, name),
    status: "CREATING",
  };
}

/** The node groups of a cluster of the estate: node group j belongs to cluster j mod clusters. */
function nodegroupsOf(r: EstateRegion, clusterName: string): number[] | undefined {
  const clusters = r.ids("eks_cluster");
  const c = clusters.indexOf(clusterName);
  if (c < 0) return undefined;
  return range(r.count("eks_node_group")).filter((j) => j % clusters.length === c);
}

export default defineAwsFixture({
  type: "eks_node_group",
  listing: ListClustersCommand,
  full: {
    id: "prod/workers",
    answers: [
      on(ListClustersCommand).answer({ clusters: ["prod"] }),
      on(ListNodegroupsCommand).answer({ nodegroups: ["workers"] }),
      on(DescribeNodegroupCommand).answer({ nodegroup: fullNodegroup }),
    ],
  },
  estate: {
    id: (r, k) => `${r.id("eks_cluster", k)}/ng-${k}`,
    // A node group needs a cluster to belong to.
    count: (r, asked) => (r.count("eks_cluster") === 0 ? 0 : asked),
    answers: (r) => [
      on(ListNodegroupsCommand).pagesBy(
        {
          items: "nodegroups",
          pageSize: "maxResults",
          max: 100,
          inputToken: "nextToken",
          outputToken: "nextToken",
        },
        ({ clusterName = "" }) =>
          nodegroupsOf(r, clusterName)?.map((j) => `ng-${j}`) ??
          new AwsErrorAnswer(404, "ResourceNotFoundException"),
      ),
      on(DescribeNodegroupCommand).answerBy(({ clusterName = "", nodegroupName = "" }) => {
        const j = Number(nodegroupName.slice(3));
        if (
          !nodegroupName.startsWith("ng-") ||
          r.id("eks_node_group", j) !== `${clusterName}/${nodegroupName}`
        ) {
          return new AwsErrorAnswer(404, "ResourceNotFoundException");
        }
        const template = r.id("launch_template", j);
        return {
          nodegroup: {
            nodegroupName,
            clusterName,
            nodegroupArn: `arn:aws:eks:${r.region}:${r.accountId}:nodegroup/${clusterName}/${nodegroupName}/${r.hex(j)}`,
            version: "1.30",
            status: "ACTIVE",
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
            instanceTypes: ["m6i.large"],
            subnets: r.id("subnet", j) === "" ? [] : [r.id("subnet", j)],
            amiType: "AL2023_x86_64_STANDARD",
            nodeRole: `arn:aws:iam::${r.accountId}:role/eks-node`,
            labels: { role: "worker" },
            taints: [{ key: "dedicated", value: "web", effect: "NO_SCHEDULE" }],
            resources: {
              autoScalingGroups:
                r.id("autoscaling_group", j) === "" ? [] : [{ name: r.id("autoscaling_group", j) }],
              remoteAccessSecurityGroup: r.id("security_group", j) || undefined,
            },
            launchTemplate:
              template === "" ? undefined : { id: template, name: `lt-${j}`, version: "1" },
            createdAt: r.epoch,
            tags: { team: "platform" },
          },
        };
      }),
    ],
    minimumCalls: (r) => [
      [ListClustersCommand, r.pages(ListClustersCommand)],
      [
        ListNodegroupsCommand,
        r
          .ids("eks_cluster")
          .reduce((n, clusterName) => n + r.pages(ListNodegroupsCommand, { clusterName }), 0),
      ],
      [DescribeNodegroupCommand, r.count("eks_node_group")],
    ],
  },
});
