/**
 * The fixture of an AWS resource type: everything the tests know about the type, written
 * once, in SDK shapes, next to its collector's tests
 * (`test/providers/aws/collectors/<type>.fixture.ts`, default export).
 *
 * - `full`: answers under which the collector lists one resource with every field set;
 *   the generic tests give them to the SDK stubs and to the fake endpoint and expect the
 *   same, fully populated resource from both.
 * - `estate`: how N resources of the type look in one region of the scripted estate
 *   (aws-estate.ts): their ids, the answers that serve them, and the fewest calls a
 *   complete scan of the partition can make, which the tests and bench 4 hold the scan to.
 *
 * Resources reference each other by index: resource i of a type points at resource
 * `i mod n` of the type it references (`r.id("vpc", i)`), "" when that type has none.
 */
import type { ResourceType } from "../../src/contract/resource-types.ts";
import type { AnyAnswer } from "./aws-answers.ts";
import type { AnyCommandClass } from "./aws-wire.ts";

/** What a scripted estate is asked to hold. */
export interface AwsEstateOptions {
  /** The account of every resource. Default 123456789012 (the fake's default account). */
  readonly accountId?: string;
  /** The enabled regions, as DescribeRegions lists them; `ap-east-1` is listed as not enabled. */
  readonly regions: readonly string[];
  /** Resources per type per region (global types: per account). */
  readonly perType: number;
  /** Per-type overrides of `perType` (e.g. 1001 instances so DescribeInstances pages). */
  readonly counts?: Partial<Record<ResourceType, number>>;
  /**
   * Whether ListBuckets names each bucket's region (AWS does when paged). When false each
   * bucket costs a GetBucketLocation, as with older S3-compatible stores. Default true.
   */
  readonly bucketRegionsListed?: boolean;
  /** True when the provider is given its regions: no DescribeRegions in `minimumCalls`. */
  readonly regionsGiven?: boolean;
}

/** One region of the estate (or the account's `global` unit), as a fixture builds it. */
export interface EstateRegion {
  readonly accountId: string;
  /** The region, or "global". */
  readonly region: string;
  /** Every region of the estate (S3 buckets are spread over them). */
  readonly regions: readonly string[];
  /** 1 for the first region, 0 for global: ids embed it, so they differ between regions. */
  readonly index: number;
  readonly options: AwsEstateOptions;
  /** When every resource was created. */
  readonly epoch: Date;
  /** The number of resources of a type here. */
  count(type: ResourceType): number;
  /** The id of resource `i mod n` of a type, "" when the type has none here. */
  id(type: ResourceType, i: number): string;
  /** The ids of every resource of a type here. */
  ids(type: ResourceType): string[];
  /** The availability zone of resource i. */
  zone(i: number): string;
  /** 17 hex digits unique to resource i of this region, for ids like `vpc-0<hex>`. */
  hex(i: number): string;
  /** The page lengths of a listing served here (by any type's answers), for an input. */
  pageLengths(command: AnyCommandClass, input?: object): number[];
  /** The number of pages of a listing served here. */
  pages(command: AnyCommandClass, input?: object): number;
}

/** How a type looks in the scripted estate. */
export interface EstateSpec {
  /** The id of resource k of the type, as published (ObservedResource.id). */
  id(r: EstateRegion, k: number): string;
  /** The number of resources given the number asked for, when the type needs another to exist. */
  count?(r: EstateRegion, asked: number): number;
  /**
   * The answers serving the type's resources in the region (the fake restricts them to
   * it). Each operation is answered by one type; a type reading another's listing (subnet
   * reads route tables) relies on that type's answers.
   */
  answers(r: EstateRegion): readonly AnyAnswer[];
  /** The fewest calls a complete scan of the partition makes, by command. */
  minimumCalls(r: EstateRegion): ReadonlyArray<readonly [AnyCommandClass, number]>;
}

/** The fixture of a resource type. */
export interface AwsFixture<T extends ResourceType = ResourceType> {
  readonly type: T;
  /** The listing whose pages the partition's pages follow: one page of it, one page out. */
  readonly listing: AnyCommandClass;
  /**
   * Listings whose pages come out after the listing's, one page out per page of them too
   * (load_balancer: the classic API's after ELBv2's).
   */
  readonly laterListings?: readonly AnyCommandClass[];
  /**
   * Answers under which `list` yields the resource `id` with every field set. A type that
   * two APIs fill (load_balancer: ELBv2 and classic) names in `variants` the other
   * resources the answers list: every field must then be set in `id` or in one of them,
   * and each one's own fields are what its API gives.
   */
  readonly full: {
    readonly id: string;
    readonly variants?: readonly string[];
    readonly answers: readonly AnyAnswer[];
  };
  readonly estate: EstateSpec;
}

/** Declares a fixture (the default export of a type's fixture module). */
export function defineAwsFixture<T extends ResourceType>(fixture: AwsFixture<T>): AwsFixture<T> {
  return fixture;
}

/** The module name of a type's collector, tests and fixture: `ec2_instance` -> `ec2-instance`. */
export function moduleNameOf(type: ResourceType): string {
  return type.replaceAll("_", "-");
}

/**
 * The fixture modules' imports, one after another across every caller: the test runner's
 * module loader hands a module that a concurrent import is still evaluating to the second
 * importer half-initialised, so a fixture importing another's helpers (target_group's
 * load_balancer ARNs) could fail with "cannot access before initialization".
 */
let imports: Promise<unknown> = Promise.resolve();

function importFixture(type: ResourceType): Promise<{ default?: AwsFixture }> {
  const next = imports.then(
    () =>
      import(`../providers/aws/collectors/${moduleNameOf(type)}.fixture.ts`) as Promise<{
        default?: AwsFixture;
      }>,
  );
  imports = next.catch(() => undefined);
  return next;
}

/** Loads the fixture of every type; a type without one fails with the fix. */
export async function loadAwsFixtures(
  types: readonly ResourceType[],
): Promise<Record<ResourceType, AwsFixture>> {
  const entries = await Promise.all(
    types.map(async (type) => {
      const path = `test/providers/aws/collectors/${moduleNameOf(type)}.fixture.ts`;
      let module: { default?: AwsFixture };
      try {
        module = await importFixture(type);
      } catch (err) {
        throw new Error(
          `no fixture for ${type}: add ${path} (docs/adding-a-resource-type.md): ${String(err)}`,
        );
      }
      if (module.default?.type !== type) {
        throw new Error(
          `${path} must export by default defineAwsFixture({ type: "${type}", ... })`,
        );
      }
      return [type, module.default] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ResourceType, AwsFixture>;
}

/** SDK tags of a record: `[{ Key, Value }]`. */
export function sdkTags(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** `[0, 1, ..., n - 1]`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
