import {
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetGroupNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { TargetGroupSchema } from "../../../../src/gen/elava/v1/load_balancing_pb.ts";
import { targetGroupCollector } from "../../../../src/providers/aws/collectors/target-group.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { lbArn } from "./load-balancer.fixture.ts";
import {
  arnlessTargetGroup,
  bareTargetGroup,
  fullTargetGroup,
  fullTargetGroupTags,
  fullTargetHealth,
  tgArn,
} from "./target-group.fixture.ts";

const elbv2 = mockClient(ElasticLoadBalancingV2Client);
beforeEach(() => {
  elbv2.on(DescribeTagsCommand).callsFake((input: { ResourceArns?: string[] }) => ({
    TagDescriptions: (input.ResourceArns ?? []).map((arn) =>
      arn === fullTargetGroupTags.ResourceArn
        ? fullTargetGroupTags
        : { ResourceArn: arn, Tags: [] },
    ),
  }));
  elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
  elbv2
    .on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn("web") })
    .resolves({ TargetHealthDescriptions: fullTargetHealth });
});
afterEach(() => elbv2.reset());

describe("target_group collector", () => {
  it("streams pages of 400 with one health call per group and tags per 20 groups", async () => {
    const many = Array.from({ length: 20 }, (_, i) => bareTargetGroup(`tg-${i}`));
    const inputs = answerPages(elbv2.on(DescribeTargetGroupsCommand), [
      { TargetGroups: [fullTargetGroup, ...many], NextMarker: "m1" },
      { TargetGroups: [bareTargetGroup("last")] },
    ]);
    const ctx = testContext(REGIONAL, 3);

    const pages = await pagesOf(targetGroupCollector, ctx);

    expect(pages.map((p) => p.length)).toEqual([21, 1]);
    expect(inputs).toEqual([
      { PageSize: 400, Marker: undefined },
      { PageSize: 400, Marker: "m1" },
    ]);
    expect(elbv2.commandCalls(DescribeTargetHealthCommand)).toHaveLength(22);
    const tagCalls = elbv2
      .commandCalls(DescribeTagsCommand)
      .map((c) => c.args[0].input.ResourceArns);
    expect(tagCalls.map((arns) => arns?.length)).toEqual([20, 1, 1]);
    expect(ctx.limited.calls).toBe(25);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(3);
    expect(pages[0]?.[0]?.health).toEqual(fullTargetHealth);
  });

  it("makes no extra calls for an account without target groups", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    const ctx = testContext();
    expect(await pagesOf(targetGroupCollector, ctx)).toEqual([[]]);
    expect(elbv2.commandCalls(DescribeTargetHealthCommand)).toHaveLength(0);
    expect(elbv2.commandCalls(DescribeTagsCommand)).toHaveLength(0);
  });

  it("leaves out a group deleted between its page and its health call", async () => {
    elbv2
      .on(DescribeTargetGroupsCommand)
      .resolves({ TargetGroups: [fullTargetGroup, bareTargetGroup("gone")] });
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: tgArn("gone") })
      .rejects(new TargetGroupNotFoundException({ message: "not found", $metadata: {} }));
    const [page] = await pagesOf(targetGroupCollector, testContext());
    expect(page?.map((i) => i.targetGroup.TargetGroupName)).toEqual(["web"]);
  });

  it("maps the full fixture field by field, targets with their health", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [fullTargetGroup] });
    const [r] = await observe(targetGroupCollector, testContext());

    expect(r?.id).toBe(tgArn("web"));
    expect(r?.arn).toBe(tgArn("web"));
    expect(r?.name).toBe("web-targets");
    expect(r?.tags).toEqual({ Name: "web-targets", Team: "edge" });
    const g = payloadOf(r, "target_group");
    expect(g.name).toBe("web");
    expect(g.protocol).toBe("HTTP");
    expect(g.port).toBe(8080);
    expect(g.vpcId).toBe("vpc-0abc1234");
    expect(g.targetType).toBe("instance");
    expect(g.targetIds).toEqual(["i-0aaa1111bbbb2222c", "i-0ddd3333eeee4444f"]);
    expect(g.healthCheckPath).toBe("/healthz");
    expect(g.healthCheckPort).toBe(8081);
    expect(g.healthCheckProtocol).toBe("HTTP");
    expect(g.loadBalancerArns).toEqual([lbArn("web")]);
    expect(
      g.targets.map((t) => [t.id, t.port, t.availabilityZone, t.healthState, t.reason]),
    ).toEqual([
      ["i-0aaa1111bbbb2222c", 8080, "us-east-1a", "healthy", ""],
      ["i-0ddd3333eeee4444f", 8080, "us-east-1b", "unhealthy", "Target.ResponseCodeMismatch"],
    ]);
    // The healthy target has no reason by definition; the unhealthy one fills it.
    expect(unsetFields(TargetGroupSchema, g)).toEqual([]);
  });

  it("maps the traffic port to 0 and leaves optional fields empty", () => {
    const r = targetGroupCollector.toProto(
      { targetGroup: bareTargetGroup("bare"), tags: [], health: [] },
      REGIONAL,
    );
    const g = payloadOf(r, "target_group");
    expect(r.name).toBe("bare");
    expect(g.healthCheckPort).toBe(0);
    expect(g.targets).toEqual([]);
    expect(g.loadBalancerArns).toEqual([]);
  });

  it("fails the partition on a group without an ARN", () => {
    let failure: unknown;
    try {
      targetGroupCollector.toProto(
        { targetGroup: arnlessTargetGroup, tags: [], health: [] },
        REGIONAL,
      );
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain("ghost");
  });
});
