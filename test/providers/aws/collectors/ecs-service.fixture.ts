/** ECS ListServices / DescribeServices output, as the SDK returns it. */

import type { Service } from "@aws-sdk/client-ecs";
import {
  DescribeServicesCommand,
  ListClustersCommand,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, type EstateRegion, range } from "../../../support/aws-fixture.ts";
import { ECS_PAGING, ecsArn, estateClusterArn } from "./ecs-cluster.fixture.ts";

/** A service with every field the mapping reads. */
export const fullEcsService: Service = {
  serviceArn: ecsArn("service", "prod/web"),
  serviceName: "web",
  clusterArn: ecsArn("cluster", "prod"),
  loadBalancers: [
    {
      targetGroupArn:
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
      loadBalancerName: "legacy-web",
      containerName: "web",
      containerPort: 8080,
    },
  ],
  status: "ACTIVE",
  desiredCount: 4,
  runningCount: 3,
  pendingCount: 1,
  launchType: "FARGATE",
  capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 2, base: 1 }],
  platformVersion: "1.4.0",
  taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:42",
  roleArn: "arn:aws:iam::123456789012:role/ecsServiceRole",
  createdAt: new Date("2026-03-04T05:06:07Z"),
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: ["subnet-0priv1", "subnet-0priv2"],
      securityGroups: ["sg-0web0000000000001"],
      assignPublicIp: "ENABLED",
    },
  },
  healthCheckGracePeriodSeconds: 60,
  schedulingStrategy: "REPLICA",
  deploymentController: { type: "ECS" },
  enableExecuteCommand: true,
  tags: [
    { key: "Name", value: "prod-web" },
    { key: "Team", value: "web" },
  ],
};

/** The services of a cluster of the estate: service j belongs to cluster j mod clusters. */
function servicesOf(r: EstateRegion, clusterArn: string): number[] | undefined {
  const clusters = r.ids("ecs_cluster");
  const c = clusters.findIndex((name) => estateClusterArn(r, name) === clusterArn);
  if (c < 0) return undefined;
  return range(r.count("ecs_service")).filter((j) => j % clusters.length === c);
}

function serviceArn(r: EstateRegion, j: number): string {
  return `arn:aws:ecs:${r.region}:${r.accountId}:service/${r.id("ecs_cluster", j)}/svc-${j}`;
}

export default defineAwsFixture({
  type: "ecs_service",
  listing: ListClustersCommand,
  full: {
    id: "prod/web",
    answers: [
      on(ListClustersCommand).answer({ clusterArns: [ecsArn("cluster", "prod")] }),
      on(ListServicesCommand).answer({ serviceArns: [ecsArn("service", "prod/web")] }),
      on(DescribeServicesCommand).answer({ services: [fullEcsService], failures: [] }),
    ],
  },
  estate: {
    id: (r, k) => `${r.id("ecs_cluster", k)}/svc-${k}`,
    // A service needs a cluster to belong to.
    count: (r, asked) => (r.count("ecs_cluster") === 0 ? 0 : asked),
    answers: (r) => {
      const arns = new Map(range(r.count("ecs_service")).map((j) => [serviceArn(r, j), j]));
      return [
        on(ListServicesCommand).pagesBy(
          { ...ECS_PAGING, items: "serviceArns" },
          ({ cluster = "" }) =>
            servicesOf(r, cluster)?.map((j) => serviceArn(r, j)) ??
            new AwsErrorAnswer(400, "ClusterNotFoundException"),
        ),
        on(DescribeServicesCommand).answerBy(({ cluster = "", services = [] }) => ({
          services: services.flatMap((arn): Service[] => {
            const j = arns.get(arn);
            if (j === undefined || estateClusterArn(r, r.id("ecs_cluster", j)) !== cluster)
              return [];
            const subnet = r.id("subnet", j);
            const group = r.id("security_group", j);
            const targetGroup = r.id("target_group", j);
            return [
              {
                serviceArn: arn,
                serviceName: `svc-${j}`,
                clusterArn: cluster,
                status: "ACTIVE",
                desiredCount: 2,
                runningCount: 2,
                pendingCount: 0,
                launchType: "FARGATE",
                taskDefinition: `arn:aws:ecs:${r.region}:${r.accountId}:task-definition/svc-${j}:1`,
                loadBalancers:
                  targetGroup === ""
                    ? []
                    : [{ targetGroupArn: targetGroup, containerName: "app", containerPort: 80 }],
                networkConfiguration: {
                  awsvpcConfiguration: {
                    subnets: subnet === "" ? [] : [subnet],
                    securityGroups: group === "" ? [] : [group],
                    assignPublicIp: "DISABLED",
                  },
                },
                schedulingStrategy: "REPLICA",
                createdAt: r.epoch,
                tags: [{ key: "team", value: "web" }],
              },
            ];
          }),
          failures: [],
        })),
      ];
    },
    minimumCalls: (r) => {
      const perCluster = r
        .ids("ecs_cluster")
        .map((name) => estateClusterArn(r, name))
        .map((cluster) => ({
          pages: r.pages(ListServicesCommand, { cluster }),
          services: servicesOf(r, cluster)?.length ?? 0,
        }));
      return [
        [ListClustersCommand, r.pages(ListClustersCommand)],
        [ListServicesCommand, perCluster.reduce((n, c) => n + c.pages, 0)],
        [DescribeServicesCommand, perCluster.reduce((n, c) => n + Math.ceil(c.services / 10), 0)],
      ];
    },
  },
});
