/** DescribeVpcPeeringConnections output, as the SDK returns it. */
import {
  DescribeVpcPeeringConnectionsCommand,
  type VpcPeeringConnection,
} from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** A cross-account, cross-region peering. */
export const activePeering: VpcPeeringConnection = {
  VpcPeeringConnectionId: "pcx-0abc1234",
  Status: { Code: "active", Message: "Active" },
  RequesterVpcInfo: {
    VpcId: "vpc-0abc1234",
    OwnerId: "123456789012",
    Region: "us-east-1",
    CidrBlock: "10.0.0.0/16",
  },
  AccepterVpcInfo: {
    VpcId: "vpc-0def5678",
    OwnerId: "210987654321",
    Region: "eu-west-1",
    CidrBlock: "10.1.0.0/16",
  },
  Tags: [{ Key: "Name", Value: "prod-to-shared" }],
};

export const pendingPeering: VpcPeeringConnection = {
  VpcPeeringConnectionId: "pcx-0pend0001",
  Status: { Code: "pending-acceptance" },
  RequesterVpcInfo: { VpcId: "vpc-0abc1234" },
};

export const anonymousPeering: VpcPeeringConnection = { Status: { Code: "active" } };

export default defineAwsFixture({
  type: "vpc_peering",
  listing: DescribeVpcPeeringConnectionsCommand,
  full: {
    id: "pcx-0abc1234",
    answers: [
      on(DescribeVpcPeeringConnectionsCommand).answer({ VpcPeeringConnections: [activePeering] }),
    ],
  },
  estate: {
    id: (r, k) => `pcx-${r.hex(k)}`,
    answers: (r) => [
      on(DescribeVpcPeeringConnectionsCommand).pages(
        {
          items: "VpcPeeringConnections",
          pageSize: "MaxResults",
          max: 1000,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        r.ids("vpc_peering").map(
          (VpcPeeringConnectionId, i): VpcPeeringConnection => ({
            VpcPeeringConnectionId,
            RequesterVpcInfo: {
              VpcId: r.id("vpc", i) || undefined,
              OwnerId: r.accountId,
              Region: r.region,
              CidrBlock: `10.${i & 255}.0.0/16`,
            },
            AccepterVpcInfo: {
              VpcId: r.id("vpc", i + 1) || undefined,
              OwnerId: r.accountId,
              Region: r.region,
              CidrBlock: `10.${(i + 1) & 255}.0.0/16`,
            },
            Status: { Code: "active", Message: "Active" },
          }),
        ),
      ),
    ],
    minimumCalls: (r) => [
      [DescribeVpcPeeringConnectionsCommand, r.pages(DescribeVpcPeeringConnectionsCommand)],
    ],
  },
});
