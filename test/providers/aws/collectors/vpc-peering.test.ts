import { DescribeVpcPeeringConnectionsCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { vpcPeeringCollector } from "../../../../src/providers/aws/collectors/vpc-peering.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { activePeering, anonymousPeering, pendingPeering } from "./vpc-peering.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("vpc_peering collector", () => {
  it("streams every page at 1000, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeVpcPeeringConnectionsCommand), [
      { VpcPeeringConnections: [activePeering], NextToken: "t1" },
      { VpcPeeringConnections: [pendingPeering] },
    ]);
    const pages = await pagesOf(vpcPeeringCollector, testContext());
    expect(pages.map((p) => p.map((c) => c.VpcPeeringConnectionId))).toEqual([
      ["pcx-0abc1234"],
      ["pcx-0pend0001"],
    ]);
    expect(inputs).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: "t1" }]);
    expectActionsAllowed(aws, vpcPeeringCollector);
  });

  it("yields nothing to publish for an account without peerings", async () => {
    aws.ec2.on(DescribeVpcPeeringConnectionsCommand).resolves({});
    expect((await pagesOf(vpcPeeringCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field", async () => {
    aws.ec2
      .on(DescribeVpcPeeringConnectionsCommand)
      .resolves({ VpcPeeringConnections: [activePeering] });
    const [r] = await observe(vpcPeeringCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.name).toBe("prod-to-shared");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:vpc-peering-connection/pcx-0abc1234");
    const p = payloadOf(r, "vpc_peering");
    expect(p.vpcPeeringConnectionId).toBe("pcx-0abc1234");
    expect(p.status).toBe("active");
    expect([p.requesterVpcId, p.requesterOwnerId, p.requesterRegion, p.requesterCidr]).toEqual([
      "vpc-0abc1234",
      "123456789012",
      "us-east-1",
      "10.0.0.0/16",
    ]);
    expect([p.accepterVpcId, p.accepterOwnerId, p.accepterRegion, p.accepterCidr]).toEqual([
      "vpc-0def5678",
      "210987654321",
      "eu-west-1",
      "10.1.0.0/16",
    ]);
  });

  it("gives the requester's ARN on the accepter's side too: one peering, one ARN", () => {
    const accepter = { partition: "aws", accountId: "210987654321", region: "eu-west-1" };
    const fromAccepter = vpcPeeringCollector.toProto(activePeering, accepter);
    const fromRequester = vpcPeeringCollector.toProto(activePeering, REGIONAL);
    expect(fromAccepter.arn).toBe(
      "arn:aws:ec2:us-east-1:123456789012:vpc-peering-connection/pcx-0abc1234",
    );
    expect(fromAccepter.arn).toBe(fromRequester.arn);
  });

  it("maps a pending peering without accepter info to empty accepter fields", () => {
    const p = payloadOf(vpcPeeringCollector.toProto(pendingPeering, REGIONAL), "vpc_peering");
    expect(p.status).toBe("pending-acceptance");
    expect(p.accepterVpcId).toBe("");
  });

  it("fails the partition with invalid_data on an entry without VpcPeeringConnectionId", () => {
    expect(() => vpcPeeringCollector.toProto(anonymousPeering, REGIONAL)).toThrow(PartitionFailure);
  });
});
