/**
 * Units of an AWS scan: every account (the default credential chain's, plus each role
 * assumed via STS) times every region (the configured ones, or all regions enabled for
 * the account), plus one `global` unit per account for the account-wide types.
 *
 * Organisation-wide (`--org-role NAME`), the accounts are the organisation's active ones,
 * listed with Organizations ListAccounts by the default credentials (those of the
 * management account or of a delegated administrator), each scanned through the role NAME
 * in it, the scanner's own account included: every account is read by the same role, so
 * the default credentials need no read access of their own. `--assume-role` adds
 * accounts outside the organisation.
 *
 * One failing account never stops the others: when a role cannot be assumed, the account
 * (its id parsed from the role ARN) still gets its units, with `failure` set, so each of
 * its partitions is published FAILED ("unknown") instead of silently vanishing. Regions
 * that are not enabled (DescribeRegions `not-opted-in`) are skipped and logged: there is
 * nothing to scan and nothing unknown about them.
 */
import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { type Account, paginateListAccounts } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { GLOBAL_REGION } from "../../contract/resource-types.ts";
import { ConfigError, PartitionFailure } from "../../errors.ts";
import { mapConcurrent } from "../../util/concurrency.ts";
import type { Unit } from "../provider.ts";
import {
  type ApiCallCounter,
  type AwsCredentials,
  type ClientSettings,
  countingPlugin,
  createEc2Client,
  createOrganizationsClient,
  createStsClient,
} from "./clients.ts";
import { awsCall, classifyAwsError } from "./errors.ts";
import { accountOfArn, awsPartitionOf, partitionOfArn } from "./tags.ts";

/** A role to assume in another account. */
export interface AssumeRole {
  readonly roleArn: string;
  /** The external id the role's trust policy requires, if any. */
  readonly externalId?: string;
}

/** Every active account of an organisation, each through a role of the same name. */
export interface OrganizationScan {
  /** The role assumed in each account: `arn:<partition>:iam::<account>:role/<roleName>`. */
  readonly roleName: string;
  /** Only these account ids; every active account when absent. */
  readonly include?: readonly string[] | undefined;
  /** Never these account ids. */
  readonly exclude?: readonly string[] | undefined;
  /** The external id the roles' trust policies require, if any. */
  readonly externalId?: string | undefined;
}

/** Where the provider reports what it skipped or could not do. */
export type AwsLog = (
  level: "info" | "warn",
  message: string,
  fields: Readonly<Record<string, string | number>>,
) => void;

/** One account to scan, with the credentials of its clients. */
export interface AwsAccount {
  readonly accountId: string;
  /** The AWS partition (`aws`, `aws-cn`, ...) of the account's ARNs. */
  readonly partition: string;
  readonly credentials: AwsCredentials;
  /** The region global types and discovery calls use. */
  readonly homeRegion: string;
  /** Opt-in regions that are enabled: credential errors there mean "not enabled". */
  readonly optInRegions: ReadonlySet<string>;
  /** Set when the account cannot be scanned (its role could not be assumed). */
  readonly failure?: PartitionFailure;
}

/** What unit discovery needs. */
export interface UnitDiscovery {
  /** Regions to scan; all enabled regions when absent. */
  readonly regions?: readonly string[] | undefined;
  readonly assumeRoles: readonly AssumeRole[];
  /** Scan the organisation's accounts instead of the default chain's own. */
  readonly organization?: OrganizationScan | undefined;
  /** The default chain's credentials (the source of every assumed role). */
  readonly credentials: AwsCredentials;
  /** The region of discovery and STS calls. */
  readonly homeRegion: string;
  /** The role session name that shows in CloudTrail. */
  readonly sessionName: string;
  readonly settings: ClientSettings;
  readonly counter: ApiCallCounter;
  readonly log: AwsLog;
}

/**
 * Accounts set up at once (AssumeRole, GetCallerIdentity, DescribeRegions): an
 * organisation of hundreds of accounts is discovered in batches, not in one burst against
 * STS and EC2.
 */
const ACCOUNT_CONCURRENCY = 16;

/** Refresh assumed-role credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Shares one credentials provider between all clients of an account: resolved once,
 * resolved again when within REFRESH_MARGIN_MS of expiring (assumed roles last an hour).
 */
export function sharedCredentials(source: AwsCredentials, now = () => Date.now()): AwsCredentials {
  if (typeof source !== "function") return source;
  type Identity = Awaited<ReturnType<typeof source>>;
  let current: Promise<Identity> | undefined;
  return async () => {
    if (current !== undefined) {
      const id = await current.catch(() => undefined);
      const expires = id?.expiration?.getTime();
      if (id !== undefined && (expires === undefined || expires - now() > REFRESH_MARGIN_MS)) {
        return id;
      }
    }
    const next = source();
    current = next;
    next.catch(() => {
      if (current === next) current = undefined;
    });
    return next;
  };
}

