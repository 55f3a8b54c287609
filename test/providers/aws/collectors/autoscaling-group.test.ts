import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { AutoscalingGroupSchema } from "../../../../src/gen/elava/v1/compute_pb.ts";
import { autoscalingGroupCollector } from "../../../../src/providers/aws/collectors/autoscaling-group.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import {
  fullGroup,
  minimalGroup,
  mixedPolicyGroup,
  namelessGroup,
} from "./autoscaling-group.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const autoscaling = mockClient(AutoScalingClient);
afterEach(() => autoscaling.reset());

describe("autoscaling_group collector", () => {
  it("streams every page at 100 records, following NextToken", async () => {
    const inputs = answerPages(autoscaling.on(DescribeAutoScalingGroupsCommand), [
      { AutoScalingGroups: [fullGroup], NextToken: "t1" },
      { AutoScalingGroups: [mixedPolicyGroup], NextToken: "t2" },
      { AutoScalingGroups: [minimalGroup] },
    ]);

    const pages = await pagesOf(autoscalingGroupCollector, testContext());

    expect(pages.map((p) => p.map((g) => g.AutoScalingGroupName))).toEqual([
      ["eks-workers-20260304"],
      ["spot-workers"],
      ["bare"],
    ]);
    expect(inputs).toEqual([
      { MaxRecords: 100, NextToken: undefined },
      { MaxRecords: 100, NextToken: "t1" },
      { MaxRecords: 100, NextToken: "t2" },
    ]);
  });

  it("yields one empty page for an account without groups", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const ctx = testContext();
    expect(await pagesOf(autoscalingGroupCollector, ctx)).toEqual([[]]);
    expect(autoscaling.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1);
    expect(ctx.limited.calls).toBe(0);
  });

  it("maps the full fixture field by field", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [fullGroup] });
    const [resource] = await observe(autoscalingGroupCollector, testContext());

    expect(resource?.id).toBe("eks-workers-20260304");
    expect(resource?.name).toBe("eks-workers");
    expect(resource?.arn).toBe(fullGroup.AutoScalingGroupARN);
    expect(resource?.tags).toEqual({ Name: "eks-workers", "eks:cluster-name": "prod" });
    const g = payloadOf(resource, "autoscaling_group");
    expect(g.name).toBe("eks-workers-20260304");
    expect(g.minSize).toBe(2);
    expect(g.maxSize).toBe(10);
    expect(g.desiredCapacity).toBe(3);
    expect(g.currentSize).toBe(2);
    expect(g.instanceIds).toEqual([
      "i-0aaa1111bbbb2222c",
      "i-0ddd3333eeee4444f",
      "i-0fff5555aaaa6666b",
    ]);
    expect(g.launchTemplateId).toBe("lt-0abc1234def567890");
    expect(g.launchTemplateVersion).toBe("7");
    expect(g.launchConfigName).toBe("legacy-workers-v1");
    expect(g.targetGroupArns).toEqual(fullGroup.TargetGroupARNs);
    expect(g.loadBalancerNames).toEqual(["legacy-clb"]);
    expect(g.vpcZoneIdentifiers).toEqual(["subnet-0aaa1111", "subnet-0bbb2222"]);
    expect(g.healthCheckType).toBe("ELB");
    expect(g.healthCheckGracePeriod).toBe(120);
    expect(g.defaultCooldown).toBe(300);
    expect(g.createdTime && timestampDate(g.createdTime)).toEqual(new Date("2026-03-04T05:06:07Z"));
    expect(g.availabilityZones).toEqual(["us-east-1a", "us-east-1b"]);
    expect(g.status).toBe("Delete in progress");
    expect(unsetFields(AutoscalingGroupSchema, g)).toEqual([]);
  });

  it("takes the launch template of a mixed instances policy", () => {
    const r = autoscalingGroupCollector.toProto(mixedPolicyGroup, REGIONAL);
    const g = payloadOf(r, "autoscaling_group");
    expect(g.launchTemplateId).toBe("lt-0mixed000000000001");
    expect(g.launchTemplateVersion).toBe("$Latest");
    expect(r.name).toBe("spot-workers");
  });

  it("leaves optional fields empty when the API omits them", () => {
    const r = autoscalingGroupCollector.toProto(minimalGroup, REGIONAL);
    const g = payloadOf(r, "autoscaling_group");
    expect(r.arn).toBe("");
    expect(r.tags).toEqual({});
    expect(g.instanceIds).toEqual([]);
    expect(g.vpcZoneIdentifiers).toEqual([]);
    expect(g.launchTemplateId).toBe("");
    expect(g.createdTime).toBeUndefined();
    expect(g.currentSize).toBe(0);
  });

  it("fails the partition on a group without a name, naming the entry", async () => {
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [fullGroup, namelessGroup] });
    const failure = await observe(autoscalingGroupCollector, testContext()).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain("us-east-1 for 123456789012");
    expect((failure as PartitionFailure).message).toContain(namelessGroup.AutoScalingGroupARN);
  });
});
