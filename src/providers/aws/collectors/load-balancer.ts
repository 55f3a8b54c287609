/**
 * load_balancer: ELBv2 load balancers (application, network, gateway) and Classic Load
 * Balancers (type "classic"). One type, one module, two APIs: both are load balancers to an
 * operator and to AHTI, share one IAM prefix and the same action names, and a partition of
 * load_balancer is complete only when both were listed, so one collector reads both (two
 * collectors of one type would each have to publish half a partition).
 *
 * ELBv2 DescribeLoadBalancers carries neither tags nor target groups. Tags cost one
 * DescribeTags per 20 load balancers of a page (the API's limit), run concurrently under
 * `ctx.limit`. The target groups routing to each load balancer are read once per partition
 * from a paged DescribeTargetGroups before the first page, so no load balancer costs a call
 * of its own. The classic API's DescribeLoadBalancers carries the registered instances;
 * its tags cost one classic DescribeTags per 20 names of a page, as ELBv2's do. The ELBv2
 * pages come first, then the classic ones.
 */

import {
  type Tag as ClassicTag,
  DescribeTagsCommand as DescribeClassicTagsCommand,
  type LoadBalancerDescription,
  paginateDescribeLoadBalancers as paginateDescribeClassicLoadBalancers,
} from "@aws-sdk/client-elastic-load-balancing";
import {
  DescribeTagsCommand,
  type LoadBalancer,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
  type Tag,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { LoadBalancerSchema } from "../../../gen/elava/v1/load_balancing_pb.ts";
import { type CollectorContext, callOptions, defineCollector, type UnitRef } from "../collector.ts";
import { arnOf, nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** DescribeLoadBalancers' and DescribeTargetGroups' largest page. */
export const ELBV2_PAGE_SIZE = 400;
/** DescribeTags takes at most this many ARNs. */
export const ELBV2_TAGS_CHUNK = 20;

/** An ELBv2 load balancer with what the other ELBv2 calls say about it. */
export interface Elbv2LoadBalancerItem {
  readonly loadBalancer: LoadBalancer;
  readonly tags: readonly Tag[];
  readonly targetGroupArns: readonly string[];
}

/** A Classic Load Balancer with its tags. */
export interface ClassicLoadBalancerItem {
  readonly classic: LoadBalancerDescription;
  readonly tags: readonly ClassicTag[];
}

/** What `list` yields: a load balancer of either API. */
export type LoadBalancerItem = Elbv2LoadBalancerItem | ClassicLoadBalancerItem;

/** The largest page of the classic DescribeLoadBalancers. */
export const CLASSIC_PAGE_SIZE = 400;

/** The tags of Classic Load Balancers by name: one DescribeTags per 20 names, under `ctx.limit`. */
async function classicTagsByName(
  ctx: CollectorContext,
  names: readonly string[],
): Promise<Map<string, ClassicTag[]>> {
  const chunks: string[][] = [];
  for (let i = 0; i < names.length; i += ELBV2_TAGS_CHUNK) {
    chunks.push(names.slice(i, i + ELBV2_TAGS_CHUNK));
  }
  const answers = await Promise.all(
    chunks.map((chunk) =>
      ctx.limit(() =>
        ctx.clients.elb.send(
          new DescribeClassicTagsCommand({ LoadBalancerNames: chunk }),
          callOptions(ctx),
        ),
      ),
    ),
  );
  const byName = new Map<string, ClassicTag[]>();
  for (const answer of answers) {
    for (const d of answer.TagDescriptions ?? []) {
      if (d.LoadBalancerName) byName.set(d.LoadBalancerName, d.Tags ?? []);
    }
  }
  return byName;
}

/** A Classic Load Balancer as published: type "classic", its ARN built from its name. */
function classicToProto({ classic: lb, tags: sdkTags }: ClassicLoadBalancerItem, unit: UnitRef) {
  const name = requireId(
    lb.LoadBalancerName,
    `classic load balancer (DNS ${lb.DNSName ?? "none"})`,
    unit,
  );
  const arn = arnOf(unit, "elasticloadbalancing", `loadbalancer/${name}`);
  const tags = tagRecord(sdkTags);
  return {
    id: arn,
    name: nameFrom(tags, name),
    arn,
    tags,
    payload: payload(
      "load_balancer",
      create(LoadBalancerSchema, {
        name,
        type: "classic",
        scheme: lb.Scheme ?? "",
        dnsName: lb.DNSName ?? "",
        vpcId: lb.VPCId ?? "",
        subnetIds: lb.Subnets ?? [],
        securityGroupIds: lb.SecurityGroups ?? [],
        createdTime: timestamp(lb.CreatedTime),
        canonicalHostedZoneId: lb.CanonicalHostedZoneNameID ?? "",
        instanceIds: (lb.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
      }),
    ),
  };
}

/** The tags of ELBv2 resources by ARN: one DescribeTags per 20 ARNs, concurrently under `ctx.limit`. */
export async function elbv2TagsByArn(
  ctx: CollectorContext,
  arns: readonly string[],
): Promise<Map<string, Tag[]>> {
  const chunks: string[][] = [];
  for (let i = 0; i < arns.length; i += ELBV2_TAGS_CHUNK) {
    chunks.push(arns.slice(i, i + ELBV2_TAGS_CHUNK));
  }
  const answers = await Promise.all(
    chunks.map((chunk) =>
      ctx.limit(() =>
        ctx.clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: chunk }), callOptions(ctx)),
      ),
    ),
  );
  const byArn = new Map<string, Tag[]>();
  for (const answer of answers) {
    for (const d of answer.TagDescriptions ?? []) {
      if (d.ResourceArn) byArn.set(d.ResourceArn, d.Tags ?? []);
    }
  }
  return byArn;
}

