/** elastic_ip: Elastic IP addresses, EC2 DescribeAddresses: one call, the API has no pages. */
import { type Address, DescribeAddressesCommand } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { ElasticIpSchema } from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";

export const elasticIpCollector = defineCollector({
  type: "elastic_ip",
  service: "ec2",
  iamActions: ["ec2:DescribeAddresses"],
  async *list(ctx) {
    const answer = await ctx.clients.ec2.send(new DescribeAddressesCommand({}), callOptions(ctx));
    yield answer.Addresses ?? [];
  },
  toProto(a: Address, unit) {
    // An EC2-Classic address (domain standard) has no allocation id; none is left today.
    const id = requireId(a.AllocationId, `Elastic IP (${a.PublicIp ?? "no address"})`, unit);
    const tags = tagRecord(a.Tags);
    return {
      id,
      name: nameFrom(tags, a.PublicIp ?? id),
      arn: ec2Arn(unit, "elastic-ip", id),
      tags,
      payload: payload(
        "elastic_ip",
        create(ElasticIpSchema, {
          allocationId: id,
          publicIp: a.PublicIp ?? "",
          domain: a.Domain ?? "",
          instanceId: a.InstanceId ?? "",
          networkInterfaceId: a.NetworkInterfaceId ?? "",
          associationId: a.AssociationId ?? "",
          privateIpAddress: a.PrivateIpAddress ?? "",
          networkInterfaceOwnerId: a.NetworkInterfaceOwnerId ?? "",
          publicIpv4Pool: a.PublicIpv4Pool ?? "",
          networkBorderGroup: a.NetworkBorderGroup ?? "",
        }),
      ),
    };
  },
});
