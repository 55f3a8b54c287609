/**
 * target_group: ELBv2 target groups with their registered targets and each target's
 * health. DescribeTargetGroups pages of 400; per page one DescribeTags per 20 groups and
 * one DescribeTargetHealth per group (the API has no batch form), concurrently under
 * `ctx.limit`. A group deleted between the page and its DescribeTargetHealth is left out:
 * it no longer exists, which is what the next snapshot set should say.
 */
import {
  DescribeTargetHealthCommand,
  type Tag,
  type TargetGroup,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { TargetGroupSchema, TargetHealthSchema } from "../../../gen/elava/v1/load_balancing_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, tagRecord } from "../tags.ts";
import { elbv2TagsByArn, targetGroupPages } from "./load-balancer.ts";

/** A target group with its tags and the health of its registered targets. */
export interface TargetGroupItem {
  readonly targetGroup: TargetGroup;
  readonly tags: readonly Tag[];
  readonly health: readonly TargetHealthDescription[];
}

/** ELBv2 target groups, their targets and load balancers. */
export const targetGroupCollector = defineCollector({
  type: "target_group",
  service: "elbv2",
  iamActions: [
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetHealth",
  ],

  async *list(ctx): AsyncGenerator<TargetGroupItem[]> {
    for await (const groups of targetGroupPages(ctx)) {
      const arns = groups.flatMap((g) => (g.TargetGroupArn ? [g.TargetGroupArn] : []));
      const [tags, health] = await Promise.all([
        elbv2TagsByArn(ctx, arns),
        Promise.all(
          groups.map((g) =>
            g.TargetGroupArn === undefined
              ? Promise.resolve([])
              : ctx.limit(() =>
                  ctx.clients.elbv2
                    .send(
                      new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }),
                      callOptions(ctx),
                    )
                    .then(
                      (out) => out.TargetHealthDescriptions ?? [],
                      (err: unknown) => {
                        if (awsErrorName(err) === "TargetGroupNotFoundException") return undefined;
                        throw err;
                      },
                    ),
                ),
          ),
        ),
      ]);
      const items: TargetGroupItem[] = [];
      groups.forEach((targetGroup, i) => {
        const targets = health[i];
        if (targets === undefined) return;
        items.push({
          targetGroup,
          tags: tags.get(targetGroup.TargetGroupArn ?? "") ?? [],
          health: targets,
        });
      });
      yield items;
    }
  },

  toProto({ targetGroup: g, tags: sdkTags, health }: TargetGroupItem, unit) {
    const arn = requireId(
      g.TargetGroupArn,
      `target group (name ${g.TargetGroupName ?? "none"})`,
      unit,
    );
    const tags = tagRecord(sdkTags);
    const port = Number.parseInt(g.HealthCheckPort ?? "", 10);
    return {
      id: arn,
      name: nameFrom(tags, g.TargetGroupName ?? arn),
      arn,
      tags,
      payload: payload(
        "target_group",
        create(TargetGroupSchema, {
          name: g.TargetGroupName ?? "",
          protocol: g.Protocol ?? "",
          port: g.Port ?? 0,
          vpcId: g.VpcId ?? "",
          targetType: g.TargetType ?? "",
          targetIds: health.flatMap((h) => (h.Target?.Id ? [h.Target.Id] : [])),
          healthCheckPath: g.HealthCheckPath ?? "",
          // "traffic-port" (the target's own port) has no number of its own.
          healthCheckPort: Number.isInteger(port) ? port : 0,
          healthCheckProtocol: g.HealthCheckProtocol ?? "",
          loadBalancerArns: g.LoadBalancerArns ?? [],
          targets: health.map((h) =>
            create(TargetHealthSchema, {
              id: h.Target?.Id ?? "",
              port: h.Target?.Port ?? 0,
              availabilityZone: h.Target?.AvailabilityZone ?? "",
              healthState: h.TargetHealth?.State ?? "",
              reason: h.TargetHealth?.Reason ?? "",
            }),
          ),
        }),
      ),
    };
  },
});
