import {
  DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand,
  DescribeTagsCommand as DescribeClassicTagsCommand,
  ElasticLoadBalancingClient,
} from "@aws-sdk/client-elastic-load-balancing";
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { LoadBalancerSchema } from "../../../../src/gen/elava/v1/load_balancing_pb.ts";
import { loadBalancerCollector } from "../../../../src/providers/aws/collectors/load-balancer.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import {
  arnlessLoadBalancer,
  bareLoadBalancer,
  classicArn,
  fullClassic,
  fullClassicTags,
  fullLoadBalancer,
  fullLoadBalancerTags,
  lbArn,
  routingGroups,
} from "./load-balancer.fixture.ts";

const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const elb = mockClient(ElasticLoadBalancingClient);
beforeEach(() => {
  // No classic load balancers unless a test says otherwise.
  elb.on(DescribeClassicLoadBalancersCommand).resolves({ LoadBalancerDescriptions: [] });
  elbv2.on(DescribeTagsCommand).callsFake((input: { ResourceArns?: string[] }) => ({
    TagDescriptions: (input.ResourceArns ?? []).map((arn) =>
      arn === fullLoadBalancerTags.ResourceArn
        ? fullLoadBalancerTags
        : { ResourceArn: arn, Tags: [] },
    ),
  }));
});
afterEach(() => {
  elbv2.reset();
  elb.reset();
});

