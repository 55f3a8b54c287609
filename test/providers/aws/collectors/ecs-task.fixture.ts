/** ECS ListTasks / DescribeTasks / DescribeContainerInstances output, as the SDK returns it. */

import type { ContainerInstance, Task } from "@aws-sdk/client-ecs";
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, type EstateRegion, range } from "../../../support/aws-fixture.ts";
import { ECS_PAGING, ecsArn, estateClusterArn } from "./ecs-cluster.fixture.ts";

/** The full task's ARN. */
export const fullTaskArn = ecsArn("task", "prod/0123456789abcdef0123456789abcdef");
/** The full task's container instance. */
export const fullContainerInstanceArn = ecsArn(
  "container-instance",
  "prod/fedcba9876543210fedcba9876543210",
);

/** A task of a service on an EC2 container instance, with every field the mapping reads. */
export const fullEcsTask: Task = {
  taskArn: fullTaskArn,
  clusterArn: ecsArn("cluster", "prod"),
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:42",
  containerInstanceArn: fullContainerInstanceArn,
  group: "service:web",
  launchType: "EC2",
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  availabilityZone: "us-east-1a",
  cpu: "512",
  memory: "1024",
  createdAt: new Date("2026-03-04T05:06:07Z"),
  startedAt: new Date("2026-03-04T05:06:52Z"),
  startedBy: "ecs-svc/1234567890123456789",
  capacityProviderName: "prod-asg-cp",
  platformVersion: "1.4.0",
  healthStatus: "HEALTHY",
  connectivity: "CONNECTED",
  enableExecuteCommand: true,
  containers: [
    { name: "web", lastStatus: "RUNNING" },
    { name: "log-router", lastStatus: "RUNNING" },
  ],
  attachments: [
    {
      id: "a1b2c3d4-0000-1111-2222-333344445555",
      type: "ElasticNetworkInterface",
      status: "ATTACHED",
      details: [
        { name: "subnetId", value: "subnet-0priv1" },
        { name: "networkInterfaceId", value: "eni-0abc1234def567890" },
        { name: "macAddress", value: "0a:1b:2c:3d:4e:5f" },
        { name: "privateIPv4Address", value: "10.0.1.23" },
      ],
    },
  ],
  tags: [
    { key: "Name", value: "web-task" },
    { key: "Team", value: "web" },
  ],
};

/** The full task's container instance. */
export const fullContainerInstance: ContainerInstance = {
  containerInstanceArn: fullContainerInstanceArn,
  ec2InstanceId: "i-0aaa1111bbbb2222c",
  status: "ACTIVE",
};

/** The tasks of a cluster of the estate: task j belongs to cluster j mod clusters. */
function tasksOf(r: EstateRegion, clusterArn: string): number[] | undefined {
  const clusters = r.ids("ecs_cluster");
  const c = clusters.findIndex((name) => estateClusterArn(r, name) === clusterArn);
  if (c < 0) return undefined;
  return range(r.count("ecs_task")).filter((j) => j % clusters.length === c);
}

/** Task j runs on container instance j, which runs on EC2 instance j. */
function containerInstanceArn(r: EstateRegion, j: number): string {
  return `arn:aws:ecs:${r.region}:${r.accountId}:container-instance/${r.id("ecs_cluster", j)}/ci${r.hex(j)}`;
}

/** The index of each task of the estate by the hex its ARN and container instance end in. */
function taskIndexes(r: EstateRegion): Map<string, number> {
  return new Map(range(r.count("ecs_task")).map((j) => [r.hex(j), j]));
}

export default defineAwsFixture({
  type: "ecs_task",
  listing: ListClustersCommand,
  full: {
    id: fullTaskArn,
    answers: [
      on(ListClustersCommand).answer({ clusterArns: [ecsArn("cluster", "prod")] }),
      on(ListTasksCommand).answer({ taskArns: [fullTaskArn] }),
      on(DescribeTasksCommand).answer({ tasks: [fullEcsTask], failures: [] }),
      on(DescribeContainerInstancesCommand).answer({
        containerInstances: [fullContainerInstance],
        failures: [],
      }),
    ],
  },
  estate: {
    id: (r, k) =>
      `arn:aws:ecs:${r.region}:${r.accountId}:task/${r.id("ecs_cluster", k)}/${r.hex(k)}`,
    // A task needs a cluster; tasks with an EC2 instance to run on are EC2 tasks.
    count: (r, asked) => (r.count("ecs_cluster") === 0 ? 0 : asked),
    answers: (r) => {
      const ec2 = r.count("ec2_instance") > 0;
      const index = taskIndexes(r);
      return [
        on(ListTasksCommand).pagesBy(
          { ...ECS_PAGING, items: "taskArns" },
          ({ cluster = "" }) =>
            tasksOf(r, cluster)?.map((j) => r.id("ecs_task", j)) ??
            new AwsErrorAnswer(400, "ClusterNotFoundException"),
        ),
        on(DescribeTasksCommand).answerBy(({ cluster = "", tasks = [] }) => ({
          tasks: tasks.flatMap((arn): Task[] => {
            const j = index.get(arn.slice(arn.lastIndexOf("/") + 1));
            if (j === undefined || estateClusterArn(r, r.id("ecs_cluster", j)) !== cluster)
              return [];
            const subnet = r.id("subnet", j);
            return [
              {
                taskArn: arn,
                clusterArn: cluster,
                group: "family:batch",
                launchType: ec2 ? "EC2" : "FARGATE",
                containerInstanceArn: ec2 ? containerInstanceArn(r, j) : undefined,
                taskDefinitionArn: `arn:aws:ecs:${r.region}:${r.accountId}:task-definition/batch:1`,
                lastStatus: "RUNNING",
                desiredStatus: "RUNNING",
                availabilityZone: r.zone(j),
                cpu: "256",
                memory: "512",
                createdAt: r.epoch,
                containers: [{ name: "batch" }],
                attachments:
                  subnet === ""
                    ? []
                    : [
                        {
                          type: "ElasticNetworkInterface",
                          details: [{ name: "subnetId", value: subnet }],
                        },
                      ],
                tags: [{ key: "team", value: "batch" }],
              },
            ];
          }),
          failures: [],
        })),
        on(DescribeContainerInstancesCommand).answerBy(({ containerInstances = [] }) => ({
          containerInstances: containerInstances.map((containerInstanceArn) => {
            const hex = containerInstanceArn.slice(containerInstanceArn.lastIndexOf("/ci") + 3);
            const j = index.get(hex) ?? 0;
            return { containerInstanceArn, ec2InstanceId: r.id("ec2_instance", j) };
          }),
          failures: [],
        })),
      ];
    },
    minimumCalls: (r) => {
      const ec2 = r.count("ec2_instance") > 0;
      const perCluster = r
        .ids("ecs_cluster")
        .map((name) => estateClusterArn(r, name))
        .map((cluster) => ({
          lengths: r.pageLengths(ListTasksCommand, { cluster }),
          tasks: tasksOf(r, cluster)?.length ?? 0,
        }));
      const sum = (f: (c: (typeof perCluster)[number]) => number) =>
        perCluster.reduce((n, c) => n + f(c), 0);
      return [
        [ListClustersCommand, r.pages(ListClustersCommand)],
        [ListTasksCommand, sum((c) => c.lengths.length)],
        [DescribeTasksCommand, sum((c) => c.lengths.filter((n) => n > 0).length)],
        [DescribeContainerInstancesCommand, ec2 ? sum((c) => Math.ceil(c.tasks / 100)) : 0],
      ];
    },
  },
});
