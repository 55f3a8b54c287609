/**
 * ecs_service: ECS services. Per ListClusters page (100 ARNs), each cluster's ListServices
 * pages (100 ARNs) and DescribeServices per 10 services (its limit, with tags), all under
 * `ctx.limit`: ECS has no other way to tell a service's settings. A service's id is
 * "<cluster>/<service>" because names are unique only within a cluster. A cluster deleted
 * since its page has no services; a service deleted since its ListServices page comes
 * back among DescribeServices' failures and is left out.
 */
import { DescribeServicesCommand, paginateListServices, type Service } from "@aws-sdk/client-ecs";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { EcsLoadBalancerSchema, EcsServiceSchema } from "../../../gen/elava/v1/containers_pb.ts";
import {
  allItems,
  type CollectorContext,
  callOptions,
  defineCollector,
  limited,
} from "../collector.ts";
import { nameFrom, requireId, timestamp } from "../tags.ts";
import {
  chunks,
  ECS_PAGE_SIZE,
  ecsClusterArnPages,
  ecsClusterNameOf,
  ecsTags,
  isClusterGone,
  strategyOf,
} from "./ecs-cluster.ts";

/** The most services one DescribeServices call takes. */
export const DESCRIBE_SERVICES_MAX = 10;

async function servicesOf(ctx: CollectorContext, cluster: string): Promise<Service[]> {
  let arns: string[];
  try {
    arns = await allItems(
      paginateListServices(
        { client: limited(ctx, ctx.clients.ecs), pageSize: ECS_PAGE_SIZE },
        { cluster },
        callOptions(ctx),
      ),
      (page) => page.serviceArns,
    );
  } catch (err) {
    if (isClusterGone(err)) return [];
    throw err;
  }
  const described = await Promise.all(
    chunks(arns, DESCRIBE_SERVICES_MAX).map((services) =>
      ctx
        .limit(() =>
          ctx.clients.ecs.send(
            new DescribeServicesCommand({ cluster, services, include: ["TAGS"] }),
            callOptions(ctx),
          ),
        )
        .then(
          (out) => out.services ?? [],
          (err: unknown) => {
            if (isClusterGone(err)) return [];
            throw err;
          },
        ),
    ),
  );
  return described.flat();
}

/** ECS services of every cluster of the unit. */
export const ecsServiceCollector = defineCollector({
  type: "ecs_service",
  service: "ecs",
  iamActions: ["ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"],

  async *list(ctx): AsyncGenerator<Service[]> {
    for await (const clusters of ecsClusterArnPages(ctx)) {
      const perCluster = await Promise.all(clusters.map((arn) => servicesOf(ctx, arn)));
      yield perCluster.flat();
    }
  },

  toProto(s: Service, unit) {
    const what = `ECS service (ARN ${s.serviceArn ?? "none"})`;
    const cluster = requireId(ecsClusterNameOf(s.clusterArn), `${what} without a cluster`, unit);
    const name = requireId(s.serviceName, what, unit);
    const tags = ecsTags(s.tags);
    const vpc = s.networkConfiguration?.awsvpcConfiguration;
    return {
      id: `${cluster}/${name}`,
      name: nameFrom(tags, name),
      arn: s.serviceArn ?? "",
      tags,
      payload: payload(
        "ecs_service",
        create(EcsServiceSchema, {
          clusterName: cluster,
          serviceName: name,
          status: s.status ?? "",
          taskDefinitionArn: s.taskDefinition ?? "",
          launchType: s.launchType ?? "",
          desiredCount: s.desiredCount ?? 0,
          runningCount: s.runningCount ?? 0,
          pendingCount: s.pendingCount ?? 0,
          loadBalancers: (s.loadBalancers ?? []).map((lb) =>
            create(EcsLoadBalancerSchema, {
              targetGroupArn: lb.targetGroupArn ?? "",
              loadBalancerName: lb.loadBalancerName ?? "",
              containerName: lb.containerName ?? "",
              containerPort: lb.containerPort ?? 0,
            }),
          ),
          subnetIds: vpc?.subnets ?? [],
          securityGroupIds: vpc?.securityGroups ?? [],
          assignPublicIp: vpc?.assignPublicIp === "ENABLED",
          capacityProviderStrategy: strategyOf(s.capacityProviderStrategy),
          schedulingStrategy: s.schedulingStrategy ?? "",
          platformVersion: s.platformVersion ?? "",
          roleArn: s.roleArn ?? "",
          createdAt: timestamp(s.createdAt),
          deploymentController: s.deploymentController?.type ?? "",
          healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds ?? 0,
          enableExecuteCommand: s.enableExecuteCommand ?? false,
        }),
      ),
    };
  },
});
