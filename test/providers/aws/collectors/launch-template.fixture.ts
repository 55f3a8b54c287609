/** DescribeLaunchTemplates and DescribeLaunchTemplateVersions outputs, as the SDK returns them. */
import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type LaunchTemplate,
  type LaunchTemplateVersion,
} from "@aws-sdk/client-ec2";
import { on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, range, sdkTags } from "../../../support/aws-fixture.ts";

export const workersTemplate: LaunchTemplate = {
  LaunchTemplateId: "lt-0abc1234def567890",
  LaunchTemplateName: "eks-workers",
  CreateTime: new Date("2026-01-02T03:04:05Z"),
  CreatedBy: "arn:aws:iam::123456789012:role/platform-admin",
  DefaultVersionNumber: 6,
  LatestVersionNumber: 7,
  Tags: [
    { Key: "Name", Value: "workers-template" },
    { Key: "Team", Value: "platform" },
  ],
};

/** The $Latest version of workersTemplate. */
export const workersLatest: LaunchTemplateVersion = {
  LaunchTemplateId: "lt-0abc1234def567890",
  LaunchTemplateName: "eks-workers",
  VersionNumber: 7,
  DefaultVersion: false,
  CreateTime: new Date("2026-03-01T00:00:00Z"),
  LaunchTemplateData: {
    InstanceType: "m6i.large",
    ImageId: "ami-0eks1234567890abc",
    SecurityGroupIds: ["sg-0node0001"],
    IamInstanceProfile: { Arn: "arn:aws:iam::123456789012:instance-profile/eks-node-profile" },
  },
};

/** A template whose groups are set per network interface and profile by name. */
export const interfaceTemplate: LaunchTemplate = {
  LaunchTemplateId: "lt-0nic000000000001",
  LaunchTemplateName: "bastion",
  DefaultVersionNumber: 1,
  LatestVersionNumber: 1,
};

export const interfaceLatest: LaunchTemplateVersion = {
  LaunchTemplateId: "lt-0nic000000000001",
  VersionNumber: 1,
  LaunchTemplateData: {
    NetworkInterfaces: [
      { DeviceIndex: 0, Groups: ["sg-0bastion01", "sg-0ssh00001"] },
      { DeviceIndex: 1, Groups: ["sg-0ssh00001"] },
    ],
    IamInstanceProfile: { Name: "bastion-profile" },
  },
};

export const anonymousTemplate: LaunchTemplate = { LaunchTemplateName: "broken" };

export default defineAwsFixture({
  type: "launch_template",
  listing: DescribeLaunchTemplatesCommand,
  full: {
    id: "lt-0abc1234def567890",
    answers: [
      on(DescribeLaunchTemplateVersionsCommand).answer({ LaunchTemplateVersions: [workersLatest] }),
      on(DescribeLaunchTemplatesCommand).answer({ LaunchTemplates: [workersTemplate] }),
    ],
  },
  estate: {
    id: (r, k) => `lt-${r.hex(k)}`,
    answers: (r) => {
      const templates = range(r.count("launch_template"));
      const paging = {
        pageSize: "MaxResults",
        max: 200,
        inputToken: "NextToken",
        outputToken: "NextToken",
      } as const;
      return [
        on(DescribeLaunchTemplateVersionsCommand).pages(
          { ...paging, items: "LaunchTemplateVersions" },
          templates.map(
            (i): LaunchTemplateVersion => ({
              LaunchTemplateId: r.id("launch_template", i),
              LaunchTemplateName: `lt-${i}`,
              VersionNumber: 1,
              DefaultVersion: true,
              LaunchTemplateData: {
                InstanceType: "m6i.large",
                ImageId: "ami-0123456789abcdef0",
                SecurityGroupIds:
                  r.id("security_group", i) === "" ? undefined : [r.id("security_group", i)],
              },
            }),
          ),
        ),
        on(DescribeLaunchTemplatesCommand).pages(
          { ...paging, items: "LaunchTemplates" },
          templates.map(
            (i): LaunchTemplate => ({
              LaunchTemplateId: r.id("launch_template", i),
              LaunchTemplateName: `lt-${i}`,
              DefaultVersionNumber: 1,
              LatestVersionNumber: 1,
              CreatedBy: `arn:aws:iam::${r.accountId}:user/ops`,
              CreateTime: r.epoch,
              Tags: sdkTags({ team: "web" }),
            }),
          ),
        ),
      ];
    },
    minimumCalls: (r) => [
      [DescribeLaunchTemplateVersionsCommand, r.pages(DescribeLaunchTemplateVersionsCommand)],
      [DescribeLaunchTemplatesCommand, r.pages(DescribeLaunchTemplatesCommand)],
    ],
  },
});
