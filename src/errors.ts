/**
 * The error taxonomy. A partition that cannot be read completely is FAILED with one of
 * these reasons, never published as an empty OK partition: FAILED means "unknown".
 */

/** Why a partition FAILED. The marker's `error` text starts with the reason. */
export type FailureReason =
  /** The credentials may not call the API (AccessDenied, UnauthorizedOperation, ...). */
  | "access_denied"
  /** The region or service is not enabled for the account (OptInRequired, ...). */
  | "not_enabled"
  /** The API kept throttling past the retries. */
  | "throttled"
  /** The API answered something that cannot be mapped (a resource without an id, ...). */
  | "invalid_data"
  /** JetStream did not acknowledge a snapshot before the publish deadline. */
  | "publish_failed"
  /** Any other error of the provider (network, 5xx past the retries, a bug). */
  | "error";

/** A partition's scan failed for a known reason. */
export class PartitionFailure extends Error {
  override readonly name = "PartitionFailure";
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The text a FAILED marker carries: `<reason>: <message>`. */
  get markerText(): string {
    return `${this.reason}: ${this.message}`;
  }
}

/** A configuration value is wrong; the CLI exits with status 2 before doing anything. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The error's message, for errors that may not be `Error`s. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns any error into a PartitionFailure, keeping one that already is. */
export function asPartitionFailure(err: unknown): PartitionFailure {
  if (err instanceof PartitionFailure) return err;
  return new PartitionFailure("error", errorMessage(err), { cause: err });
}
