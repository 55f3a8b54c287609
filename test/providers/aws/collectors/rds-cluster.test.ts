import { DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { rdsClusterCollector } from "../../../../src/providers/aws/collectors/rds-cluster.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { auroraCluster, newCluster } from "./rds-cluster.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("rds_cluster collector", () => {
  it("streams every page at 100, following Marker", async () => {
    const inputs = answerPages(aws.rds.on(DescribeDBClustersCommand), [
      { DBClusters: [auroraCluster], Marker: "m1" },
      { DBClusters: [newCluster] },
    ]);
    const pages = await pagesOf(rdsClusterCollector, testContext());
    expect(pages.map((p) => p.map((c) => c.DBClusterIdentifier))).toEqual([
      ["prod-aurora"],
      ["new-aurora"],
    ]);
    expect(inputs).toEqual([{ MaxRecords: 100 }, { MaxRecords: 100, Marker: "m1" }]);
    expectActionsAllowed(aws, rdsClusterCollector);
  });

  it("maps the full fixture field by field, members with their writer flag", async () => {
    aws.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [auroraCluster] });
    const [r] = await observe(rdsClusterCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.id).toBe("prod-aurora");
    expect(r?.arn).toBe("arn:aws:rds:us-east-1:123456789012:cluster:prod-aurora");
    const c = payloadOf(r, "rds_cluster");
    expect(c.members.map((m) => [m.dbInstanceIdentifier, m.isWriter, m.promotionTier])).toEqual([
      ["prod-aurora-1", true, 1],
      ["prod-aurora-2", false, 2],
    ]);
    expect(c.dbSubnetGroupName).toBe("prod-db-subnets");
    expect(c.vpcSecurityGroupIds).toEqual(["sg-0db00000000000001"]);
    expect([c.endpoint, c.readerEndpoint, c.port]).toEqual([
      "prod-aurora.cluster-abc123.us-east-1.rds.amazonaws.com",
      "prod-aurora.cluster-ro-abc123.us-east-1.rds.amazonaws.com",
      5432,
    ]);
    expect([c.storageEncrypted, c.backupRetentionPeriod, c.preferredBackupWindow]).toEqual([
      true,
      14,
      "04:00-04:30",
    ]);
    expect(c.masterUsername).toBe("postgres");
  });

  it("maps a cluster being created, without members or endpoints, to empty fields", () => {
    const c = payloadOf(rdsClusterCollector.toProto(newCluster, REGIONAL), "rds_cluster");
    expect([c.members.length, c.endpoint, c.port, c.status]).toEqual([0, "", 0, "creating"]);
  });

  it("fails the partition with invalid_data on a cluster without an identifier", () => {
    expect(() => rdsClusterCollector.toProto({ Engine: "aurora-mysql" }, REGIONAL)).toThrow(
      PartitionFailure,
    );
  });
});
