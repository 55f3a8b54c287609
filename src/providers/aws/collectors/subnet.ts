/**
 * Subnets: EC2 DescribeSubnets, with the route table that routes each subnet. A subnet
 * without an explicit association is routed by its VPC's main table, which only
 * DescribeRouteTables says; so the route tables are listed once per partition, before the
 * first page of subnets, and each subnet is resolved from that index.
 */

import {
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  type Subnet,
} from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { SubnetSchema } from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";
import { ROUTE_TABLE_PAGE_SIZE } from "./route-table.ts";

/** DescribeSubnets allows 5..1000. */
const PAGE_SIZE = 1000;

/** A subnet with the route table that routes it ("" when the VPC has no main table listed). */
export interface RoutedSubnet {
  readonly subnet: Subnet;
  readonly routeTableId: string;
  readonly usesMainRouteTable: boolean;
}

export const subnetCollector = defineCollector({
  type: "subnet",
  service: "ec2",
  iamActions: ["ec2:DescribeSubnets", "ec2:DescribeRouteTables"],
  async *list(ctx) {
    const explicit = new Map<string, string>();
    const main = new Map<string, string>();
    for await (const page of paginateDescribeRouteTables(
      { client: ctx.clients.ec2, pageSize: ROUTE_TABLE_PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      for (const t of page.RouteTables ?? []) {
        for (const a of t.Associations ?? []) {
          if (t.RouteTableId === undefined) continue;
          if (a.SubnetId) explicit.set(a.SubnetId, t.RouteTableId);
          if (a.Main === true && t.VpcId) main.set(t.VpcId, t.RouteTableId);
        }
      }
    }
    for await (const page of paginateDescribeSubnets(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield (page.Subnets ?? []).map((s): RoutedSubnet => {
        const own = s.SubnetId === undefined ? undefined : explicit.get(s.SubnetId);
        if (own !== undefined) return { subnet: s, routeTableId: own, usesMainRouteTable: false };
        const viaMain = s.VpcId === undefined ? undefined : main.get(s.VpcId);
        return {
          subnet: s,
          routeTableId: viaMain ?? "",
          usesMainRouteTable: viaMain !== undefined,
        };
      });
    }
  },
  toProto({ subnet: s, routeTableId, usesMainRouteTable }: RoutedSubnet, unit) {
    const id = requireId(s.SubnetId, "subnet", unit);
    const tags = tagRecord(s.Tags);
    return {
      id,
      name: nameFrom(tags, id),
      arn: s.SubnetArn ?? ec2Arn(unit, "subnet", id, s.OwnerId),
      tags,
      payload: payload(
        "subnet",
        create(SubnetSchema, {
          subnetId: id,
          vpcId: s.VpcId ?? "",
          cidr: s.CidrBlock ?? "",
          availabilityZone: s.AvailabilityZone ?? "",
          availabilityZoneId: s.AvailabilityZoneId ?? "",
          mapPublicIpOnLaunch: s.MapPublicIpOnLaunch ?? false,
          routeTableId,
          state: s.State ?? "",
          availableIpAddressCount: s.AvailableIpAddressCount ?? 0,
          usesMainRouteTable,
        }),
      ),
    };
  },
});
