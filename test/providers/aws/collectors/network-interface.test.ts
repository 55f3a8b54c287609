import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { networkInterfaceCollector } from "../../../../src/providers/aws/collectors/network-interface.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import {
  albInterface,
  anonymousInterface,
  instanceInterface,
  lambdaInterface,
} from "./network-interface.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("network_interface collector", () => {
  it("streams every page at 1000, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeNetworkInterfacesCommand), [
      { NetworkInterfaces: [instanceInterface], NextToken: "t1" },
      { NetworkInterfaces: [lambdaInterface, albInterface] },
    ]);
    const pages = await pagesOf(networkInterfaceCollector, testContext());
    expect(pages.map((p) => p.map((n) => n.NetworkInterfaceId))).toEqual([
      ["eni-0abc1234"],
      ["eni-0lambda0001", "eni-0alb00000001"],
    ]);
    expect(inputs).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: "t1" }]);
    expectActionsAllowed(aws, networkInterfaceCollector);
  });

  it("maps the full fixture field by field, tags from TagSet", async () => {
    aws.ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [instanceInterface] });
    const [r] = await observe(networkInterfaceCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.name).toBe("web-1-eth0");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0abc1234");
    const n = payloadOf(r, "network_interface");
    expect(n.interfaceType).toBe("interface");
    expect(n.subnetId).toBe("subnet-0aaa1111");
    expect(n.vpcId).toBe("vpc-0abc1234");
    expect(n.securityGroupIds).toEqual(["sg-0app0000000000001", "sg-0ssh0000000000002"]);
    expect(n.privateIpAddress).toBe("10.0.1.20");
    expect(n.privateIpAddresses).toEqual(["10.0.1.20", "10.0.1.21"]);
    expect(n.publicIp).toBe("3.210.1.1");
    expect(n.attachmentInstanceId).toBe("i-0abc1234def567890");
    expect(n.attachmentDeviceIndex).toBe(1);
    expect(n.attachmentStatus).toBe("attached");
    expect(n.ipv6Addresses).toEqual(["2600:1f18::1"]);
    expect(n.macAddress).toBe("0e:11:22:33:44:55");
  });

  it("tells a Lambda function's and a load balancer's interfaces from an instance's", () => {
    const lambda = payloadOf(
      networkInterfaceCollector.toProto(lambdaInterface, REGIONAL),
      "network_interface",
    );
    expect([lambda.interfaceType, lambda.requesterManaged]).toEqual(["lambda", true]);
    expect(lambda.attachmentInstanceId).toBe("");
    expect(lambda.description).toMatch(/^AWS Lambda VPC ENI/);
    const alb = payloadOf(
      networkInterfaceCollector.toProto(albInterface, REGIONAL),
      "network_interface",
    );
    expect([alb.interfaceType, alb.requesterId, alb.requesterManaged]).toEqual([
      "interface",
      "amazon-elb",
      true,
    ]);
    // Attached by the load balancing service, to no instance of the account.
    expect([alb.attachmentInstanceId, alb.attachmentInstanceOwnerId]).toEqual(["", "amazon-elb"]);
    expect(alb.description).toBe("ELB app/web/50dc6c495c0c9188");
  });

  it("fails the partition with invalid_data on an entry without NetworkInterfaceId", () => {
    expect(() => networkInterfaceCollector.toProto(anonymousInterface, REGIONAL)).toThrow(
      PartitionFailure,
    );
  });
});
