/**
 * The AWS error taxonomy, decided once, by the SDK error's name (or `Code`), for every
 * collector: a collector's `list` throws whatever the SDK throws and the provider turns it
 * into a PartitionFailure here. Retries are the SDK's job (adaptive mode); what reaches
 * this module has already exhausted them, so a throttling error here means "throttled past
 * the retries" and the partition is FAILED, never published as an empty OK partition.
 *
 * Names differ per service for the same meaning (EC2 `UnauthorizedOperation`, IAM
 * `AccessDenied`, EKS `AccessDeniedException`), hence the sets below. Throttling is what
 * the SDK's own retry strategy calls throttling (`isThrottlingError` of
 * `@smithy/core/retry`, the code `@smithy/service-error-classification` re-exports), so
 * the counts of throttled attempts and the partitions FAILED as throttled agree with
 * what the SDK backed off from. A region that is
 * not enabled answers with an opt-in error, or (STS, EC2) with a credentials error that
 * only means "not enabled" when the region is an opt-in one: the caller says so.
 */
import { isThrottlingError } from "@smithy/core/retry";
import type { SdkError } from "@smithy/types";
import { errorMessage, type FailureReason, PartitionFailure } from "../../errors.ts";

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedAccess",
  "UnauthorizedException",
  "AuthorizationError",
  "AuthFailure",
  "Forbidden",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "ExpiredToken",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
  "AllAccessDisabled",
]);

const NOT_ENABLED = new Set([
  "OptInRequired",
  "SubscriptionRequiredException",
  "RegionDisabledException",
]);

/** Credential errors that a region which is not enabled answers with instead of OptInRequired. */
const NOT_ENABLED_IN_OPT_IN_REGION = new Set([
  "AuthFailure",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
]);

/** Where an AWS call failed: the text before the SDK's message in the failure. */
export interface AwsErrorContext {
  /** What was being done, e.g. `describe instances` or `list ec2_instance`. */
  readonly action: string;
  readonly region: string;
  readonly accountId: string;
  /** True when the region is an opt-in region: credential errors then mean "not enabled". */
  readonly optInRegion?: boolean;
}

/** The SDK's error name: `name`, else the `Code` some XML services set, else "". */
export function awsErrorName(err: unknown): string {
  if (typeof err !== "object" || err === null) return "";
  const e = err as { name?: unknown; Code?: unknown; code?: unknown };
  for (const v of [e.name, e.Code, e.code]) {
    if (typeof v === "string" && v !== "" && v !== "Error") return v;
  }
  return "";
}

/** True for IAM's answer about a role, user or policy deleted since it was listed. */
export function isNoSuchEntity(err: unknown): boolean {
  const name = awsErrorName(err);
  return name === "NoSuchEntity" || name === "NoSuchEntityException";
}

/**
 * True when the error is a throttling answer (counted per attempt by the clients): by the
 * SDK's classification, read under the name `awsErrorName` finds, so an S3-compatible
 * store that only sets `Code` is classified too.
 */
export function isThrottle(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { $metadata, $retryable } = err as Pick<SdkError, "$metadata" | "$retryable">;
  return isThrottlingError({
    name: awsErrorName(err),
    message: "",
    ...($metadata === undefined ? {} : { $metadata }),
    ...($retryable === undefined ? {} : { $retryable }),
  });
}

/** The failure reason an SDK error stands for. */
export function reasonOf(err: unknown, optInRegion = false): FailureReason {
  const name = awsErrorName(err);
  if (optInRegion && NOT_ENABLED_IN_OPT_IN_REGION.has(name)) return "not_enabled";
  if (NOT_ENABLED.has(name)) return "not_enabled";
  if (ACCESS_DENIED.has(name)) return "access_denied";
  if (isThrottle(err)) return "throttled";
  if (name === "InvalidData") return "invalid_data";
  return "error";
}

const FIX: Record<FailureReason, string> = {
  access_denied: " (grant the actions of deploy/iam-policy.json to the scanning role)",
  not_enabled: " (enable the region or service for the account, or leave it out of --regions)",
  throttled: " (throttled past the retries: raise --max-attempts or lower the concurrency)",
  invalid_data: "",
  publish_failed: "",
  error: "",
};

/**
 * Classifies an error of an AWS call into a PartitionFailure whose message reads
 * `describe instances in us-east-1 for 123456789012: <SDK message>`. A PartitionFailure
 * passes through unchanged.
 */
export function classifyAwsError(err: unknown, context: AwsErrorContext): PartitionFailure {
  if (err instanceof PartitionFailure) return err;
  const reason = reasonOf(err, context.optInRegion);
  const name = awsErrorName(err);
  const message = errorMessage(err);
  const detail = name !== "" && !message.includes(name) ? `${name}: ${message}` : message;
  return new PartitionFailure(
    reason,
    `${context.action} in ${context.region} for ${context.accountId}: ${detail}${FIX[reason]}`,
    { cause: err },
  );
}

/** Runs one AWS call site, classifying what it throws with the call's context. */
export async function awsCall<T>(context: AwsErrorContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classifyAwsError(err, context);
  }
}

/**
 * Streams an AWS async iterable (a collector's pages), classifying whatever it throws.
 * `actionOf` names the failing operation when the error knows it (see `operationOf`).
 */
export async function* awsPages<T>(
  context: AwsErrorContext,
  pages: AsyncIterable<T>,
): AsyncGenerator<T> {
  try {
    yield* pages;
  } catch (err) {
    const op = operationOf(err);
    throw classifyAwsError(err, op === undefined ? context : { ...context, action: humanize(op) });
  }
}

const OPERATION = Symbol.for("elava.aws.operation");

/** Marks an SDK error with the operation that threw it (done by the clients' middleware). */
export function tagOperation(err: unknown, operation: string): void {
  if (typeof err === "object" && err !== null && !(OPERATION in err)) {
    Object.defineProperty(err, OPERATION, { value: operation, enumerable: false });
  }
}

/** The operation (`DescribeInstances`) an SDK error came from, when the clients tagged it. */
export function operationOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const op = (err as Record<symbol, unknown>)[OPERATION];
  return typeof op === "string" ? op : undefined;
}

/** `DescribeInstances` -> `describe instances`, for error texts. */
export function humanize(operation: string): string {
  return operation
    .replace(/Command$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();
}
