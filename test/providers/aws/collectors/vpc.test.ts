import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { vpcCollector } from "../../../../src/providers/aws/collectors/vpc.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { anonymousVpc, bareVpc, prodVpc } from "./vpc.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("vpc collector", () => {
  it("streams every page at 1000, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeVpcsCommand), [
      { Vpcs: [prodVpc], NextToken: "t1" },
      { Vpcs: [bareVpc] },
    ]);
    const pages = await pagesOf(vpcCollector, testContext());
    expect(pages.map((p) => p.map((v) => v.VpcId))).toEqual([["vpc-0abc1234"], ["vpc-0bare0001"]]);
    expect(inputs).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: "t1" }]);
    expectActionsAllowed(aws, vpcCollector);
  });

  it("yields nothing to publish for an account without VPCs", async () => {
    aws.ec2.on(DescribeVpcsCommand).resolves({});
    expect((await pagesOf(vpcCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field", async () => {
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [prodVpc] });
    const [r] = await observe(vpcCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.id).toBe("vpc-0abc1234");
    expect(r?.name).toBe("prod");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc1234");
    expect(r?.tags).toEqual({ Name: "prod", Environment: "production" });
    const v = payloadOf(r, "vpc");
    expect(v.vpcId).toBe("vpc-0abc1234");
    expect(v.cidrBlock).toBe("10.0.0.0/16");
    expect(v.state).toBe("available");
    expect(v.isDefault).toBe(true);
    expect(v.cidrBlocks).toEqual(["10.0.0.0/16", "10.1.0.0/16"]);
    expect(v.dhcpOptionsId).toBe("dopt-0123abcd");
    expect(v.instanceTenancy).toBe("default");
    expect(v.ownerId).toBe("123456789012");
  });

  it("maps a VPC without optional fields to defaults, named by its id", async () => {
    const r = vpcCollector.toProto(bareVpc, REGIONAL);
    expect(r.name).toBe("vpc-0bare0001");
    expect(r.tags).toEqual({});
    const v = payloadOf(r, "vpc");
    expect(v.cidrBlocks).toEqual([]);
    expect(v.isDefault).toBe(false);
  });

  it("fails the partition with invalid_data on an entry without VpcId", () => {
    expect(() => vpcCollector.toProto(anonymousVpc, REGIONAL)).toThrow(PartitionFailure);
    expect(() => vpcCollector.toProto(anonymousVpc, REGIONAL)).toThrow(
      /VPC in us-east-1 for 123456789012 has no id/,
    );
  });
});
