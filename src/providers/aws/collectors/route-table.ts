/** Route tables: EC2 DescribeRouteTables, one call per page, route targets typed. */

import { paginateDescribeRouteTables, type Route, type RouteTable } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import {
  type Route as RouteProto,
  RouteSchema,
  RouteTableSchema,
} from "../../../gen/elava/v1/network_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord } from "../tags.ts";

/** DescribeRouteTables allows 5..100. */
export const ROUTE_TABLE_PAGE_SIZE = 100;

/** GatewayId carries several kinds of target, told apart by the id's prefix. */
const GATEWAY_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["igw-", "igw"],
  ["vgw-", "vgw"],
  ["vpce-", "vpce"],
  ["eigw-", "eigw"],
  ["nat-", "nat"],
  ["tgw-", "tgw"],
];

/** The target of a route: its kind (local, igw, nat, pcx, ...) and id. */
export function routeTarget(r: Route): { type: string; id: string } {
  // An instance route also names the instance's interface: the instance is the target.
  if (r.InstanceId) return { type: "instance", id: r.InstanceId };
  if (r.NatGatewayId) return { type: "nat", id: r.NatGatewayId };
  if (r.VpcPeeringConnectionId) return { type: "pcx", id: r.VpcPeeringConnectionId };
  if (r.TransitGatewayId) return { type: "tgw", id: r.TransitGatewayId };
  if (r.EgressOnlyInternetGatewayId) return { type: "eigw", id: r.EgressOnlyInternetGatewayId };
  if (r.CarrierGatewayId) return { type: "carrier", id: r.CarrierGatewayId };
  if (r.LocalGatewayId) return { type: "lgw", id: r.LocalGatewayId };
  if (r.CoreNetworkArn) return { type: "core_network", id: r.CoreNetworkArn };
  if (r.NetworkInterfaceId) return { type: "eni", id: r.NetworkInterfaceId };
  const gateway = r.GatewayId;
  if (gateway === "local") return { type: "local", id: "local" };
  if (gateway) {
    const kind = GATEWAY_PREFIXES.find(([prefix]) => gateway.startsWith(prefix));
    return { type: kind?.[1] ?? "gateway", id: gateway };
  }
  return { type: "unknown", id: "" };
}

function route(r: Route): RouteProto {
  const target = routeTarget(r);
  return create(RouteSchema, {
    destinationCidr:
      r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? "",
    targetType: target.type,
    targetId: target.id,
    state: r.State ?? "",
    origin: r.Origin ?? "",
  });
}

export const routeTableCollector = defineCollector({
  type: "route_table",
  service: "ec2",
  iamActions: ["ec2:DescribeRouteTables"],
  async *list(ctx) {
    for await (const page of paginateDescribeRouteTables(
      { client: ctx.clients.ec2, pageSize: ROUTE_TABLE_PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.RouteTables ?? [];
    }
  },
  toProto(t: RouteTable, unit) {
    const id = requireId(t.RouteTableId, "route table", unit);
    const tags = tagRecord(t.Tags);
    const associations = t.Associations ?? [];
    return {
      id,
      name: nameFrom(tags, id),
      arn: ec2Arn(unit, "route-table", id, t.OwnerId),
      tags,
      payload: payload(
        "route_table",
        create(RouteTableSchema, {
          routeTableId: id,
          vpcId: t.VpcId ?? "",
          routes: (t.Routes ?? []).map(route),
          subnetIds: associations.flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
          isMain: associations.some((a) => a.Main === true),
          gatewayIds: associations.flatMap((a) => (a.GatewayId ? [a.GatewayId] : [])),
        }),
      ),
    };
  },
});
