/**
 * The messages between a provider's thread and the scan's thread (host.ts, worker.ts).
 *
 * Everything crosses by structured clone: partition keys, units, pages of observed
 * resources (protobuf-es messages are plain objects), call counts as entries. Errors do
 * not keep their class across a thread, so they cross as their name, message and failure
 * reason, and are built again on the scan's side as the classes the scanner and the CLI
 * tell apart (`PartitionFailure`, `ConfigError`).
 */
import type { ObservedResource } from "../../contract/encode.ts";
import type { PartitionKey } from "../../contract/subject.ts";
import { ConfigError, type FailureReason, PartitionFailure } from "../../errors.ts";
import type { Unit } from "../provider.ts";

/** What the worker is started with (`workerData`). */
export interface ThreadStart {
  /** The module that exports the provider's factory, as a file URL. */
  readonly module: string;
  /** The factory's export name; it is called with `options` plus a `log` that forwards. */
  readonly factory: string;
  readonly options: object;
}

/** A log line of the provider, forwarded to the scan thread's logger. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** An error as it crosses a thread. */
export interface SentError {
  readonly name: string;
  readonly message: string;
  readonly reason?: FailureReason;
}

/** Per-operation counts, as entries. */
export type Counts = readonly (readonly [string, number])[];

/** The provider's API call counts, sent with every answer that may follow calls. */
export interface CallCounts {
  readonly calls: Counts;
  readonly throttled?: Counts;
}

/** A unit as it crosses: its failure, when it has one, as an error. */
export interface SentUnit {
  readonly provider: string;
  readonly accountId: string;
  readonly region: string;
  readonly failure?: SentError;
}

/** Scan thread to provider thread. */
export type Request =
  | { readonly t: "units"; readonly id: number }
  | { readonly t: "list"; readonly id: number; readonly key: PartitionKey }
  /** The scan took the last page of list `id`: list the next one. */
  | { readonly t: "next"; readonly id: number }
  /** The scan no longer waits for request `id` (units or list): abort it. */
  | { readonly t: "abort"; readonly id: number }
  | { readonly t: "close"; readonly id: number };

/** Provider thread to scan thread. */
export type Reply =
  /** The provider is built (or its factory threw: `error`). */
  | {
      readonly t: "ready";
      readonly name: string;
      readonly concurrency: number | undefined;
      readonly error?: SentError;
    }
  | {
      readonly t: "units";
      readonly id: number;
      readonly units: SentUnit[];
      readonly counts: CallCounts;
    }
  | {
      readonly t: "page";
      readonly id: number;
      readonly page: ObservedResource[];
      readonly counts: CallCounts;
    }
  | { readonly t: "done"; readonly id: number; readonly counts: CallCounts }
  | {
      readonly t: "failed";
      readonly id: number;
      readonly error: SentError;
      readonly counts?: CallCounts;
    }
  | { readonly t: "closed"; readonly id: number }
  | {
      readonly t: "log";
      readonly level: LogLevel;
      readonly message: string;
      readonly fields: Readonly<Record<string, unknown>>;
    };

/** An error in the shape that crosses a thread. */
export function sendError(err: unknown): SentError {
  if (err instanceof PartitionFailure) {
    return { name: err.name, message: err.message, reason: err.reason };
  }
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "Error", message: String(err) };
}

/** The error again, as the class the scanner and the CLI tell apart. */
export function receiveError(sent: SentError): Error {
  if (sent.reason !== undefined) return new PartitionFailure(sent.reason, sent.message);
  if (sent.name === "ConfigError") return new ConfigError(sent.message);
  const err = new Error(sent.message);
  err.name = sent.name;
  return err;
}

/** A unit in the shape that crosses a thread. */
export function sendUnit(u: Unit): SentUnit {
  return {
    provider: u.provider,
    accountId: u.accountId,
    region: u.region,
    ...(u.failure !== undefined ? { failure: sendError(u.failure) } : {}),
  };
}

/** The unit again, its failure a PartitionFailure. */
export function receiveUnit(u: SentUnit): Unit {
  const base = { provider: u.provider, accountId: u.accountId, region: u.region };
  if (u.failure === undefined) return base;
  const failure = receiveError(u.failure);
  return {
    ...base,
    failure:
      failure instanceof PartitionFailure
        ? failure
        : new PartitionFailure("error", failure.message),
  };
}
