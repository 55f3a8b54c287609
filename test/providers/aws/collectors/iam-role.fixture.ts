/** IAM ListRoles / ListRoleTags / ListAttachedRolePolicies / ListInstanceProfiles output, as the SDK returns it. */

import type { InstanceProfile, Role } from "@aws-sdk/client-iam";
import {
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
} from "@aws-sdk/client-iam";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, range } from "../../../support/aws-fixture.ts";

const TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: ["ec2.amazonaws.com", "eks.amazonaws.com"] },
      Action: "sts:AssumeRole",
    },
    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:TagSession" },
    { Effect: "Deny", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
};

/** The ARN of a role of the test account. */
export function roleArn(name: string): string {
  return `arn:aws:iam::123456789012:role/${name}`;
}

/** The trust policy of `fullRole`, decoded. */
export const fullTrustPolicy = JSON.stringify(TRUST);

/** A role with every field the mapping reads; its policy URL-encoded as IAM returns it. */
export const fullRole: Role = {
  Path: "/",
  RoleName: "eks-node",
  RoleId: "AROAEXAMPLEID1234567",
  Arn: roleArn("eks-node"),
  CreateDate: new Date("2026-03-04T05:06:07Z"),
  AssumeRolePolicyDocument: encodeURIComponent(fullTrustPolicy),
  Description: "EKS worker nodes",
  MaxSessionDuration: 3600,
};

/** A role of the given name with only what ListRoles always returns. */
export function bareRole(name: string): Role {
  return {
    Path: "/service-role/",
    RoleName: name,
    RoleId: `AROA${name.toUpperCase()}`,
    Arn: roleArn(name),
    CreateDate: new Date("2026-01-01T00:00:00Z"),
  };
}

/** The instance profile that holds `fullRole`, and one without a role. */
export const instanceProfiles: InstanceProfile[] = [
  {
    Path: "/",
    InstanceProfileName: "eks-node",
    InstanceProfileId: "AIPAEXAMPLEID1234567",
    Arn: "arn:aws:iam::123456789012:instance-profile/eks-node",
    CreateDate: new Date("2026-03-04T05:06:07Z"),
    Roles: [fullRole],
  },
  {
    Path: "/",
    InstanceProfileName: "empty",
    InstanceProfileId: "AIPAEXAMPLEID7654321",
    Arn: "arn:aws:iam::123456789012:instance-profile/empty",
    CreateDate: new Date("2026-03-04T05:06:07Z"),
    Roles: [],
  },
];

/** How IAM List* calls page: 1,000 at most, `Marker` in and out while `IsTruncated`. */
const IAM_PAGING = {
  pageSize: "MaxItems",
  max: 1000,
  inputToken: "Marker",
  outputToken: "Marker",
  truncated: "IsTruncated",
} as const;

export default defineAwsFixture({
  type: "iam_role",
  listing: ListRolesCommand,
  full: {
    id: roleArn("eks-node"),
    answers: [
      on(ListInstanceProfilesCommand).answer({ InstanceProfiles: instanceProfiles }),
      on(ListRolesCommand).answer({ Roles: [fullRole], IsTruncated: false }),
      on(ListRoleTagsCommand).answer({
        Tags: [{ Key: "Team", Value: "platform" }],
        IsTruncated: false,
      }),
      on(ListAttachedRolePoliciesCommand).answer({
        AttachedPolicies: [
          {
            PolicyName: "AmazonEKSWorkerNodePolicy",
            PolicyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
          },
        ],
        IsTruncated: false,
      }),
    ],
  },
  estate: {
    id: (r, k) => `arn:aws:iam::${r.accountId}:role/service/role-${k}`,
    // Every even role has an instance profile; each role has one tag and one policy.
    answers: (r) => {
      const trust = encodeURIComponent(
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "ec2.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
      );
      const roles = range(r.count("iam_role")).map(
        (i): Role => ({
          Path: "/service/",
          RoleName: `role-${i}`,
          RoleId: `AROA${r.hex(i).toUpperCase()}`,
          Arn: r.id("iam_role", i),
          CreateDate: r.epoch,
          AssumeRolePolicyDocument: trust,
          Description: `role ${i}`,
          MaxSessionDuration: 3600,
        }),
      );
      const names = new Set(roles.map((role) => role.RoleName));
      const known = <T>(name: string | undefined, items: T[]) =>
        name !== undefined && names.has(name) ? items : new AwsErrorAnswer(404, "NoSuchEntity");
      return [
        on(ListRolesCommand).pages({ ...IAM_PAGING, items: "Roles" }, roles),
        on(ListInstanceProfilesCommand).pages(
          { ...IAM_PAGING, items: "InstanceProfiles" },
          roles.flatMap((role, i): InstanceProfile[] =>
            i % 2 === 0
              ? [
                  {
                    Path: "/",
                    InstanceProfileName: `profile-${i}`,
                    InstanceProfileId: `AIPA${r.hex(i).toUpperCase()}`,
                    Arn: `arn:aws:iam::${r.accountId}:instance-profile/profile-${i}`,
                    CreateDate: r.epoch,
                    Roles: [role],
                  },
                ]
              : [],
          ),
        ),
        on(ListRoleTagsCommand).pagesBy({ ...IAM_PAGING, items: "Tags" }, ({ RoleName }) =>
          known(RoleName, [{ Key: "owner", Value: `team-${RoleName ?? ""}` }]),
        ),
        on(ListAttachedRolePoliciesCommand).pagesBy(
          { ...IAM_PAGING, items: "AttachedPolicies" },
          ({ RoleName }) =>
            known(RoleName, [
              { PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
            ]),
        ),
      ];
    },
    minimumCalls: (r) => {
      const roles = range(r.count("iam_role")).map((i) => `role-${i}`);
      const perRole = (
        command: typeof ListRoleTagsCommand | typeof ListAttachedRolePoliciesCommand,
      ) => roles.reduce((n, RoleName) => n + r.pages(command, { RoleName }), 0);
      return [
        [ListRolesCommand, r.pages(ListRolesCommand)],
        [ListInstanceProfilesCommand, r.pages(ListInstanceProfilesCommand)],
        [ListRoleTagsCommand, perRole(ListRoleTagsCommand)],
        [ListAttachedRolePoliciesCommand, perRole(ListAttachedRolePoliciesCommand)],
      ];
    },
  },
});
