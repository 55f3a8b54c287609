/** DescribeVolumes output, as the SDK returns it. */
import { DescribeVolumesCommand, type Volume } from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** A gp3 root volume, encrypted with a KMS key, attached to an instance: every field set. */
export const rootVolume: Volume = {
  VolumeId: "vol-0abc1234",
  Size: 100,
  VolumeType: "gp3",
  Iops: 3000,
  Throughput: 125,
  Encrypted: true,
  KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  State: "in-use",
  SnapshotId: "snap-0abc1234",
  AvailabilityZone: "us-east-1a",
  CreateTime: new Date("2026-03-04T05:06:07Z"),
  // AWS allows Multi-Attach on io1 and io2 only; set here to prove the field is mapped.
  MultiAttachEnabled: true,
  Attachments: [
    {
      InstanceId: "i-0abc1234def567890",
      VolumeId: "vol-0abc1234",
      Device: "/dev/xvda",
      State: "attached",
      AttachTime: new Date("2026-03-04T05:06:30Z"),
      DeleteOnTermination: true,
    },
  ],
  Tags: [{ Key: "Name", Value: "web-1-root" }],
};

/** A Multi-Attach io2 volume attached to two instances. */
export const sharedVolume: Volume = {
  VolumeId: "vol-0shared0001",
  Size: 500,
  VolumeType: "io2",
  Iops: 16000,
  Encrypted: false,
  State: "in-use",
  AvailabilityZone: "us-east-1a",
  MultiAttachEnabled: true,
  Attachments: [
    { InstanceId: "i-0aaa", Device: "/dev/sdf", State: "attached", DeleteOnTermination: false },
    { InstanceId: "i-0bbb", Device: "/dev/sdf", State: "attached", DeleteOnTermination: false },
  ],
};

/** A volume detached from everything, made from no snapshot. */
export const idleVolume: Volume = {
  VolumeId: "vol-0idle0001",
  Size: 8,
  VolumeType: "gp2",
  Iops: 100,
  State: "available",
  AvailabilityZone: "us-east-1b",
  Attachments: [],
};

export default defineAwsFixture({
  type: "ebs_volume",
  listing: DescribeVolumesCommand,
  full: {
    id: "vol-0abc1234",
    answers: [on(DescribeVolumesCommand).answer({ Volumes: [rootVolume, idleVolume] })],
  },
  estate: {
    id: (r, k) => `vol-${r.hex(k)}`,
    // Volume i is instance i's root volume.
    answers: (r) => [
      on(DescribeVolumesCommand).pages(
        {
          items: "Volumes",
          pageSize: "MaxResults",
          max: 500,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        r.ids("ebs_volume").map(
          (VolumeId, i): Volume => ({
            VolumeId,
            Size: 20,
            VolumeType: "gp3",
            Iops: 3000,
            Throughput: 125,
            Encrypted: true,
            State: r.id("ec2_instance", i) === "" ? "available" : "in-use",
            AvailabilityZone: r.zone(i),
            CreateTime: r.epoch,
            Attachments:
              r.id("ec2_instance", i) === ""
                ? []
                : [
                    {
                      InstanceId: r.id("ec2_instance", i),
                      Device: "/dev/xvda",
                      State: "attached",
                      AttachTime: r.epoch,
                      DeleteOnTermination: true,
                    },
                  ],
          }),
        ),
      ),
    ],
    minimumCalls: (r) => [[DescribeVolumesCommand, r.pages(DescribeVolumesCommand)]],
  },
});