async function callerAccount(
  credentials: AwsCredentials,
  d: UnitDiscovery,
): Promise<{ accountId: string; partition: string }> {
  const sts = createStsClient({ region: d.homeRegion, credentials }, d.settings, d.counter);
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (out.Account === undefined || out.Account === "") {
      throw new Error("STS GetCallerIdentity answered without an Account");
    }
    return {
      accountId: out.Account,
      partition: partitionOfArn(out.Arn ?? "") ?? awsPartitionOf(d.homeRegion),
    };
  } finally {
    sts.destroy();
  }
}

async function assumedAccount(role: AssumeRole, d: UnitDiscovery): Promise<AwsAccount> {
  const accountId = accountOfArn(role.roleArn);
  if (accountId === undefined) {
    throw new ConfigError(
      `assume role "${role.roleArn}" is not a role ARN (arn:aws:iam::123456789012:role/name); fix --assume-role`,
    );
  }
  const partition = partitionOfArn(role.roleArn) ?? awsPartitionOf(d.homeRegion);
  const credentials = sharedCredentials(
    fromTemporaryCredentials({
      masterCredentials: d.credentials,
      params: {
        RoleArn: role.roleArn,
        RoleSessionName: d.sessionName,
        ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }),
      },
      clientConfig: {
        region: d.homeRegion,
        maxAttempts: d.settings.maxAttempts,
        ...(d.settings.endpoint === undefined ? {} : { endpoint: d.settings.endpoint }),
      },
      clientPlugins: [countingPlugin("sts", d.counter)],
    }),
  );
  try {
    await callerAccount(credentials, d);
    return { accountId, partition, credentials, homeRegion: d.homeRegion, optInRegions: new Set() };
  } catch (err) {
    const failure = classifyAwsError(err, {
      action: `assume role ${role.roleArn}`,
      region: d.homeRegion,
      accountId,
    });
    d.log("warn", "account cannot be scanned: its partitions are published FAILED", {
      accountId,
      roleArn: role.roleArn,
      error: failure.markerText,
    });
    return {
      accountId,
      partition,
      credentials,
      homeRegion: d.homeRegion,
      optInRegions: new Set(),
      failure,
    };
  }
}

/** The state of an organisation account (`State`, or the older `Status`). */
function stateOf(account: Account): string {
  return account.State ?? account.Status ?? "UNKNOWN";
}

/**
 * The ids of the organisation's active accounts that the scan covers, in the order
 * ListAccounts gives them. Not being able to list them is a ConfigError: without the
 * list, nothing is known about any account.
 */
async function organizationAccountIds(
  org: OrganizationScan,
  caller: { accountId: string; credentials: AwsCredentials },
  d: UnitDiscovery,
): Promise<string[]> {
  const client = createOrganizationsClient(
    { region: d.homeRegion, credentials: caller.credentials },
    d.settings,
    d.counter,
  );
  const listed: Account[] = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      listed.push(...(page.Accounts ?? []));
    }
  } catch (err) {
    const failure = classifyAwsError(err, {
      action: "list the organisation's accounts (organizations ListAccounts)",
      region: d.homeRegion,
      accountId: caller.accountId,
    });
    throw new ConfigError(
      `${failure.markerText}; --org-role needs the credentials of the organisation's management account or of a delegated administrator, allowed organizations:ListAccounts`,
      { cause: err },
    );
  } finally {
    client.destroy();
  }
  const include = org.include === undefined ? undefined : new Set(org.include);
  const exclude = new Set(org.exclude ?? []);
  const ids: string[] = [];
  for (const account of listed) {
    const id = account.Id ?? "";
    if (id === "" || exclude.has(id) || (include !== undefined && !include.has(id))) continue;
    if (stateOf(account) !== "ACTIVE") {
      d.log("info", "organisation account not active: skipped", {
        accountId: id,
        state: stateOf(account),
      });
      continue;
    }
    ids.push(id);
  }
  for (const id of include ?? []) {
    if (!listed.some((a) => a.Id === id)) {
      d.log("warn", "account of --org-include is not in the organisation: skipped", {
        accountId: id,
      });
    }
  }
  return ids;
}

