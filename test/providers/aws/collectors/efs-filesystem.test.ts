import {
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  type FileSystemDescription,
  FileSystemNotFound,
  type MountTargetDescription,
  MountTargetNotFound,
} from "@aws-sdk/client-efs";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { EfsFilesystemSchema } from "../../../../src/gen/elava/v1/storage_pb.ts";
import { efsFilesystemCollector } from "../../../../src/providers/aws/collectors/efs-filesystem.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { fullFileSystem, fullMountTargets } from "./efs-filesystem.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const efs = mockClient(EFSClient);

/** A file system with only the given members (the SDK type makes the others explicit). */
function fs(over: Partial<FileSystemDescription>): FileSystemDescription {
  return {
    OwnerId: undefined,
    CreationToken: undefined,
    FileSystemId: undefined,
    CreationTime: undefined,
    LifeCycleState: undefined,
    NumberOfMountTargets: undefined,
    SizeInBytes: undefined,
    PerformanceMode: undefined,
    Tags: undefined,
    ...over,
  };
}

/** A mount target with only its id. */
function mt(MountTargetId: string): MountTargetDescription {
  return { MountTargetId, FileSystemId: undefined, SubnetId: undefined, LifeCycleState: undefined };
}
afterEach(() => efs.reset());

describe("efs_filesystem collector", () => {
  it("pages file systems at 100, mount targets at 10, one security-group call per mount target", async () => {
    const inputs = answerPages(efs.on(DescribeFileSystemsCommand), [
      { FileSystems: [fs({ FileSystemId: "fs-1" })], NextMarker: "m1" },
      { FileSystems: [fs({ FileSystemId: "fs-2" })] },
    ]);
    const targetInputs = answerPages(
      efs.on(DescribeMountTargetsCommand, fs({ FileSystemId: "fs-1" })),
      [{ MountTargets: [mt("fsmt-a")], NextMarker: "t1" }, { MountTargets: [mt("fsmt-b")] }],
    );
    efs
      .on(DescribeMountTargetsCommand, fs({ FileSystemId: "fs-2" }))
      .resolves({ MountTargets: [] });
    efs
      .on(DescribeMountTargetSecurityGroupsCommand)
      .callsFake((input: { MountTargetId?: string }) => ({
        SecurityGroups: [`sg-${input.MountTargetId}`],
      }));
    const ctx = testContext(REGIONAL, 2);
    const pages = await pagesOf(efsFilesystemCollector, ctx);
    expect(inputs).toEqual([
      { MaxItems: 100, Marker: undefined },
      { MaxItems: 100, Marker: "m1" },
    ]);
    expect(targetInputs).toEqual([
      { FileSystemId: "fs-1", MaxItems: 10, Marker: undefined },
      { FileSystemId: "fs-1", MaxItems: 10, Marker: "t1" },
    ]);
    expect(pages[0]?.[0]?.mountTargets.map((t) => t.securityGroups)).toEqual([
      ["sg-fsmt-a"],
      ["sg-fsmt-b"],
    ]);
    expect(pages[1]?.[0]?.mountTargets).toEqual([]);
    expect(ctx.limited.calls).toBe(5);
  });

  it("leaves out a file system deleted since its page, and a mount target deleted since its page", async () => {
    efs.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [fs({ FileSystemId: "fs-kept" }), fs({ FileSystemId: "fs-gone" })],
    });
    efs.on(DescribeMountTargetsCommand, fs({ FileSystemId: "fs-kept" })).resolves({
      MountTargets: [mt("fsmt-kept"), mt("fsmt-gone")],
    });
    efs.on(DescribeMountTargetsCommand, fs({ FileSystemId: "fs-gone" })).rejects(
      new FileSystemNotFound({
        message: "File system 'fs-gone' does not exist.",
        $metadata: {},
        ErrorCode: "FileSystemNotFound",
      }),
    );
    efs.on(DescribeMountTargetSecurityGroupsCommand).resolves({ SecurityGroups: ["sg-1"] });
    efs.on(DescribeMountTargetSecurityGroupsCommand, mt("fsmt-gone")).rejects(
      new MountTargetNotFound({
        message: "Mount target not found",
        $metadata: {},
        ErrorCode: "MountTargetNotFound",
      }),
    );
    const [page] = await pagesOf(efsFilesystemCollector, testContext());
    expect(page?.map((f) => f.fileSystem.FileSystemId)).toEqual(["fs-kept"]);
    expect(page?.[0]?.mountTargets.map((t) => t.mountTarget.MountTargetId)).toEqual(["fsmt-kept"]);
  });

  it("maps the full fixture field by field", async () => {
    efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [fullFileSystem] });
    efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: fullMountTargets });
    efs.on(DescribeMountTargetSecurityGroupsCommand).resolves({ SecurityGroups: ["sg-0efs1"] });
    const [r] = await observe(efsFilesystemCollector, testContext());
    expect(r?.id).toBe("fs-0abc1234def567890");
    expect(r?.name).toBe("shared-fs");
    expect(r?.arn).toBe(fullFileSystem.FileSystemArn);
    expect(r?.tags).toEqual({ Name: "shared-fs", Team: "data" });
    const f = payloadOf(r, "efs_filesystem");
    expect(f.fileSystemId).toBe("fs-0abc1234def567890");
    expect(f.name).toBe("shared");
    expect(f.lifeCycleState).toBe("available");
    expect(f.performanceMode).toBe("generalPurpose");
    expect(f.throughputMode).toBe("provisioned");
    expect(f.provisionedThroughputMibps).toBe(128);
    expect(f.encrypted).toBe(true);
    expect(f.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(f.sizeInBytes).toBe(6_442_450_944n);
    expect(f.numberOfMountTargets).toBe(2);
    expect(f.creationTime && timestampDate(f.creationTime)).toEqual(
      new Date("2026-03-04T05:06:07Z"),
    );
    expect(f.availabilityZone).toBe("us-east-1a");
    expect(
      f.mountTargets.map((m) => [m.mountTargetId, m.subnetId, m.vpcId, m.availabilityZone]),
    ).toEqual([
      ["fsmt-0aaa1111bbbb2222c", "subnet-0priv1", "vpc-0abc1234", "us-east-1a"],
      ["fsmt-0ddd3333eeee4444f", "subnet-0priv2", "vpc-0abc1234", "us-east-1b"],
    ]);
    expect(f.mountTargets[0]?.ipAddress).toBe("10.0.1.50");
    expect(f.mountTargets[0]?.lifeCycleState).toBe("available");
    expect(f.mountTargets[0]?.securityGroupIds).toEqual(["sg-0efs1"]);
    expect(f.mountTargets[0]?.networkInterfaceId).toBe("eni-0efs00000000001");
    expect(unsetFields(EfsFilesystemSchema, f)).toEqual([]);
  });

  it("names an untagged, unnamed file system by its id", () => {
    const r = efsFilesystemCollector.toProto(
      { fileSystem: fs({ FileSystemId: "fs-1", ThroughputMode: "bursting" }), mountTargets: [] },
      REGIONAL,
    );
    expect(r.name).toBe("fs-1");
    expect(payloadOf(r, "efs_filesystem").provisionedThroughputMibps).toBe(0);
  });

  it("fails the partition on a file system without an id, calling nothing for it", async () => {
    efs.on(DescribeFileSystemsCommand).resolves({
      FileSystems: [fs({ FileSystemArn: "arn:aws:elasticfilesystem:us-east-1:1:file-system/x" })],
    });
    const failure = await observe(efsFilesystemCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect(efs.commandCalls(DescribeMountTargetsCommand)).toHaveLength(0);
  });
});
