/**
 * rds_cluster: RDS DB clusters (Aurora, Multi-AZ DB clusters; the API answers Neptune and
 * DocumentDB clusters too, which are published alike, told apart by their engine), one
 * DescribeDBClusters call per page, members and tags included.
 */
import { type DBCluster, paginateDescribeDBClusters } from "@aws-sdk/client-rds";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { RdsClusterMemberSchema, RdsClusterSchema } from "../../../gen/elava/v1/database_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** The API's largest page. */
const PAGE_SIZE = 100;

export const rdsClusterCollector = defineCollector({
  type: "rds_cluster",
  service: "rds",
  iamActions: ["rds:DescribeDBClusters"],

  async *list(ctx) {
    for await (const page of paginateDescribeDBClusters(
      { client: ctx.clients.rds, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.DBClusters ?? [];
    }
  },

  toProto(c: DBCluster, unit) {
    const id = requireId(
      c.DBClusterIdentifier,
      `DB cluster (ARN ${c.DBClusterArn ?? "none"})`,
      unit,
    );
    const tags = tagRecord(c.TagList);
    return {
      id,
      name: nameFrom(tags, id),
      arn: c.DBClusterArn ?? "",
      tags,
      payload: payload(
        "rds_cluster",
        create(RdsClusterSchema, {
          dbClusterIdentifier: id,
          engine: c.Engine ?? "",
          engineVersion: c.EngineVersion ?? "",
          engineMode: c.EngineMode ?? "",
          status: c.Status ?? "",
          members: (c.DBClusterMembers ?? []).map((m) =>
            create(RdsClusterMemberSchema, {
              dbInstanceIdentifier: m.DBInstanceIdentifier ?? "",
              isWriter: m.IsClusterWriter ?? false,
              promotionTier: m.PromotionTier ?? 0,
            }),
          ),
          dbSubnetGroupName: c.DBSubnetGroup ?? "",
          vpcSecurityGroupIds: (c.VpcSecurityGroups ?? []).flatMap((g) =>
            g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
          ),
          endpoint: c.Endpoint ?? "",
          readerEndpoint: c.ReaderEndpoint ?? "",
          port: c.Port ?? 0,
          storageEncrypted: c.StorageEncrypted ?? false,
          kmsKeyId: c.KmsKeyId ?? "",
          backupRetentionPeriod: c.BackupRetentionPeriod ?? 0,
          preferredBackupWindow: c.PreferredBackupWindow ?? "",
          deletionProtection: c.DeletionProtection ?? false,
          multiAz: c.MultiAZ ?? false,
          availabilityZones: c.AvailabilityZones ?? [],
          createdTime: timestamp(c.ClusterCreateTime),
          latestRestorableTime: timestamp(c.LatestRestorableTime),
          databaseName: c.DatabaseName ?? "",
          masterUsername: c.MasterUsername ?? "",
          iamDatabaseAuthentication: c.IAMDatabaseAuthenticationEnabled ?? false,
        }),
      ),
    };
  },
});
