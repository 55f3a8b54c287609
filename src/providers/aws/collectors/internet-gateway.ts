/** Internet gateways: EC2 DescribeInternetGateways, one call per page. */

import { type InternetGateway, paginateDescribeInternetGateways } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { InternetGatewaySchema } from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";

/** DescribeInternetGateways allows 5..1000. */
const PAGE_SIZE = 1000;

export const internetGatewayCollector = defineCollector({
  type: "internet_gateway",
  service: "ec2",
  iamActions: ["ec2:DescribeInternetGateways"],
  async *list(ctx) {
    for await (const page of paginateDescribeInternetGateways(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.InternetGateways ?? [];
    }
  },
  toProto(g: InternetGateway, unit) {
    const id = requireId(g.InternetGatewayId, "internet gateway", unit);
    const tags = tagRecord(g.Tags);
    const attachment = g.Attachments?.[0];
    return {
      id,
      name: nameFrom(tags, id),
      arn: ec2Arn(unit, "internet-gateway", id, g.OwnerId),
      tags,
      payload: payload(
        "internet_gateway",
        create(InternetGatewaySchema, {
          internetGatewayId: id,
          vpcId: attachment?.VpcId ?? "",
          state: attachment?.State ?? "detached",
          ownerId: g.OwnerId ?? "",
        }),
      ),
    };
  },
});
