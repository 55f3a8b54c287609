/** IAM ListPolicies / GetPolicyVersion / ListPolicyTags output, as the SDK returns it. */
import type { Policy } from "@aws-sdk/client-iam";
import {
  GetPolicyVersionCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
} from "@aws-sdk/client-iam";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, range } from "../../../support/aws-fixture.ts";
import { IAM_PAGING } from "./iam-user.fixture.ts";

const ACCOUNT = "123456789012";

/** The ARN of a customer-managed policy of the test account. */
export function policyArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
}

/** The default version's document of `fullPolicy`, decoded. */
export const fullDocument = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::orders/*" }],
});

/** A policy as ListPolicies gives it: every field set. */
export const fullPolicy: Policy = {
  PolicyName: "deploy",
  PolicyId: "ANPAEXAMPLEDEPLOY001",
  Arn: policyArn("deploy"),
  Path: "/ci/",
  DefaultVersionId: "v3",
  AttachmentCount: 2,
  PermissionsBoundaryUsageCount: 1,
  IsAttachable: true,
  CreateDate: new Date("2024-02-03T04:05:06Z"),
  UpdateDate: new Date("2026-10-11T12:13:14Z"),
};

export default defineAwsFixture({
  type: "iam_policy",
  listing: ListPoliciesCommand,
  full: {
    id: policyArn("deploy"),
    answers: [
      on(ListPoliciesCommand).answer({ Policies: [fullPolicy], IsTruncated: false }),
      on(GetPolicyVersionCommand).answer({
        PolicyVersion: {
          Document: encodeURIComponent(fullDocument),
          VersionId: "v3",
          IsDefaultVersion: true,
          CreateDate: new Date("2026-10-11T12:13:14Z"),
        },
      }),
      on(ListPolicyTagsCommand).answer({
        Tags: [{ Key: "Team", Value: "platform" }],
        IsTruncated: false,
      }),
    ],
  },
  estate: {
    id: (r, k) => `arn:aws:iam::${r.accountId}:policy/policy-${k}`,
    answers: (r) => {
      const arns = new Set(r.ids("iam_policy"));
      const known = <T>(arn: string | undefined, answer: T) =>
        arn !== undefined && arns.has(arn) ? answer : new AwsErrorAnswer(404, "NoSuchEntity");
      return [
        on(ListPoliciesCommand).pages(
          { ...IAM_PAGING, items: "Policies" },
          range(r.count("iam_policy")).map(
            (i): Policy => ({
              PolicyName: `policy-${i}`,
              PolicyId: `ANPA${r.hex(i).toUpperCase()}`,
              Arn: r.id("iam_policy", i),
              Path: "/",
              DefaultVersionId: "v1",
              AttachmentCount: 1,
              IsAttachable: true,
              CreateDate: r.epoch,
              UpdateDate: r.epoch,
            }),
          ),
        ),
        on(GetPolicyVersionCommand).answerBy(({ PolicyArn }) =>
          known(PolicyArn, {
            PolicyVersion: {
              Document: encodeURIComponent(
                JSON.stringify({ Version: "2012-10-17", Statement: [] }),
              ),
              VersionId: "v1",
              IsDefaultVersion: true,
            },
          }),
        ),
        on(ListPolicyTagsCommand).pagesBy({ ...IAM_PAGING, items: "Tags" }, ({ PolicyArn }) =>
          known(PolicyArn, [{ Key: "owner", Value: "platform" }]),
        ),
      ];
    },
    minimumCalls: (r) => {
      const arns = r.ids("iam_policy");
      return [
        [ListPoliciesCommand, r.pages(ListPoliciesCommand, { Scope: "Local" })],
        [GetPolicyVersionCommand, arns.length],
        [
          ListPolicyTagsCommand,
          arns.reduce((n, PolicyArn) => n + r.pages(ListPolicyTagsCommand, { PolicyArn }), 0),
        ],
      ];
    },
  },
});
