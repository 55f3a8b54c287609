/** DescribeInternetGateways output, as the SDK returns it. */
import { DescribeInternetGatewaysCommand, type InternetGateway } from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

export const attachedGateway: InternetGateway = {
  InternetGatewayId: "igw-0abc1234",
  OwnerId: "123456789012",
  Attachments: [{ VpcId: "vpc-0abc1234", State: "attached" }],
  Tags: [{ Key: "Name", Value: "prod-igw" }],
};

export const detachedGateway: InternetGateway = {
  InternetGatewayId: "igw-0loose001",
  Attachments: [],
};

export const anonymousGateway: InternetGateway = { OwnerId: "123456789012" };

export default defineAwsFixture({
  type: "internet_gateway",
  listing: DescribeInternetGatewaysCommand,
  full: {
    id: "igw-0abc1234",
    answers: [on(DescribeInternetGatewaysCommand).answer({ InternetGateways: [attachedGateway] })],
  },
  estate: {
    id: (r, k) => `igw-${r.hex(k)}`,
    answers: (r) => [
      on(DescribeInternetGatewaysCommand).pages(
        {
          items: "InternetGateways",
          pageSize: "MaxResults",
          max: 1000,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        r.ids("internet_gateway").map(
          (InternetGatewayId, i): InternetGateway => ({
            InternetGatewayId,
            OwnerId: r.accountId,
            Attachments:
              r.id("vpc", i) === "" ? [] : [{ VpcId: r.id("vpc", i), State: "attached" }],
          }),
        ),
      ),
    ],
    minimumCalls: (r) => [
      [DescribeInternetGatewaysCommand, r.pages(DescribeInternetGatewaysCommand)],
    ],
  },
});
