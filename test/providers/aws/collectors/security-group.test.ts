import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { securityGroupCollector } from "../../../../src/providers/aws/collectors/security-group.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { anonymousGroup, defaultGroup, webGroup } from "./security-group.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("security_group collector", () => {
  it("streams every page at 1000, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeSecurityGroupsCommand), [
      { SecurityGroups: [webGroup], NextToken: "t1" },
      { SecurityGroups: [defaultGroup] },
    ]);
    const pages = await pagesOf(securityGroupCollector, testContext());
    expect(pages.map((p) => p.map((g) => g.GroupId))).toEqual([
      ["sg-0web00001"],
      ["sg-0default01"],
    ]);
    expect(inputs).toEqual([{ MaxResults: 1000 }, { MaxResults: 1000, NextToken: "t1" }]);
    expectActionsAllowed(aws, securityGroupCollector);
  });

  it("yields nothing to publish for an account without groups", async () => {
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({});
    expect((await pagesOf(securityGroupCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field, one rule per source", async () => {
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [webGroup] });
    const [r] = await observe(securityGroupCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.name).toBe("prod-web");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0web00001");
    const g = payloadOf(r, "security_group");
    expect([g.groupId, g.groupName, g.vpcId, g.description, g.ownerId]).toEqual([
      "sg-0web00001",
      "web",
      "vpc-0abc1234",
      "web servers",
      "123456789012",
    ]);
    const rule = (x: (typeof g.ingressRules)[number]) => [
      x.protocol,
      x.fromPort,
      x.toPort,
      x.cidrBlock,
      x.sourceSg,
      x.sourceSgOwnerId,
      x.prefixListId,
      x.description,
    ];
    expect(g.ingressRules.map(rule)).toEqual([
      ["tcp", 443, 443, "0.0.0.0/0", "", "", "", "https from anywhere"],
      ["tcp", 443, 443, "::/0", "", "", "", "https over ipv6"],
      ["tcp", 443, 443, "", "", "", "pl-0cdn00001", "cdn"],
      ["tcp", 8080, 8090, "", "sg-0alb00001", "123456789012", "", "from the ALB"],
    ]);
    expect(g.egressRules.map(rule)).toEqual([
      ["tcp", 1024, 65535, "10.0.0.0/8", "", "", "", "internal"],
      ["tcp", 1024, 65535, "", "sg-0db000001", "123456789012", "", "to the database"],
      ["tcp", 1024, 65535, "", "", "", "pl-0s3000001", "s3"],
    ]);
  });

  it("maps a group without optional fields: ports -1, named by its group name", () => {
    const r = securityGroupCollector.toProto(defaultGroup, REGIONAL);
    expect(r.name).toBe("default");
    expect(r.arn).toBe("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0default01");
    const g = payloadOf(r, "security_group");
    expect(g.ingressRules).toEqual([]);
    expect(g.egressRules.map((x) => [x.protocol, x.fromPort, x.toPort, x.cidrBlock])).toEqual([
      ["-1", -1, -1, "0.0.0.0/0"],
    ]);
  });

  it("fails the partition with invalid_data on an entry without GroupId", () => {
    expect(() => securityGroupCollector.toProto(anonymousGroup, REGIONAL)).toThrow(
      PartitionFailure,
    );
  });
});
