import { describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../src/errors.ts";
import {
  awsCall,
  classifyAwsError,
  humanize,
  isThrottle,
  reasonOf,
} from "../../../src/providers/aws/errors.ts";
import { sharedCredentials } from "../../../src/providers/aws/units.ts";

const sdkError = (name: string, status = 400) =>
  Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });

const where = { action: "describe instances", region: "us-east-1", accountId: "123456789012" };

describe("AWS error taxonomy", () => {
  it.each([
    ["AccessDenied", "access_denied"],
    ["AccessDeniedException", "access_denied"],
    ["UnauthorizedOperation", "access_denied"],
    ["AuthFailure", "access_denied"],
    ["OptInRequired", "not_enabled"],
    ["SubscriptionRequiredException", "not_enabled"],
    ["Throttling", "throttled"],
    ["ThrottlingException", "throttled"],
    ["RequestLimitExceeded", "throttled"],
    ["TooManyRequestsException", "throttled"],
    ["SlowDown", "throttled"],
    ["InternalError", "error"],
  ])("classifies %s as %s", (name, reason) => {
    expect(reasonOf(sdkError(name))).toBe(reason);
  });

  it("treats a 429 without a known name as throttling", () => {
    expect(reasonOf(sdkError("Whatever", 429))).toBe("throttled");
  });

  it("calls throttling what the SDK's retry strategy calls throttling", () => {
    // Codes the SDK's list has and a hand-copied one lacked.
    expect(reasonOf(sdkError("LimitExceededException"))).toBe("throttled");
    expect(reasonOf(sdkError("TransactionInProgressException"))).toBe("throttled");
    // An error the service model marks as throttling, whatever its name.
    const modelled = Object.assign(sdkError("QuotaExhausted"), {
      $retryable: { throttling: true },
    });
    expect(reasonOf(modelled)).toBe("throttled");
    expect(isThrottle(modelled)).toBe(true);
    // An S3-compatible store that sets only `Code`.
    expect(isThrottle({ Code: "SlowDown", $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isThrottle(sdkError("InternalError", 500))).toBe(false);
    expect(isThrottle("SlowDown")).toBe(false);
  });

  it("reads credential errors in an opt-in region as not enabled", () => {
    expect(reasonOf(sdkError("InvalidClientTokenId"), true)).toBe("not_enabled");
    expect(reasonOf(sdkError("AuthFailure"), true)).toBe("not_enabled");
    expect(reasonOf(sdkError("InvalidClientTokenId"), false)).toBe("access_denied");
  });

  it("says where it failed, what AWS said and how to fix it", () => {
    const f = classifyAwsError(sdkError("UnauthorizedOperation"), where);
    expect(f.reason).toBe("access_denied");
    expect(f.message).toBe(
      "describe instances in us-east-1 for 123456789012: UnauthorizedOperation message (grant the actions of deploy/iam-policy.json to the scanning role)",
    );
    expect(f.cause).toBeInstanceOf(Error);
  });

  it("keeps a PartitionFailure as it is and wraps call sites", async () => {
    const own = new PartitionFailure("invalid_data", "no id");
    expect(classifyAwsError(own, where)).toBe(own);
    const failure = await awsCall(where, () => Promise.reject(sdkError("SlowDown"))).catch(
      (e: unknown) => e,
    );
    expect((failure as PartitionFailure).reason).toBe("throttled");
    expect(await awsCall(where, () => Promise.resolve(7))).toBe(7);
  });

  it("names operations in words", () => {
    expect(humanize("DescribeVpcPeeringConnections")).toBe("describe vpc peering connections");
    expect(humanize("GetCallerIdentityCommand")).toBe("get caller identity");
  });
});

describe("shared account credentials", () => {
  it("resolves once, and again only when within five minutes of expiry", async () => {
    let now = 0;
    let resolved = 0;
    const creds = sharedCredentials(
      async () => {
        resolved += 1;
        return {
          accessKeyId: `ASIA${resolved}`,
          secretAccessKey: "s",
          expiration: new Date(now + 3_600_000),
        };
      },
      () => now,
    );
    if (typeof creds !== "function") throw new Error("expected a provider");
    expect((await creds()).accessKeyId).toBe("ASIA1");
    await Promise.all([creds(), creds()]);
    expect(resolved).toBe(1);
    now = 3_600_000 - 4 * 60_000;
    expect((await creds()).accessKeyId).toBe("ASIA2");
  });

  it("retries a provider that failed instead of keeping the failure", async () => {
    let calls = 0;
    const creds = sharedCredentials(async () => {
      calls += 1;
      if (calls === 1) throw new Error("sts unavailable");
      return { accessKeyId: "AKID", secretAccessKey: "s" };
    });
    if (typeof creds !== "function") throw new Error("expected a provider");
    await expect(creds()).rejects.toThrow("sts unavailable");
    expect((await creds()).accessKeyId).toBe("AKID");
  });
});
