/** DescribeDBSubnetGroups output, as the SDK returns it. */

import type { DBSubnetGroup, Tag } from "@aws-sdk/client-rds";
import { DescribeDBSubnetGroupsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-rds";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, type EstateRegion, range } from "../../../support/aws-fixture.ts";

/** A group with three subnets in two zones. */
export const fullSubnetGroup: DBSubnetGroup = {
  DBSubnetGroupName: "prod-db",
  DBSubnetGroupDescription: "prod databases",
  VpcId: "vpc-0abc1234",
  SubnetGroupStatus: "Complete",
  Subnets: [
    {
      SubnetIdentifier: "subnet-0db1",
      SubnetAvailabilityZone: { Name: "us-east-1a" },
      SubnetOutpost: {},
      SubnetStatus: "Active",
    },
    {
      SubnetIdentifier: "subnet-0db2",
      SubnetAvailabilityZone: { Name: "us-east-1b" },
      SubnetOutpost: {},
      SubnetStatus: "Active",
    },
    {
      SubnetIdentifier: "subnet-0db3",
      SubnetAvailabilityZone: { Name: "us-east-1a" },
      SubnetOutpost: {},
      SubnetStatus: "Active",
    },
  ],
  DBSubnetGroupArn: "arn:aws:rds:us-east-1:123456789012:subgrp:prod-db",
  SupportedNetworkTypes: ["IPV4"],
};

/** Only a name. */
export const bareSubnetGroup: DBSubnetGroup = { DBSubnetGroupName: "default" };

/** A malformed entry: no name. */
export const namelessSubnetGroup: DBSubnetGroup = {
  DBSubnetGroupDescription: "lost",
  DBSubnetGroupArn: "arn:aws:rds:us-east-1:123456789012:subgrp:",
};

/** ListTagsForResource of the full group. */
export const fullSubnetGroupTags: Tag[] = [
  { Key: "Name", Value: "prod-databases" },
  { Key: "Team", Value: "payments" },
];

/** The ARN of an RDS resource of the estate. */
export function rdsArn(r: EstateRegion, kind: string, name: string): string {
  return `arn:aws:rds:${r.region}:${r.accountId}:${kind}:${name}`;
}

/** DB subnet group i of the estate (RDS instances embed it too), or undefined when there is none. */
export function estateSubnetGroup(r: EstateRegion, i: number): DBSubnetGroup | undefined {
  const name = r.id("db_subnet_group", i);
  if (name === "") return undefined;
  const subnet = r.id("subnet", i);
  return {
    DBSubnetGroupName: name,
    DBSubnetGroupDescription: `subnet group ${i}`,
    DBSubnetGroupArn: rdsArn(r, "subgrp", name),
    VpcId: r.id("vpc", i) || undefined,
    SubnetGroupStatus: "Complete",
    Subnets:
      subnet === ""
        ? []
        : [
            {
              SubnetIdentifier: subnet,
              SubnetAvailabilityZone: { Name: r.zone(i) },
              SubnetStatus: "Active",
            },
          ],
  };
}

export default defineAwsFixture({
  type: "db_subnet_group",
  listing: DescribeDBSubnetGroupsCommand,
  full: {
    id: "prod-db",
    answers: [
      on(DescribeDBSubnetGroupsCommand).answer({ DBSubnetGroups: [fullSubnetGroup] }),
      on(ListTagsForResourceCommand).answer({ TagList: fullSubnetGroupTags }),
    ],
  },
  estate: {
    id: (_r, k) => `dbsg-${k}`,
    answers: (r) => [
      on(DescribeDBSubnetGroupsCommand).pages(
        {
          items: "DBSubnetGroups",
          pageSize: "MaxRecords",
          max: 100,
          inputToken: "Marker",
          outputToken: "Marker",
        },
        range(r.count("db_subnet_group")).flatMap((i) => estateSubnetGroup(r, i) ?? []),
      ),
      // Tagged with the last part of their ARN as Name.
      on(ListTagsForResourceCommand).answerBy(({ ResourceName = "" }) => ({
        TagList: [{ Key: "Name", Value: ResourceName.split(":").pop() ?? "" }],
      })),
    ],
    minimumCalls: (r) => [
      [DescribeDBSubnetGroupsCommand, r.pages(DescribeDBSubnetGroupsCommand)],
      [ListTagsForResourceCommand, r.count("db_subnet_group")],
    ],
  },
});
