/** ELBv2 DescribeTargetGroups / DescribeTargetHealth / DescribeTags output, as the SDK returns it. */

import type {
  TagDescription,
  TargetGroup,
  TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";
import { ELBV2_PAGING, lbArn, tagCalls } from "./load-balancer.fixture.ts";

/** The ARN of a target group of the test account. */
export function tgArn(name: string): string {
  return `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
}

/** A target group with every field the mapping reads. */
export const fullTargetGroup: TargetGroup = {
  TargetGroupArn: tgArn("web"),
  TargetGroupName: "web",
  Protocol: "HTTP",
  Port: 8080,
  VpcId: "vpc-0abc1234",
  HealthCheckProtocol: "HTTP",
  HealthCheckPort: "8081",
  HealthCheckEnabled: true,
  HealthCheckIntervalSeconds: 30,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 5,
  UnhealthyThresholdCount: 2,
  HealthCheckPath: "/healthz",
  Matcher: { HttpCode: "200" },
  LoadBalancerArns: [lbArn("web")],
  TargetType: "instance",
  ProtocolVersion: "HTTP1",
  IpAddressType: "ipv4",
};

/** The health of the full group's two targets. */
export const fullTargetHealth: TargetHealthDescription[] = [
  {
    Target: { Id: "i-0aaa1111bbbb2222c", Port: 8080, AvailabilityZone: "us-east-1a" },
    HealthCheckPort: "8081",
    TargetHealth: { State: "healthy" },
  },
  {
    Target: { Id: "i-0ddd3333eeee4444f", Port: 8080, AvailabilityZone: "us-east-1b" },
    HealthCheckPort: "8081",
    TargetHealth: {
      State: "unhealthy",
      Reason: "Target.ResponseCodeMismatch",
      Description: "Health checks failed with these codes: [502]",
    },
  },
];

/** The full group's tags. */
export const fullTargetGroupTags: TagDescription = {
  ResourceArn: tgArn("web"),
  Tags: [
    { Key: "Name", Value: "web-targets" },
    { Key: "Team", Value: "edge" },
  ],
};

/** A group of the given name with only what the API always returns; health on the traffic port. */
export function bareTargetGroup(name: string): TargetGroup {
  return { TargetGroupArn: tgArn(name), TargetGroupName: name, HealthCheckPort: "traffic-port" };
}

/** A malformed entry: no ARN. */
export const arnlessTargetGroup: TargetGroup = { TargetGroupName: "ghost", Port: 80 };

export default defineAwsFixture({
  type: "target_group",
  listing: DescribeTargetGroupsCommand,
  full: {
    id: tgArn("web"),
    answers: [
      on(DescribeTargetGroupsCommand).answer({ TargetGroups: [fullTargetGroup] }),
      on(DescribeTagsCommand).answer({ TagDescriptions: [fullTargetGroupTags] }),
      on(DescribeTargetHealthCommand).answer({ TargetHealthDescriptions: fullTargetHealth }),
    ],
  },
  estate: {
    id: (r, k) =>
      `arn:aws:elasticloadbalancing:${r.region}:${r.accountId}:targetgroup/tg-${k}/${r.hex(k).slice(1)}`,
    // Target group i routes to load balancer i and has instances i and i + 1 as targets;
    // its tags are load_balancer's DescribeTags answer.
    answers: (r) => {
      const balancers = r.count("load_balancer");
      const groups = r.ids("target_group").map(
        (TargetGroupArn, i): TargetGroup => ({
          TargetGroupArn,
          TargetGroupName: `tg-${i}`,
          Protocol: "HTTP",
          Port: 8080,
          VpcId: r.id("vpc", i) || undefined,
          TargetType: "instance",
          HealthCheckProtocol: "HTTP",
          HealthCheckPort: "traffic-port",
          HealthCheckPath: "/healthz",
          LoadBalancerArns: i < balancers ? [r.id("load_balancer", i)] : [],
        }),
      );
      const index = new Map(groups.map((g, i) => [g.TargetGroupArn, i]));
      return [
        on(DescribeTargetGroupsCommand).pages({ ...ELBV2_PAGING, items: "TargetGroups" }, groups),
        on(DescribeTargetHealthCommand).answerBy(({ TargetGroupArn }) => {
          const i = index.get(TargetGroupArn);
          if (i === undefined) return new AwsErrorAnswer(400, "TargetGroupNotFound");
          const targets = r.count("ec2_instance") === 0 ? [] : [i, i + 1];
          return {
            TargetHealthDescriptions: targets.map((j) => ({
              Target: { Id: r.id("ec2_instance", j), Port: 8080, AvailabilityZone: r.zone(j) },
              HealthCheckPort: "8080",
              TargetHealth: { State: "healthy" },
            })),
          };
        }),
      ];
    },
    minimumCalls: (r) => [
      [DescribeTargetGroupsCommand, r.pages(DescribeTargetGroupsCommand)],
      [DescribeTagsCommand, tagCalls(r.pageLengths(DescribeTargetGroupsCommand))],
      [DescribeTargetHealthCommand, r.count("target_group")],
    ],
  },
});
