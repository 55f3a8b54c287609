/**
 * A consistent AWS estate of every resource type, served by the fake AWS endpoint
 * (fake-aws.ts) to real SDK clients, for end-to-end tests and bench 4. Nothing here is
 * particular to a type: each type's fixture (aws-fixture.ts) says how its resources look
 * in a region, which answers serve them and what a complete scan of them costs at least;
 * this module runs every fixture in every region (the global types once per account),
 * serves the answers and adds up the costs.
 *
 * `minimumCalls` is the fewest API calls per operation a scan of the estate can make,
 * keyed like `AwsProvider.apiCalls()` (`ec2:DescribeInstances`): the listings served in
 * pages of the largest size each API allows (a scan asking for less makes more calls,
 * and `pageSizeViolations` names it), plus the per-resource calls the APIs force.
 */
import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  ALL_RESOURCE_TYPES,
  GLOBAL_REGION,
  type ResourceType,
  scopeOf,
} from "../../src/contract/resource-types.ts";
import { type AnyAnswer, type AnyPaging, on } from "./aws-answers.ts";
import {
  type AwsEstateOptions,
  type AwsFixture,
  type EstateRegion,
  loadAwsFixtures,
} from "./aws-fixture.ts";
import { type AnyCommandClass, operationOf } from "./aws-wire.ts";
import type { FakeAws, FakeCall } from "./fake-aws.ts";

export type { AwsEstateOptions } from "./aws-fixture.ts";

/** The resources of one partition. */
export interface EstatePartition {
  readonly resourceType: ResourceType;
  readonly accountId: string;
  /** A region of the estate, or "global". */
  readonly region: string;
  /** The resource ids, as the publisher puts them in subjects (before encoding). */
  readonly ids: readonly string[];
}

/** What was served and what a complete scan of it costs at least. */
export interface AwsEstate {
  readonly accountId: string;
  readonly regions: readonly string[];
  /** The region DescribeRegions lists as not opted in: never scanned. */
  readonly notEnabledRegion: string;
  /** Every partition: each regional type in each region, the global types once. */
  readonly partitions: readonly EstatePartition[];
  /** The fewest API calls per operation (`service:Operation`) a complete scan can make. */
  readonly minimumCalls: ReadonlyMap<string, number>;
  /** Every operation served, by `service:Operation`: the type answering it and how it pages. */
  readonly operations: ReadonlyMap<string, ServedOperation>;
  /** The page lengths of a listing served in a region (or "global"), for an input. */
  pageLengths(region: string, command: AnyCommandClass, input?: object): number[];
}

/** An operation the estate serves. */
export interface ServedOperation {
  /** The type whose fixture answers it. */
  readonly answeredBy: ResourceType;
  readonly paging: AnyPaging | undefined;
}

const NOT_ENABLED_REGION = "ap-east-1";
const EPOCH = new Date(Date.UTC(2024, 0, 15, 10, 0, 0));

/** The key of a command's operation in API-call counts: `ec2:DescribeInstances`. */
export function operationKey(command: AnyCommandClass): string {
  const op = operationOf(command);
  return `${op.service.key}:${op.name}`;
}

/** Serves identity and region discovery: GetCallerIdentity and DescribeRegions. */
export function scriptDiscovery(
  fake: FakeAws,
  accountId: string,
  regions: readonly string[],
): void {
  fake.serve(
    on(DescribeRegionsCommand).answer({
      Regions: [
        ...regions.map((RegionName) => ({ RegionName, OptInStatus: "opt-in-not-required" })),
        { RegionName: NOT_ENABLED_REGION, OptInStatus: "not-opted-in" },
      ],
    }),
    on(GetCallerIdentityCommand).answer({
      Account: accountId,
      Arn: `arn:aws:iam::${accountId}:user/scanner`,
      UserId: "AIDAFAKE",
    }),
  );
}

interface Plan {
  readonly region: EstateRegion;
  readonly answers: Map<string, { readonly type: ResourceType; readonly answer: AnyAnswer }>;
}

