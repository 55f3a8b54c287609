import { DescribeNatGatewaysCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { natGatewayCollector } from "../../../../src/providers/aws/collectors/nat-gateway.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { anonymousNat, privateNat, publicNat } from "./nat-gateway.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("nat_gateway collector", () => {
  it("streams every page at 1000, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeNatGatewaysCommand), [
      { NatGateways: [publicNat], NextToken: "t1" },
      { NatGateways: [privateNat] },
    ]);
    const pages = await pagesOf(natGatewayCollector, testContext());
    expect(pages.map((p) => p.map((g) => g.NatGatewayId))).toEqual([
      ["nat-0abc1234"],
      ["nat-0priv0001"],
    ]);
    expect(inputs).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: "t1" }]);
    expectActionsAllowed(aws, natGatewayCollector);
  });

  it("yields nothing to publish for an account without NAT gateways", async () => {
    aws.ec2.on(DescribeNatGatewaysCommand).resolves({});
    expect((await pagesOf(natGatewayCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field", async () => {
    aws.ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [publicNat] });
    const [r] = await observe(natGatewayCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.name).toBe("prod-nat-a");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:natgateway/nat-0abc1234");
    const g = payloadOf(r, "nat_gateway");
    expect(g.natGatewayId).toBe("nat-0abc1234");
    expect(g.vpcId).toBe("vpc-0abc1234");
    expect(g.subnetId).toBe("subnet-0aaa1111");
    expect(g.elasticIp).toBe("3.210.1.1");
    expect(g.privateIp).toBe("10.0.1.10");
    expect(g.allocationId).toBe("eipalloc-0abc1234");
    expect(g.state).toBe("available");
    expect(g.connectivityType).toBe("public");
  });

  it("maps a private NAT gateway without addresses to empty address fields", () => {
    const g = payloadOf(natGatewayCollector.toProto(privateNat, REGIONAL), "nat_gateway");
    expect(g.connectivityType).toBe("private");
    expect([g.elasticIp, g.privateIp, g.allocationId]).toEqual(["", "", ""]);
  });

  it("fails the partition with invalid_data on an entry without NatGatewayId", () => {
    expect(() => natGatewayCollector.toProto(anonymousNat, REGIONAL)).toThrow(PartitionFailure);
  });
});
