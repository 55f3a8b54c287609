import {
  DescribeNodegroupCommand,
  EKSClient,
  ListClustersCommand,
  ListNodegroupsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-eks";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { EksNodeGroupSchema } from "../../../../src/gen/elava/v1/containers_pb.ts";
import { eksNodeGroupCollector } from "../../../../src/providers/aws/collectors/eks-node-group.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { bareNodegroup, fullNodegroup, nodegroupArn } from "./eks-node-group.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const eks = mockClient(EKSClient);
afterEach(() => eks.reset());

function describeAnswers(): void {
  eks
    .on(DescribeNodegroupCommand)
    .callsFake((input: { clusterName?: string; nodegroupName?: string }) => ({
      nodegroup:
        input.clusterName === "prod" && input.nodegroupName === "workers"
          ? fullNodegroup
          : bareNodegroup(input.clusterName ?? "", input.nodegroupName ?? ""),
    }));
}

describe("eks_node_group collector", () => {
  it("pages clusters and node groups at 100, one DescribeNodegroup per group", async () => {
    describeAnswers();
    const clusterInputs = answerPages(eks.on(ListClustersCommand), [
      { clusters: ["prod", "staging"], nextToken: "c1" },
      { clusters: ["dev"] },
    ]);
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: [] });
    const prodInputs = answerPages(eks.on(ListNodegroupsCommand, { clusterName: "prod" }), [
      { nodegroups: ["workers"], nextToken: "n1" },
      { nodegroups: ["batch"] },
    ]);
    eks.on(ListNodegroupsCommand, { clusterName: "dev" }).resolves({ nodegroups: ["dev-ng"] });
    const ctx = testContext(REGIONAL, 2);

    const pages = await pagesOf(eksNodeGroupCollector, ctx);

    expect(pages.map((p) => p.map((g) => `${g.clusterName}/${g.nodegroupName}`))).toEqual([
      ["prod/workers", "prod/batch"],
      ["dev/dev-ng"],
    ]);
    expect(clusterInputs).toEqual([
      { maxResults: 100, nextToken: undefined },
      { maxResults: 100, nextToken: "c1" },
    ]);
    expect(prodInputs).toEqual([
      { clusterName: "prod", maxResults: 100, nextToken: undefined },
      { clusterName: "prod", maxResults: 100, nextToken: "n1" },
    ]);
    expect(eks.commandCalls(DescribeNodegroupCommand)).toHaveLength(3);
    expect(ctx.limited.calls).toBe(4 + 3);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("makes no per-cluster calls for an account without clusters", async () => {
    eks.on(ListClustersCommand).resolves({});
    expect(await pagesOf(eksNodeGroupCollector, testContext())).toEqual([[]]);
    expect(eks.commandCalls(ListNodegroupsCommand)).toHaveLength(0);
  });

  it("leaves out a node group deleted between the list and its describe", async () => {
    describeAnswers();
    eks.on(ListClustersCommand).resolves({ clusters: ["prod"] });
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ["workers", "gone"] });
    eks
      .on(DescribeNodegroupCommand, { clusterName: "prod", nodegroupName: "gone" })
      .rejects(new ResourceNotFoundException({ message: "No node group found", $metadata: {} }));
    const [page] = await pagesOf(eksNodeGroupCollector, testContext());
    expect(page?.map((g) => g.nodegroupName)).toEqual(["workers"]);
  });

  it("maps the full fixture field by field, ASG reference from its resources", async () => {
    describeAnswers();
    eks.on(ListClustersCommand).resolves({ clusters: ["prod"] });
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ["workers"] });
    const [r] = await observe(eksNodeGroupCollector, testContext());

    expect(r?.id).toBe("prod/workers");
    expect(r?.name).toBe("prod-workers");
    expect(r?.arn).toBe(nodegroupArn("prod", "workers"));
    expect(r?.tags).toEqual({ Name: "prod-workers", Team: "platform" });
    const g = payloadOf(r, "eks_node_group");
    expect(g.clusterName).toBe("prod");
    expect(g.nodeGroupName).toBe("workers");
    expect(g.status).toBe("ACTIVE");
    expect(g.nodeRole).toBe("arn:aws:iam::123456789012:role/eks-node");
    expect(g.instanceTypes).toEqual(["m6i.large", "m5.large"]);
    expect(g.amiType).toBe("AL2023_x86_64_STANDARD");
    expect([g.minSize, g.maxSize, g.desiredSize, g.currentSize]).toEqual([2, 10, 3, 3]);
    expect(g.autoscalingGroupName).toBe("eks-workers-20260304");
    expect(g.subnetIds).toEqual(["subnet-0priv1", "subnet-0priv2"]);
    expect(g.launchTemplateId).toBe("lt-0abc1234def567890");
    expect(g.remoteAccessSg).toBe("sg-0remote000000001");
    expect(g.labels).toEqual({ "node.kubernetes.io/pool": "workers" });
    expect(g.taints.map((t) => [t.key, t.value, t.effect])).toEqual([
      ["dedicated", "batch", "NO_SCHEDULE"],
    ]);
    expect(g.createdAt && timestampDate(g.createdAt)).toEqual(new Date("2026-03-04T05:06:07Z"));
    expect(g.capacityType).toBe("SPOT");
    expect(g.version).toBe("1.30");
    expect(unsetFields(EksNodeGroupSchema, g)).toEqual([]);
  });

  it("leaves optional fields empty for a node group being created", () => {
    const r = eksNodeGroupCollector.toProto(bareNodegroup("prod", "new"), REGIONAL);
    const g = payloadOf(r, "eks_node_group");
    expect(r.id).toBe("prod/new");
    expect(r.name).toBe("new");
    expect(g.autoscalingGroupName).toBe("");
    expect(g.labels).toEqual({});
    expect(g.taints).toEqual([]);
    expect(g.createdAt).toBeUndefined();
  });

  it("fails the partition on a node group without a cluster or a name", () => {
    for (const broken of [
      { ...fullNodegroup, clusterName: undefined },
      { ...fullNodegroup, nodegroupName: undefined },
    ]) {
      let failure: unknown;
      try {
        eksNodeGroupCollector.toProto(broken, REGIONAL);
      } catch (e) {
        failure = e;
      }
      expect(failure).toBeInstanceOf(PartitionFailure);
      expect((failure as PartitionFailure).reason).toBe("invalid_data");
      expect((failure as PartitionFailure).message).toContain(nodegroupArn("prod", "workers"));
    }
  });
});
