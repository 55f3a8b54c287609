/** VPC peering connections: EC2 DescribeVpcPeeringConnections, one call per page. */

import {
  paginateDescribeVpcPeeringConnections,
  type VpcPeeringConnection,
} from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { VpcPeeringSchema } from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { arnOf, nameFrom, requireId, tagRecord } from "../tags.ts";

/** DescribeVpcPeeringConnections allows 5..1000. */
const PAGE_SIZE = 1000;

export const vpcPeeringCollector = defineCollector({
  type: "vpc_peering",
  service: "ec2",
  iamActions: ["ec2:DescribeVpcPeeringConnections"],
  async *list(ctx) {
    for await (const page of paginateDescribeVpcPeeringConnections(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.VpcPeeringConnections ?? [];
    }
  },
  toProto(p: VpcPeeringConnection, unit) {
    const id = requireId(p.VpcPeeringConnectionId, "VPC peering connection", unit);
    const tags = tagRecord(p.Tags);
    const requester = p.RequesterVpcInfo;
    const accepter = p.AccepterVpcInfo;
    return {
      id,
      name: nameFrom(tags, id),
      // The requester owns the peering: its account and region are in the ARN whichever
      // side lists it (the accepter's account lists it too).
      arn: arnOf(unit, "ec2", `vpc-peering-connection/${id}`, {
        ...(requester?.OwnerId ? { accountId: requester.OwnerId } : {}),
        ...(requester?.Region ? { region: requester.Region } : {}),
      }),
      tags,
      payload: payload(
        "vpc_peering",
        create(VpcPeeringSchema, {
          vpcPeeringConnectionId: id,
          requesterVpcId: requester?.VpcId ?? "",
          accepterVpcId: accepter?.VpcId ?? "",
          status: p.Status?.Code ?? "",
          requesterOwnerId: requester?.OwnerId ?? "",
          accepterOwnerId: accepter?.OwnerId ?? "",
          requesterRegion: requester?.Region ?? "",
          accepterRegion: accepter?.Region ?? "",
          requesterCidr: requester?.CidrBlock ?? "",
          accepterCidr: accepter?.CidrBlock ?? "",
        }),
      ),
    };
  },
});
