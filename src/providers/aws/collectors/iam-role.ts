/**
 * iam_role: IAM roles, a global type scanned once per account under region "global".
 *
 * ListRoles (pages of 1,000, its largest) leaves out tags, and attached policies are a
 * separate API, so each role costs a ListRoleTags and a ListAttachedRolePolicies (also
 * paged at 1,000), run concurrently under `ctx.limit`. Instance profiles name their roles,
 * not the other way round: one paged ListInstanceProfiles per partition, before the first
 * role page, maps each role to its profiles. A role deleted since the list (NoSuchEntity)
 * is left out. The SDK's IAM paginators follow `Marker`, which IAM sets only while
 * `IsTruncated` is true.
 */
import {
  paginateListAttachedRolePolicies,
  paginateListInstanceProfiles,
  paginateListRoles,
  paginateListRoleTags,
  type Role,
  type Tag,
} from "@aws-sdk/client-iam";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { PartitionFailure } from "../../../errors.ts";
import { IamRoleSchema } from "../../../gen/elava/v1/identity_pb.ts";
import {
  allItems,
  type CollectorContext,
  callOptions,
  defineCollector,
  describeEach,
  limited,
  type UnitRef,
} from "../collector.ts";
import { isNoSuchEntity } from "../errors.ts";
import { nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** The largest page of IAM list operations. */
const PAGE_SIZE = 1000;

/** A role with its tags, attached policies and instance profiles. */
export interface IamRoleItem {
  readonly role: Role;
  readonly tags: readonly Tag[];
  readonly attachedPolicyArns: readonly string[];
  readonly instanceProfileArns: readonly string[];
}

async function instanceProfilesByRole(ctx: CollectorContext): Promise<Map<string, string[]>> {
  const pages = paginateListInstanceProfiles(
    { client: limited(ctx, ctx.clients.iam), pageSize: PAGE_SIZE },
    {},
    callOptions(ctx),
  );
  const profiles = await allItems(pages, (page) => page.InstanceProfiles);
  const byRole = new Map<string, string[]>();
  for (const p of profiles) {
    if (!p.Arn) continue;
    for (const r of p.Roles ?? []) {
      if (r.Arn) byRole.set(r.Arn, [...(byRole.get(r.Arn) ?? []), p.Arn]);
    }
  }
  return byRole;
}

async function describe(
  ctx: CollectorContext,
  role: Role,
  profiles: ReadonlyMap<string, string[]>,
): Promise<IamRoleItem | undefined> {
  const RoleName = role.RoleName;
  const instanceProfileArns = profiles.get(role.Arn ?? "") ?? [];
  // A nameless entry goes on to toProto, which fails the partition on it.
  if (RoleName === undefined || RoleName === "") {
    return { role, tags: [], attachedPolicyArns: [], instanceProfileArns };
  }
  try {
    const config = { client: limited(ctx, ctx.clients.iam), pageSize: PAGE_SIZE };
    const [tags, policies] = await Promise.all([
      allItems(paginateListRoleTags(config, { RoleName }, callOptions(ctx)), (page) => page.Tags),
      allItems(
        paginateListAttachedRolePolicies(config, { RoleName }, callOptions(ctx)),
        (page) => page.AttachedPolicies,
      ),
    ]);
    return {
      role,
      tags,
      attachedPolicyArns: policies.flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])),
      instanceProfileArns,
    };
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/** The services an assume-role policy trusts: Allow statements' Principal.Service, sorted. */
function trustedServices(document: string, what: string, unit: UnitRef): string[] {
  if (document === "") return [];
  let policy: unknown;
  try {
    policy = JSON.parse(document);
  } catch (err) {
    throw new PartitionFailure(
      "invalid_data",
      `the assume-role policy of ${what} in ${unit.region} for ${unit.accountId} is not JSON`,
      { cause: err },
    );
  }
  const statements = (policy as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const services = new Set<string>();
  for (const s of list as Array<{ Effect?: unknown; Principal?: { Service?: unknown } }>) {
    if (s.Effect !== "Allow") continue;
    const service = s.Principal?.Service;
    for (const v of Array.isArray(service) ? service : [service]) {
      if (typeof v === "string") services.add(v);
    }
  }
  return [...services].sort();
}

function decodePolicy(encoded: string | undefined, what: string, unit: UnitRef): string {
  try {
    return decodeURIComponent(encoded ?? "");
  } catch (err) {
    throw new PartitionFailure(
      "invalid_data",
      `the assume-role policy of ${what} in ${unit.region} for ${unit.accountId} is not URL-encoded`,
      { cause: err },
    );
  }
}

/** IAM roles with their tags, attached policies, instance profiles and trusted services. */
export const iamRoleCollector = defineCollector({
  type: "iam_role",
  service: "iam",
  iamActions: [
    "iam:ListRoles",
    "iam:ListRoleTags",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfiles",
  ],

  async *list(ctx): AsyncGenerator<IamRoleItem[]> {
    const profiles = await instanceProfilesByRole(ctx);
    for await (const page of paginateListRoles(
      { client: ctx.clients.iam, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield await describeEach(page.Roles ?? [], (r) => describe(ctx, r, profiles));
    }
  },

  toProto(item: IamRoleItem, unit) {
    const { role } = item;
    const what = `IAM role ${role.RoleName ?? "(no name)"}`;
    const arn = requireId(role.Arn, `${what} (id ${role.RoleId ?? "none"})`, unit);
    const name = requireId(role.RoleName, `IAM role ${arn} without a name`, unit);
    const tags = tagRecord(item.tags);
    const document = decodePolicy(role.AssumeRolePolicyDocument, arn, unit);
    return {
      id: arn,
      name: nameFrom(tags, name),
      arn,
      tags,
      payload: payload(
        "iam_role",
        create(IamRoleSchema, {
          name,
          path: role.Path ?? "",
          roleId: role.RoleId ?? "",
          createdAt: timestamp(role.CreateDate),
          assumeRolePolicyDocument: document,
          maxSessionDuration: role.MaxSessionDuration ?? 0,
          description: role.Description ?? "",
          attachedPolicyArns: [...item.attachedPolicyArns],
          instanceProfileArns: [...item.instanceProfileArns],
          trustedServices: trustedServices(document, arn, unit),
        }),
      ),
    };
  },
});
