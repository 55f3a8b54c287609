/** DescribeSubnets output (and the route tables of route_table.ts), as the SDK returns them. */
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  type Subnet,
} from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, sdkTags } from "../../../support/aws-fixture.ts";
import { mainTable, publicTable } from "./route-table.fixture.ts";

/** Explicitly associated with publicTable. */
export const publicSubnet: Subnet = {
  SubnetId: "subnet-0aaa1111",
  SubnetArn: "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0aaa1111",
  VpcId: "vpc-0abc1234",
  CidrBlock: "10.0.1.0/24",
  AvailabilityZone: "us-east-1a",
  AvailabilityZoneId: "use1-az1",
  MapPublicIpOnLaunch: true,
  State: "available",
  AvailableIpAddressCount: 249,
  OwnerId: "123456789012",
  Tags: [{ Key: "Name", Value: "prod-public-a" }],
};

/** No explicit association: routed by the VPC's main table (the fully populated one). */
export const privateSubnet: Subnet = {
  SubnetId: "subnet-0bbb2222",
  OwnerId: "123456789012",
  Tags: [{ Key: "Name", Value: "prod-private-b" }],
  VpcId: "vpc-0abc1234",
  CidrBlock: "10.0.2.0/24",
  AvailabilityZone: "us-east-1b",
  AvailabilityZoneId: "use1-az2",
  MapPublicIpOnLaunch: true,
  State: "available",
  AvailableIpAddressCount: 250,
};

/** In a VPC whose route tables were not listed. */
export const orphanSubnet: Subnet = { SubnetId: "subnet-0ccc3333", VpcId: "vpc-0other01" };

export const anonymousSubnet: Subnet = { VpcId: "vpc-0abc1234", CidrBlock: "10.0.9.0/24" };

export const routeTables = [mainTable, publicTable];

export default defineAwsFixture({
  type: "subnet",
  listing: DescribeSubnetsCommand,
  full: {
    id: "subnet-0bbb2222",
    answers: [
      on(DescribeRouteTablesCommand).answer({ RouteTables: routeTables }),
      on(DescribeSubnetsCommand).answer({ Subnets: [publicSubnet, privateSubnet] }),
    ],
  },
  estate: {
    id: (r, k) => `subnet-${r.hex(k)}`,
    answers: (r) => [
      on(DescribeSubnetsCommand).pages(
        {
          items: "Subnets",
          pageSize: "MaxResults",
          max: 1000,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        r.ids("subnet").map(
          (SubnetId, i): Subnet => ({
            SubnetId,
            OwnerId: r.accountId,
            VpcId: r.id("vpc", i) || undefined,
            CidrBlock: `10.${i & 255}.${i >> 8}.0/24`,
            AvailabilityZone: r.zone(i),
            State: "available",
            AvailableIpAddressCount: 250,
            MapPublicIpOnLaunch: false,
            Tags: sdkTags({ Name: `subnet-${i}` }),
          }),
        ),
      ),
    ],
    // The route tables (route_table's answer) tell which table routes each subnet.
    minimumCalls: (r) => [
      [DescribeSubnetsCommand, r.pages(DescribeSubnetsCommand)],
      [DescribeRouteTablesCommand, r.pages(DescribeRouteTablesCommand)],
    ],
  },
});
