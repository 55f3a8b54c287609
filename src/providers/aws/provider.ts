/**
 * The AWS provider: units from `units.ts`, SDK clients from `clients.ts`, one collector
 * per resource type from `registry.ts`, errors classified by `errors.ts`. Nothing here is
 * particular to a resource type.
 *
 * `list` streams a partition page by page as the collector yields it and maps each item
 * with the collector's pure `toProto`. Whatever goes wrong (an SDK error past the
 * retries, a resource without an id) ends the partition with a PartitionFailure, so the
 * scanner publishes it FAILED: a partition is never OK with resources missing.
 */
import { setMaxListeners } from "node:events";
import type { ObservedResource } from "../../contract/encode.ts";
import { GLOBAL_REGION } from "../../contract/resource-types.ts";
import type { PartitionKey } from "../../contract/subject.ts";
import { ConfigError, PartitionFailure } from "../../errors.ts";
import { Semaphore } from "../../util/concurrency.ts";
import type { Provider, Unit } from "../provider.ts";
import {
  ApiCallCounter,
  type AwsCredentials,
  type ClientSettings,
  createAwsClients,
} from "./clients.ts";
import type { Collector, CollectorContext, UnitRef } from "./collector.ts";
import { awsPages } from "./errors.ts";
import { COLLECTORS } from "./registry.ts";
import { AWS_SERVICES, type AwsClients, type AwsService, SERVICES } from "./services.ts";
import {
  type AssumeRole,
  type AwsAccount,
  type AwsLog,
  discoverUnits,
  type OrganizationScan,
} from "./units.ts";

/** Options of the AWS provider; every field has a default. */
export interface AwsProviderOptions {
  /** Regions to scan (`--regions`); all regions enabled for each account when absent. */
  readonly regions?: readonly string[] | undefined;
  /** Roles to assume in other accounts (`--assume-role`), besides the default chain's account. */
  readonly assumeRoles?: readonly AssumeRole[] | undefined;
  /** The organisation's accounts instead of the default chain's own (`--org-role`). */
  readonly organization?: OrganizationScan | undefined;
  /** Attempts per API call, the first included. Default 8. */
  readonly maxAttempts?: number | undefined;
  /** SDK retry mode. Default `adaptive`. */
  readonly retryMode?: "adaptive" | "standard" | undefined;
  /** Concurrent extra calls per service, account and region (see `CollectorContext.limit`). */
  readonly concurrency?: Partial<Record<AwsService, number>> | undefined;
  /** The region of discovery, STS and global-type calls. Default AWS_REGION, else us-east-1. */
  readonly homeRegion?: string | undefined;
  /** One endpoint for every service (tests, AWS-compatible stores); unset honours AWS_ENDPOINT_URL*. */
  readonly endpoint?: string | undefined;
  /** Credentials of the default account; the SDK's default chain when absent. */
  readonly credentials?: AwsCredentials | undefined;
  /** The STS role session name of assumed roles. Default `elava`. */
  readonly sessionName?: string | undefined;
  /** Where skipped regions and failed accounts are reported. Default: JSON lines on stderr. */
  readonly log?: AwsLog | undefined;
}

/** The AWS provider, with its call and throttle counts. */
export interface AwsProvider extends Provider {
  apiCalls(): ReadonlyMap<string, number>;
  /** Throttled attempts per operation since the provider was created. */
  throttledCalls(): ReadonlyMap<string, number>;
  /** Closes the SDK clients of every unit. */
  close(): Promise<void>;
}

/** Concurrency caps per service when not configured (see SERVICES). */
export const DEFAULT_CONCURRENCY: Readonly<Record<AwsService, number>> = Object.fromEntries(
  AWS_SERVICES.map((s) => [s, SERVICES[s].concurrency]),
) as Record<AwsService, number>;

const defaultLog: AwsLog = (level, message, fields) => {
  process.stderr.write(`${JSON.stringify({ level, msg: message, provider: "aws", ...fields })}\n`);
};

async function defaultCredentials(): Promise<AwsCredentials> {
  const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  return fromNodeProviderChain();
}

/**
 * The signal a partition's SDK calls get. Every call in flight holds an `abort` listener
 * on it, and the scan's one signal is shared by every partition running at once, so Node
 * would warn (MaxListenersExceededWarning, past 10) about listeners that are no leak. A
 * signal of the partition's own, following the scan's, is bounded instead: its listing
 * call plus `cap` extra calls under the service's semaphore, doubled because a finished
 * request removes its listener only when its socket closes, a tick after its answer.
 */
