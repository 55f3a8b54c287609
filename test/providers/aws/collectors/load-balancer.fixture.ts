/** ELBv2 DescribeLoadBalancers / DescribeTags / DescribeTargetGroups output, as the SDK returns it. */

import type {
  LoadBalancer,
  TagDescription,
  TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

const ACCOUNT = "123456789012";

/** The ARN of a load balancer of the test account. */
export function lbArn(name: string): string {
  return `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/${name}/50dc6c495c0c9188`;
}

/** An application load balancer with every field the mapping reads. */
export const fullLoadBalancer: LoadBalancer = {
  LoadBalancerArn: lbArn("web"),
  DNSName: "web-1234567890.us-east-1.elb.amazonaws.com",
  CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
  CreatedTime: new Date("2026-03-04T05:06:07Z"),
  LoadBalancerName: "web",
  Scheme: "internet-facing",
  VpcId: "vpc-0abc1234",
  State: { Code: "active" },
  Type: "application",
  AvailabilityZones: [
    { ZoneName: "us-east-1a", SubnetId: "subnet-0pub1", LoadBalancerAddresses: [] },
    { ZoneName: "us-east-1b", SubnetId: "subnet-0pub2", LoadBalancerAddresses: [] },
  ],
  SecurityGroups: ["sg-0web0000000000001"],
  IpAddressType: "dualstack",
};

/** A load balancer of the given name, with only what the API always returns. */
export function bareLoadBalancer(name: string): LoadBalancer {
  return { LoadBalancerArn: lbArn(name), LoadBalancerName: name, Type: "network" };
}

/** The tags of the full load balancer. */
export const fullLoadBalancerTags: TagDescription = {
  ResourceArn: lbArn("web"),
  Tags: [
    { Key: "Name", Value: "public-web" },
    { Key: "Team", Value: "edge" },
  ],
};

/** The target groups that route to the full load balancer (one also to another one). */
export const routingGroups: TargetGroup[] = [
  {
    TargetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web/0123456789abcdef`,
    TargetGroupName: "web",
    LoadBalancerArns: [lbArn("web")],
  },
  {
    TargetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/api/fedcba9876543210`,
    TargetGroupName: "api",
    LoadBalancerArns: [lbArn("web"), lbArn("internal")],
  },
  {
    TargetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/idle/1111111111111111`,
    TargetGroupName: "idle",
    LoadBalancerArns: [],
  },
];

/** A malformed entry: no ARN. */
export const arnlessLoadBalancer: LoadBalancer = {
  LoadBalancerName: "ghost",
  DNSName: "ghost-1.us-east-1.elb.amazonaws.com",
};

/** How ELBv2 Describe* calls page: 400 at most, `Marker` in, `NextMarker` out. */
export const ELBV2_PAGING = {
  pageSize: "PageSize",
  max: 400,
  inputToken: "Marker",
  outputToken: "NextMarker",
} as const;

/** DescribeTags takes at most this many ARNs. */
export const ELBV2_TAGS_CHUNK = 20;

/** The DescribeTags calls that tagging every page of a listing costs, 20 ARNs a call. */
export function tagCalls(pageLengths: readonly number[]): number {
  return pageLengths.reduce((n, length) => n + Math.ceil(length / ELBV2_TAGS_CHUNK), 0);
}

export default defineAwsFixture({
  type: "load_balancer",
  listing: DescribeLoadBalancersCommand,
  full: {
    id: lbArn("web"),
    answers: [
      on(DescribeTargetGroupsCommand).answer({ TargetGroups: routingGroups }),
      on(DescribeLoadBalancersCommand).answer({ LoadBalancers: [fullLoadBalancer] }),
      on(DescribeTagsCommand).answer({ TagDescriptions: [fullLoadBalancerTags] }),
    ],
  },
  estate: {
    id: (r, k) =>
      `arn:aws:elasticloadbalancing:${r.region}:${r.accountId}:loadbalancer/app/lb-${k}/${r.hex(k).slice(1)}`,
    // Every ELBv2 resource is tagged with the name in its ARN; the target groups routing to
    // each load balancer are target_group's.
    answers: (r) => [
      on(DescribeLoadBalancersCommand).pages(
        { ...ELBV2_PAGING, items: "LoadBalancers" },
        r.ids("load_balancer").map(
          (LoadBalancerArn, i): LoadBalancer => ({
            LoadBalancerArn,
            LoadBalancerName: `lb-${i}`,
            DNSName: `lb-${i}-${r.hex(i)}.${r.region}.elb.amazonaws.com`,
            CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
            CreatedTime: r.epoch,
            Scheme: "internet-facing",
            VpcId: r.id("vpc", i) || undefined,
            State: { Code: "active" },
            Type: "application",
            IpAddressType: "ipv4",
            AvailabilityZones:
              r.id("subnet", i) === ""
                ? []
                : [{ ZoneName: r.zone(i), SubnetId: r.id("subnet", i) }],
            SecurityGroups: r.id("security_group", i) === "" ? [] : [r.id("security_group", i)],
          }),
        ),
      ),
      on(DescribeTagsCommand).answerBy(({ ResourceArns = [] }) => {
        if (ResourceArns.length > ELBV2_TAGS_CHUNK)
          return new AwsErrorAnswer(400, "ValidationError");
        return {
          TagDescriptions: ResourceArns.map((ResourceArn) => ({
            ResourceArn,
            Tags: [{ Key: "Name", Value: ResourceArn.split("/")[1] ?? "" }],
          })),
        };
      }),
    ],
    minimumCalls: (r) => [
      [DescribeTargetGroupsCommand, r.pages(DescribeTargetGroupsCommand)],
      [DescribeLoadBalancersCommand, r.pages(DescribeLoadBalancersCommand)],
      [DescribeTagsCommand, tagCalls(r.pageLengths(DescribeLoadBalancersCommand))],
    ],
  },
});
