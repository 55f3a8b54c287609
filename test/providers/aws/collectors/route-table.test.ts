import { DescribeRouteTablesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import {
  routeTableCollector,
  routeTarget,
} from "../../../../src/providers/aws/collectors/route-table.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { anonymousTable, mainTable, publicTable } from "./route-table.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("route_table collector", () => {
  it("streams every page at 100, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeRouteTablesCommand), [
      { RouteTables: [mainTable], NextToken: "t1" },
      { RouteTables: [publicTable] },
    ]);
    const pages = await pagesOf(routeTableCollector, testContext());
    expect(pages.map((p) => p.map((t) => t.RouteTableId))).toEqual([
      ["rtb-0main0001"],
      ["rtb-0pub00001"],
    ]);
    expect(inputs).toEqual([{ MaxResults: 100 }, { MaxResults: 100, NextToken: "t1" }]);
    expectActionsAllowed(aws, routeTableCollector);
  });

  it("yields nothing to publish for an account without route tables", async () => {
    aws.ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    expect((await pagesOf(routeTableCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the main table field by field", async () => {
    aws.ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [mainTable] });
    const [r] = await observe(routeTableCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.id).toBe("rtb-0main0001");
    expect(r?.name).toBe("prod-private");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:route-table/rtb-0main0001");
    const t = payloadOf(r, "route_table");
    expect(t.vpcId).toBe("vpc-0abc1234");
    expect(t.isMain).toBe(true);
    expect(t.subnetIds).toEqual(["subnet-0ddd4444"]);
    expect(t.gatewayIds).toEqual(["vgw-0abc1234"]);
    expect(
      t.routes.map((x) => [x.destinationCidr, x.targetType, x.targetId, x.state, x.origin]),
    ).toEqual([
      ["10.0.0.0/16", "local", "local", "active", "CreateRouteTable"],
      ["0.0.0.0/0", "nat", "nat-0abc1234", "active", "CreateRoute"],
    ]);
  });

  it("types every kind of route target from the field set and the id prefix", () => {
    const t = payloadOf(routeTableCollector.toProto(publicTable, REGIONAL), "route_table");
    expect(t.isMain).toBe(false);
    expect(t.routes.map((x) => [x.destinationCidr, x.targetType, x.targetId])).toEqual([
      ["10.0.0.0/16", "local", "local"],
      ["0.0.0.0/0", "igw", "igw-0abc1234"],
      ["::/0", "eigw", "eigw-0abc1234"],
      ["172.16.0.0/12", "vgw", "vgw-0abc1234"],
      ["10.1.0.0/16", "pcx", "pcx-0abc1234"],
      ["10.2.0.0/16", "tgw", "tgw-0abc1234"],
      ["10.3.0.0/16", "instance", "i-0nat0000001"],
      ["10.4.0.0/16", "eni", "eni-0fw000001"],
      ["pl-63a5400a", "vpce", "vpce-0abc1234"],
    ]);
    expect(routeTarget({ CarrierGatewayId: "cagw-1" })).toEqual({ type: "carrier", id: "cagw-1" });
    expect(routeTarget({ LocalGatewayId: "lgw-1" })).toEqual({ type: "lgw", id: "lgw-1" });
    expect(routeTarget({ CoreNetworkArn: "arn:aws:networkmanager::1:core-network/c" }).type).toBe(
      "core_network",
    );
    expect(routeTarget({})).toEqual({ type: "unknown", id: "" });
  });

  it("fails the partition with invalid_data on an entry without RouteTableId", () => {
    expect(() => routeTableCollector.toProto(anonymousTable, REGIONAL)).toThrow(PartitionFailure);
  });
});
