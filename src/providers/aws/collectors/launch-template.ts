/**
 * Launch templates: DescribeLaunchTemplates, with the settings of each template's latest
 * version. DescribeLaunchTemplateVersions with `$Latest` and no template id answers the
 * latest version of every template of the region, so the versions are listed once per
 * partition (a few pages) rather than once per template, before the first page of templates.
 */

import {
  type LaunchTemplate,
  type LaunchTemplateVersion,
  paginateDescribeLaunchTemplates,
  paginateDescribeLaunchTemplateVersions,
} from "@aws-sdk/client-ec2";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { LaunchTemplateSchema } from "../../../gen/elava/v1/compute_pb.ts";
import { callOptions, defineCollector } from "../collector.ts";
import { ec2Arn, nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** DescribeLaunchTemplates and DescribeLaunchTemplateVersions allow 1..200. */
const PAGE_SIZE = 200;

/** A template with its latest version, when DescribeLaunchTemplateVersions listed it. */
export interface VersionedLaunchTemplate {
  readonly template: LaunchTemplate;
  readonly latest?: LaunchTemplateVersion | undefined;
}

function securityGroupIds(v: LaunchTemplateVersion | undefined): string[] {
  const data = v?.LaunchTemplateData;
  if (data?.SecurityGroupIds !== undefined && data.SecurityGroupIds.length > 0) {
    return data.SecurityGroupIds;
  }
  return [...new Set((data?.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? []))];
}

export const launchTemplateCollector = defineCollector({
  type: "launch_template",
  service: "ec2",
  iamActions: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
  async *list(ctx) {
    const latest = new Map<string, LaunchTemplateVersion>();
    for await (const page of paginateDescribeLaunchTemplateVersions(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      { Versions: ["$Latest"] },
      callOptions(ctx),
    )) {
      for (const v of page.LaunchTemplateVersions ?? []) {
        if (v.LaunchTemplateId !== undefined) latest.set(v.LaunchTemplateId, v);
      }
    }
    for await (const page of paginateDescribeLaunchTemplates(
      { client: ctx.clients.ec2, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield (page.LaunchTemplates ?? []).map(
        (template): VersionedLaunchTemplate => ({
          template,
          latest:
            template.LaunchTemplateId === undefined
              ? undefined
              : latest.get(template.LaunchTemplateId),
        }),
      );
    }
  },
  toProto({ template: t, latest }: VersionedLaunchTemplate, unit) {
    const id = requireId(t.LaunchTemplateId, "launch template", unit);
    const tags = tagRecord(t.Tags);
    const data = latest?.LaunchTemplateData;
    return {
      id,
      name: nameFrom(tags, t.LaunchTemplateName ?? id),
      arn: ec2Arn(unit, "launch-template", id),
      tags,
      payload: payload(
        "launch_template",
        create(LaunchTemplateSchema, {
          launchTemplateId: id,
          name: t.LaunchTemplateName ?? "",
          defaultVersion: BigInt(t.DefaultVersionNumber ?? 0),
          latestVersion: BigInt(t.LatestVersionNumber ?? 0),
          instanceType: data?.InstanceType ?? "",
          imageId: data?.ImageId ?? "",
          securityGroupIds: securityGroupIds(latest),
          iamInstanceProfile: data?.IamInstanceProfile?.Arn ?? data?.IamInstanceProfile?.Name ?? "",
          createdBy: t.CreatedBy ?? "",
          createdAt: timestamp(t.CreateTime),
        }),
      ),
    };
  },
});
