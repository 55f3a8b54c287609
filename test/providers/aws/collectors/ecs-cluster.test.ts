import { DescribeClustersCommand, ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { EcsClusterSchema } from "../../../../src/gen/elava/v1/containers_pb.ts";
import {
  chunks,
  ecsClusterCollector,
  ecsClusterNameOf,
} from "../../../../src/providers/aws/collectors/ecs-cluster.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { ecsArn, fullEcsCluster } from "./ecs-cluster.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

describe("ecs_cluster collector", () => {
  it("pages ListClusters at 100 and describes each page in one call, with settings and tags", async () => {
    const inputs = answerPages(ecs.on(ListClustersCommand), [
      { clusterArns: [ecsArn("cluster", "a"), ecsArn("cluster", "b")], nextToken: "t1" },
      { clusterArns: [ecsArn("cluster", "c")] },
    ]);
    ecs.on(DescribeClustersCommand).callsFake((input: { clusters?: string[] }) => ({
      clusters: (input.clusters ?? []).map((clusterArn) => ({
        clusterArn,
        clusterName: ecsClusterNameOf(clusterArn),
      })),
    }));
    const ctx = testContext();
    const pages = await pagesOf(ecsClusterCollector, ctx);
    expect(pages.map((p) => p.map((c) => c.clusterName))).toEqual([["a", "b"], ["c"]]);
    expect(inputs).toEqual([
      { maxResults: 100, nextToken: undefined },
      { maxResults: 100, nextToken: "t1" },
    ]);
    expect(ecs.commandCalls(DescribeClustersCommand).map((c) => c.args[0].input)).toEqual([
      { clusters: [ecsArn("cluster", "a"), ecsArn("cluster", "b")], include: ["SETTINGS", "TAGS"] },
      { clusters: [ecsArn("cluster", "c")], include: ["SETTINGS", "TAGS"] },
    ]);
    expect(ctx.limited.calls).toBe(2);
  });

  it("makes no DescribeClusters call for an account without clusters", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [] });
    expect(await pagesOf(ecsClusterCollector, testContext())).toEqual([[]]);
    expect(ecs.commandCalls(DescribeClustersCommand)).toHaveLength(0);
  });

  it("leaves out a cluster DescribeClusters reports MISSING", async () => {
    ecs.on(ListClustersCommand).resolves({
      clusterArns: [ecsArn("cluster", "prod"), ecsArn("cluster", "gone")],
    });
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [fullEcsCluster],
      failures: [{ arn: ecsArn("cluster", "gone"), reason: "MISSING" }],
    });
    const [page] = await pagesOf(ecsClusterCollector, testContext());
    expect(page?.map((c) => c.clusterName)).toEqual(["prod"]);
  });

  it("maps the full fixture field by field", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [ecsArn("cluster", "prod")] });
    ecs.on(DescribeClustersCommand).resolves({ clusters: [fullEcsCluster] });
    const [r] = await observe(ecsClusterCollector, testContext());
    expect(r?.id).toBe("prod");
    expect(r?.name).toBe("prod-ecs");
    expect(r?.arn).toBe(ecsArn("cluster", "prod"));
    expect(r?.tags).toEqual({ Name: "prod-ecs", Team: "platform" });
    const c = payloadOf(r, "ecs_cluster");
    expect(c.clusterName).toBe("prod");
    expect(c.status).toBe("ACTIVE");
    expect(c.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT", "prod-asg-cp"]);
    expect(
      c.defaultCapacityProviderStrategy.map((s) => [s.capacityProvider, s.weight, s.base]),
    ).toEqual([
      ["FARGATE", 1, 2],
      ["FARGATE_SPOT", 3, 0],
    ]);
    expect(c.registeredContainerInstancesCount).toBe(3);
    expect(c.runningTasksCount).toBe(12);
    expect(c.pendingTasksCount).toBe(1);
    expect(c.activeServicesCount).toBe(4);
    expect(c.containerInsights).toBe("enhanced");
    expect(unsetFields(EcsClusterSchema, c)).toEqual([]);
  });

  it("fails the partition on a described cluster without a name", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [ecsArn("cluster", "x")] });
    ecs
      .on(DescribeClustersCommand)
      .resolves({ clusters: [{ clusterArn: ecsArn("cluster", "x") }] });
    const failure = await observe(ecsClusterCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(ecsArn("cluster", "x"));
  });

  it("reads cluster names from ARNs and splits describe batches", () => {
    expect(ecsClusterNameOf(ecsArn("cluster", "prod"))).toBe("prod");
    expect(ecsClusterNameOf("not-an-arn")).toBe("");
    expect(ecsClusterNameOf(undefined)).toBe("");
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 10)).toEqual([]);
  });

  it("leaves the settings and strategy of a bare cluster empty", () => {
    const r = ecsClusterCollector.toProto({ clusterName: "bare" }, REGIONAL);
    const c = payloadOf(r, "ecs_cluster");
    expect(r.tags).toEqual({});
    expect(c.containerInsights).toBe("");
    expect(c.defaultCapacityProviderStrategy).toEqual([]);
  });
});
