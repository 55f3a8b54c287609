/** DescribeNatGateways output, as the SDK returns it. */
import { DescribeNatGatewaysCommand, type NatGateway } from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

export const publicNat: NatGateway = {
  NatGatewayId: "nat-0abc1234",
  VpcId: "vpc-0abc1234",
  SubnetId: "subnet-0aaa1111",
  State: "available",
  ConnectivityType: "public",
  CreateTime: new Date("2026-01-01T00:00:00Z"),
  NatGatewayAddresses: [
    {
      AllocationId: "eipalloc-0abc1234",
      NetworkInterfaceId: "eni-0nat00001",
      PrivateIp: "10.0.1.10",
      PublicIp: "3.210.1.1",
      IsPrimary: true,
      Status: "succeeded",
    },
  ],
  Tags: [{ Key: "Name", Value: "prod-nat-a" }],
};

export const privateNat: NatGateway = {
  NatGatewayId: "nat-0priv0001",
  VpcId: "vpc-0abc1234",
  SubnetId: "subnet-0bbb2222",
  State: "pending",
  ConnectivityType: "private",
};

export const anonymousNat: NatGateway = { VpcId: "vpc-0abc1234" };

export default defineAwsFixture({
  type: "nat_gateway",
  listing: DescribeNatGatewaysCommand,
  full: {
    id: "nat-0abc1234",
    answers: [on(DescribeNatGatewaysCommand).answer({ NatGateways: [publicNat] })],
  },
  estate: {
    id: (r, k) => `nat-${r.hex(k)}`,
    answers: (r) => [
      on(DescribeNatGatewaysCommand).pages(
        {
          items: "NatGateways",
          pageSize: "MaxResults",
          max: 1000,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        r.ids("nat_gateway").map(
          (NatGatewayId, i): NatGateway => ({
            NatGatewayId,
            VpcId: r.id("vpc", i) || undefined,
            SubnetId: r.id("subnet", i) || undefined,
            State: "available",
            ConnectivityType: "public",
            NatGatewayAddresses: [
              {
                AllocationId: `eipalloc-${r.hex(i)}`,
                PublicIp: `198.51.${r.index}.${i & 255}`,
                PrivateIp: `10.${r.index}.255.${i & 255}`,
              },
            ],
          }),
        ),
      ),
    ],
    minimumCalls: (r) => [[DescribeNatGatewaysCommand, r.pages(DescribeNatGatewaysCommand)]],
  },
});
