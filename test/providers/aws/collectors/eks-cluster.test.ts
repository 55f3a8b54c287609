import {
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
  ListFargateProfilesCommand,
  ListNodegroupsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-eks";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { EksClusterSchema } from "../../../../src/gen/elava/v1/containers_pb.ts";
import { eksClusterCollector } from "../../../../src/providers/aws/collectors/eks-cluster.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { clusterArn, creatingCluster, fullCluster } from "./eks-cluster.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const eks = mockClient(EKSClient);
afterEach(() => eks.reset());

function describeAnswers(): void {
  eks.on(DescribeClusterCommand).callsFake((input: { name?: string }) => ({
    cluster:
      input.name === "prod" ? fullCluster : { name: input.name, arn: clusterArn(input.name ?? "") },
  }));
  eks.on(ListNodegroupsCommand).resolves({ nodegroups: [] });
  eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: [] });
}

describe("eks_cluster collector", () => {
  it("pages ListClusters at 100 and makes three calls per cluster under the limit", async () => {
    describeAnswers();
    const clusterInputs = answerPages(eks.on(ListClustersCommand), [
      { clusters: ["prod", "staging"], nextToken: "c1" },
      { clusters: ["dev"] },
    ]);
    const prodNodegroupCalls = answerPages(eks.on(ListNodegroupsCommand, { clusterName: "prod" }), [
      { nodegroups: ["workers"], nextToken: "n1" },
      { nodegroups: ["batch"] },
    ]);
    const ctx = testContext(REGIONAL, 2);

    const pages = await pagesOf(eksClusterCollector, ctx);

    expect(pages.map((p) => p.map((i) => i.cluster.name))).toEqual([["prod", "staging"], ["dev"]]);
    expect(clusterInputs).toEqual([
      { maxResults: 100, nextToken: undefined },
      { maxResults: 100, nextToken: "c1" },
    ]);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(3);
    expect(eks.commandCalls(ListFargateProfilesCommand)).toHaveLength(3);
    expect(prodNodegroupCalls).toEqual([
      { clusterName: "prod", maxResults: 100, nextToken: undefined },
      { clusterName: "prod", maxResults: 100, nextToken: "n1" },
    ]);
    expect(eks.commandCalls(ListNodegroupsCommand)).toHaveLength(4);
    expect(ctx.limited.calls).toBe(10);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
    expect(pages[0]?.[0]?.nodegroups).toEqual(["workers", "batch"]);
  });

  it("makes no per-cluster calls for an account without clusters", async () => {
    eks.on(ListClustersCommand).resolves({ clusters: [] });
    const ctx = testContext();
    expect(await pagesOf(eksClusterCollector, ctx)).toEqual([[]]);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(0);
    expect(ctx.limited.calls).toBe(0);
  });

  it("leaves out a cluster deleted between the list and its describe", async () => {
    describeAnswers();
    eks.on(ListClustersCommand).resolves({ clusters: ["prod", "gone"] });
    eks.on(DescribeClusterCommand, { name: "gone" }).rejects(
      new ResourceNotFoundException({
        message: "No cluster found for name: gone.",
        $metadata: {},
      }),
    );
    const [page] = await pagesOf(eksClusterCollector, testContext());
    expect(page?.map((i) => i.cluster.name)).toEqual(["prod"]);
  });

  it("maps the full fixture field by field", async () => {
    describeAnswers();
    eks.on(ListClustersCommand).resolves({ clusters: ["prod"] });
    eks.on(ListNodegroupsCommand).resolves({ nodegroups: ["workers"] });
    eks.on(ListFargateProfilesCommand).resolves({ fargateProfileNames: ["kube-system"] });
    const [r] = await observe(eksClusterCollector, testContext());

    expect(r?.id).toBe("prod");
    expect(r?.name).toBe("prod-k8s");
    expect(r?.arn).toBe(clusterArn("prod"));
    expect(r?.tags).toEqual({ Name: "prod-k8s", Team: "platform" });
    const c = payloadOf(r, "eks_cluster");
    expect(c.name).toBe("prod");
    expect(c.version).toBe("1.30");
    expect(c.status).toBe("ACTIVE");
    expect(c.endpoint).toBe("https://ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com");
    expect(c.roleArn).toBe("arn:aws:iam::123456789012:role/eks-cluster");
    expect(c.vpcId).toBe("vpc-0abc1234");
    expect(c.subnetIds).toEqual(["subnet-0priv1", "subnet-0priv2"]);
    expect(c.securityGroupIds).toEqual(["sg-0ctrl000000000001", "sg-0cluster00000001"]);
    expect(c.nodeGroupNames).toEqual(["workers"]);
    expect(c.fargateProfiles).toEqual(["kube-system"]);
    expect(c.createdAt && timestampDate(c.createdAt)).toEqual(new Date("2026-03-04T05:06:07Z"));
    expect(c.platformVersion).toBe("eks.12");
    expect(c.endpointPublicAccess).toBe(true);
    expect(unsetFields(EksClusterSchema, c)).toEqual([]);
  });

  it("leaves optional fields empty for a cluster being created", () => {
    const r = eksClusterCollector.toProto(
      { cluster: creatingCluster, nodegroups: [], fargateProfiles: [] },
      REGIONAL,
    );
    const c = payloadOf(r, "eks_cluster");
    expect(r.tags).toEqual({});
    expect(c.vpcId).toBe("");
    expect(c.securityGroupIds).toEqual([]);
    expect(c.createdAt).toBeUndefined();
    expect(c.endpointPublicAccess).toBe(false);
  });

  it("fails the partition when DescribeCluster answers without a cluster name", async () => {
    eks.on(ListClustersCommand).resolves({ clusters: ["prod"] });
    eks.on(DescribeClusterCommand).resolves({ cluster: { arn: clusterArn("prod") } });
    eks.on(ListNodegroupsCommand).resolves({});
    eks.on(ListFargateProfilesCommand).resolves({});
    const failure = await observe(eksClusterCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(clusterArn("prod"));
  });
});
