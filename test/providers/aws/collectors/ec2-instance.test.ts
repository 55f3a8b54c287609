import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { ec2InstanceCollector } from "../../../../src/providers/aws/collectors/ec2-instance.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { anonymousInstance, bareInstance, eksNode } from "./ec2-instance.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("ec2_instance collector", () => {
  it("streams every page at 1000, following NextToken, flattening reservations", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeInstancesCommand), [
      { Reservations: [{ Instances: [eksNode] }, { Instances: [] }], NextToken: "t1" },
      { Reservations: [{ Instances: [bareInstance] }], NextToken: "t2" },
      { Reservations: [] },
    ]);
    const pages = await pagesOf(ec2InstanceCollector, testContext());
    expect(pages.map((p) => p.map((i) => i.InstanceId))).toEqual([
      ["i-0abc1234def567890"],
      ["i-0bare000000000001"],
      [],
    ]);
    expect(inputs).toEqual([
      { MaxResults: 1000 },
      { MaxResults: 1000, NextToken: "t1" },
      { MaxResults: 1000, NextToken: "t2" },
    ]);
    expectActionsAllowed(aws, ec2InstanceCollector);
  });

  it("yields nothing to publish for an account without instances", async () => {
    aws.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect((await pagesOf(ec2InstanceCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field, references from AWS's own tags", async () => {
    aws.ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [eksNode] }] });
    const [r] = await observe(ec2InstanceCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.id).toBe("i-0abc1234def567890");
    expect(r?.name).toBe("prod-workers-node");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890");
    expect(r?.tags["eks:cluster-name"]).toBe("prod");
    const i = payloadOf(r, "ec2_instance");
    expect(i.instanceId).toBe("i-0abc1234def567890");
    expect(i.instanceType).toBe("m6i.large");
    expect(i.state).toBe("running");
    expect(i.privateIp).toBe("10.0.1.23");
    expect(i.publicIp).toBe("54.210.1.2");
    expect(i.privateDnsName).toBe("ip-10-0-1-23.ec2.internal");
    expect(i.publicDnsName).toBe("ec2-54-210-1-2.compute-1.amazonaws.com");
    expect(i.vpcId).toBe("vpc-0abc1234");
    expect(i.subnetId).toBe("subnet-0aaa1111");
    expect(i.securityGroupIds).toEqual(["sg-0node0001", "sg-0cluster01"]);
    expect(i.availabilityZone).toBe("us-east-1a");
    expect(i.imageId).toBe("ami-0eks1234567890abc");
    expect(i.iamInstanceProfileArn).toBe(
      "arn:aws:iam::123456789012:instance-profile/eks-node-profile",
    );
    expect(i.autoscalingGroupName).toBe("eks-workers-20260304");
    expect(i.launchTemplateId).toBe("lt-0abc1234def567890");
    expect(i.launchTemplateVersion).toBe("7");
    expect(i.eksClusterName).toBe("prod");
    expect(i.eksNodeGroupName).toBe("workers");
    expect(i.launchTime && timestampDate(i.launchTime).toISOString()).toBe(
      "2026-03-04T05:06:07.000Z",
    );
    expect(i.architecture).toBe("x86_64");
  });

  it("maps an instance without optional fields: no references, named by its id", () => {
    const r = ec2InstanceCollector.toProto(bareInstance, REGIONAL);
    expect(r.name).toBe("i-0bare000000000001");
    const i = payloadOf(r, "ec2_instance");
    expect(i.state).toBe("stopped");
    expect(i.autoscalingGroupName).toBe("");
    expect(i.eksClusterName).toBe("");
    expect(i.securityGroupIds).toEqual([]);
    expect(i.launchTime).toBeUndefined();
  });

  it("fails the partition with invalid_data on an entry without InstanceId", () => {
    let failure: unknown;
    try {
      ec2InstanceCollector.toProto(anonymousInstance, REGIONAL);
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toMatch(
      /EC2 instance in us-east-1 for 123456789012/,
    );
  });
});
