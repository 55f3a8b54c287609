import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { RdsInstanceSchema } from "../../../../src/gen/elava/v1/database_pb.ts";
import { rdsInstanceCollector } from "../../../../src/providers/aws/collectors/rds-instance.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import {
  anonymousInstance,
  creatingInstance,
  fullInstance,
  replicaInstance,
} from "./rds-instance.fixture.ts";

const rds = mockClient(RDSClient);
afterEach(() => rds.reset());

describe("rds_instance collector", () => {
  it("streams every page at 100 records, following Marker", async () => {
    const inputs = answerPages(rds.on(DescribeDBInstancesCommand), [
      { DBInstances: [fullInstance], Marker: "m1" },
      { DBInstances: [replicaInstance, creatingInstance] },
    ]);

    const pages = await pagesOf(rdsInstanceCollector, testContext());

    expect(pages.map((p) => p.map((d) => d.DBInstanceIdentifier))).toEqual([
      ["prod-postgres-primary"],
      ["prod-postgres-replica-1", "new-mysql"],
    ]);
    expect(inputs).toEqual([
      { MaxRecords: 100, Marker: undefined },
      { MaxRecords: 100, Marker: "m1" },
    ]);
  });

  it("yields one empty page for an account without instances", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({});
    expect(await pagesOf(rdsInstanceCollector, testContext())).toEqual([[]]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(1);
  });

  it("maps the full fixture field by field", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [fullInstance] });
    const [r] = await observe(rdsInstanceCollector, testContext());

    expect(r?.id).toBe("prod-postgres-primary");
    expect(r?.name).toBe("orders-db");
    expect(r?.arn).toBe("arn:aws:rds:us-east-1:123456789012:db:prod-postgres-primary");
    expect(r?.tags).toEqual({ Name: "orders-db", Team: "payments" });
    const d = payloadOf(r, "rds_instance");
    expect(d.dbInstanceIdentifier).toBe("prod-postgres-primary");
    expect(d.dbInstanceClass).toBe("db.r6g.large");
    expect(d.engine).toBe("postgres");
    expect(d.engineVersion).toBe("16.3");
    expect(d.vpcId).toBe("vpc-0abc1234");
    expect(d.dbSubnetGroupName).toBe("prod-db");
    expect(d.availabilityZone).toBe("us-east-1a");
    expect(d.multiAz).toBe(true);
    expect(d.secondaryAz).toBe("us-east-1b");
    expect(d.vpcSecurityGroupIds).toEqual(["sg-0db00000000000001"]);
    expect(d.publiclyAccessible).toBe(true);
    expect(d.endpoint).toBe("prod-postgres-primary.abc123.us-east-1.rds.amazonaws.com");
    expect(d.port).toBe(5432);
    expect(d.allocatedStorage).toBe(500);
    expect(d.storageType).toBe("io1");
    expect(d.storageEncrypted).toBe(true);
    expect(d.iops).toBe(12000);
    expect(d.readReplicaDbIdentifiers).toEqual(["prod-postgres-replica-1"]);
    expect(d.readReplicaSourceDbIdentifier).toBe(
      "arn:aws:rds:eu-west-1:123456789012:db:prod-postgres-origin",
    );
    expect(d.backupRetentionPeriod).toBe(14);
    expect(d.preferredBackupWindow).toBe("03:00-04:00");
    expect(d.latestRestorableTime && timestampDate(d.latestRestorableTime)).toEqual(
      new Date("2026-11-22T05:55:00Z"),
    );
    expect(d.enhancedMonitoring).toBe(true);
    expect(d.performanceInsights).toBe(true);
    expect(d.status).toBe("available");
    expect(d.createdTime && timestampDate(d.createdTime)).toEqual(new Date("2026-03-04T05:06:07Z"));
    expect(d.kmsKeyId).toBe(fullInstance.KmsKeyId);
    expect(d.deletionProtection).toBe(true);
    expect(unsetFields(RdsInstanceSchema, d)).toEqual([]);
  });

  it("links a replica to its source and the source to its replica", () => {
    const primary = payloadOf(rdsInstanceCollector.toProto(fullInstance, REGIONAL), "rds_instance");
    const replica = rdsInstanceCollector.toProto(replicaInstance, REGIONAL);
    const r = payloadOf(replica, "rds_instance");
    expect(r.readReplicaSourceDbIdentifier).toBe(primary.dbInstanceIdentifier);
    expect(primary.readReplicaDbIdentifiers).toContain(r.dbInstanceIdentifier);
    expect(r.enhancedMonitoring).toBe(false);
    expect(replica.name).toBe("prod-postgres-replica-1");
  });

  it("leaves optional fields empty for an instance still being created", () => {
    const r = rdsInstanceCollector.toProto(creatingInstance, REGIONAL);
    const d = payloadOf(r, "rds_instance");
    expect(r.arn).toBe("");
    expect(r.tags).toEqual({});
    expect(d.endpoint).toBe("");
    expect(d.port).toBe(0);
    expect(d.createdTime).toBeUndefined();
    expect(d.latestRestorableTime).toBeUndefined();
    expect(d.vpcSecurityGroupIds).toEqual([]);
    expect(d.status).toBe("creating");
  });

  it("fails the partition on an instance without an identifier", async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [fullInstance, anonymousInstance] });
    const failure = await observe(rdsInstanceCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain("us-east-1 for 123456789012");
    expect((failure as PartitionFailure).message).toContain(
      "arn:aws:rds:us-east-1:123456789012:db:",
    );
  });
});
