/**
 * efs_filesystem: EFS file systems with their mount targets. DescribeFileSystems pages of
 * 100 (tags included); per file system its DescribeMountTargets pages (EFS answers 10 a
 * page whatever is asked), and per mount target one DescribeMountTargetSecurityGroups,
 * the only call that names a mount target's security groups; all under `ctx.limit`. A
 * file system deleted since its page is left out; a mount target deleted since its page
 * is left out of its file system.
 */
import {
  DescribeMountTargetSecurityGroupsCommand,
  type FileSystemDescription,
  type MountTargetDescription,
  paginateDescribeFileSystems,
  paginateDescribeMountTargets,
} from "@aws-sdk/client-efs";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { EfsFilesystemSchema, EfsMountTargetSchema } from "../../../gen/elava/v1/storage_pb.ts";
import {
  allItems,
  type CollectorContext,
  callOptions,
  defineCollector,
  describeEach,
  limited,
} from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** The largest page of DescribeFileSystems. */
export const EFS_PAGE_SIZE = 100;
/** The page of DescribeMountTargets: EFS answers at most 10, whatever MaxItems says. */
export const EFS_MOUNT_TARGET_PAGE_SIZE = 10;

/** A mount target with its security groups. */
export interface EfsMountTargetItem {
  readonly mountTarget: MountTargetDescription;
  readonly securityGroups: readonly string[];
}

/** A file system with its mount targets. */
export interface EfsFilesystemItem {
  readonly fileSystem: FileSystemDescription;
  readonly mountTargets: readonly EfsMountTargetItem[];
}

async function securityGroupsOf(
  ctx: CollectorContext,
  mountTarget: MountTargetDescription,
): Promise<EfsMountTargetItem | undefined> {
  const MountTargetId = mountTarget.MountTargetId;
  if (MountTargetId === undefined) return { mountTarget, securityGroups: [] };
  try {
    const out = await ctx.limit(() =>
      ctx.clients.efs.send(
        new DescribeMountTargetSecurityGroupsCommand({ MountTargetId }),
        callOptions(ctx),
      ),
    );
    return { mountTarget, securityGroups: out.SecurityGroups ?? [] };
  } catch (err) {
    if (awsErrorName(err) === "MountTargetNotFound") return undefined;
    throw err;
  }
}

async function describe(
  ctx: CollectorContext,
  fileSystem: FileSystemDescription,
): Promise<EfsFilesystemItem | undefined> {
  const FileSystemId = fileSystem.FileSystemId;
  // A file system without an id is kept so that toProto fails the partition on it.
  if (FileSystemId === undefined) return { fileSystem, mountTargets: [] };
  let targets: MountTargetDescription[];
  try {
    targets = await allItems(
      paginateDescribeMountTargets(
        { client: limited(ctx, ctx.clients.efs), pageSize: EFS_MOUNT_TARGET_PAGE_SIZE },
        { FileSystemId },
        callOptions(ctx),
      ),
      (page) => page.MountTargets,
    );
  } catch (err) {
    if (awsErrorName(err) === "FileSystemNotFound") return undefined;
    throw err;
  }
  const mountTargets = await Promise.all(targets.map((t) => securityGroupsOf(ctx, t)));
  return {
    fileSystem,
    mountTargets: mountTargets.filter((t): t is EfsMountTargetItem => t !== undefined),
  };
}

/** EFS file systems, their mount targets and the mount targets' security groups. */
export const efsFilesystemCollector = defineCollector({
  type: "efs_filesystem",
  service: "efs",
  iamActions: [
    "elasticfilesystem:DescribeFileSystems",
    "elasticfilesystem:DescribeMountTargets",
    "elasticfilesystem:DescribeMountTargetSecurityGroups",
  ],

  async *list(ctx): AsyncGenerator<EfsFilesystemItem[]> {
    for await (const page of paginateDescribeFileSystems(
      { client: ctx.clients.efs, pageSize: EFS_PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield await describeEach(page.FileSystems ?? [], (f) => describe(ctx, f));
    }
  },

  toProto({ fileSystem: f, mountTargets }: EfsFilesystemItem, unit) {
    const id = requireId(
      f.FileSystemId,
      `EFS file system (ARN ${f.FileSystemArn ?? "none"})`,
      unit,
    );
    const tags = tagRecord(f.Tags);
    return {
      id,
      name: nameFrom(tags, f.Name || id),
      arn: f.FileSystemArn ?? "",
      tags,
      payload: payload(
        "efs_filesystem",
        create(EfsFilesystemSchema, {
          fileSystemId: id,
          name: f.Name ?? "",
          lifeCycleState: f.LifeCycleState ?? "",
          performanceMode: f.PerformanceMode ?? "",
          throughputMode: f.ThroughputMode ?? "",
          provisionedThroughputMibps: f.ProvisionedThroughputInMibps ?? 0,
          encrypted: f.Encrypted ?? false,
          kmsKeyId: f.KmsKeyId ?? "",
          sizeInBytes: BigInt(f.SizeInBytes?.Value ?? 0),
          numberOfMountTargets: f.NumberOfMountTargets ?? 0,
          creationTime: timestamp(f.CreationTime),
          availabilityZone: f.AvailabilityZoneName ?? "",
          mountTargets: mountTargets.map(({ mountTarget: m, securityGroups }) =>
            create(EfsMountTargetSchema, {
              mountTargetId: m.MountTargetId ?? "",
              subnetId: m.SubnetId ?? "",
              vpcId: m.VpcId ?? "",
              availabilityZone: m.AvailabilityZoneName ?? "",
              ipAddress: m.IpAddress ?? "",
              lifeCycleState: m.LifeCycleState ?? "",
              securityGroupIds: [...securityGroups],
              networkInterfaceId: m.NetworkInterfaceId ?? "",
            }),
          ),
        }),
      ),
    };
  },
});