/**
 * Streams DescribeTargetGroups pages of the unit, 400 groups a page (the ELBv2 paginators
 * take no page size of their own: it goes in the input).
 */
export async function* targetGroupPages(ctx: CollectorContext): AsyncGenerator<TargetGroup[]> {
  for await (const page of paginateDescribeTargetGroups(
    { client: ctx.clients.elbv2 },
    { PageSize: ELBV2_PAGE_SIZE },
    callOptions(ctx),
  )) {
    yield page.TargetGroups ?? [];
  }
}

/** ELBv2 load balancers with their tags and target groups, then classic ones with their tags. */
export const loadBalancerCollector = defineCollector({
  type: "load_balancer",
  service: "elbv2",
  iamActions: [
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroups",
  ],

  async *list(ctx): AsyncGenerator<LoadBalancerItem[]> {
    const groupsOf = new Map<string, string[]>();
    for await (const groups of targetGroupPages(ctx)) {
      for (const g of groups) {
        if (!g.TargetGroupArn) continue;
        for (const lb of g.LoadBalancerArns ?? []) {
          groupsOf.set(lb, [...(groupsOf.get(lb) ?? []), g.TargetGroupArn]);
        }
      }
    }
    for await (const page of paginateDescribeLoadBalancers(
      { client: ctx.clients.elbv2 },
      { PageSize: ELBV2_PAGE_SIZE },
      callOptions(ctx),
    )) {
      const lbs = page.LoadBalancers ?? [];
      const tags = await elbv2TagsByArn(
        ctx,
        lbs.flatMap((lb) => (lb.LoadBalancerArn ? [lb.LoadBalancerArn] : [])),
      );
      yield lbs.map((loadBalancer) => {
        const arn = loadBalancer.LoadBalancerArn ?? "";
        return {
          loadBalancer,
          tags: tags.get(arn) ?? [],
          targetGroupArns: groupsOf.get(arn) ?? [],
        };
      });
    }
    for await (const page of paginateDescribeClassicLoadBalancers(
      { client: ctx.clients.elb },
      { PageSize: CLASSIC_PAGE_SIZE },
      callOptions(ctx),
    )) {
      const lbs = page.LoadBalancerDescriptions ?? [];
      const tags = await classicTagsByName(
        ctx,
        lbs.flatMap((lb) => (lb.LoadBalancerName ? [lb.LoadBalancerName] : [])),
      );
      yield lbs.map((classic) => ({
        classic,
        tags: tags.get(classic.LoadBalancerName ?? "") ?? [],
      }));
    }
  },

  toProto(item: LoadBalancerItem, unit) {
    if ("classic" in item) return classicToProto(item, unit);
    const { loadBalancer: lb, tags: sdkTags, targetGroupArns } = item;
    const arn = requireId(
      lb.LoadBalancerArn,
      `load balancer (name ${lb.LoadBalancerName ?? "none"}, DNS ${lb.DNSName ?? "none"})`,
      unit,
    );
    const tags = tagRecord(sdkTags);
    const naturalName = lb.LoadBalancerName ?? arn;
    return {
      id: arn,
      name: nameFrom(tags, naturalName),
      arn,
      tags,
      payload: payload(
        "load_balancer",
        create(LoadBalancerSchema, {
          name: lb.LoadBalancerName ?? "",
          type: lb.Type ?? "",
          scheme: lb.Scheme ?? "",
          dnsName: lb.DNSName ?? "",
          vpcId: lb.VpcId ?? "",
          subnetIds: (lb.AvailabilityZones ?? []).flatMap((z) => (z.SubnetId ? [z.SubnetId] : [])),
          securityGroupIds: lb.SecurityGroups ?? [],
          targetGroupArns: [...targetGroupArns],
          state: lb.State?.Code ?? "",
          ipAddressType: lb.IpAddressType ?? "",
          createdTime: timestamp(lb.CreatedTime),
          canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? "",
        }),
      ),
    };
  },
});
