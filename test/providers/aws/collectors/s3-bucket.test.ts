import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  NoSuchBucket,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { S3BucketSchema } from "../../../../src/gen/elava/v1/storage_pb.ts";
import { s3BucketCollector } from "../../../../src/providers/aws/collectors/s3-bucket.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { GLOBAL, observe, pagesOf, payloadOf, testContext } from "./harness.ts";
import {
  fullBucket,
  fullEncryption,
  fullPublicAccessBlock,
  fullTagging,
  fullVersioning,
  legacyBucket,
  namelessBucket,
} from "./s3-bucket.fixture.ts";

const s3 = mockClient(S3Client);

function notConfigured(name: string): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", message: name, $metadata: {} });
}

beforeEach(() => {
  s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: "EU" });
  s3.on(GetBucketTaggingCommand).rejects(notConfigured("NoSuchTagSet"));
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(GetBucketEncryptionCommand).rejects(
    notConfigured("ServerSideEncryptionConfigurationNotFoundError"),
  );
  s3.on(GetPublicAccessBlockCommand).rejects(notConfigured("NoSuchPublicAccessBlockConfiguration"));
  const bucket = { Bucket: fullBucket.Name };
  s3.on(GetBucketTaggingCommand, bucket).resolves(fullTagging);
  s3.on(GetBucketVersioningCommand, bucket).resolves(fullVersioning);
  s3.on(GetBucketEncryptionCommand, bucket).resolves(fullEncryption);
  s3.on(GetPublicAccessBlockCommand, bucket).resolves(fullPublicAccessBlock);
});
afterEach(() => s3.reset());

describe("s3_bucket collector", () => {
  it("pages ListBuckets at 10,000 and makes four or five calls per bucket under the limit", async () => {
    const inputs = answerPages(s3.on(ListBucketsCommand), [
      { Buckets: [fullBucket], ContinuationToken: "b1" },
      { Buckets: [legacyBucket] },
    ]);
    const ctx = testContext(GLOBAL, 3);

    const pages = await pagesOf(s3BucketCollector, ctx);

    expect(pages.map((p) => p.map((i) => i.bucket.Name))).toEqual([
      ["logs.prod.example.com"],
      ["old-artifacts"],
    ]);
    expect(inputs).toEqual([
      { MaxBuckets: 10000, ContinuationToken: undefined },
      { MaxBuckets: 10000, ContinuationToken: "b1" },
    ]);
    // The listed region saves GetBucketLocation for the first bucket only.
    expect(s3.commandCalls(GetBucketLocationCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: "old-artifacts" },
    ]);
    expect(s3.commandCalls(GetBucketTaggingCommand)).toHaveLength(2);
    expect(s3.commandCalls(GetBucketVersioningCommand)).toHaveLength(2);
    expect(s3.commandCalls(GetBucketEncryptionCommand)).toHaveLength(2);
    expect(s3.commandCalls(GetPublicAccessBlockCommand)).toHaveLength(2);
    expect(ctx.limited.calls).toBe(9);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(3);
  });

  it("makes no per-bucket calls for an account without buckets", async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [] });
    const ctx = testContext(GLOBAL);
    expect(await pagesOf(s3BucketCollector, ctx)).toEqual([[]]);
    expect(ctx.limited.calls).toBe(0);
  });

  it("maps the full fixture field by field", async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [fullBucket] });
    const [r] = await observe(s3BucketCollector, testContext(GLOBAL));

    expect(r?.id).toBe("logs.prod.example.com");
    expect(r?.name).toBe("prod-logs");
    expect(r?.arn).toBe("arn:aws:s3:::logs.prod.example.com");
    expect(r?.tags).toEqual({ Name: "prod-logs", Team: "platform" });
    const b = payloadOf(r, "s3_bucket");
    expect(b.name).toBe("logs.prod.example.com");
    expect(b.region).toBe("eu-west-1");
    expect(b.createdAt && timestampDate(b.createdAt)).toEqual(new Date("2026-03-04T05:06:07Z"));
    expect(b.versioning).toBe("Enabled");
    expect(b.mfaDelete).toBe(true);
    expect(b.encryptionAlgorithm).toBe("aws:kms");
    expect(b.kmsKeyId).toBe(
      "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    expect(b.bucketKeyEnabled).toBe(true);
    expect(b.publicAccessBlock).toMatchObject({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    expect(unsetFields(S3BucketSchema, b)).toEqual([]);
  });

  it("maps 'not configured' answers to none and builds the ARN when S3 gives none", async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [legacyBucket] });
    const [r] = await observe(s3BucketCollector, testContext(GLOBAL));
    const b = payloadOf(r, "s3_bucket");
    expect(r?.arn).toBe("arn:aws:s3:::old-artifacts");
    expect(r?.tags).toEqual({});
    expect(r?.name).toBe("old-artifacts");
    expect(b.region).toBe("eu-west-1");
    expect(b.versioning).toBe("");
    expect(b.mfaDelete).toBe(false);
    expect(b.encryptionAlgorithm).toBe("");
    expect(b.publicAccessBlock).toBeUndefined();
  });

  it("reads an empty location constraint as us-east-1", async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [legacyBucket] });
    s3.on(GetBucketLocationCommand).resolves({});
    const [r] = await observe(s3BucketCollector, testContext(GLOBAL));
    expect(payloadOf(r, "s3_bucket").region).toBe("us-east-1");
  });

  it("leaves out a bucket deleted since the list, fails on any other error", async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [fullBucket, legacyBucket] });
    s3.on(GetBucketVersioningCommand, { Bucket: "old-artifacts" }).rejects(
      new NoSuchBucket({ message: "The specified bucket does not exist", $metadata: {} }),
    );
    const [page] = await pagesOf(s3BucketCollector, testContext(GLOBAL));
    expect(page?.map((i) => i.bucket.Name)).toEqual(["logs.prod.example.com"]);

    s3.on(GetBucketVersioningCommand, { Bucket: "old-artifacts" }).rejects(
      notConfigured("AccessDenied"),
    );
    const err = await pagesOf(s3BucketCollector, testContext(GLOBAL)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect((err as S3ServiceException).name).toBe("AccessDenied");
  });

  it("fails the partition on a bucket without a name", async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [fullBucket, namelessBucket] });
    const failure = await observe(s3BucketCollector, testContext(GLOBAL)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain("global for 123456789012");
    expect((failure as PartitionFailure).message).toContain("2026-01-01T00:00:00.000Z");
  });
});
