/** EKS DescribeCluster output, as the SDK returns it. */

import type { Cluster } from "@aws-sdk/client-eks";
import {
  DescribeClusterCommand,
  ListClustersCommand,
  ListFargateProfilesCommand,
  ListNodegroupsCommand,
} from "@aws-sdk/client-eks";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** The cluster's ARN in the test account. */
export function clusterArn(name: string): string {
  return `arn:aws:eks:us-east-1:123456789012:cluster/${name}`;
}

/** A cluster with every field the mapping reads. */
export const fullCluster: Cluster = {
  name: "prod",
  arn: clusterArn("prod"),
  createdAt: new Date("2026-03-04T05:06:07Z"),
  version: "1.30",
  endpoint: "https://ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com",
  roleArn: "arn:aws:iam::123456789012:role/eks-cluster",
  resourcesVpcConfig: {
    subnetIds: ["subnet-0priv1", "subnet-0priv2"],
    securityGroupIds: ["sg-0ctrl000000000001"],
    clusterSecurityGroupId: "sg-0cluster00000001",
    vpcId: "vpc-0abc1234",
    endpointPublicAccess: true,
    endpointPrivateAccess: true,
    publicAccessCidrs: ["0.0.0.0/0"],
  },
  status: "ACTIVE",
  platformVersion: "eks.12",
  tags: { Name: "prod-k8s", Team: "platform" },
  certificateAuthority: { data: "LS0tLS1CRUdJTi==" },
};

/** A cluster being created: no endpoint or VPC details yet. */
export const creatingCluster: Cluster = {
  name: "staging",
  arn: clusterArn("staging"),
  status: "CREATING",
};

/** The largest page of EKS list operations. */
const EKS_PAGING = {
  pageSize: "maxResults",
  max: 100,
  inputToken: "nextToken",
  outputToken: "nextToken",
} as const;

export default defineAwsFixture({
  type: "eks_cluster",
  listing: ListClustersCommand,
  full: {
    id: "prod",
    answers: [
      on(ListClustersCommand).answer({ clusters: ["prod"] }),
      on(DescribeClusterCommand).answer({ cluster: fullCluster }),
      on(ListNodegroupsCommand).answer({ nodegroups: ["workers"] }),
      on(ListFargateProfilesCommand).answer({ fargateProfileNames: ["kube-system"] }),
    ],
  },
  estate: {
    id: (_r, k) => `eks-${k}`,
    // Every other cluster has one Fargate profile; the node groups are eks_node_group's.
    answers: (r) => {
      const clusters = r.ids("eks_cluster");
      const index = new Map(clusters.map((name, c) => [name, c]));
      return [
        on(ListClustersCommand).pages({ ...EKS_PAGING, items: "clusters" }, clusters),
        on(DescribeClusterCommand).answerBy(({ name = "" }) => {
          const c = index.get(name);
          if (c === undefined) return new AwsErrorAnswer(404, "ResourceNotFoundException");
          return {
            cluster: {
              name,
              arn: `arn:aws:eks:${r.region}:${r.accountId}:cluster/${name}`,
              version: "1.30",
              status: "ACTIVE",
              endpoint: `https://${r.hex(c)}.gr7.${r.region}.eks.amazonaws.com`,
              roleArn: `arn:aws:iam::${r.accountId}:role/eks-cluster`,
              platformVersion: "eks.7",
              createdAt: r.epoch,
              resourcesVpcConfig: {
                vpcId: r.id("vpc", c) || undefined,
                subnetIds: r.id("subnet", c) === "" ? [] : [r.id("subnet", c)],
                securityGroupIds:
                  r.id("security_group", c) === "" ? [] : [r.id("security_group", c)],
                clusterSecurityGroupId: `sg-eks${r.hex(c)}`,
                endpointPublicAccess: true,
              },
              tags: { team: "platform" },
            },
          };
        }),
        on(ListFargateProfilesCommand).pagesBy(
          { ...EKS_PAGING, items: "fargateProfileNames" },
          ({ clusterName = "" }) => {
            const c = index.get(clusterName);
            if (c === undefined) return new AwsErrorAnswer(404, "ResourceNotFoundException");
            return c % 2 === 0 ? [`fp-${c}`] : [];
          },
        ),
      ];
    },
    minimumCalls: (r) => {
      const clusters = r.ids("eks_cluster");
      const perCluster = (
        command: typeof ListNodegroupsCommand | typeof ListFargateProfilesCommand,
      ) => clusters.reduce((n, clusterName) => n + r.pages(command, { clusterName }), 0);
      return [
        [ListClustersCommand, r.pages(ListClustersCommand)],
        [DescribeClusterCommand, clusters.length],
        [ListNodegroupsCommand, perCluster(ListNodegroupsCommand)],
        [ListFargateProfilesCommand, perCluster(ListFargateProfilesCommand)],
      ];
    },
  },
});
