/**
 * iam_user: IAM users, a global type scanned once per account under region "global".
 *
 * ListUsers (pages of 1,000, its largest) gives the user and when its password was last
 * used, and nothing else. Its tags, groups and attached and inline policies cost, per user,
 * four more List* calls; GetAccountAuthorizationDetails with filter User answers all four
 * for a page of up to 1,000 users at once, so it is read once per partition, before the
 * first ListUsers page. Access keys and MFA devices have no such account-wide listing for
 * other users than the caller: each user costs a ListAccessKeys and a ListMFADevices,
 * concurrently under `ctx.limit`. No secret is read: ListAccessKeys returns key ids only.
 *
 * The partition is as of GetAccountAuthorizationDetails: a user that ListUsers lists and
 * that call did not (created in between) is left to the next scan, and a user deleted
 * before its own calls (NoSuchEntity) is left out.
 */
import {
  type AccessKeyMetadata,
  type MFADevice,
  paginateGetAccountAuthorizationDetails,
  paginateListAccessKeys,
  paginateListMFADevices,
  paginateListUsers,
  type User,
  type UserDetail,
} from "@aws-sdk/client-iam";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { AccessKeySchema, IamUserSchema } from "../../../gen/elava/v1/identity_pb.ts";
import {
  allItems,
  type CollectorContext,
  callOptions,
  defineCollector,
  describeEach,
  limited,
} from "../collector.ts";
import { isNoSuchEntity } from "../errors.ts";
import { nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** The largest page of IAM list operations. */
const PAGE_SIZE = 1000;

/** A user with what the other IAM calls say about it. */
export interface IamUserItem {
  readonly user: User;
  readonly detail: UserDetail | undefined;
  readonly accessKeys: readonly AccessKeyMetadata[];
  readonly mfaDevices: readonly MFADevice[];
}

/** GetAccountAuthorizationDetails (filter User): every user's details, by name. */
async function detailsByName(ctx: CollectorContext): Promise<Map<string, UserDetail>> {
  const pages = paginateGetAccountAuthorizationDetails(
    { client: ctx.clients.iam, pageSize: PAGE_SIZE },
    { Filter: ["User"] },
    callOptions(ctx),
  );
  const users = await allItems(pages, (page) => page.UserDetailList);
  return new Map(users.flatMap((u) => (u.UserName ? [[u.UserName, u] as const] : [])));
}

async function describe(
  ctx: CollectorContext,
  user: User,
  details: ReadonlyMap<string, UserDetail>,
): Promise<IamUserItem | undefined> {
  const UserName = user.UserName;
  // A nameless entry goes on to toProto, which fails the partition on it.
  if (UserName === undefined || UserName === "") {
    return { user, detail: undefined, accessKeys: [], mfaDevices: [] };
  }
  const detail = details.get(UserName);
  if (detail === undefined) return undefined;
  try {
    const config = { client: limited(ctx, ctx.clients.iam), pageSize: PAGE_SIZE };
    const [accessKeys, mfaDevices] = await Promise.all([
      allItems(
        paginateListAccessKeys(config, { UserName }, callOptions(ctx)),
        (page) => page.AccessKeyMetadata,
      ),
      allItems(
        paginateListMFADevices(config, { UserName }, callOptions(ctx)),
        (page) => page.MFADevices,
      ),
    ]);
    return { user, detail, accessKeys, mfaDevices };
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/** IAM users with their policies, groups, access keys and MFA devices. */
export const iamUserCollector = defineCollector({
  type: "iam_user",
  service: "iam",
  iamActions: [
    "iam:ListUsers",
    "iam:GetAccountAuthorizationDetails",
    "iam:ListAccessKeys",
    "iam:ListMFADevices",
  ],

  async *list(ctx): AsyncGenerator<IamUserItem[]> {
    const details = await detailsByName(ctx);
    for await (const page of paginateListUsers(
      { client: ctx.clients.iam, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield await describeEach(page.Users ?? [], (u) => describe(ctx, u, details));
    }
  },

  toProto({ user, detail, accessKeys, mfaDevices }: IamUserItem, unit) {
    const what = `IAM user ${user.UserName ?? "(no name)"}`;
    const arn = requireId(user.Arn, `${what} (id ${user.UserId ?? "none"})`, unit);
    const name = requireId(user.UserName, `IAM user ${arn} without a name`, unit);
    const tags = tagRecord(detail?.Tags);
    return {
      id: arn,
      name: nameFrom(tags, name),
      arn,
      tags,
      payload: payload(
        "iam_user",
        create(IamUserSchema, {
          name,
          path: user.Path ?? "",
          userId: user.UserId ?? "",
          createdAt: timestamp(user.CreateDate),
          passwordLastUsed: timestamp(user.PasswordLastUsed),
          attachedPolicyArns: (detail?.AttachedManagedPolicies ?? []).flatMap((p) =>
            p.PolicyArn ? [p.PolicyArn] : [],
          ),
          inlinePolicyNames: (detail?.UserPolicyList ?? []).flatMap((p) =>
            p.PolicyName ? [p.PolicyName] : [],
          ),
          groupNames: detail?.GroupList ?? [],
          accessKeys: accessKeys.map((k) =>
            create(AccessKeySchema, {
              accessKeyId: k.AccessKeyId ?? "",
              status: k.Status ?? "",
              createdAt: timestamp(k.CreateDate),
            }),
          ),
          mfaDeviceSerials: mfaDevices.flatMap((d) => (d.SerialNumber ? [d.SerialNumber] : [])),
          permissionsBoundaryArn: detail?.PermissionsBoundary?.PermissionsBoundaryArn ?? "",
        }),
      ),
    };
  },
});
