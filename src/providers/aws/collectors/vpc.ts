/** VPCs: EC2 DescribeVpcs, one call per page. */

import { paginateDescribeVpcs, type Vpc } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { VpcSchema } from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";

/** DescribeVpcs allows 5..1000. */
const PAGE_SIZE = 1000;

export const vpcCollector = defineCollector({
  type: "vpc",
  service: "ec2",
  iamActions: ["ec2:DescribeVpcs"],
  async *list(ctx) {
    for await (const page of paginateDescribeVpcs(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.Vpcs ?? [];
    }
  },
  toProto(v: Vpc, unit) {
    const id = requireId(v.VpcId, "VPC", unit);
    const tags = tagRecord(v.Tags);
    return {
      id,
      name: nameFrom(tags, id),
      arn: ec2Arn(unit, "vpc", id, v.OwnerId),
      tags,
      payload: payload(
        "vpc",
        create(VpcSchema, {
          vpcId: id,
          cidrBlock: v.CidrBlock ?? "",
          state: v.State ?? "",
          isDefault: v.IsDefault ?? false,
          cidrBlocks: (v.CidrBlockAssociationSet ?? [])
            .filter((a) => a.CidrBlockState?.State === "associated" && a.CidrBlock !== undefined)
            .map((a) => a.CidrBlock ?? ""),
          dhcpOptionsId: v.DhcpOptionsId ?? "",
          instanceTenancy: v.InstanceTenancy ?? "",
          ownerId: v.OwnerId ?? "",
        }),
      ),
    };
  },
});
