/**
 * ecs_cluster: ECS clusters. ListClusters gives only ARNs, 100 a page; per page one
 * DescribeClusters (up to 100 clusters a call, with their settings and tags) under
 * `ctx.limit`, the only call that tells them. A cluster deleted between the list and the
 * describe comes back among DescribeClusters' failures and is left out.
 */
import {
  type Cluster,
  DescribeClustersCommand,
  paginateListClusters,
  type CapacityProviderStrategyItem as SdkStrategyItem,
  type Tag,
} from "@aws-sdk/client-ecs";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import {
  type CapacityProviderStrategyItem,
  CapacityProviderStrategyItemSchema,
  EcsClusterSchema,
} from "../../../gen/elava/v1/containers_pb.ts";
import { type CollectorContext, callOptions, defineCollector } from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, tagRecord } from "../tags.ts";

/** The largest page of ECS list operations (ListClusters, ListServices, ListTasks). */
export const ECS_PAGE_SIZE = 100;

/** Streams the unit's cluster ARNs, one ListClusters call per page. */
export async function* ecsClusterArnPages(ctx: CollectorContext): AsyncGenerator<string[]> {
  for await (const page of paginateListClusters(
    { client: ctx.clients.ecs, pageSize: ECS_PAGE_SIZE },
    {},
    callOptions(ctx),
  )) {
    yield page.clusterArns ?? [];
  }
}

/** ECS tags (`{ key, value }`) as a record. */
export function ecsTags(tags: readonly Tag[] | undefined): Record<string, string> {
  return tagRecord((tags ?? []).map((t) => ({ Key: t.key, Value: t.value })));
}

/** The name in an ECS ARN (`arn:aws:ecs:r:a:cluster/prod` -> `prod`); "" when there is none. */
export function ecsClusterNameOf(arn: string | undefined): string {
  if (arn === undefined) return "";
  const cut = arn.indexOf(":cluster/");
  return cut < 0 ? "" : arn.slice(cut + ":cluster/".length);
}

/** An ECS capacity provider strategy as published. */
export function strategyOf(
  items: readonly SdkStrategyItem[] | undefined,
): CapacityProviderStrategyItem[] {
  return (items ?? []).map((s) =>
    create(CapacityProviderStrategyItemSchema, {
      capacityProvider: s.capacityProvider ?? "",
      weight: s.weight ?? 0,
      base: s.base ?? 0,
    }),
  );
}

/** True for the answer ECS gives about a cluster deleted since it was listed. */
export function isClusterGone(err: unknown): boolean {
  return awsErrorName(err) === "ClusterNotFoundException";
}

/** Splits a list into chunks of at most `size` (a describe call's limit). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** ECS clusters with their settings and tags. */
export const ecsClusterCollector = defineCollector({
  type: "ecs_cluster",
  service: "ecs",
  iamActions: ["ecs:ListClusters", "ecs:DescribeClusters"],

  async *list(ctx): AsyncGenerator<Cluster[]> {
    for await (const arns of ecsClusterArnPages(ctx)) {
      if (arns.length === 0) {
        yield [];
        continue;
      }
      const out = await ctx.limit(() =>
        ctx.clients.ecs.send(
          new DescribeClustersCommand({ clusters: arns, include: ["SETTINGS", "TAGS"] }),
          callOptions(ctx),
        ),
      );
      yield out.clusters ?? [];
    }
  },

  toProto(c: Cluster, unit) {
    const name = requireId(c.clusterName, `ECS cluster (ARN ${c.clusterArn ?? "none"})`, unit);
    const tags = ecsTags(c.tags);
    return {
      id: name,
      name: nameFrom(tags, name),
      arn: c.clusterArn ?? "",
      tags,
      payload: payload(
        "ecs_cluster",
        create(EcsClusterSchema, {
          clusterName: name,
          status: c.status ?? "",
          capacityProviders: c.capacityProviders ?? [],
          defaultCapacityProviderStrategy: strategyOf(c.defaultCapacityProviderStrategy),
          registeredContainerInstancesCount: c.registeredContainerInstancesCount ?? 0,
          runningTasksCount: c.runningTasksCount ?? 0,
          pendingTasksCount: c.pendingTasksCount ?? 0,
          activeServicesCount: c.activeServicesCount ?? 0,
          containerInsights: c.settings?.find((s) => s.name === "containerInsights")?.value ?? "",
        }),
      ),
    };
  },
});
