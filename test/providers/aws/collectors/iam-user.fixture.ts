/**
 * IAM ListUsers / GetAccountAuthorizationDetails / ListAccessKeys / ListMFADevices output,
 * as the SDK returns it.
 */
import type { AccessKeyMetadata, MFADevice, User, UserDetail } from "@aws-sdk/client-iam";
import {
  GetAccountAuthorizationDetailsCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, range } from "../../../support/aws-fixture.ts";

const ACCOUNT = "123456789012";

/** The ARN of a user of the test account. */
export function userArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT}:user/${name}`;
}

/** How IAM List* calls page: 1,000 at most, `Marker` in and out while `IsTruncated`. */
export const IAM_PAGING = {
  pageSize: "MaxItems",
  max: 1000,
  inputToken: "Marker",
  outputToken: "Marker",
  truncated: "IsTruncated",
} as const;

/** A person's user, as ListUsers gives it: every field set. */
export const fullUser: User = {
  Path: "/people/",
  UserName: "alice",
  UserId: "AIDAEXAMPLEALICE0001",
  Arn: userArn("alice"),
  CreateDate: new Date("2024-02-03T04:05:06Z"),
  PasswordLastUsed: new Date("2026-11-21T09:10:11Z"),
};

/** What GetAccountAuthorizationDetails says of alice (policy documents are never read). */
export const fullUserDetail: UserDetail = {
  Path: "/people/",
  UserName: "alice",
  UserId: "AIDAEXAMPLEALICE0001",
  Arn: userArn("alice"),
  CreateDate: new Date("2024-02-03T04:05:06Z"),
  UserPolicyList: [
    { PolicyName: "assume-admin", PolicyDocument: "%7B%22Version%22%3A%222012-10-17%22%7D" },
  ],
  GroupList: ["oncall", "developers"],
  AttachedManagedPolicies: [
    { PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    { PolicyName: "deploy", PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/deploy` },
  ],
  PermissionsBoundary: {
    PermissionsBoundaryType: "PermissionsBoundaryPolicy",
    PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/people-boundary`,
  },
  Tags: [{ Key: "Team", Value: "platform" }],
};

/** Alice's access keys: one active, one inactive. ListAccessKeys never returns a secret. */
export const fullUserKeys: AccessKeyMetadata[] = [
  {
    UserName: "alice",
    AccessKeyId: "AKIAEXAMPLEALICE0001",
    Status: "Active",
    CreateDate: new Date("2026-01-02T03:04:05Z"),
  },
  {
    UserName: "alice",
    AccessKeyId: "AKIAEXAMPLEALICE0002",
    Status: "Inactive",
    CreateDate: new Date("2024-02-03T04:05:06Z"),
  },
];

/** Alice's virtual MFA device. */
export const fullUserMfa: MFADevice[] = [
  {
    UserName: "alice",
    SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/alice`,
    EnableDate: new Date("2024-02-03T04:15:06Z"),
  },
];

export default defineAwsFixture({
  type: "iam_user",
  listing: ListUsersCommand,
  full: {
    id: userArn("alice"),
    answers: [
      on(GetAccountAuthorizationDetailsCommand).answer({
        UserDetailList: [fullUserDetail],
        IsTruncated: false,
      }),
      on(ListUsersCommand).answer({ Users: [fullUser], IsTruncated: false }),
      on(ListAccessKeysCommand).answer({ AccessKeyMetadata: fullUserKeys, IsTruncated: false }),
      on(ListMFADevicesCommand).answer({ MFADevices: fullUserMfa, IsTruncated: false }),
    ],
  },
  estate: {
    id: (r, k) => `arn:aws:iam::${r.accountId}:user/user-${k}`,
    // Each user has one key; every even one an MFA device and a policy of the estate.
    answers: (r) => {
      const users = range(r.count("iam_user")).map(
        (i): User => ({
          Path: "/",
          UserName: `user-${i}`,
          UserId: `AIDA${r.hex(i).toUpperCase()}`,
          Arn: r.id("iam_user", i),
          CreateDate: r.epoch,
        }),
      );
      const names = new Set(users.map((u) => u.UserName));
      const known = <T>(name: string | undefined, items: T[]) =>
        name !== undefined && names.has(name) ? items : new AwsErrorAnswer(404, "NoSuchEntity");
      const even = (name: string | undefined) => Number(name?.split("-")[1] ?? 1) % 2 === 0;
      return [
        on(GetAccountAuthorizationDetailsCommand).pages(
          { ...IAM_PAGING, items: "UserDetailList" },
          users.map(
            (u, i): UserDetail => ({
              ...u,
              GroupList: ["staff"],
              AttachedManagedPolicies:
                i % 2 === 0 && r.id("iam_policy", i) !== ""
                  ? [{ PolicyName: `policy-${i}`, PolicyArn: r.id("iam_policy", i) }]
                  : [],
              Tags: [{ Key: "owner", Value: u.UserName ?? "" }],
            }),
          ),
        ),
        on(ListUsersCommand).pages({ ...IAM_PAGING, items: "Users" }, users),
        on(ListAccessKeysCommand).pagesBy(
          { ...IAM_PAGING, items: "AccessKeyMetadata" },
          ({ UserName }) =>
            known(UserName, [
              {
                UserName,
                AccessKeyId: `AKIA${(UserName ?? "").toUpperCase()}`,
                Status: "Active",
                CreateDate: r.epoch,
              },
            ]),
        ),
        on(ListMFADevicesCommand).pagesBy({ ...IAM_PAGING, items: "MFADevices" }, ({ UserName }) =>
          known(
            UserName,
            even(UserName)
              ? [
                  {
                    UserName,
                    SerialNumber: `arn:aws:iam::${r.accountId}:mfa/${UserName}`,
                    EnableDate: r.epoch,
                  },
                ]
              : [],
          ),
        ),
      ];
    },
    minimumCalls: (r) => {
      const users = range(r.count("iam_user")).map((i) => `user-${i}`);
      const perUser = (command: typeof ListAccessKeysCommand | typeof ListMFADevicesCommand) =>
        users.reduce((n, UserName) => n + r.pages(command, { UserName }), 0);
      return [
        [
          GetAccountAuthorizationDetailsCommand,
          r.pages(GetAccountAuthorizationDetailsCommand, { Filter: ["User"] }),
        ],
        [ListUsersCommand, r.pages(ListUsersCommand)],
        [ListAccessKeysCommand, perUser(ListAccessKeysCommand)],
        [ListMFADevicesCommand, perUser(ListMFADevicesCommand)],
      ];
    },
  },
});
