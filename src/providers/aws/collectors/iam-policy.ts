/**
 * iam_policy: customer-managed IAM policies, a global type scanned once per account under
 * region "global". AWS-managed policies (arn:aws:iam::aws:policy/...) are AWS's, the same
 * in every account, and are not listed (Scope Local).
 *
 * ListPolicies (pages of 1,000, its largest) gives neither the document nor the tags, so
 * each policy costs a GetPolicyVersion of its default version and a ListPolicyTags,
 * concurrently under `ctx.limit`. GetAccountAuthorizationDetails would answer documents in
 * pages, but every version's (up to five per policy) and without tags. A policy deleted
 * since the list (NoSuchEntity) is left out.
 */
import {
  GetPolicyVersionCommand,
  type Policy,
  paginateListPolicies,
  paginateListPolicyTags,
  type Tag,
} from "@aws-sdk/client-iam";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { PartitionFailure } from "../../../errors.ts";
import { IamPolicySchema } from "../../../gen/elava/v1/identity_pb.ts";
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

/** A policy with its default version's document (URL-encoded, as IAM returns it) and tags. */
export interface IamPolicyItem {
  readonly policy: Policy;
  readonly document: string;
  readonly tags: readonly Tag[];
}

async function describe(ctx: CollectorContext, policy: Policy): Promise<IamPolicyItem | undefined> {
  const PolicyArn = policy.Arn;
  // An ARN-less entry goes on to toProto, which fails the partition on it.
  if (PolicyArn === undefined || PolicyArn === "") return { policy, document: "", tags: [] };
  try {
    const client = limited(ctx, ctx.clients.iam);
    const [version, tags] = await Promise.all([
      client.send(
        new GetPolicyVersionCommand({ PolicyArn, VersionId: policy.DefaultVersionId }),
        callOptions(ctx),
      ),
      allItems(
        paginateListPolicyTags({ client, pageSize: PAGE_SIZE }, { PolicyArn }, callOptions(ctx)),
        (page) => page.Tags,
      ),
    ]);
    return { policy, document: version.PolicyVersion?.Document ?? "", tags };
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/** Customer-managed IAM policies with their default document and tags. */
export const iamPolicyCollector = defineCollector({
  type: "iam_policy",
  service: "iam",
  iamActions: ["iam:ListPolicies", "iam:GetPolicyVersion", "iam:ListPolicyTags"],

  async *list(ctx): AsyncGenerator<IamPolicyItem[]> {
    for await (const page of paginateListPolicies(
      { client: ctx.clients.iam, pageSize: PAGE_SIZE },
      { Scope: "Local" },
      callOptions(ctx),
    )) {
      yield await describeEach(page.Policies ?? [], (p) => describe(ctx, p));
    }
  },

  toProto({ policy, document, tags: sdkTags }: IamPolicyItem, unit) {
    const what = `IAM policy ${policy.PolicyName ?? "(no name)"}`;
    const arn = requireId(policy.Arn, `${what} (id ${policy.PolicyId ?? "none"})`, unit);
    const name = requireId(policy.PolicyName, `IAM policy ${arn} without a name`, unit);
    const tags = tagRecord(sdkTags);
    let decoded: string;
    try {
      decoded = decodeURIComponent(document);
    } catch (err) {
      throw new PartitionFailure(
        "invalid_data",
        `the document of IAM policy ${arn} in ${unit.region} for ${unit.accountId} is not URL-encoded`,
        { cause: err },
      );
    }
    return {
      id: arn,
      name: nameFrom(tags, name),
      arn,
      tags,
      payload: payload(
        "iam_policy",
        create(IamPolicySchema, {
          name,
          policyId: policy.PolicyId ?? "",
          path: policy.Path ?? "",
          defaultVersionId: policy.DefaultVersionId ?? "",
          attachmentCount: policy.AttachmentCount ?? 0,
          permissionsBoundaryUsageCount: policy.PermissionsBoundaryUsageCount ?? 0,
          isAttachable: policy.IsAttachable ?? false,
          createdAt: timestamp(policy.CreateDate),
          updatedAt: timestamp(policy.UpdateDate),
          document: decoded,
        }),
      ),
    };
  },
});
