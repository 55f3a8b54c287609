import { DescribeInternetGatewaysCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { internetGatewayCollector } from "../../../../src/providers/aws/collectors/internet-gateway.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { anonymousGateway, attachedGateway, detachedGateway } from "./internet-gateway.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("internet_gateway collector", () => {
  it("streams every page at 1000, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeInternetGatewaysCommand), [
      { InternetGateways: [attachedGateway], NextToken: "t1" },
      { InternetGateways: [detachedGateway] },
    ]);
    const pages = await pagesOf(internetGatewayCollector, testContext());
    expect(pages.map((p) => p.map((g) => g.InternetGatewayId))).toEqual([
      ["igw-0abc1234"],
      ["igw-0loose001"],
    ]);
    expect(inputs).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: "t1" }]);
    expectActionsAllowed(aws, internetGatewayCollector);
  });

  it("yields nothing to publish for an account without gateways", async () => {
    aws.ec2.on(DescribeInternetGatewaysCommand).resolves({});
    expect((await pagesOf(internetGatewayCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field", async () => {
    aws.ec2.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [attachedGateway] });
    const [r] = await observe(internetGatewayCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.name).toBe("prod-igw");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:internet-gateway/igw-0abc1234");
    const g = payloadOf(r, "internet_gateway");
    expect(g.internetGatewayId).toBe("igw-0abc1234");
    expect(g.vpcId).toBe("vpc-0abc1234");
    expect(g.state).toBe("attached");
    expect(g.ownerId).toBe("123456789012");
  });

  it("reports a gateway without attachment as detached", () => {
    const g = payloadOf(
      internetGatewayCollector.toProto(detachedGateway, REGIONAL),
      "internet_gateway",
    );
    expect(g.state).toBe("detached");
    expect(g.vpcId).toBe("");
  });

  it("fails the partition with invalid_data on an entry without InternetGatewayId", () => {
    expect(() => internetGatewayCollector.toProto(anonymousGateway, REGIONAL)).toThrow(
      PartitionFailure,
    );
  });
});
