/** ebs_volume: EBS volumes, EC2 DescribeVolumes, one call per page (attachments and tags included). */
import { paginateDescribeVolumes, type Volume } from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { EbsVolumeSchema, VolumeAttachmentSchema } from "../../../gen/elava/v1/storage_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** DescribeVolumes allows 5..500. */
const PAGE_SIZE = 500;

export const ebsVolumeCollector = defineCollector({
  type: "ebs_volume",
  service: "ec2",
  iamActions: ["ec2:DescribeVolumes"],
  async *list(ctx) {
    for await (const page of paginateDescribeVolumes(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield page.Volumes ?? [];
    }
  },
  toProto(v: Volume, unit) {
    const id = requireId(v.VolumeId, `EBS volume (${v.AvailabilityZone ?? "no zone"})`, unit);
    const tags = tagRecord(v.Tags);
    return {
      id,
      name: nameFrom(tags, id),
      arn: ec2Arn(unit, "volume", id),
      tags,
      payload: payload(
        "ebs_volume",
        create(EbsVolumeSchema, {
          volumeId: id,
          sizeGib: v.Size ?? 0,
          volumeType: v.VolumeType ?? "",
          iops: v.Iops ?? 0,
          throughput: v.Throughput ?? 0,
          encrypted: v.Encrypted ?? false,
          kmsKeyId: v.KmsKeyId ?? "",
          state: v.State ?? "",
          snapshotId: v.SnapshotId ?? "",
          availabilityZone: v.AvailabilityZone ?? "",
          createdAt: timestamp(v.CreateTime),
          multiAttachEnabled: v.MultiAttachEnabled ?? false,
          attachments: (v.Attachments ?? []).map((a) =>
            create(VolumeAttachmentSchema, {
              instanceId: a.InstanceId ?? "",
              device: a.Device ?? "",
              state: a.State ?? "",
              attachTime: timestamp(a.AttachTime),
              deleteOnTermination: a.DeleteOnTermination ?? false,
            }),
          ),
        }),
      ),
    };
  },
});