/** The accounts of a scan: the default chain's (or the organisation's), then each assumed role's (first one wins per account id). */
export async function discoverAccounts(d: UnitDiscovery): Promise<AwsAccount[]> {
  const credentials = sharedCredentials(d.credentials);
  let home: { accountId: string; partition: string };
  try {
    home = await callerAccount(credentials, d);
  } catch (err) {
    const failure = classifyAwsError(err, {
      action: "identify the default credentials (STS GetCallerIdentity)",
      region: d.homeRegion,
      accountId: "the default account",
    });
    throw new ConfigError(
      `${failure.markerText}; configure AWS credentials (environment, profile, web identity or instance role)`,
      { cause: err },
    );
  }
  const accounts: AwsAccount[] = [];
  const roles: AssumeRole[] = [];
  const org = d.organization;
  if (org === undefined) {
    accounts.push({ ...home, credentials, homeRegion: d.homeRegion, optInRegions: new Set() });
  } else {
    const ids = await organizationAccountIds(org, { accountId: home.accountId, credentials }, d);
    for (const id of ids) {
      roles.push({
        roleArn: `arn:${home.partition}:iam::${id}:role/${org.roleName}`,
        ...(org.externalId === undefined ? {} : { externalId: org.externalId }),
      });
    }
  }
  roles.push(...d.assumeRoles);
  const assumed = await mapConcurrent(roles, ACCOUNT_CONCURRENCY, (role) =>
    assumedAccount(role, d),
  );
  for (const account of assumed) {
    if (accounts.some((a) => a.accountId === account.accountId)) {
      d.log("warn", "account listed twice: scanning it once", { accountId: account.accountId });
      continue;
    }
    accounts.push(account);
  }
  return accounts;
}

/** The regions enabled for an account, and which of them are opt-in regions. */
export async function enabledRegions(
  account: AwsAccount,
  d: UnitDiscovery,
): Promise<{ regions: string[]; optIn: Set<string> }> {
  const ec2 = createEc2Client(
    { region: account.homeRegion, credentials: account.credentials },
    d.settings,
    d.counter,
  );
  try {
    const out = await awsCall(
      { action: "describe regions", region: account.homeRegion, accountId: account.accountId },
      () => ec2.send(new DescribeRegionsCommand({ AllRegions: true })),
    );
    const regions: string[] = [];
    const optIn = new Set<string>();
    for (const r of out.Regions ?? []) {
      if (r.RegionName === undefined) continue;
      if (r.OptInStatus === "not-opted-in") {
        d.log("info", "region not enabled for the account: skipped", {
          accountId: account.accountId,
          region: r.RegionName,
        });
        continue;
      }
      if (r.OptInStatus === "opted-in") optIn.add(r.RegionName);
      regions.push(r.RegionName);
    }
    return { regions: regions.sort(), optIn };
  } finally {
    ec2.destroy();
  }
}

/** The units of one account: one per region, plus `global`; all FAILED when the account is. */
export async function accountUnits(
  account: AwsAccount,
  d: UnitDiscovery,
  fallbackRegions: readonly string[],
): Promise<{ account: AwsAccount; units: Unit[] }> {
  const unit = (region: string, failure?: PartitionFailure): Unit => ({
    provider: "aws",
    accountId: account.accountId,
    region,
    ...(failure === undefined ? {} : { failure }),
  });
  if (account.failure !== undefined) {
    const regions = d.regions ?? fallbackRegions;
    return {
      account,
      units: [...regions, GLOBAL_REGION].map((r) => unit(r, account.failure)),
    };
  }
  if (d.regions !== undefined) {
    return { account, units: [...d.regions, GLOBAL_REGION].map((r) => unit(r)) };
  }
  try {
    const { regions, optIn } = await enabledRegions(account, d);
    return {
      account: { ...account, optInRegions: optIn },
      units: [...regions, GLOBAL_REGION].map((r) => unit(r)),
    };
  } catch (err) {
    // Without the region list the regional partitions are unknown: one FAILED unit in the
    // home region says so; the global types do not depend on it.
    const failure =
      err instanceof PartitionFailure ? err : new PartitionFailure("error", String(err));
    d.log("warn", "cannot list the account's regions", {
      accountId: account.accountId,
      error: failure.markerText,
    });
    return { account, units: [unit(account.homeRegion, failure), unit(GLOBAL_REGION)] };
  }
}

/**
 * Discovers every account and its units. An account that could not be assumed gets the
 * regions of the first account that could (its own are unknown), or the home region.
 */
export async function discoverUnits(
  d: UnitDiscovery,
): Promise<{ accounts: AwsAccount[]; units: Unit[] }> {
  const accounts = await discoverAccounts(d);
  const scanned = await mapConcurrent(accounts, ACCOUNT_CONCURRENCY, (a) =>
    a.failure === undefined ? accountUnits(a, d, [d.homeRegion]) : Promise.resolve(undefined),
  );
  const reference = scanned.find((s) => s !== undefined);
  const fallback = reference?.units.map((u) => u.region).filter((r) => r !== GLOBAL_REGION);
  const all = await mapConcurrent(accounts, ACCOUNT_CONCURRENCY, async (a, i) => {
    return scanned[i] ?? accountUnits(a, d, fallback?.length ? fallback : [d.homeRegion]);
  });
  return { accounts: all.map((a) => a.account), units: all.flatMap((a) => a.units) };
}
