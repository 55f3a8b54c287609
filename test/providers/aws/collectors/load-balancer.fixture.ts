/**
 * ELBv2 DescribeLoadBalancers / DescribeTags / DescribeTargetGroups and classic ELB
 * DescribeLoadBalancers / DescribeTags output, as the SDKs return it.
 */
import {
  DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand,
  DescribeTagsCommand as DescribeClassicTagsCommand,
  type LoadBalancerDescription,
} from "@aws-sdk/client-elastic-load-balancing";

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
import { defineAwsFixture, range } from "../../../support/aws-fixture.ts";

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

/** The ARN AWS gives a Classic Load Balancer of the test account. */
export function classicArn(name: string): string {
  return `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/${name}`;
}

/** A Classic Load Balancer with every field the mapping reads (the ASG fixture's "legacy-clb"). */
export const fullClassic: LoadBalancerDescription = {
  LoadBalancerName: "legacy-clb",
  DNSName: "legacy-clb-1234567890.us-east-1.elb.amazonaws.com",
  CanonicalHostedZoneName: "legacy-clb-1234567890.us-east-1.elb.amazonaws.com",
  CanonicalHostedZoneNameID: "Z35SXDOTRQ7X7K",
  ListenerDescriptions: [
    {
      Listener: {
        Protocol: "HTTP",
        LoadBalancerPort: 80,
        InstanceProtocol: "HTTP",
        InstancePort: 8080,
      },
      PolicyNames: [],
    },
  ],
  AvailabilityZones: ["us-east-1a", "us-east-1b"],
  Subnets: ["subnet-0pub1", "subnet-0pub2"],
  VPCId: "vpc-0abc1234",
  Instances: [{ InstanceId: "i-0abc1234def567890" }, { InstanceId: "i-0fed9876cba543210" }],
  SecurityGroups: ["sg-0web0000000000001"],
  CreatedTime: new Date("2019-05-06T07:08:09Z"),
  Scheme: "internet-facing",
};

/** The tags of the full Classic Load Balancer. */
export const fullClassicTags = {
  LoadBalancerName: "legacy-clb",
  Tags: [{ Key: "Team", Value: "legacy" }],
};

/** How classic ELB DescribeLoadBalancers pages: 400 at most, `Marker` in, `NextMarker` out. */
export const CLASSIC_PAGING = {
  items: "LoadBalancerDescriptions",
  pageSize: "PageSize",
  max: 400,
  inputToken: "Marker",
  outputToken: "NextMarker",
} as const;

/** The name of classic load balancer k of an estate region. */
export function classicName(r: { hex(i: number): string }, k: number): string {
  return `clb-${r.hex(k).slice(-6)}-${k}`;
}

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

/** The ELBv2 load balancers of an estate region: the first half (rounded up). */
export function elbv2Count(r: { count(type: "load_balancer"): number }): number {
  return Math.ceil(r.count("load_balancer") / 2);
}

export default defineAwsFixture({
  type: "load_balancer",
  listing: DescribeLoadBalancersCommand,
  laterListings: [DescribeClassicLoadBalancersCommand],
  full: {
    id: lbArn("web"),
    // A classic load balancer sets instance_ids, which no ELBv2 one has.
    variants: [classicArn("legacy-clb")],
    answers: [
      on(DescribeTargetGroupsCommand).answer({ TargetGroups: routingGroups }),
      on(DescribeLoadBalancersCommand).answer({ LoadBalancers: [fullLoadBalancer] }),
      on(DescribeTagsCommand).answer({ TagDescriptions: [fullLoadBalancerTags] }),
      on(DescribeClassicLoadBalancersCommand).answer({ LoadBalancerDescriptions: [fullClassic] }),
      on(DescribeClassicTagsCommand).answer({ TagDescriptions: [fullClassicTags] }),
    ],
  },
  estate: {
    // The first half ELBv2, the second classic: load balancer k >= n/2 is classic.
    id: (r, k) =>
      k < elbv2Count(r)
        ? `arn:aws:elasticloadbalancing:${r.region}:${r.accountId}:loadbalancer/app/lb-${k}/${r.hex(k).slice(1)}`
        : `arn:aws:elasticloadbalancing:${r.region}:${r.accountId}:loadbalancer/${classicName(r, k)}`,
    // Every ELBv2 resource is tagged with the name in its ARN; the target groups routing to
    // each load balancer are target_group's.
    answers: (r) => [
      on(DescribeLoadBalancersCommand).pages(
        { ...ELBV2_PAGING, items: "LoadBalancers" },
        r
          .ids("load_balancer")
          .slice(0, elbv2Count(r))
          .map(
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
      // Classic load balancer k registers instance k, as autoscaling group k names it.
      on(DescribeClassicLoadBalancersCommand).pages(
        CLASSIC_PAGING,
        range(r.count("load_balancer"))
          .slice(elbv2Count(r))
          .map(
            (k): LoadBalancerDescription => ({
              LoadBalancerName: classicName(r, k),
              DNSName: `${classicName(r, k)}.${r.region}.elb.amazonaws.com`,
              CanonicalHostedZoneNameID: "Z35SXDOTRQ7X7K",
              CreatedTime: r.epoch,
              Scheme: "internal",
              VPCId: r.id("vpc", k) || undefined,
              Subnets: r.id("subnet", k) === "" ? [] : [r.id("subnet", k)],
              SecurityGroups: r.id("security_group", k) === "" ? [] : [r.id("security_group", k)],
              Instances:
                r.id("ec2_instance", k) === "" ? [] : [{ InstanceId: r.id("ec2_instance", k) }],
            }),
          ),
      ),
      on(DescribeClassicTagsCommand).answerBy(({ LoadBalancerNames = [] }) => {
        if (LoadBalancerNames.length > ELBV2_TAGS_CHUNK)
          return new AwsErrorAnswer(400, "ValidationError");
        return {
          TagDescriptions: LoadBalancerNames.map((LoadBalancerName) => ({
            LoadBalancerName,
            Tags: [{ Key: "Name", Value: LoadBalancerName }],
          })),
        };
      }),
    ],
    minimumCalls: (r) => [
      [DescribeTargetGroupsCommand, r.pages(DescribeTargetGroupsCommand)],
      [DescribeLoadBalancersCommand, r.pages(DescribeLoadBalancersCommand)],
      [DescribeTagsCommand, tagCalls(r.pageLengths(DescribeLoadBalancersCommand))],
      [DescribeClassicLoadBalancersCommand, r.pages(DescribeClassicLoadBalancersCommand)],
      [DescribeClassicTagsCommand, tagCalls(r.pageLengths(DescribeClassicLoadBalancersCommand))],
    ],
  },
});
