/**
 * EC2 instances: DescribeInstances, one call per page. The references to the ASG, the
 * launch template and the EKS cluster / node group come from the tags AWS itself puts on
 * the instance (`aws:autoscaling:groupName`, `eks:cluster-name`, ...).
 */

import { type Instance, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { Ec2InstanceSchema } from "../../../gen/elava/v1/compute_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** DescribeInstances allows 5..1000. */
const PAGE_SIZE = 1000;

export const ec2InstanceCollector = defineCollector({
  type: "ec2_instance",
  service: "ec2",
  iamActions: ["ec2:DescribeInstances"],
  async *list(ctx) {
    for await (const page of paginateDescribeInstances(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    }
  },
  toProto(i: Instance, unit) {
    const id = requireId(i.InstanceId, "EC2 instance", unit);
    const tags = tagRecord(i.Tags);
    return {
      id,
      name: nameFrom(tags, id),
      arn: ec2Arn(unit, "instance", id),
      tags,
      payload: payload(
        "ec2_instance",
        create(Ec2InstanceSchema, {
          instanceId: id,
          instanceType: i.InstanceType ?? "",
          state: i.State?.Name ?? "",
          privateIp: i.PrivateIpAddress ?? "",
          publicIp: i.PublicIpAddress ?? "",
          privateDnsName: i.PrivateDnsName ?? "",
          vpcId: i.VpcId ?? "",
          subnetId: i.SubnetId ?? "",
          securityGroupIds: (i.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
          availabilityZone: i.Placement?.AvailabilityZone ?? "",
          imageId: i.ImageId ?? "",
          iamInstanceProfileArn: i.IamInstanceProfile?.Arn ?? "",
          autoscalingGroupName: tags["aws:autoscaling:groupName"] ?? "",
          launchTemplateId: tags["aws:ec2launchtemplate:id"] ?? "",
          launchTemplateVersion: tags["aws:ec2launchtemplate:version"] ?? "",
          eksClusterName: tags["eks:cluster-name"] ?? "",
          eksNodeGroupName: tags["eks:nodegroup-name"] ?? "",
          launchTime: timestamp(i.LaunchTime),
          architecture: i.Architecture ?? "",
          publicDnsName: i.PublicDnsName ?? "",
        }),
      ),
    };
  },
});
