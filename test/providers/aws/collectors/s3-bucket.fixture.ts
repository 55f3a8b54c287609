/** S3 ListBuckets and per-bucket Get* output, as the SDK returns it. */

import type {
  Bucket,
  GetBucketEncryptionOutput,
  GetBucketTaggingOutput,
  GetBucketVersioningOutput,
  GetPublicAccessBlockOutput,
} from "@aws-sdk/client-s3";
import {
  type BucketLocationConstraint,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
} from "@aws-sdk/client-s3";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, range } from "../../../support/aws-fixture.ts";

/** A bucket with a dotted name, listed with its region (a paged ListBuckets answer). */
export const fullBucket: Bucket = {
  Name: "logs.prod.example.com",
  CreationDate: new Date("2026-03-04T05:06:07Z"),
  BucketRegion: "eu-west-1",
  BucketArn: "arn:aws:s3:::logs.prod.example.com",
};

/** A bucket listed without region or ARN (an S3-compatible store). */
export const legacyBucket: Bucket = {
  Name: "old-artifacts",
  CreationDate: new Date("2020-01-02T03:04:05Z"),
};

/** The full bucket's settings. */
export const fullTagging: GetBucketTaggingOutput = {
  TagSet: [
    { Key: "Name", Value: "prod-logs" },
    { Key: "Team", Value: "platform" },
  ],
};
export const fullVersioning: GetBucketVersioningOutput = {
  Status: "Enabled",
  MFADelete: "Enabled",
};
export const fullEncryption: GetBucketEncryptionOutput = {
  ServerSideEncryptionConfiguration: {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: "aws:kms",
          KMSMasterKeyID:
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        BucketKeyEnabled: true,
      },
    ],
  },
};
export const fullPublicAccessBlock: GetPublicAccessBlockOutput = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  },
};

/** A malformed entry: no name. */
export const namelessBucket: Bucket = { CreationDate: new Date("2026-01-01T00:00:00Z") };

/** The name of bucket i of the estate: dotted, as many real bucket names are. */
export function bucketName(i: number): string {
  return `data.bucket-${i}.example`;
}

export default defineAwsFixture({
  type: "s3_bucket",
  listing: ListBucketsCommand,
  full: {
    id: "logs.prod.example.com",
    answers: [
      on(ListBucketsCommand).answer({ Buckets: [fullBucket] }),
      on(GetBucketTaggingCommand).answer(fullTagging),
      on(GetBucketVersioningCommand).answer(fullVersioning),
      on(GetBucketEncryptionCommand).answer(fullEncryption),
      on(GetPublicAccessBlockCommand).answer(fullPublicAccessBlock),
    ],
  },
  estate: {
    id: (_r, k) => bucketName(k),
    // Buckets are spread over the regions. Bucket i has no tags when i mod 3 = 2 and no
    // public access block when i mod 4 = 3: S3 answers "not configured" errors for those.
    answers: (r) => {
      const buckets = r.count("s3_bucket");
      const listed = r.options.bucketRegionsListed ?? true;
      const regionOf = (i: number) => r.regions[i % r.regions.length] ?? "us-east-1";
      const index = new Map(range(buckets).map((i) => [bucketName(i), i]));
      const bucket =
        <O>(settingOf: (i: number) => O | AwsErrorAnswer) =>
        ({ Bucket = "" }: { Bucket?: string | undefined }) => {
          const i = index.get(Bucket);
          return i === undefined ? new AwsErrorAnswer(404, "NoSuchBucket") : settingOf(i);
        };
      return [
        on(ListBucketsCommand).pages(
          {
            items: "Buckets",
            pageSize: "MaxBuckets",
            max: 10_000,
            inputToken: "ContinuationToken",
            outputToken: "ContinuationToken",
          },
          range(buckets).map(
            (i): Bucket => ({
              Name: bucketName(i),
              CreationDate: r.epoch,
              ...(listed ? { BucketRegion: regionOf(i) } : {}),
            }),
          ),
          { Owner: { ID: r.hex(1) } },
        ),
        on(GetBucketLocationCommand).answerBy(
          bucket((i) => {
            const region = regionOf(i);
            // us-east-1 answers no constraint at all.
            return region === "us-east-1"
              ? {}
              : { LocationConstraint: region as BucketLocationConstraint };
          }),
        ),
        on(GetBucketTaggingCommand).answerBy(
          bucket((i) =>
            i % 3 === 2
              ? new AwsErrorAnswer(404, "NoSuchTagSet")
              : { TagSet: [{ Key: "Name", Value: `bucket-${i}` }] },
          ),
        ),
        on(GetBucketVersioningCommand).answerBy(
          bucket((i) => ({ Status: i % 2 === 0 ? "Enabled" : "Suspended", MFADelete: "Disabled" })),
        ),
        on(GetBucketEncryptionCommand).answerBy(
          bucket(() => ({
            ServerSideEncryptionConfiguration: {
              Rules: [
                {
                  ApplyServerSideEncryptionByDefault: {
                    SSEAlgorithm: "aws:kms",
                    KMSMasterKeyID: `arn:aws:kms:us-east-1:${r.accountId}:key/data`,
                  },
                  BucketKeyEnabled: true,
                },
              ],
            },
          })),
        ),
        on(GetPublicAccessBlockCommand).answerBy(
          bucket((i) =>
            i % 4 === 3
              ? new AwsErrorAnswer(404, "NoSuchPublicAccessBlockConfiguration")
              : {
                  PublicAccessBlockConfiguration: {
                    BlockPublicAcls: true,
                    IgnorePublicAcls: true,
                    BlockPublicPolicy: true,
                    RestrictPublicBuckets: true,
                  },
                },
          ),
        ),
      ];
    },
    // Four settings per bucket, and its location when ListBuckets does not say it.
    minimumCalls: (r) => {
      const buckets = r.count("s3_bucket");
      const listed = r.options.bucketRegionsListed ?? true;
      return [
        [ListBucketsCommand, r.pages(ListBucketsCommand)],
        [GetBucketLocationCommand, listed ? 0 : buckets],
        [GetBucketTaggingCommand, buckets],
        [GetBucketVersioningCommand, buckets],
        [GetBucketEncryptionCommand, buckets],
        [GetPublicAccessBlockCommand, buckets],
      ];
    },
  },
});
