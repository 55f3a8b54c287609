/**
 * A provider for the provider-thread tests (test/providers/thread.test.ts), built on the
 * worker's side from plain options: FakeProvider's units and pages, plus what only a
 * thread can show (a partition that waits until it is aborted, one that ends the thread,
 * a factory that refuses its options). It logs each page it makes, so a test can see
 * how far the thread listed ahead of the scan.
 */
import { partitionId } from "../../src/contract/subject.ts";
import { ConfigError, type FailureReason, PartitionFailure } from "../../src/errors.ts";
import type { Provider } from "../../src/providers/provider.ts";
import { FakeProvider } from "./fake-provider.ts";

export interface ThreadTestOptions {
  readonly units: ReadonlyArray<{
    accountId: string;
    region: string;
    failure?: { reason: FailureReason; message: string };
  }>;
  readonly resources: number;
  readonly pageSize: number;
  /** `partitionId` -> fail with this after `after` resources. */
  readonly failIn?: Readonly<
    Record<string, { after: number; reason: FailureReason; message: string }>
  >;
  /** A partition whose list waits until it is aborted, then throws the abort's reason. */
  readonly hangIn?: string;
  /** A partition whose list ends the thread (`process.exit(3)`). */
  readonly exitIn?: string;
  /** `units` waits until it is aborted, then throws the abort's reason. */
  readonly hangUnits?: boolean;
  /** The factory throws a ConfigError naming this. */
  readonly refuse?: string;
  readonly log: (level: "info", message: string, fields: Record<string, unknown>) => void;
}

export function createThreadTestProvider(options: ThreadTestOptions): Provider {
  if (options.refuse !== undefined) {
    throw new ConfigError(`the test provider refuses ${options.refuse}`);
  }
  const inner = new FakeProvider({
    units: options.units.map((u) => ({
      accountId: u.accountId,
      region: u.region,
      ...(u.failure !== undefined
        ? { failure: new PartitionFailure(u.failure.reason, u.failure.message) }
        : {}),
    })),
    resources: options.resources,
    pageSize: options.pageSize,
    throwIn: new Map(
      Object.entries(options.failIn ?? {}).map(([id, f]) => [
        id,
        { after: f.after, error: new PartitionFailure(f.reason, f.message) },
      ]),
    ),
  });
  let lists = 0;
  return {
    name: "thread-test",
    concurrency: 3,
    async units(signal) {
      if (options.hangUnits) {
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        options.log("info", "units aborted", { reason: String(signal.reason) });
        throw signal.reason;
      }
      return inner.units();
    },
    async *list(key, signal) {
      lists += 1;
      const id = partitionId(key);
      if (id === options.exitIn) process.exit(3);
      if (id === options.hangIn) {
        options.log("info", "waiting", { partition: id });
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        options.log("info", "aborted", { partition: id, reason: String(signal.reason) });
        throw signal.reason;
      }
      let page = 0;
      for await (const resources of inner.list(key, signal)) {
        page += 1;
        options.log("info", "page made", { partition: id, page });
        yield resources;
      }
    },
    apiCalls: () => new Map([["List", lists]]),
  };
}
