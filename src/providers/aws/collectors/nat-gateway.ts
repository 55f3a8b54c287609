/** NAT gateways: EC2 DescribeNatGateways, one call per page. */

import { type NatGateway, paginateDescribeNatGateways } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { NatGatewaySchema } from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";

/** DescribeNatGateways allows 5..1000. */
const PAGE_SIZE = 1000;

export const natGatewayCollector = defineCollector({
  type: "nat_gateway",
  service: "ec2",
  iamActions: ["ec2:DescribeNatGateways"],
  async *list(ctx) {
    for await (const page of paginateDescribeNatGateways(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.NatGateways ?? [];
    }
  },
  toProto(g: NatGateway, unit) {
    const id = requireId(g.NatGatewayId, "NAT gateway", unit);
    const tags = tagRecord(g.Tags);
    const address = g.NatGatewayAddresses?.[0];
    return {
      id,
      name: nameFrom(tags, id),
      arn: ec2Arn(unit, "natgateway", id),
      tags,
      payload: payload(
        "nat_gateway",
        create(NatGatewaySchema, {
          natGatewayId: id,
          vpcId: g.VpcId ?? "",
          subnetId: g.SubnetId ?? "",
          elasticIp: address?.PublicIp ?? "",
          state: g.State ?? "",
          privateIp: address?.PrivateIp ?? "",
          connectivityType: g.ConnectivityType ?? "",
          allocationId: address?.AllocationId ?? "",
        }),
      ),
    };
  },
});
