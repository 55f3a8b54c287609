/**
 * What the collector tests share: a unit, a CollectorContext over real SDK clients (their
 * `send` replaced by aws-sdk-client-mock in each test) and helpers that drain `list`.
 */
import type { ObservedResource } from "../../../../src/contract/encode.ts";
import {
  type MessageOf,
  RESOURCE_TYPES,
  type ResourceType,
} from "../../../../src/contract/resource-types.ts";
import type {
  Collector,
  CollectorContext,
  UnitRef,
} from "../../../../src/providers/aws/collector.ts";
import { AWS_SERVICES, type AwsClients, SERVICES } from "../../../../src/providers/aws/services.ts";
import { Semaphore } from "../../../../src/util/concurrency.ts";

/** The regional unit the tests scan. */
export const REGIONAL: UnitRef = {
  partition: "aws",
  accountId: "123456789012",
  region: "us-east-1",
};
/** The global unit of the same account (S3 buckets, IAM roles). */
export const GLOBAL: UnitRef = { partition: "aws", accountId: "123456789012", region: "global" };

const config = {
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDTESTONLY", secretAccessKey: "test-only" },
};

/** A context whose `limit` records how many calls ran under it and how many at once. */
export interface TestContext extends CollectorContext {
  readonly limited: { calls: number; maxInFlight: number };
}

/** A CollectorContext over fresh SDK clients, with a concurrency cap of `limit`. */
export function testContext(unit: UnitRef = REGIONAL, limit = 4): TestContext {
  const clients = Object.fromEntries(
    AWS_SERVICES.map((s) => [s, new SERVICES[s].client(config)]),
  ) as unknown as AwsClients;
  const semaphore = new Semaphore(limit);
  const limited = { calls: 0, maxInFlight: 0 };
  return {
    ...unit,
    clients,
    signal: new AbortController().signal,
    limited,
    limit<T>(fn: () => Promise<T>): Promise<T> {
      limited.calls += 1;
      return semaphore.run(async () => {
        limited.maxInFlight = Math.max(limited.maxInFlight, semaphore.inUse);
        return fn();
      });
    },
  };
}

/** Drains `list` into its pages. */
export async function pagesOf<T extends ResourceType, Item>(
  collector: Collector<T, Item>,
  ctx: CollectorContext,
): Promise<Item[][]> {
  const pages: Item[][] = [];
  for await (const page of collector.list(ctx)) pages.push([...page]);
  return pages;
}

/** Lists and maps every item, as the provider does. */
export async function observe<T extends ResourceType, Item>(
  collector: Collector<T, Item>,
  ctx: CollectorContext,
): Promise<ObservedResource[]> {
  const pages = await pagesOf(collector, ctx);
  return pages.flat().map((item) => collector.toProto(item, ctx));
}

/** The typed payload of an observed resource, checked to be of the expected type. */
export function payloadOf<T extends ResourceType>(
  resource: ObservedResource | undefined,
  type: T,
): MessageOf<T> {
  if (resource === undefined) throw new Error("no resource observed");
  if (resource.payload.case !== RESOURCE_TYPES[type].case) {
    throw new Error(`payload is ${resource.payload.case}, expected ${type}`);
  }
  return resource.payload.value as MessageOf<T>;
}
