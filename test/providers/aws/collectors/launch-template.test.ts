import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
} from "@aws-sdk/client-ec2";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { launchTemplateCollector } from "../../../../src/providers/aws/collectors/launch-template.ts";
import { answerPages, expectActionsAllowed, mockAws, resetAws } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import {
  anonymousTemplate,
  interfaceLatest,
  interfaceTemplate,
  workersLatest,
  workersTemplate,
} from "./launch-template.fixture.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("launch_template collector", () => {
  it("lists $Latest versions once for all templates, then streams template pages at 200", async () => {
    const versionInputs = answerPages(aws.ec2.on(DescribeLaunchTemplateVersionsCommand), [
      { LaunchTemplateVersions: [workersLatest], NextToken: "v1" },
      { LaunchTemplateVersions: [interfaceLatest] },
    ]);
    const templateInputs = answerPages(aws.ec2.on(DescribeLaunchTemplatesCommand), [
      { LaunchTemplates: [workersTemplate], NextToken: "t1" },
      { LaunchTemplates: [interfaceTemplate] },
    ]);
    const pages = await pagesOf(launchTemplateCollector, testContext());
    expect(
      pages.map((p) => p.map((t) => [t.template.LaunchTemplateId, t.latest?.VersionNumber])),
    ).toEqual([[["lt-0abc1234def567890", 7]], [["lt-0nic000000000001", 1]]]);
    expect(versionInputs).toEqual([
      { MaxResults: 200, Versions: ["$Latest"] },
      { MaxResults: 200, Versions: ["$Latest"], NextToken: "v1" },
    ]);
    expect(templateInputs).toEqual([{ MaxResults: 200 }, { MaxResults: 200, NextToken: "t1" }]);
    expectActionsAllowed(aws, launchTemplateCollector);
  });

  it("yields nothing to publish for an account without templates", async () => {
    aws.ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({});
    aws.ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [] });
    expect((await pagesOf(launchTemplateCollector, testContext())).flat()).toEqual([]);
  });

  it("maps the full fixture field by field", async () => {
    aws.ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolves({ LaunchTemplateVersions: [workersLatest] });
    aws.ec2.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [workersTemplate] });
    const [r] = await observe(launchTemplateCollector, testContext());
    expectFullyPopulated(r);
    expect(r?.id).toBe("lt-0abc1234def567890");
    expect(r?.name).toBe("workers-template");
    expect(r?.arn).toBe("arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0abc1234def567890");
    expect(r?.tags).toEqual({ Name: "workers-template", Team: "platform" });
    const t = payloadOf(r, "launch_template");
    expect(t.launchTemplateId).toBe("lt-0abc1234def567890");
    expect(t.name).toBe("eks-workers");
    expect(t.defaultVersion).toBe(6n);
    expect(t.latestVersion).toBe(7n);
    expect(t.instanceType).toBe("m6i.large");
    expect(t.imageId).toBe("ami-0eks1234567890abc");
    expect(t.securityGroupIds).toEqual(["sg-0node0001"]);
    expect(t.iamInstanceProfile).toBe(
      "arn:aws:iam::123456789012:instance-profile/eks-node-profile",
    );
    expect(t.createdBy).toBe("arn:aws:iam::123456789012:role/platform-admin");
    expect(t.createdAt && timestampDate(t.createdAt).toISOString()).toBe(
      "2026-01-02T03:04:05.000Z",
    );
  });

  it("takes groups from network interfaces and the profile by name when that is all there is", () => {
    const r = launchTemplateCollector.toProto(
      { template: interfaceTemplate, latest: interfaceLatest },
      REGIONAL,
    );
    expect(r.name).toBe("bastion");
    const t = payloadOf(r, "launch_template");
    expect(t.securityGroupIds).toEqual(["sg-0bastion01", "sg-0ssh00001"]);
    expect(t.iamInstanceProfile).toBe("bastion-profile");
    expect(t.createdAt).toBeUndefined();
  });

  it("maps a template whose latest version was not listed to empty version settings", () => {
    const t = payloadOf(
      launchTemplateCollector.toProto({ template: workersTemplate }, REGIONAL),
      "launch_template",
    );
    expect(t.latestVersion).toBe(7n);
    expect(t.instanceType).toBe("");
    expect(t.securityGroupIds).toEqual([]);
  });

  it("fails the partition with invalid_data on an entry without LaunchTemplateId", () => {
    expect(() =>
      launchTemplateCollector.toProto({ template: anonymousTemplate }, REGIONAL),
    ).toThrow(PartitionFailure);
  });
});
