import { DescribeVolumesCommand } from "@aws-sdk/client-ec2";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { ebsVolumeCollector } from "../../../../src/providers/aws/collectors/ebs-volume.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { idleVolume, rootVolume, sharedVolume } from "./ebs-volume.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("ebs_volume collector", () => {
  it("streams every page at 500, following NextToken", async () => {
    const inputs = answerPages(aws.ec2.on(DescribeVolumesCommand), [
      { Volumes: [rootVolume, sharedVolume], NextToken: "t1" },
      { Volumes: [idleVolume] },
    ]);
    const pages = await pagesOf(ebsVolumeCollector, testContext());
    expect(pages.map((p) => p.map((v) => v.VolumeId))).toEqual([
      ["vol-0abc1234", "vol-0shared0001"],
      ["vol-0idle0001"],
    ]);
    expect(inputs).toEqual([{ MaxResults: 500 }, { MaxResults: 500, NextToken: "t1" }]);
    expectActionsAllowed(aws, ebsVolumeCollector);
  });

  it("maps the full fixture field by field", async () => {
    aws.ec2.on(DescribeVolumesCommand).resolves({ Volumes: [rootVolume] });
    const [r] = await observe(ebsVolumeCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.name).toBe("web-1-root");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc1234");
    const v = payloadOf(r, "ebs_volume");
    expect([v.sizeGib, v.volumeType, v.iops, v.throughput]).toEqual([100, "gp3", 3000, 125]);
    expect([v.encrypted, v.state, v.snapshotId]).toEqual([true, "in-use", "snap-0abc1234"]);
    expect(v.kmsKeyId).toMatch(/^arn:aws:kms:/);
    const [a] = v.attachments;
    expect([a?.instanceId, a?.device, a?.state, a?.deleteOnTermination]).toEqual([
      "i-0abc1234def567890",
      "/dev/xvda",
      "attached",
      true,
    ]);
    expect(a?.attachTime && timestampDate(a.attachTime)).toEqual(new Date("2026-03-04T05:06:30Z"));
  });

  it("keeps every attachment of a Multi-Attach volume, and none of a detached one", () => {
    const shared = payloadOf(ebsVolumeCollector.toProto(sharedVolume, REGIONAL), "ebs_volume");
    expect(shared.multiAttachEnabled).toBe(true);
    expect(shared.attachments.map((a) => a.instanceId)).toEqual(["i-0aaa", "i-0bbb"]);
    const idle = payloadOf(ebsVolumeCollector.toProto(idleVolume, REGIONAL), "ebs_volume");
    expect([idle.state, idle.attachments.length, idle.kmsKeyId, idle.snapshotId]).toEqual([
      "available",
      0,
      "",
      "",
    ]);
  });

  it("fails the partition with invalid_data on a volume without VolumeId", () => {
    expect(() => ebsVolumeCollector.toProto({ Size: 8 }, REGIONAL)).toThrow(PartitionFailure);
  });
});
