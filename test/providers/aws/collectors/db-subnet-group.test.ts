import {
  DescribeDBSubnetGroupsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { DbSubnetGroupSchema } from "../../../../src/gen/elava/v1/database_pb.ts";
import { dbSubnetGroupCollector } from "../../../../src/providers/aws/collectors/db-subnet-group.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import {
  bareSubnetGroup,
  fullSubnetGroup,
  fullSubnetGroupTags,
  namelessSubnetGroup,
} from "./db-subnet-group.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const rds = mockClient(RDSClient);
beforeEach(() => {
  rds.on(ListTagsForResourceCommand).resolves({ TagList: [] });
  rds
    .on(ListTagsForResourceCommand, { ResourceName: fullSubnetGroup.DBSubnetGroupArn })
    .resolves({ TagList: fullSubnetGroupTags });
});
afterEach(() => rds.reset());

describe("db_subnet_group collector", () => {
  it("streams every page at 100 records, following Marker", async () => {
    const inputs = answerPages(rds.on(DescribeDBSubnetGroupsCommand), [
      { DBSubnetGroups: [fullSubnetGroup], Marker: "m1" },
      { DBSubnetGroups: [], Marker: "m2" },
      { DBSubnetGroups: [bareSubnetGroup] },
    ]);

    const pages = await pagesOf(dbSubnetGroupCollector, testContext());

    expect(pages.map((p) => p.map((i) => i.group.DBSubnetGroupName))).toEqual([
      ["prod-db"],
      [],
      ["default"],
    ]);
    expect(inputs).toEqual([
      { MaxRecords: 100, Marker: undefined },
      { MaxRecords: 100, Marker: "m1" },
      { MaxRecords: 100, Marker: "m2" },
    ]);
    // One tag call per group that has an ARN; the bare group has none.
    expect(rds.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceName: fullSubnetGroup.DBSubnetGroupArn },
    ]);
  });

  it("yields one empty page for an account without groups", async () => {
    rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [] });
    expect(await pagesOf(dbSubnetGroupCollector, testContext())).toEqual([[]]);
  });

  it("maps the full fixture field by field, zones distinct", async () => {
    rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [fullSubnetGroup] });
    const [r] = await observe(dbSubnetGroupCollector, testContext());

    expect(r?.id).toBe("prod-db");
    expect(r?.name).toBe("prod-databases");
    expect(r?.tags).toEqual({ Name: "prod-databases", Team: "payments" });
    expect(r?.arn).toBe("arn:aws:rds:us-east-1:123456789012:subgrp:prod-db");
    const g = payloadOf(r, "db_subnet_group");
    expect(g.name).toBe("prod-db");
    expect(g.vpcId).toBe("vpc-0abc1234");
    expect(g.subnetIds).toEqual(["subnet-0db1", "subnet-0db2", "subnet-0db3"]);
    expect(g.description).toBe("prod databases");
    expect(g.status).toBe("Complete");
    expect(g.availabilityZones).toEqual(["us-east-1a", "us-east-1b"]);
    expect(unsetFields(DbSubnetGroupSchema, g)).toEqual([]);
  });

  it("leaves optional fields empty when the API omits them", () => {
    const r = dbSubnetGroupCollector.toProto({ group: bareSubnetGroup, tags: [] }, REGIONAL);
    const g = payloadOf(r, "db_subnet_group");
    expect(r.arn).toBe("");
    expect(g.subnetIds).toEqual([]);
    expect(g.availabilityZones).toEqual([]);
    expect(g.vpcId).toBe("");
  });

  it("fails the partition on a group without a name", async () => {
    rds.on(DescribeDBSubnetGroupsCommand).resolves({ DBSubnetGroups: [namelessSubnetGroup] });
    const failure = await observe(dbSubnetGroupCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain("subgrp:");
  });
});
