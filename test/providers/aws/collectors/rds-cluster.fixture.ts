/** DescribeDBClusters output, as the SDK returns it. */
import { type DBCluster, DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, range, sdkTags } from "../../../support/aws-fixture.ts";
import { rdsArn } from "./db-subnet-group.fixture.ts";

/** An Aurora PostgreSQL cluster with a writer and a reader: every field set. */
export const auroraCluster: DBCluster = {
  DBClusterIdentifier: "prod-aurora",
  DBClusterArn: "arn:aws:rds:us-east-1:123456789012:cluster:prod-aurora",
  Engine: "aurora-postgresql",
  EngineVersion: "16.4",
  EngineMode: "provisioned",
  Status: "available",
  DBClusterMembers: [
    {
      DBInstanceIdentifier: "prod-aurora-1",
      IsClusterWriter: true,
      PromotionTier: 1,
      DBClusterParameterGroupStatus: "in-sync",
    },
    { DBInstanceIdentifier: "prod-aurora-2", IsClusterWriter: false, PromotionTier: 2 },
  ],
  DBSubnetGroup: "prod-db-subnets",
  VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-0db00000000000001", Status: "active" }],
  Endpoint: "prod-aurora.cluster-abc123.us-east-1.rds.amazonaws.com",
  ReaderEndpoint: "prod-aurora.cluster-ro-abc123.us-east-1.rds.amazonaws.com",
  Port: 5432,
  StorageEncrypted: true,
  KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  BackupRetentionPeriod: 14,
  PreferredBackupWindow: "04:00-04:30",
  DeletionProtection: true,
  MultiAZ: true,
  AvailabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  ClusterCreateTime: new Date("2025-06-07T08:09:10Z"),
  LatestRestorableTime: new Date("2026-11-22T05:55:00Z"),
  DatabaseName: "orders",
  MasterUsername: "postgres",
  IAMDatabaseAuthenticationEnabled: true,
  TagList: [{ Key: "Team", Value: "data" }],
};

/** A cluster being created: no members yet, nothing optional set. */
export const newCluster: DBCluster = {
  DBClusterIdentifier: "new-aurora",
  Engine: "aurora-mysql",
  Status: "creating",
};

export default defineAwsFixture({
  type: "rds_cluster",
  listing: DescribeDBClustersCommand,
  full: {
    id: "prod-aurora",
    answers: [on(DescribeDBClustersCommand).answer({ DBClusters: [auroraCluster, newCluster] })],
  },
  estate: {
    id: (_r, k) => `aurora-${k}`,
    // Cluster k's members are the DB instances that name it (see rds_instance); the first
    // is the writer.
    answers: (r) => [
      on(DescribeDBClustersCommand).pages(
        {
          items: "DBClusters",
          pageSize: "MaxRecords",
          max: 100,
          inputToken: "Marker",
          outputToken: "Marker",
        },
        r.ids("rds_cluster").map((id, i): DBCluster => {
          const members = range(r.count("rds_instance")).filter(
            (j) => r.id("rds_cluster", j) === id,
          );
          const group = r.id("security_group", i);
          return {
            DBClusterIdentifier: id,
            DBClusterArn: rdsArn(r, "cluster", id),
            Engine: "aurora-postgresql",
            EngineVersion: "16.4",
            Status: "available",
            DBClusterMembers: members.map((j, n) => ({
              DBInstanceIdentifier: r.id("rds_instance", j),
              IsClusterWriter: n === 0,
              PromotionTier: 1,
            })),
            VpcSecurityGroups: group === "" ? [] : [{ VpcSecurityGroupId: group }],
            Port: 5432,
            StorageEncrypted: true,
            ClusterCreateTime: r.epoch,
            TagList: sdkTags({ team: "data" }),
          };
        }),
      ),
    ],
    minimumCalls: (r) => [[DescribeDBClustersCommand, r.pages(DescribeDBClustersCommand)]],
  },
});