describe("load_balancer collector", () => {
  it("pages target groups once, then load balancers at 400, tags in chunks of 20", async () => {
    const many = Array.from({ length: 25 }, (_, i) => bareLoadBalancer(`nlb-${i}`));
    const groupInputs = answerPages(elbv2.on(DescribeTargetGroupsCommand), [
      { TargetGroups: routingGroups.slice(0, 2), NextMarker: "g1" },
      { TargetGroups: routingGroups.slice(2) },
    ]);
    const balancerInputs = answerPages(elbv2.on(DescribeLoadBalancersCommand), [
      { LoadBalancers: [fullLoadBalancer, ...many], NextMarker: "l1" },
      { LoadBalancers: [bareLoadBalancer("internal")] },
    ]);
    const ctx = testContext(REGIONAL, 2);

    const pages = await pagesOf(loadBalancerCollector, ctx);

    // Then the classic listing's one empty page.
    expect(pages.map((p) => p.length)).toEqual([26, 1, 0]);
    expect(groupInputs).toEqual([
      { PageSize: 400, Marker: undefined },
      { PageSize: 400, Marker: "g1" },
    ]);
    expect(balancerInputs).toEqual([
      { PageSize: 400, Marker: undefined },
      { PageSize: 400, Marker: "l1" },
    ]);
    const tagCalls = elbv2
      .commandCalls(DescribeTagsCommand)
      .map((c) => c.args[0].input.ResourceArns);
    expect(tagCalls.map((arns) => arns?.length)).toEqual([20, 6, 1]);
    expect(ctx.limited.calls).toBe(3);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
    const groupsOf = (item: unknown) => (item as { targetGroupArns?: unknown }).targetGroupArns;
    expect(groupsOf(pages[1]?.[0])).toEqual([routingGroups[1]?.TargetGroupArn]);
    expect(groupsOf(pages[0]?.[1])).toEqual([]);
  });

  it("makes no tag calls for an account without load balancers", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
    const ctx = testContext();
    expect(await pagesOf(loadBalancerCollector, ctx)).toEqual([[], []]);
    expect(elbv2.commandCalls(DescribeTagsCommand)).toHaveLength(0);
    expect(ctx.limited.calls).toBe(0);
  });

  it("maps the full fixture field by field", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: routingGroups });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [fullLoadBalancer] });
    const [r] = await observe(loadBalancerCollector, testContext());

    expect(r?.id).toBe(lbArn("web"));
    expect(r?.arn).toBe(lbArn("web"));
    expect(r?.name).toBe("public-web");
    expect(r?.tags).toEqual({ Name: "public-web", Team: "edge" });
    const lb = payloadOf(r, "load_balancer");
    expect(lb.name).toBe("web");
    expect(lb.type).toBe("application");
    expect(lb.scheme).toBe("internet-facing");
    expect(lb.dnsName).toBe("web-1234567890.us-east-1.elb.amazonaws.com");
    expect(lb.vpcId).toBe("vpc-0abc1234");
    expect(lb.subnetIds).toEqual(["subnet-0pub1", "subnet-0pub2"]);
    expect(lb.securityGroupIds).toEqual(["sg-0web0000000000001"]);
    expect(lb.targetGroupArns).toEqual([
      routingGroups[0]?.TargetGroupArn,
      routingGroups[1]?.TargetGroupArn,
    ]);
    expect(lb.state).toBe("active");
    expect(lb.ipAddressType).toBe("dualstack");
    expect(lb.createdTime && timestampDate(lb.createdTime)).toEqual(
      new Date("2026-03-04T05:06:07Z"),
    );
    expect(lb.canonicalHostedZoneId).toBe("Z35SXDOTRQ7X7K");
    // Only a classic load balancer has registered instances of its own.
    expect(unsetFields(LoadBalancerSchema, lb)).toEqual(["instance_ids"]);
  });

  it("leaves optional fields empty and names the load balancer by its own name", () => {
    const r = loadBalancerCollector.toProto(
      { loadBalancer: bareLoadBalancer("nlb"), tags: [], targetGroupArns: [] },
      REGIONAL,
    );
    const lb = payloadOf(r, "load_balancer");
    expect(r.name).toBe("nlb");
    expect(lb.subnetIds).toEqual([]);
    expect(lb.createdTime).toBeUndefined();
    expect(lb.state).toBe("");
  });

  it("fails the partition on a load balancer without an ARN", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [arnlessLoadBalancer] });
    const failure = await observe(loadBalancerCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain("ghost");
  });

  it("lists classic load balancers after the ELBv2 ones, at 400 a page, tags in chunks of 20 names", async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [fullLoadBalancer] });
    const many = Array.from({ length: 21 }, (_, i) => ({ LoadBalancerName: `old-${i}` }));
    const inputs = answerPages(elb.on(DescribeClassicLoadBalancersCommand), [
      { LoadBalancerDescriptions: [fullClassic, ...many], NextMarker: "c1" },
      { LoadBalancerDescriptions: [{ LoadBalancerName: "last" }] },
    ]);
    elb.on(DescribeClassicTagsCommand).callsFake((input: { LoadBalancerNames?: string[] }) => ({
      TagDescriptions: (input.LoadBalancerNames ?? []).map((name) =>
        name === fullClassic.LoadBalancerName
          ? fullClassicTags
          : { LoadBalancerName: name, Tags: [] },
      ),
    }));
    const ctx = testContext(REGIONAL, 2);
    const resources = await observe(loadBalancerCollector, ctx);

    expect(inputs).toEqual([
      { PageSize: 400, Marker: undefined },
      { PageSize: 400, Marker: "c1" },
    ]);
    const tagCalls = elb
      .commandCalls(DescribeClassicTagsCommand)
      .map((c) => c.args[0].input.LoadBalancerNames?.length);
    expect(tagCalls).toEqual([20, 2, 1]);
    expect(resources.map((r) => r.id)).toEqual([
      lbArn("web"),
      classicArn("legacy-clb"),
      ...many.map((m) => classicArn(m.LoadBalancerName)),
      classicArn("last"),
    ]);
  });

  it("maps a classic load balancer: type classic, ARN built from its name, its instances", () => {
    const r = loadBalancerCollector.toProto(
      { classic: fullClassic, tags: fullClassicTags.Tags },
      REGIONAL,
    );
    expect(r.id).toBe(
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy-clb",
    );
    expect(r.arn).toBe(r.id);
    expect(r.name).toBe("legacy-clb");
    expect(r.tags).toEqual({ Team: "legacy" });
    const lb = payloadOf(r, "load_balancer");
    expect(lb.type).toBe("classic");
    expect(lb.name).toBe("legacy-clb");
    expect(lb.vpcId).toBe("vpc-0abc1234");
    expect(lb.subnetIds).toEqual(["subnet-0pub1", "subnet-0pub2"]);
    expect(lb.securityGroupIds).toEqual(["sg-0web0000000000001"]);
    expect(lb.instanceIds).toEqual(["i-0abc1234def567890", "i-0fed9876cba543210"]);
    expect(lb.canonicalHostedZoneId).toBe("Z35SXDOTRQ7X7K");
    expect(lb.scheme).toBe("internet-facing");
    // What the classic API does not have stays empty.
    expect(unsetFields(LoadBalancerSchema, lb).sort()).toEqual([
      "ip_address_type",
      "state",
      "target_group_arns",
    ]);
  });

  it("fails the partition with invalid_data on a classic load balancer without a name", () => {
    expect(() =>
      loadBalancerCollector.toProto(
        { classic: { DNSName: "x.elb.amazonaws.com" }, tags: [] },
        REGIONAL,
      ),
    ).toThrow(PartitionFailure);
  });
});