function planOf(
  fixtures: Readonly<Record<ResourceType, AwsFixture>>,
  options: AwsEstateOptions,
  accountId: string,
  region: string,
  index: number,
): Plan {
  const counts = new Map<ResourceType, number>();
  const answers: Plan["answers"] = new Map();
  const r: EstateRegion = {
    accountId,
    region,
    regions: options.regions,
    index,
    options,
    epoch: EPOCH,
    count(type) {
      let n = counts.get(type);
      if (n === undefined) {
        const asked = options.counts?.[type] ?? options.perType;
        n = fixtures[type].estate.count?.(r, asked) ?? asked;
        counts.set(type, n);
      }
      return n;
    },
    id(type, i) {
      const n = r.count(type);
      return n === 0 ? "" : fixtures[type].estate.id(r, i % n);
    },
    ids(type) {
      return Array.from({ length: r.count(type) }, (_, k) => fixtures[type].estate.id(r, k));
    },
    zone(i) {
      return `${region === GLOBAL_REGION ? "us-east-1" : region}${"abc"[i % 3]}`;
    },
    hex(i) {
      return `0${index.toString(16).padStart(2, "0")}${i.toString(16).padStart(14, "0")}`;
    },
    pageLengths(command, input = {}) {
      const served = answers.get(operationKey(command));
      if (served === undefined) {
        throw new Error(`no resource type of the estate answers ${operationKey(command)}`);
      }
      return served.answer.pageLengths(input as never);
    },
    pages(command, input) {
      return r.pageLengths(command, input).length;
    },
  };
  return { region: r, answers };
}

/**
 * Serves the whole estate on `fake` and says what it holds and what a complete scan of
 * it costs at least. Call on a fresh fake (answers served later take precedence).
 */
export async function scriptAwsEstate(
  fake: FakeAws,
  options: AwsEstateOptions,
): Promise<AwsEstate> {
  const fixtures = await loadAwsFixtures(ALL_RESOURCE_TYPES);
  const accountId = options.accountId ?? "123456789012";
  scriptDiscovery(fake, accountId, options.regions);

  const plans = [
    ...options.regions.map((region, i) => planOf(fixtures, options, accountId, region, i + 1)),
    planOf(fixtures, options, accountId, GLOBAL_REGION, 0),
  ];
  const typesOf = (plan: Plan) =>
    ALL_RESOURCE_TYPES.filter(
      (t) => (scopeOf(t) === "global") === (plan.region.region === GLOBAL_REGION),
    );
  const operations = new Map<string, ServedOperation>();
  for (const plan of plans) {
    const region = plan.region.region === GLOBAL_REGION ? undefined : plan.region.region;
    for (const type of typesOf(plan)) {
      for (const a of fixtures[type].estate.answers(plan.region)) {
        const key = operationKey(a.command);
        const other = plan.answers.get(key);
        if (other !== undefined) {
          throw new Error(
            `${key} is answered by the fixtures of both ${other.type} and ${type}: one type answers each operation`,
          );
        }
        plan.answers.set(key, { type, answer: a });
        operations.set(key, { answeredBy: type, paging: a.paging });
        fake.serve({ ...a, region });
      }
    }
  }

  const calls = new Map<string, number>();
  const add = (op: string, n: number) => calls.set(op, (calls.get(op) ?? 0) + n);
  add("sts:GetCallerIdentity", 1);
  if (options.regionsGiven !== true) add("ec2:DescribeRegions", 1);
  const partitions: EstatePartition[] = [];
  for (const plan of plans) {
    for (const type of typesOf(plan)) {
      for (const [command, n] of fixtures[type].estate.minimumCalls(plan.region)) {
        add(operationKey(command), n);
      }
      partitions.push({
        resourceType: type,
        accountId,
        region: plan.region.region,
        ids: plan.region.ids(type),
      });
    }
  }
  return {
    accountId,
    regions: [...options.regions],
    notEnabledRegion: NOT_ENABLED_REGION,
    partitions,
    minimumCalls: new Map(
      [...calls].filter(([, v]) => v > 0).sort(([a], [b]) => a.localeCompare(b)),
    ),
    operations,
    pageLengths(region, command, input) {
      const plan = plans.find((p) => p.region.region === region);
      if (plan === undefined) throw new Error(`${region} is not a region of the estate`);
      return plan.region.pageLengths(command, input);
    },
  };
}

/**
 * The list calls that did not ask for their operation's largest page, as
 * `ec2:DescribeInstances MaxResults=500`. The fake serves its pages whatever the request
 * asks, so this, not the call count, is what catches a smaller page size.
 */
export function pageSizeViolations(estate: AwsEstate, calls: readonly FakeCall[]): string[] {
  const wrong: string[] = [];
  for (const call of calls) {
    const key = `${call.service}:${call.operation}`;
    const paged = estate.operations.get(key)?.paging;
    if (paged?.pageSize === undefined) continue;
    const asked = call.input[paged.pageSize];
    if (asked !== paged.max) wrong.push(`${key} ${paged.pageSize}=${String(asked ?? "(none)")}`);
  }
  return wrong;
}
