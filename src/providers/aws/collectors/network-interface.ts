/** network_interface: elastic network interfaces, EC2 DescribeNetworkInterfaces, one call per page. */
import { type NetworkInterface, paginateDescribeNetworkInterfaces } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { NetworkInterfaceSchema } from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";

/** DescribeNetworkInterfaces allows 5..1000. */
const PAGE_SIZE = 1000;

export const networkInterfaceCollector = defineCollector({
  type: "network_interface",
  service: "ec2",
  iamActions: ["ec2:DescribeNetworkInterfaces"],
  async *list(ctx) {
    for await (const page of paginateDescribeNetworkInterfaces(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.NetworkInterfaces ?? [];
    }
  },
  toProto(n: NetworkInterface, unit) {
    const id = requireId(
      n.NetworkInterfaceId,
      `network interface (MAC ${n.MacAddress ?? "none"})`,
      unit,
    );
    // DescribeNetworkInterfaces answers TagSet, not Tags.
    const tags = tagRecord(n.TagSet);
    return {
      id,
      name: nameFrom(tags, id),
      arn: ec2Arn(unit, "network-interface", id),
      tags,
      payload: payload(
        "network_interface",
        create(NetworkInterfaceSchema, {
          networkInterfaceId: id,
          interfaceType: n.InterfaceType ?? "",
          description: n.Description ?? "",
          subnetId: n.SubnetId ?? "",
          vpcId: n.VpcId ?? "",
          securityGroupIds: (n.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
          privateIpAddress: n.PrivateIpAddress ?? "",
          privateIpAddresses: (n.PrivateIpAddresses ?? []).flatMap((a) =>
            a.PrivateIpAddress ? [a.PrivateIpAddress] : [],
          ),
          publicIp: n.Association?.PublicIp ?? "",
          attachmentInstanceId: n.Attachment?.InstanceId ?? "",
          attachmentStatus: n.Attachment?.Status ?? "",
          attachmentDeviceIndex: n.Attachment?.DeviceIndex ?? 0,
          attachmentInstanceOwnerId: n.Attachment?.InstanceOwnerId ?? "",
          requesterId: n.RequesterId ?? "",
          requesterManaged: n.RequesterManaged ?? false,
          status: n.Status ?? "",
          availabilityZone: n.AvailabilityZone ?? "",
          macAddress: n.MacAddress ?? "",
          ownerId: n.OwnerId ?? "",
          ipv6Addresses: (n.Ipv6Addresses ?? []).flatMap((a) =>
            a.Ipv6Address ? [a.Ipv6Address] : [],
          ),
          sourceDestCheck: n.SourceDestCheck ?? false,
        }),
      ),
    };
  },
});
