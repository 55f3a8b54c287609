/**
 * ecs_task: running ECS tasks. Per ListClusters page (100 ARNs), each cluster's ListTasks
 * pages (100 ARNs, desired status RUNNING: stopped tasks are gone), one DescribeTasks per
 * ListTasks page (its limit is 100, with tags), and one DescribeContainerInstances per
 * 100 distinct container instances of the cluster's EC2 tasks: a task names its
 * container instance, only that call names the EC2 instance under it. All under
 * `ctx.limit`. A task stopped since its page comes back among DescribeTasks' failures
 * and is left out; a container instance deregistered since leaves its task's EC2
 * instance empty.
 */
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  paginateListTasks,
  type Task,
} from "@aws-sdk/client-ecs";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { EcsTaskSchema } from "../../../gen/elava/v1/containers_pb.ts";
import { type CollectorContext, callOptions, defineCollector, limited } from "../collector.ts";
import { requireId, timestamp } from "../tags.ts";
import {
  chunks,
  ECS_PAGE_SIZE,
  ecsClusterArnPages,
  ecsClusterNameOf,
  ecsTags,
  isClusterGone,
} from "./ecs-cluster.ts";

/** The most container instances one DescribeContainerInstances call takes. */
export const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;

/** A task with the EC2 instance of its container instance ("" on Fargate). */
export interface EcsTaskItem {
  readonly task: Task;
  readonly ec2InstanceId: string;
}

async function describeTasks(
  ctx: CollectorContext,
  cluster: string,
  tasks: string[],
): Promise<Task[]> {
  if (tasks.length === 0) return [];
  const out = await ctx.limit(() =>
    ctx.clients.ecs.send(
      new DescribeTasksCommand({ cluster, tasks, include: ["TAGS"] }),
      callOptions(ctx),
    ),
  );
  return out.tasks ?? [];
}

/** The EC2 instance of each container instance ARN that ECS still knows. */
async function ec2InstancesOf(
  ctx: CollectorContext,
  cluster: string,
  arns: readonly string[],
): Promise<Map<string, string>> {
  const answers = await Promise.all(
    chunks(arns, DESCRIBE_CONTAINER_INSTANCES_MAX).map((containerInstances) =>
      ctx.limit(() =>
        ctx.clients.ecs.send(
          new DescribeContainerInstancesCommand({ cluster, containerInstances }),
          callOptions(ctx),
        ),
      ),
    ),
  );
  const out = new Map<string, string>();
  for (const answer of answers) {
    for (const ci of answer.containerInstances ?? []) {
      if (ci.containerInstanceArn && ci.ec2InstanceId) {
        out.set(ci.containerInstanceArn, ci.ec2InstanceId);
      }
    }
  }
  return out;
}

async function tasksOf(ctx: CollectorContext, cluster: string): Promise<EcsTaskItem[]> {
  try {
    const described: Promise<Task[]>[] = [];
    for await (const page of paginateListTasks(
      { client: limited(ctx, ctx.clients.ecs), pageSize: ECS_PAGE_SIZE },
      { cluster, desiredStatus: "RUNNING" },
      callOptions(ctx),
    )) {
      described.push(describeTasks(ctx, cluster, page.taskArns ?? []));
    }
    const tasks = (await Promise.all(described)).flat();
    const instances = [
      ...new Set(tasks.flatMap((t) => (t.containerInstanceArn ? [t.containerInstanceArn] : []))),
    ];
    const ec2 = await ec2InstancesOf(ctx, cluster, instances);
    return tasks.map((task) => ({
      task,
      ec2InstanceId: ec2.get(task.containerInstanceArn ?? "") ?? "",
    }));
  } catch (err) {
    if (isClusterGone(err)) return [];
    throw err;
  }
}

/** The value of a detail of a task's ENI attachment; "" when it has none. */
function eniDetail(task: Task, name: string): string {
  const eni = task.attachments?.find((a) => a.type === "ElasticNetworkInterface");
  return eni?.details?.find((d) => d.name === name)?.value ?? "";
}

/** Running ECS tasks of every cluster of the unit. */
export const ecsTaskCollector = defineCollector({
  type: "ecs_task",
  service: "ecs",
  iamActions: [
    "ecs:ListClusters",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "ecs:DescribeContainerInstances",
  ],

  async *list(ctx): AsyncGenerator<EcsTaskItem[]> {
    for await (const clusters of ecsClusterArnPages(ctx)) {
      const perCluster = await Promise.all(clusters.map((arn) => tasksOf(ctx, arn)));
      yield perCluster.flat();
    }
  },

  toProto({ task: t, ec2InstanceId }: EcsTaskItem, unit) {
    const arn = requireId(t.taskArn, `ECS task (cluster ${t.clusterArn ?? "none"})`, unit);
    const tags = ecsTags(t.tags);
    const group = t.group ?? "";
    return {
      id: arn,
      name: tags.Name ?? arn.slice(arn.lastIndexOf("/") + 1),
      arn,
      tags,
      payload: payload(
        "ecs_task",
        create(EcsTaskSchema, {
          clusterName: ecsClusterNameOf(t.clusterArn),
          group,
          serviceName: group.startsWith("service:") ? group.slice("service:".length) : "",
          taskDefinitionArn: t.taskDefinitionArn ?? "",
          launchType: t.launchType ?? "",
          lastStatus: t.lastStatus ?? "",
          desiredStatus: t.desiredStatus ?? "",
          containerInstanceArn: t.containerInstanceArn ?? "",
          ec2InstanceId,
          networkInterfaceId: eniDetail(t, "networkInterfaceId"),
          subnetId: eniDetail(t, "subnetId"),
          privateIpv4Address: eniDetail(t, "privateIPv4Address"),
          availabilityZone: t.availabilityZone ?? "",
          cpu: t.cpu ?? "",
          memory: t.memory ?? "",
          createdAt: timestamp(t.createdAt),
          startedAt: timestamp(t.startedAt),
          startedBy: t.startedBy ?? "",
          capacityProviderName: t.capacityProviderName ?? "",
          platformVersion: t.platformVersion ?? "",
          healthStatus: t.healthStatus ?? "",
          connectivity: t.connectivity ?? "",
          containerNames: (t.containers ?? []).flatMap((c) => (c.name ? [c.name] : [])),
          enableExecuteCommand: t.enableExecuteCommand ?? false,
        }),
      ),
    };
  },
});
