/** rds_instance: RDS DB instances, one DescribeDBInstances call per page (tags included). */
import { type DBInstance, paginateDescribeDBInstances } from "@aws-sdk/client-rds";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { RdsInstanceSchema } from "../../../gen/elava/v1/database_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** The API's largest page. */
const PAGE_SIZE = 100;

/**
 * RDS DB instances. Replication is kept from both ends as AWS reports it: a primary lists
 * its replicas, a replica names its source (an ARN when the source is in another region).
 */
export const rdsInstanceCollector = defineCollector({
  type: "rds_instance",
  service: "rds",
  iamActions: ["rds:DescribeDBInstances"],

  async *list(ctx) {
    for await (const page of paginateDescribeDBInstances(
      { client: ctx.clients.rds, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.DBInstances ?? [];
    }
  },

  toProto(db: DBInstance, unit) {
    const id = requireId(
      db.DBInstanceIdentifier,
      `DB instance (ARN ${db.DBInstanceArn ?? "none"})`,
      unit,
    );
    const tags = tagRecord(db.TagList);
    return {
      id,
      name: nameFrom(tags, id),
      arn: db.DBInstanceArn ?? "",
      tags,
      payload: payload(
        "rds_instance",
        create(RdsInstanceSchema, {
          dbInstanceIdentifier: id,
          dbInstanceClass: db.DBInstanceClass ?? "",
          engine: db.Engine ?? "",
          engineVersion: db.EngineVersion ?? "",
          vpcId: db.DBSubnetGroup?.VpcId ?? "",
          dbSubnetGroupName: db.DBSubnetGroup?.DBSubnetGroupName ?? "",
          availabilityZone: db.AvailabilityZone ?? "",
          multiAz: db.MultiAZ ?? false,
          secondaryAz: db.SecondaryAvailabilityZone ?? "",
          vpcSecurityGroupIds: (db.VpcSecurityGroups ?? []).flatMap((g) =>
            g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
          ),
          publiclyAccessible: db.PubliclyAccessible ?? false,
          endpoint: db.Endpoint?.Address ?? "",
          port: db.Endpoint?.Port ?? 0,
          allocatedStorage: db.AllocatedStorage ?? 0,
          storageType: db.StorageType ?? "",
          storageEncrypted: db.StorageEncrypted ?? false,
          iops: db.Iops ?? 0,
          readReplicaDbIdentifiers: db.ReadReplicaDBInstanceIdentifiers ?? [],
          readReplicaSourceDbIdentifier: db.ReadReplicaSourceDBInstanceIdentifier ?? "",
          backupRetentionPeriod: db.BackupRetentionPeriod ?? 0,
          preferredBackupWindow: db.PreferredBackupWindow ?? "",
          latestRestorableTime: timestamp(db.LatestRestorableTime),
          enhancedMonitoring: (db.MonitoringInterval ?? 0) > 0,
          performanceInsights: db.PerformanceInsightsEnabled ?? false,
          status: db.DBInstanceStatus ?? "",
          createdTime: timestamp(db.InstanceCreateTime),
          kmsKeyId: db.KmsKeyId ?? "",
          deletionProtection: db.DeletionProtection ?? false,
          dbClusterIdentifier: db.DBClusterIdentifier ?? "",
        }),
      ),
    };
  },
});
