/**
 * db_subnet_group: RDS DB subnet groups, one DescribeDBSubnetGroups call per page.
 * DescribeDBSubnetGroups returns no tags, so each group costs a ListTagsForResource
 * under `ctx.limit`: publishing no tags would claim the group has none.
 */
import {
  type DBSubnetGroup,
  ListTagsForResourceCommand,
  paginateDescribeDBSubnetGroups,
  type Tag,
} from "@aws-sdk/client-rds";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { DbSubnetGroupSchema } from "../../../gen/elava/v1/database_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { nameFrom, requireId, tagRecord } from "../tags.ts";

/** The API's largest page. */
const PAGE_SIZE = 100;

/** A DB subnet group with its tags. */
export interface DbSubnetGroupItem {
  readonly group: DBSubnetGroup;
  readonly tags: readonly Tag[];
}

/** RDS DB subnet groups. */
export const dbSubnetGroupCollector = defineCollector({
  type: "db_subnet_group",
  service: "rds",
  iamActions: ["rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"],

  async *list(ctx): AsyncGenerator<DbSubnetGroupItem[]> {
    for await (const page of paginateDescribeDBSubnetGroups(
      { client: ctx.clients.rds, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield await Promise.all(
        (page.DBSubnetGroups ?? []).map(async (group) => ({
          group,
          tags:
            group.DBSubnetGroupArn === undefined
              ? []
              : ((
                  await ctx.limit(() =>
                    ctx.clients.rds.send(
                      new ListTagsForResourceCommand({ ResourceName: group.DBSubnetGroupArn }),
                      callOptions(ctx),
                    ),
                  )
                ).TagList ?? []),
        })),
      );
    }
  },

  toProto({ group, tags: sdkTags }: DbSubnetGroupItem, unit) {
    const name = requireId(
      group.DBSubnetGroupName,
      `DB subnet group (ARN ${group.DBSubnetGroupArn ?? "none"})`,
      unit,
    );
    const subnets = group.Subnets ?? [];
    const zones = subnets.flatMap((s) =>
      s.SubnetAvailabilityZone?.Name ? [s.SubnetAvailabilityZone.Name] : [],
    );
    const tags = tagRecord(sdkTags);
    return {
      id: name,
      name: nameFrom(tags, name),
      arn: group.DBSubnetGroupArn ?? "",
      tags,
      payload: payload(
        "db_subnet_group",
        create(DbSubnetGroupSchema, {
          name,
          vpcId: group.VpcId ?? "",
          subnetIds: subnets.flatMap((s) => (s.SubnetIdentifier ? [s.SubnetIdentifier] : [])),
          description: group.DBSubnetGroupDescription ?? "",
          status: group.SubnetGroupStatus ?? "",
          availabilityZones: [...new Set(zones)],
        }),
      ),
    };
  },
});
