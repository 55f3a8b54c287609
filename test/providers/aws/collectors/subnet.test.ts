import { DescribeRouteTablesCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { subnetCollector } from "../../../../src/providers/aws/collectors/subnet.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { mainTable, publicTable } from "./route-table.fixture.ts";
import {
  anonymousSubnet,
  orphanSubnet,
  privateSubnet,
  publicSubnet,
  routeTables,
} from "./subnet.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("subnet collector", () => {
  it("lists route tables once (pages of 100), then streams subnet pages at 1000", async () => {
    const tableInputs = answerPages(aws.ec2.on(DescribeRouteTablesCommand), [
      { RouteTables: [publicTable], NextToken: "r1" },
      { RouteTables: [mainTable] },
    ]);
    const subnetInputs = answerPages(aws.ec2.on(DescribeSubnetsCommand), [
      { Subnets: [publicSubnet], NextToken: "s1" },
      { Subnets: [privateSubnet, orphanSubnet] },
    ]);
    const pages = await pagesOf(subnetCollector, testContext());
    expect(
      pages.map((p) => p.map((s) => [s.subnet.SubnetId, s.routeTableId, s.usesMainRouteTable])),
    ).toEqual([
      [["subnet-0aaa1111", "rtb-0pub00001", false]],
      [
        ["subnet-0bbb2222", "rtb-0main0001", true],
        ["subnet-0ccc3333", "", false],
      ],
    ]);
    expect(tableInputs).toEqual([{ MaxResults: 100 }, { MaxResults: 100, NextToken: "r1" }]);
    expect(subnetInputs).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: "s1" }]);
    expect(aws.ec2.commandCalls(DescribeRouteTablesCommand)).toHaveLength(2);
    expectActionsAllowed(aws, subnetCollector);
  });

  it("yields nothing to publish for an account without subnets", async () => {
    aws.ec2.on(DescribeRouteTablesCommand).resolves({});
    aws.ec2.on(DescribeSubnetsCommand).resolves({});
    expect((await pagesOf(subnetCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field, with its explicit route table", async () => {
    aws.ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: routeTables });
    aws.ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [publicSubnet] });
    const [r] = await observe(subnetCollector, testContext());
    expect(r?.id).toBe("subnet-0aaa1111");
    expect(r?.name).toBe("prod-public-a");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaa1111");
    expect(r?.tags).toEqual({ Name: "prod-public-a" });
    const s = payloadOf(r, "subnet");
    expect(s.subnetId).toBe("subnet-0aaa1111");
    expect(s.vpcId).toBe("vpc-0abc1234");
    expect(s.cidr).toBe("10.0.1.0/24");
    expect(s.availabilityZone).toBe("us-east-1a");
    expect(s.availabilityZoneId).toBe("use1-az1");
    expect(s.mapPublicIpOnLaunch).toBe(true);
    expect(s.routeTableId).toBe("rtb-0pub00001");
    expect(s.usesMainRouteTable).toBe(false);
    expect(s.state).toBe("available");
    expect(s.availableIpAddressCount).toBe(249);
  });

  it("routes a subnet without explicit association through the VPC's main table", async () => {
    aws.ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: routeTables });
    aws.ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [privateSubnet] });
    const [r] = await observe(subnetCollector, testContext());
    expectFullyPopulated(r);
    const s = payloadOf(r, "subnet");
    expect(s.routeTableId).toBe("rtb-0main0001");
    expect(s.usesMainRouteTable).toBe(true);
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0bbb2222");
  });

  it("fails the partition with invalid_data on an entry without SubnetId", () => {
    expect(() =>
      subnetCollector.toProto(
        { subnet: anonymousSubnet, routeTableId: "", usesMainRouteTable: false },
        REGIONAL,
      ),
    ).toThrow(PartitionFailure);
  });
});
