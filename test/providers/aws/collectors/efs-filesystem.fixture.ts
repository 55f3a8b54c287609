/** EFS DescribeFileSystems / DescribeMountTargets / DescribeMountTargetSecurityGroups output. */

import type { FileSystemDescription, MountTargetDescription } from "@aws-sdk/client-efs";
import {
  DescribeFileSystemsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand,
} from "@aws-sdk/client-efs";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** A file system with every field the mapping reads. */
export const fullFileSystem: FileSystemDescription = {
  OwnerId: "123456789012",
  CreationToken: "shared-tok",
  FileSystemId: "fs-0abc1234def567890",
  FileSystemArn:
    "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0abc1234def567890",
  CreationTime: new Date("2026-03-04T05:06:07Z"),
  LifeCycleState: "available",
  Name: "shared",
  NumberOfMountTargets: 2,
  SizeInBytes: { Value: 6_442_450_944, ValueInStandard: 6_442_450_944 },
  PerformanceMode: "generalPurpose",
  Encrypted: true,
  KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  ThroughputMode: "provisioned",
  ProvisionedThroughputInMibps: 128,
  AvailabilityZoneName: "us-east-1a",
  Tags: [
    { Key: "Name", Value: "shared-fs" },
    { Key: "Team", Value: "data" },
  ],
};

/** The full file system's mount targets. */
export const fullMountTargets: MountTargetDescription[] = [
  {
    OwnerId: "123456789012",
    MountTargetId: "fsmt-0aaa1111bbbb2222c",
    FileSystemId: "fs-0abc1234def567890",
    SubnetId: "subnet-0priv1",
    LifeCycleState: "available",
    IpAddress: "10.0.1.50",
    NetworkInterfaceId: "eni-0efs00000000001",
    AvailabilityZoneName: "us-east-1a",
    VpcId: "vpc-0abc1234",
  },
  {
    OwnerId: "123456789012",
    MountTargetId: "fsmt-0ddd3333eeee4444f",
    FileSystemId: "fs-0abc1234def567890",
    SubnetId: "subnet-0priv2",
    LifeCycleState: "available",
    IpAddress: "10.0.2.50",
    NetworkInterfaceId: "eni-0efs00000000002",
    AvailabilityZoneName: "us-east-1b",
    VpcId: "vpc-0abc1234",
  },
];

export default defineAwsFixture({
  type: "efs_filesystem",
  listing: DescribeFileSystemsCommand,
  full: {
    id: "fs-0abc1234def567890",
    answers: [
      on(DescribeFileSystemsCommand).answer({ FileSystems: [fullFileSystem] }),
      on(DescribeMountTargetsCommand).answer({ MountTargets: fullMountTargets }),
      on(DescribeMountTargetSecurityGroupsCommand).answerBy(({ MountTargetId }) => ({
        SecurityGroups:
          MountTargetId === "fsmt-0aaa1111bbbb2222c"
            ? ["sg-0efs0000000000001", "sg-0efs0000000000002"]
            : ["sg-0efs0000000000001"],
      })),
    ],
  },
  estate: {
    id: (r, k) => `fs-${r.hex(k)}`,
    // File system i has one mount target, in subnet i, with security group i.
    answers: (r) => {
      const ids = r.ids("efs_filesystem");
      const index = new Map(ids.map((id, i) => [id, i]));
      const mountTargetId = (i: number) => `fsmt-${r.hex(i)}`;
      const targets = new Map(ids.map((_, i) => [mountTargetId(i), i]));
      return [
        on(DescribeFileSystemsCommand).pages(
          {
            items: "FileSystems",
            pageSize: "MaxItems",
            max: 100,
            inputToken: "Marker",
            outputToken: "NextMarker",
          },
          ids.map(
            (FileSystemId, i): FileSystemDescription => ({
              OwnerId: r.accountId,
              CreationToken: `tok-${i}`,
              FileSystemId,
              FileSystemArn: `arn:aws:elasticfilesystem:${r.region}:${r.accountId}:file-system/${FileSystemId}`,
              CreationTime: r.epoch,
              LifeCycleState: "available",
              NumberOfMountTargets: r.id("subnet", i) === "" ? 0 : 1,
              SizeInBytes: { Value: 6144 },
              PerformanceMode: "generalPurpose",
              ThroughputMode: "bursting",
              Encrypted: false,
              Tags: [{ Key: "team", Value: "data" }],
            }),
          ),
        ),
        on(DescribeMountTargetsCommand).pagesBy(
          {
            items: "MountTargets",
            pageSize: "MaxItems",
            max: 10,
            inputToken: "Marker",
            outputToken: "NextMarker",
          },
          ({ FileSystemId = "" }) => {
            const i = index.get(FileSystemId);
            if (i === undefined) return new AwsErrorAnswer(404, "FileSystemNotFound");
            const subnet = r.id("subnet", i);
            if (subnet === "") return [];
            return [
              {
                MountTargetId: mountTargetId(i),
                FileSystemId,
                SubnetId: subnet,
                VpcId: r.id("vpc", i) || undefined,
                LifeCycleState: "available",
                IpAddress: `10.0.${i % 250}.50`,
                AvailabilityZoneName: r.zone(i),
              },
            ];
          },
        ),
        on(DescribeMountTargetSecurityGroupsCommand).answerBy(({ MountTargetId = "" }) => {
          const i = targets.get(MountTargetId);
          if (i === undefined) return new AwsErrorAnswer(404, "MountTargetNotFound");
          const group = r.id("security_group", i);
          return { SecurityGroups: group === "" ? [] : [group] };
        }),
      ];
    },
    minimumCalls: (r) => {
      const ids = r.ids("efs_filesystem");
      return [
        [DescribeFileSystemsCommand, r.pages(DescribeFileSystemsCommand)],
        [
          DescribeMountTargetsCommand,
          ids.reduce(
            (n, FileSystemId) => n + r.pages(DescribeMountTargetsCommand, { FileSystemId }),
            0,
          ),
        ],
        [DescribeMountTargetSecurityGroupsCommand, r.count("subnet") === 0 ? 0 : ids.length],
      ];
    },
  },
});
