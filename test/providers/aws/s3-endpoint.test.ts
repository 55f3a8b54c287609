/**
 * S3 on any endpoint: with AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3 or a profile's
 * endpoint_url (LocalStack, MinIO, an emulator), bucket calls use path-style addressing,
 * so that a dotted bucket name works. Through the real SDK against the fake endpoint,
 * addressed as `localhost` (a bucket name in front of it does not resolve, as with any
 * emulator's host name).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetBucketLocationCommand, GetBucketTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiCallCounter, createAwsClients } from "../../../src/providers/aws/clients.ts";
import { AwsErrorAnswer, on } from "../../support/aws-answers.ts";
import { FakeAws } from "../../support/fake-aws.ts";

const BUCKET = "logs.example.com";
const credentials = { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" };
const VARIABLES = [
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
  "AWS_CONFIG_FILE",
  "AWS_PROFILE",
  "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
];

let fake: FakeAws;
let dir: string;
let saved: Record<string, string | undefined>;
beforeEach(async () => {
  fake = await FakeAws.start();
  dir = await mkdtemp(join(tmpdir(), "elava-s3-endpoint-"));
  saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  for (const v of VARIABLES) delete process.env[v];
  const bucket =
    <O>(output: O) =>
    ({ Bucket }: { Bucket?: string | undefined }) =>
      Bucket === BUCKET ? output : new AwsErrorAnswer(404, "NoSuchBucket");
  fake.serve(
    on(GetBucketLocationCommand).answerBy(bucket({ LocationConstraint: "eu-west-1" as const })),
    on(GetBucketTaggingCommand).answerBy(bucket({ TagSet: [{ Key: "Team", Value: "data" }] })),
  );
});
afterEach(async () => {
  for (const v of VARIABLES) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

/** The fake's URL by host name rather than IP (the SDK never puts a bucket in front of an IP). */
const byName = () => fake.url.replace("127.0.0.1", "localhost");

async function configure(how: string): Promise<void> {
  if (how === "AWS_ENDPOINT_URL") process.env.AWS_ENDPOINT_URL = byName();
  if (how === "AWS_ENDPOINT_URL_S3") process.env.AWS_ENDPOINT_URL_S3 = byName();
  if (how === "a profile's endpoint_url") {
    const file = join(dir, "config");
    await writeFile(file, `[profile emulator]\nregion = us-east-1\nendpoint_url = ${byName()}\n`);
    process.env.AWS_CONFIG_FILE = file;
    process.env.AWS_PROFILE = "emulator";
  }
}

describe("S3 calls on a configured endpoint", () => {
  it.each(["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "a profile's endpoint_url"])(
    "with %s, reach a dotted bucket by path",
    async (how) => {
      await configure(how);
      const counter = new ApiCallCounter();
      const clients = createAwsClients(
        { region: "us-east-1", credentials },
        { maxAttempts: 1, retryMode: "standard" },
        counter,
      );
      try {
        const location = await clients.s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }));
        expect(location.LocationConstraint).toBe("eu-west-1");
        const tags = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }));
        expect(tags.TagSet).toEqual([{ Key: "Team", Value: "data" }]);
      } finally {
        clients.destroy();
      }
      // The fake reads the bucket from the path: path-style.
      expect(fake.calls("s3").map((c) => [c.operation, c.input.Bucket])).toEqual([
        ["GetBucketLocation", BUCKET],
        ["GetBucketTagging", BUCKET],
      ]);
      expect(counter.calls().get("s3:GetBucketLocation")).toBe(1);
    },
  );

  it("fails there without path style, as every bucket call did before (the setup reproduces it)", async () => {
    await configure("AWS_ENDPOINT_URL");
    const plain = new S3Client({ region: "us-east-1", credentials, maxAttempts: 1 });
    try {
      await expect(plain.send(new GetBucketLocationCommand({ Bucket: BUCKET }))).rejects.toThrow();
    } finally {
      plain.destroy();
    }
    expect(fake.calls("s3")).toEqual([]);
  });

  it("keeps virtual-host addressing when no endpoint is configured", async () => {
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true";
    process.env.AWS_ENDPOINT_URL = byName();
    const clients = createAwsClients(
      { region: "us-east-1", credentials },
      { maxAttempts: 1, retryMode: "standard" },
      new ApiCallCounter(),
    );
    try {
      const s3 = clients.s3;
      // Resolving the request's endpoint is enough: nothing is sent to AWS.
      const { endpoint } = await new Promise<{ endpoint: string }>((resolve, reject) => {
        s3.middlewareStack.add(
          (_next, context) => async () => {
            const url = (context as { endpointV2?: { url: URL } }).endpointV2?.url;
            resolve({ endpoint: url?.href ?? "" });
            throw new Error("stop before sending");
          },
          { step: "finalizeRequest", name: "stopBeforeSending" },
        );
        s3.send(new GetBucketLocationCommand({ Bucket: "plain-bucket" })).catch(() => {});
        setTimeout(() => reject(new Error("no endpoint resolved")), 5000);
      });
      expect(endpoint).toBe("https://plain-bucket.s3.us-east-1.amazonaws.com/");
    } finally {
      clients.destroy();
    }
  });
});
