/**
 * The collector descriptor: everything that is particular to one AWS resource type.
 * One module per type under `collectors/`, listed in `registry.ts`; the generic AWS
 * provider and the scanner do the rest (units, clients, retries, errors, publishing).
 *
 * A collector's `list` streams SDK pages through the SDK's paginators (`paginateX`),
 * asking for the largest page size the API allows, and makes further calls only where the
 * API gives no other way (per-group target health, per-bucket S3 settings, ...), under
 * `ctx.limit`. `toProto` is a pure function of what `list` yielded: no I/O, no clock, no
 * randomness.
 */
import type { ObservedResource } from "../../contract/encode.ts";
import type { ResourceType } from "../../contract/resource-types.ts";
import type { AwsClients, AwsService } from "./services.ts";

export type { AwsClients, AwsService } from "./services.ts";

/** Where a resource was found: what `toProto` may use besides the SDK output. */
export interface UnitRef {
  /** The AWS partition ("aws", "aws-cn", "aws-us-gov"), for building ARNs. */
  readonly partition: string;
  readonly accountId: string;
  /** The region scanned, or "global". */
  readonly region: string;
}

export interface CollectorContext extends UnitRef {
  readonly clients: AwsClients;
  readonly signal: AbortSignal;
  /** Runs an extra per-resource call under the service's concurrency cap. */
  limit<T>(fn: () => Promise<T>): Promise<T>;
}

export interface Collector<T extends ResourceType = ResourceType, Item = unknown> {
  readonly type: T;
  /** The service whose per-resource calls `ctx.limit` caps (see SERVICES). */
  readonly service: AwsService;
  /** Every IAM action `list` may need; `deploy/iam-policy.json` holds exactly the union. */
  readonly iamActions: readonly string[];
  /**
   * IAM actions AWS checks inside a call `list` makes, never called by name: Lambda's
   * GetFunction returns a function's tags only to a caller allowed `lambda:ListTags`. In
   * the policy and the docs table; not among the calls the tests hold `list` to.
   */
  readonly impliedIamActions?: readonly string[];
  /** Streams pages of items, each item what `toProto` needs for one resource. */
  list(ctx: CollectorContext): AsyncIterable<readonly Item[]>;
  /** Maps one item to the published resource. Throws PartitionFailure("invalid_data") when it cannot. */
  toProto(item: Item, unit: UnitRef): ObservedResource;
}

/**
 * The options of every SDK call a collector makes: the partition's abort signal, so an
 * interrupted scan cancels the calls in flight instead of waiting for their answers. Pass
 * it to `client.send(command, callOptions(ctx))`, and to an SDK paginator as its third
 * argument (`paginateDescribeVpcs(config, input, callOptions(ctx))`), which the paginator
 * hands to `send` with every page's command.
 */
export function callOptions(ctx: Pick<CollectorContext, "signal">): { abortSignal: AbortSignal } {
  return { abortSignal: ctx.signal };
}

/**
 * The client with each `send` made under `ctx.limit`, for an SDK paginator run per
 * resource (a cluster's node groups, a role's tags): its page calls share the service's cap
 * with the other per-resource calls, and only real calls take a slot. A paginator checks
 * the class of its client, hence an object inheriting from the client, not a wrapper.
 */
export function limited<C extends { send(...args: never[]): Promise<unknown> }>(
  ctx: Pick<CollectorContext, "limit">,
  client: C,
): C {
  const send = (...args: Parameters<C["send"]>) => ctx.limit(() => client.send(...args));
  return Object.create(client, { send: { value: send } }) as C;
}

/** Every item of every page: `await allItems(pages, (p) => p.nodegroups)`. */
export async function allItems<P, T>(
  pages: AsyncIterable<P>,
  itemsOf: (page: P) => readonly T[] | undefined,
): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(itemsOf(page) ?? []));
  return all;
}

/**
 * Each listed resource described, all at once (the service's cap bounds the calls), keeping
 * those still there: `describe` answers undefined for one deleted since it was listed.
 */
export async function describeEach<T, Item>(
  listed: readonly T[],
  describe: (listed: T) => Promise<Item | undefined>,
): Promise<Item[]> {
  const items = await Promise.all(listed.map(describe));
  return items.filter((i): i is Awaited<Item> & Item => i !== undefined);
}

/** Declares a collector with its item type inferred (use in each collector module). */
export function defineCollector<T extends ResourceType, Item>(
  collector: Collector<T, Item>,
): Collector<T, Item> {
  return collector;
}
