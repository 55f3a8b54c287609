/** DescribeVpcs output, as the SDK returns it. */
import { DescribeVpcsCommand, type Vpc } from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, sdkTags } from "../../../support/aws-fixture.ts";

export const prodVpc: Vpc = {
  VpcId: "vpc-0abc1234",
  CidrBlock: "10.0.0.0/16",
  State: "available",
  IsDefault: true,
  DhcpOptionsId: "dopt-0123abcd",
  InstanceTenancy: "default",
  OwnerId: "123456789012",
  CidrBlockAssociationSet: [
    {
      AssociationId: "vpc-cidr-assoc-1",
      CidrBlock: "10.0.0.0/16",
      CidrBlockState: { State: "associated" },
    },
    {
      AssociationId: "vpc-cidr-assoc-2",
      CidrBlock: "10.1.0.0/16",
      CidrBlockState: { State: "associated" },
    },
    {
      AssociationId: "vpc-cidr-assoc-3",
      CidrBlock: "10.9.0.0/16",
      CidrBlockState: { State: "disassociated" },
    },
  ],
  Tags: [
    { Key: "Name", Value: "prod" },
    { Key: "Environment", Value: "production" },
  ],
};

export const bareVpc: Vpc = { VpcId: "vpc-0bare0001" };

export const anonymousVpc: Vpc = { CidrBlock: "10.2.0.0/16" };

export default defineAwsFixture({
  type: "vpc",
  listing: DescribeVpcsCommand,
  full: { id: "vpc-0abc1234", answers: [on(DescribeVpcsCommand).answer({ Vpcs: [prodVpc] })] },
  estate: {
    id: (r, k) => `vpc-${r.hex(k)}`,
    answers: (r) => [
      on(DescribeVpcsCommand).pages(
        {
          items: "Vpcs",
          pageSize: "MaxResults",
          max: 1000,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        r.ids("vpc").map(
          (VpcId, i): Vpc => ({
            VpcId,
            OwnerId: r.accountId,
            CidrBlock: `10.${i & 255}.0.0/16`,
            State: "available",
            IsDefault: i === 0,
            DhcpOptionsId: `dopt-${r.hex(0)}`,
            InstanceTenancy: "default",
            Tags: sdkTags({ Name: `vpc-${i}` }),
          }),
        ),
      ),
    ],
    minimumCalls: (r) => [[DescribeVpcsCommand, r.pages(DescribeVpcsCommand)]],
  },
});
