/**
 * s3_bucket: S3 buckets, a global type scanned once per account under region "global".
 *
 * ListBuckets pages of 10,000 (its largest) give names, creation dates and, when paged,
 * each bucket's region; GetBucketLocation is called only when the answer lacks it (older
 * S3-compatible stores). S3 tells a bucket's tags, versioning, default encryption and
 * public access block only per bucket, so each bucket costs those four calls, run
 * concurrently under `ctx.limit`. The client follows region redirects (PermanentRedirect /
 * 301) to a bucket's own region, so one client serves every bucket. "Not configured"
 * answers (NoSuchTagSet, ServerSideEncryptionConfigurationNotFoundError,
 * NoSuchPublicAccessBlockConfiguration) mean "none"; a bucket deleted since the list
 * (NoSuchBucket) is left out. Anything else fails the partition.
 */
import {
  type Bucket,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  type GetBucketVersioningOutput,
  GetPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  paginateListBuckets,
  type ServerSideEncryptionConfiguration,
  type Tag,
} from "@aws-sdk/client-s3";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { PublicAccessBlockSchema, S3BucketSchema } from "../../../gen/elava/v1/storage_pb.ts";
import { type CollectorContext, callOptions, defineCollector, describeEach } from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { arnOf, nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** ListBuckets' largest page. */
const PAGE_SIZE = 10_000;

/** A bucket with its per-bucket settings; undefined settings were never configured. */
export interface S3BucketItem {
  readonly bucket: Bucket;
  /** ListBuckets' BucketRegion, else GetBucketLocation's LocationConstraint (raw). */
  readonly location: string | undefined;
  readonly tagSet: readonly Tag[];
  readonly versioning: Pick<GetBucketVersioningOutput, "Status" | "MFADelete">;
  readonly encryption: ServerSideEncryptionConfiguration | undefined;
  readonly publicAccessBlock: PublicAccessBlockConfiguration | undefined;
}

const NOT_CONFIGURED = new Set([
  "NoSuchTagSet",
  "ServerSideEncryptionConfigurationNotFoundError",
  "NoSuchPublicAccessBlockConfiguration",
]);

class BucketGone extends Error {}

/** Runs one per-bucket call under the limit; "not configured" gives `undefined`. */
async function setting<T>(ctx: CollectorContext, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await ctx.limit(call);
  } catch (err) {
    const name = awsErrorName(err);
    if (NOT_CONFIGURED.has(name)) return undefined;
    if (name === "NoSuchBucket") throw new BucketGone();
    throw err;
  }
}

async function describe(ctx: CollectorContext, bucket: Bucket): Promise<S3BucketItem | undefined> {
  const name = bucket.Name;
  // A nameless entry goes on to toProto, which fails the partition on it.
  if (name === undefined || name === "") {
    return {
      bucket,
      location: undefined,
      tagSet: [],
      versioning: {},
      encryption: undefined,
      publicAccessBlock: undefined,
    };
  }
  const opts = callOptions(ctx);
  const s3 = ctx.clients.s3;
  try {
    const [location, tagging, versioning, encryption, block] = await Promise.all([
      bucket.BucketRegion !== undefined
        ? bucket.BucketRegion
        : setting(ctx, () => s3.send(new GetBucketLocationCommand({ Bucket: name }), opts)).then(
            (out) => out?.LocationConstraint ?? "",
          ),
      setting(ctx, () => s3.send(new GetBucketTaggingCommand({ Bucket: name }), opts)),
      setting(ctx, () => s3.send(new GetBucketVersioningCommand({ Bucket: name }), opts)),
      setting(ctx, () => s3.send(new GetBucketEncryptionCommand({ Bucket: name }), opts)),
      setting(ctx, () => s3.send(new GetPublicAccessBlockCommand({ Bucket: name }), opts)),
    ]);
    return {
      bucket,
      location,
      tagSet: tagging?.TagSet ?? [],
      versioning: { Status: versioning?.Status, MFADelete: versioning?.MFADelete },
      encryption: encryption?.ServerSideEncryptionConfiguration,
      publicAccessBlock: block?.PublicAccessBlockConfiguration,
    };
  } catch (err) {
    if (err instanceof BucketGone) return undefined;
    throw err;
  }
}

/** GetBucketLocation's legacy answers: "" or none for us-east-1, "EU" for eu-west-1. */
function regionOf(location: string | undefined): string {
  if (location === undefined || location === "") return "us-east-1";
  if (location === "EU") return "eu-west-1";
  return location;
}

/** S3 buckets with their region, tags, versioning, encryption and public access block. */
export const s3BucketCollector = defineCollector({
  type: "s3_bucket",
  service: "s3",
  // IAM names two of these operations differently: ListBuckets is s3:ListAllMyBuckets,
  // GetBucketEncryption s3:GetEncryptionConfiguration, GetPublicAccessBlock
  // s3:GetBucketPublicAccessBlock.
  iamActions: [
    "s3:ListAllMyBuckets",
    "s3:GetBucketLocation",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketPublicAccessBlock",
  ],

  async *list(ctx): AsyncGenerator<S3BucketItem[]> {
    for await (const page of paginateListBuckets(
      { client: ctx.clients.s3, pageSize: PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield await describeEach(page.Buckets ?? [], (b) => describe(ctx, b));
    }
  },

  toProto(item: S3BucketItem, unit) {
    const { bucket, encryption, publicAccessBlock: block } = item;
    const name = requireId(
      bucket.Name,
      `S3 bucket (created ${bucket.CreationDate?.toISOString() ?? "unknown"})`,
      unit,
    );
    const tags = tagRecord(item.tagSet);
    const rule = encryption?.Rules?.[0];
    return {
      id: name,
      name: nameFrom(tags, name),
      arn: bucket.BucketArn ?? arnOf(unit, "s3", name, { region: "", accountId: "" }),
      tags,
      payload: payload(
        "s3_bucket",
        create(S3BucketSchema, {
          name,
          region: regionOf(item.location),
          createdAt: timestamp(bucket.CreationDate),
          versioning: item.versioning.Status ?? "",
          mfaDelete: item.versioning.MFADelete === "Enabled",
          encryptionAlgorithm: rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? "",
          kmsKeyId: rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? "",
          bucketKeyEnabled: rule?.BucketKeyEnabled ?? false,
          publicAccessBlock:
            block === undefined
              ? undefined
              : create(PublicAccessBlockSchema, {
                  blockPublicAcls: block.BlockPublicAcls ?? false,
                  ignorePublicAcls: block.IgnorePublicAcls ?? false,
                  blockPublicPolicy: block.BlockPublicPolicy ?? false,
                  restrictPublicBuckets: block.RestrictPublicBuckets ?? false,
                }),
        }),
      ),
    };
  },
});
