/** ECS ListClusters / DescribeClusters output, as the SDK returns it. */

import type { Cluster } from "@aws-sdk/client-ecs";
import { DescribeClustersCommand, ListClustersCommand } from "@aws-sdk/client-ecs";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, type EstateRegion } from "../../../support/aws-fixture.ts";

/** An ECS ARN of the test account: `ecsArn("cluster", "prod")`. */
export function ecsArn(kind: string, rest: string): string {
  return `arn:aws:ecs:us-east-1:123456789012:${kind}/${rest}`;
}

/** A cluster with every field the mapping reads. */
export const fullEcsCluster: Cluster = {
  clusterArn: ecsArn("cluster", "prod"),
  clusterName: "prod",
  status: "ACTIVE",
  registeredContainerInstancesCount: 3,
  runningTasksCount: 12,
  pendingTasksCount: 1,
  activeServicesCount: 4,
  capacityProviders: ["FARGATE", "FARGATE_SPOT", "prod-asg-cp"],
  defaultCapacityProviderStrategy: [
    { capacityProvider: "FARGATE", weight: 1, base: 2 },
    { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 },
  ],
  settings: [{ name: "containerInsights", value: "enhanced" }],
  tags: [
    { key: "Name", value: "prod-ecs" },
    { key: "Team", value: "platform" },
  ],
};

/** The largest page of ECS list operations. */
export const ECS_PAGING = {
  pageSize: "maxResults",
  max: 100,
  inputToken: "nextToken",
  outputToken: "nextToken",
} as const;

/** The ARN of a cluster of the estate. */
export function estateClusterArn(r: EstateRegion, name: string): string {
  return `arn:aws:ecs:${r.region}:${r.accountId}:cluster/${name}`;
}

export default defineAwsFixture({
  type: "ecs_cluster",
  listing: ListClustersCommand,
  full: {
    id: "prod",
    answers: [
      on(ListClustersCommand).answer({ clusterArns: [ecsArn("cluster", "prod")] }),
      on(DescribeClustersCommand).answer({ clusters: [fullEcsCluster], failures: [] }),
    ],
  },
  estate: {
    id: (r, k) => `ecs-${r.hex(k)}`,
    // The services and tasks of the clusters are ecs_service's and ecs_task's.
    answers: (r) => {
      const names = r.ids("ecs_cluster");
      const byArn = new Map(names.map((name) => [estateClusterArn(r, name), name]));
      return [
        on(ListClustersCommand).pages(
          { ...ECS_PAGING, items: "clusterArns" },
          names.map((n) => estateClusterArn(r, n)),
        ),
        on(DescribeClustersCommand).answerBy(({ clusters = [] }) => ({
          clusters: clusters.flatMap((arn): Cluster[] => {
            const clusterName = byArn.get(arn);
            if (clusterName === undefined) return [];
            return [
              {
                clusterArn: arn,
                clusterName,
                status: "ACTIVE",
                capacityProviders: ["FARGATE"],
                settings: [{ name: "containerInsights", value: "disabled" }],
                tags: [{ key: "team", value: "platform" }],
              },
            ];
          }),
          failures: clusters
            .filter((arn) => !byArn.has(arn))
            .map((arn) => ({ arn, reason: "MISSING" })),
        })),
      ];
    },
    minimumCalls: (r) => [
      [ListClustersCommand, r.pages(ListClustersCommand)],
      [DescribeClustersCommand, r.pageLengths(ListClustersCommand).filter((n) => n > 0).length],
    ],
  },
});
