/** autoscaling_group: EC2 Auto Scaling groups, one DescribeAutoScalingGroups call per page. */

import {
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
} from "@aws-sdk/client-auto-scaling";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { AutoscalingGroupSchema } from "../../../gen/elava/v1/compute_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** The API's largest page. */
const PAGE_SIZE = 100;

/** Auto Scaling groups; their launch template may come from a mixed instances policy. */
export const autoscalingGroupCollector = defineCollector({
  type: "autoscaling_group",
  service: "autoscaling",
  iamActions: ["autoscaling:DescribeAutoScalingGroups"],

  async *list(ctx) {
    for await (const page of paginateDescribeAutoScalingGroups(
      { client: ctx.clients.autoscaling, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.AutoScalingGroups ?? [];
    }
  },

  toProto(group: AutoScalingGroup, unit) {
    const name = requireId(
      group.AutoScalingGroupName,
      `Auto Scaling group (ARN ${group.AutoScalingGroupARN ?? "none"})`,
      unit,
    );
    const tags = tagRecord(group.Tags);
    const template =
      group.LaunchTemplate ??
      group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    const instances = group.Instances ?? [];
    return {
      id: name,
      name: nameFrom(tags, name),
      arn: group.AutoScalingGroupARN ?? "",
      tags,
      payload: payload(
        "autoscaling_group",
        create(AutoscalingGroupSchema, {
          name,
          minSize: group.MinSize ?? 0,
          maxSize: group.MaxSize ?? 0,
          desiredCapacity: group.DesiredCapacity ?? 0,
          currentSize: instances.filter((i) => i.LifecycleState === "InService").length,
          instanceIds: instances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
          launchTemplateId: template?.LaunchTemplateId ?? "",
          launchTemplateVersion: template?.Version ?? "",
          launchConfigName: group.LaunchConfigurationName ?? "",
          targetGroupArns: group.TargetGroupARNs ?? [],
          loadBalancerNames: group.LoadBalancerNames ?? [],
          vpcZoneIdentifiers: (group.VPCZoneIdentifier ?? "")
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
          healthCheckType: group.HealthCheckType ?? "",
          healthCheckGracePeriod: group.HealthCheckGracePeriod ?? 0,
          defaultCooldown: group.DefaultCooldown ?? 0,
          createdTime: timestamp(group.CreatedTime),
          availabilityZones: group.AvailabilityZones ?? [],
          status: group.Status ?? "",
        }),
      ),
    };
  },
});