function partitionSignal(scan: AbortSignal, cap: number): AbortSignal {
  const signal = AbortSignal.any([scan]);
  setMaxListeners(2 * (cap + 1), signal);
  return signal;
}

/** Creates the AWS provider. No AWS call is made before `units()`. */
export function createAwsProvider(options: AwsProviderOptions = {}): AwsProvider {
  const maxAttempts = options.maxAttempts ?? 8;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new ConfigError(`max attempts must be a whole number >= 1, got ${maxAttempts}`);
  }
  for (const [service, cap] of Object.entries(options.concurrency ?? {})) {
    if (!Number.isInteger(cap) || cap < 1) {
      throw new ConfigError(`the ${service} concurrency must be a whole number >= 1, got ${cap}`);
    }
  }
  const settings: ClientSettings = {
    maxAttempts,
    retryMode: options.retryMode ?? "adaptive",
    endpoint: options.endpoint,
  };
  const homeRegion =
    options.homeRegion ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  const counter = new ApiCallCounter();
  const log = options.log ?? defaultLog;
  const accounts = new Map<string, AwsAccount>();
  const clients = new Map<string, AwsClients & { destroy(): void }>();
  const semaphores = new Map<string, Semaphore>();

  const clientsOf = (account: AwsAccount, region: string): AwsClients => {
    const key = `${account.accountId}/${region}`;
    let c = clients.get(key);
    if (c === undefined) {
      const callRegion = region === GLOBAL_REGION ? account.homeRegion : region;
      c = createAwsClients(
        { region: callRegion, credentials: account.credentials },
        settings,
        counter,
      );
      clients.set(key, c);
    }
    return c;
  };

  const semaphoreOf = (service: AwsService, accountId: string, region: string): Semaphore => {
    const key = `${service}/${accountId}/${region}`;
    let s = semaphores.get(key);
    if (s === undefined) {
      s = new Semaphore(options.concurrency?.[service] ?? DEFAULT_CONCURRENCY[service]);
      semaphores.set(key, s);
    }
    return s;
  };

  async function units(_signal: AbortSignal): Promise<Unit[]> {
    const found = await discoverUnits({
      regions: options.regions,
      assumeRoles: options.assumeRoles ?? [],
      organization: options.organization,
      credentials: options.credentials ?? (await defaultCredentials()),
      homeRegion,
      sessionName: options.sessionName ?? "elava",
      settings,
      counter,
      log,
    });
    for (const a of found.accounts) accounts.set(a.accountId, a);
    return found.units;
  }

  async function* list(
    partition: PartitionKey,
    signal: AbortSignal,
  ): AsyncGenerator<ObservedResource[]> {
    const where = `partition ${partition.resourceType} ${partition.accountId} ${partition.region}`;
    const collector: Collector = COLLECTORS[partition.resourceType];
    const account = accounts.get(partition.accountId);
    if (account === undefined) {
      throw new PartitionFailure(
        "error",
        `${where}: account ${partition.accountId} is not one of the discovered units; call units() first`,
      );
    }
    if (account.failure !== undefined) throw account.failure;
    const unit: UnitRef = {
      partition: account.partition,
      accountId: account.accountId,
      region: partition.region,
    };
    const cap = options.concurrency?.[collector.service] ?? DEFAULT_CONCURRENCY[collector.service];
    const semaphore = semaphoreOf(collector.service, account.accountId, partition.region);
    const ctx: CollectorContext = {
      ...unit,
      clients: clientsOf(account, partition.region),
      signal: partitionSignal(signal, cap),
      limit: (fn) => semaphore.run(fn),
    };
    const pages = awsPages(
      {
        action: `list ${partition.resourceType}`,
        region: partition.region,
        accountId: account.accountId,
        optInRegion: account.optInRegions.has(partition.region),
      },
      collector.list(ctx),
    );
    for await (const page of pages) {
      const mapped = page.map((item) => {
        const resource = collector.toProto(item, unit);
        if (resource.id === "") {
          throw new PartitionFailure(
            "invalid_data",
            `${where}: a ${partition.resourceType} came out of the API without an id; the partition cannot be complete`,
          );
        }
        return resource;
      });
      yield mapped;
    }
  }

  return {
    name: "aws",
    units,
    list,
    apiCalls: () => counter.calls(),
    throttledCalls: () => counter.throttles(),
    async close() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
    },
  };
}
