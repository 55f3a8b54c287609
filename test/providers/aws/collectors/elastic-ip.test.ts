import { DescribeAddressesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { elasticIpCollector } from "../../../../src/providers/aws/collectors/elastic-ip.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { attachedAddress, classicAddress, idleAddress } from "./elastic-ip.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("elastic_ip collector", () => {
  it("lists every address of the region in one call, the API having no pages", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeAddressesCommand), [
      { Addresses: [attachedAddress, idleAddress] },
    ]);
    const pages = await pagesOf(elasticIpCollector, testContext());
    expect(pages.map((p) => p.map((a) => a.AllocationId))).toEqual([
      ["eipalloc-0abc1234", "eipalloc-0idle0001"],
    ]);
    expect(inputs).toEqual([{}]);
    expectActionsAllowed(aws, elasticIpCollector);
  });

  it("maps the full fixture field by field", async () => {
    aws.ec2.on(DescribeAddressesCommand).resolves({ Addresses: [attachedAddress] });
    const [r] = await observe(elasticIpCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.name).toBe("bastion-ip");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-0abc1234");
    const a = payloadOf(r, "elastic_ip");
    expect(a.allocationId).toBe("eipalloc-0abc1234");
    expect(a.publicIp).toBe("3.210.1.1");
    expect(a.domain).toBe("vpc");
    expect(a.instanceId).toBe("i-0abc1234def567890");
    expect(a.networkInterfaceId).toBe("eni-0abc1234");
    expect(a.associationId).toBe("eipassoc-0abc1234");
    expect(a.privateIpAddress).toBe("10.0.1.10");
    expect(a.networkInterfaceOwnerId).toBe("123456789012");
    expect(a.publicIpv4Pool).toBe("amazon");
    expect(a.networkBorderGroup).toBe("us-east-1");
  });

  it("maps an address associated with nothing to empty association fields, named by its IP", () => {
    const r = elasticIpCollector.toProto(idleAddress, REGIONAL);
    expect(r.name).toBe("3.210.1.2");
    const a = payloadOf(r, "elastic_ip");
    expect([a.instanceId, a.networkInterfaceId, a.associationId, a.privateIpAddress]).toEqual([
      "",
      "",
      "",
      "",
    ]);
  });

  it("fails the partition with invalid_data on an address without an allocation id", () => {
    expect(() => elasticIpCollector.toProto(classicAddress, REGIONAL)).toThrow(PartitionFailure);
  });
});
