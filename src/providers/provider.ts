/**
 * The provider seam. The scanner asks a provider for its units (account x region) and,
 * per partition (unit x resource type), for a stream of observed resources. A provider
 * knows nothing of NATS; the scanner knows nothing of AWS.
 */
import type { ObservedResource } from "../contract/encode.ts";
import type { PartitionKey } from "../contract/subject.ts";
import type { PartitionFailure } from "../errors.ts";

/** One account in one region (or `global`): the unit of scanning and of sharding. */
export interface Unit {
  /** The provider token of the subjects, "aws". */
  readonly provider: string;
  readonly accountId: string;
  readonly region: string;
  /**
   * Set when the unit is known to exist but cannot be scanned at all (the account's role
   * could not be assumed): every partition of the unit is published FAILED with it.
   */
  readonly failure?: PartitionFailure;
}

export interface Provider {
  /** The provider's name as the CLI knows it ("aws", "sample"). */
  readonly name: string;
  /**
   * Partitions worth listing at once when the user did not set `--concurrency`; the
   * setting's default (64, for API latency) when absent. A provider that waits on nothing
   * gains nothing from more lists than cores, and each one holds a page in memory.
   */
  readonly concurrency?: number;
  /** Discovers the units to scan. Units that are skipped (region not enabled) are logged, not returned. */
  units(signal: AbortSignal): Promise<Unit[]>;
  /**
   * Lists one partition, streaming pages of resources as they arrive. Throws a
   * PartitionFailure (or any error, counted as "error") when the partition cannot be
   * listed completely.
   *
   * A page is handed over: the scanner encodes all of it and then empties the array, so a
   * generator suspended at its `yield` keeps no resource alive while the page's snapshots
   * wait for the publish window. Yield a fresh array each time and do not read it again.
   */
  list(partition: PartitionKey, signal: AbortSignal): AsyncIterable<ObservedResource[]>;
  /** Per-operation counts of the API calls made since the provider was created. */
  apiCalls?(): ReadonlyMap<string, number>;
  /**
   * Why the provider can no longer list anything (its thread stopped), or undefined while
   * it can: a daemon builds a new one for its next scan.
   */
  broken?(): string | undefined;
  close?(): Promise<void>;
}
