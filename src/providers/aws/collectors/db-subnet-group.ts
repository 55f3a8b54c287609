/**
 * db_subnet_group: RDS DB subnet groups, one DescribeDBSubnetGroups call per page.
 * The API returns no tags and fetching them would cost a ListTagsForResource per group,
 * which the stream does not need: the envelope's tags stay empty and the name is the
 * group's own.
 */
import { type DBSubnetGroup, DescribeDBSubnetGroupsCommand } from "@aws-sdk/client-rds";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { DbSubnetGroupSchema } from "../../../gen/elava/v1/database_pb.ts";
import { defineCollector } from "../collector.ts";
import { requireId } from "../tags.ts";

/** The API's largest page. */
const PAGE_SIZE = 100;

/** RDS DB subnet groups. */
export const dbSubnetGroupCollector = defineCollector({
  type: "db_subnet_group",
  service: "rds",
  iamActions: ["rds:DescribeDBSubnetGroups"],

  async *list(ctx) {
    let marker: string | undefined;
    do {
      const page = await ctx.clients.rds.send(
        new DescribeDBSubnetGroupsCommand({ MaxRecords: PAGE_SIZE, Marker: marker }),
        { abortSignal: ctx.signal },
      );
      yield page.DBSubnetGroups ?? [];
      marker = page.Marker;
    } while (marker);
  },

  toProto(group: DBSubnetGroup, unit) {
    const name = requireId(
      group.DBSubnetGroupName,
      `DB subnet group (ARN ${group.DBSubnetGroupArn ?? "none"})`,
      unit,
    );
    const subnets = group.Subnets ?? [];
    const zones = subnets.flatMap((s) =>
      s.SubnetAvailabilityZone?.Name ? [s.SubnetAvailabilityZone.Name] : [],
    );
    return {
      id: name,
      name,
      arn: group.DBSubnetGroupArn ?? "",
      tags: {},
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
