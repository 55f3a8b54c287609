/**
 * The shape of a sample estate, decided from the options alone: how many cells, how they
 * spread over accounts and regions, and how fast resources come, go and change.
 *
 * A cell is one VPC with everything that lives in it (see cell.ts). Cells are numbered
 * 0..cellCount-1 and dealt round-robin over the units (account x region), so unit `u`
 * holds cells u, u + U, u + 2U, ...; the first cell of a unit is the hub its other VPCs
 * peer with. Every unit holds at least two cells once the estate has two or more (units
 * are at most ceil(cells / perUnit) + regions - 1, and perUnit >= 4).
 */
import { hash, Rng, seedKey } from "./random.ts";

/** A real AWS region with what the sample needs of it. */
export interface RegionInfo {
  readonly name: string;
  /** The short code of its availability zone ids (`use1` in `use1-az1`). */
  readonly short: string;
  /** Letters of its availability zones. */
  readonly azLetters: string;
  /** The canonical hosted zone id of its application load balancers. */
  readonly elbZoneId: string;
}

/** Regions the sample spreads accounts over, in the order they are taken. */
export const SAMPLE_REGIONS: readonly RegionInfo[] = [
  { name: "us-east-1", short: "use1", azLetters: "abcdf", elbZoneId: "Z35SXDOTRQ7X7K" },
  { name: "eu-west-1", short: "euw1", azLetters: "abc", elbZoneId: "Z32O12XQLNTSW2" },
  { name: "us-west-2", short: "usw2", azLetters: "abcd", elbZoneId: "Z1H1FL5HABSF5" },
  { name: "eu-central-1", short: "euc1", azLetters: "abc", elbZoneId: "Z215JYRZR1TBD5" },
  { name: "ap-southeast-1", short: "apse1", azLetters: "abc", elbZoneId: "Z1LMS91P8CMLE5" },
  { name: "us-east-2", short: "use2", azLetters: "abc", elbZoneId: "Z3AADJGX6KTTL2" },
];

/** Resources in an average cell, counting its share of the account's roles and buckets. */
export const AVERAGE_CELL_SIZE = 113;
/**
 * VPCs per unit: about the square root of the cell count, between 4 and 40, so a large
 * estate has large partitions (several pages) as well as many accounts.
 */
function cellsPerUnit(cellCount: number): number {
  return Math.min(40, Math.max(4, Math.round(Math.sqrt(cellCount))));
}
const MAX_REGIONS = 4;
/** Churnable slots and modification targets of a cell (see churn.ts), for the rates. */
export const SLOTS_PER_CELL = 10;
export const MOD_TARGETS_PER_CELL = 12;

const COMPANIES = [
  "acme",
  "globex",
  "initech",
  "umbrella",
  "hooli",
  "vandelay",
  "tyrell",
  "cyberdyne",
];

/** The scan times: scan k runs at SCAN_EPOCH_MS + k x SCAN_INTERVAL_MS. */
export const SCAN_EPOCH_MS = Date.UTC(2025, 0, 6, 8, 0, 0);
export const SCAN_INTERVAL_MS = 15 * 60_000;

/** When scan k ran. */
export function scanTime(k: number): number {
  return SCAN_EPOCH_MS + k * SCAN_INTERVAL_MS;
}

/** Everything about the estate that does not depend on a cell. */
export interface Estate {
  readonly seed: number;
  /** The 32-bit key every random value starts from. */
  readonly key: number;
  /** The scan whose resources are generated (1-based). */
  readonly scan: number;
  readonly churn: number;
  readonly company: string;
  readonly accounts: readonly string[];
  readonly regions: readonly RegionInfo[];
  readonly cellCount: number;
  /** Units (account x region) holding cells: accounts.length x regions.length. */
  readonly unitCount: number;
  /** Mean scans between two births of a churnable slot; Infinity when churn is 0. */
  readonly lifetime: number;
  /** Mean scans between two modifications of a target; Infinity when churn is 0. */
  readonly modPeriod: number;
}

/** The unit (account, region) a unit index names. */
export function unitPlace(estate: Estate, unit: number): { accountId: string; region: RegionInfo } {
  const per = estate.regions.length;
  return {
    accountId: estate.accounts[Math.floor(unit / per)] as string,
    region: estate.regions[unit % per] as RegionInfo,
  };
}

/** The options that shape an estate (a subset of SampleOptions). */
export interface EstateOptions {
  readonly resources: number;
  readonly seed: number;
  readonly scan: number;
  readonly churn: number;
}

const ACCOUNT_SPACE = 36 ** 6;

/**
 * An account id no one takes for a real AWS one (12 digits): `sample-` and six base-36
 * characters, distinct for every index below 36^6 (the multiplier is prime, so coprime
 * with 36^6), and a subject token as it is.
 */
function accountId(key: number, index: number): string {
  const n = (index * 982_451_653 + (key % ACCOUNT_SPACE)) % ACCOUNT_SPACE;
  return `sample-${n.toString(36).padStart(6, "0")}`;
}

/** Decides the estate's shape from the options. */
export function planEstate(options: EstateOptions): Estate {
  const key = seedKey(options.seed);
  const rng = new Rng(hash(key, 0x5eed));
  const cellCount = Math.max(1, Math.round(options.resources / AVERAGE_CELL_SIZE));
  const wantedUnits = Math.ceil(cellCount / cellsPerUnit(cellCount));
  const regionCount = Math.min(wantedUnits, MAX_REGIONS);
  const accountCount = Math.ceil(wantedUnits / regionCount);
  const firstRegion = rng.int(0, SAMPLE_REGIONS.length - 1);
  const regions = Array.from(
    { length: regionCount },
    (_, i) => SAMPLE_REGIONS[(firstRegion + i) % SAMPLE_REGIONS.length] as RegionInfo,
  );
  // Per cell and scan, about churn x AVERAGE_CELL_SIZE events: half births and deaths of
  // slots (two per lifetime each), half modifications.
  const eventsPerCell = options.churn * AVERAGE_CELL_SIZE;
  const lifetime =
    options.churn > 0
      ? Math.max(2, (4 * SLOTS_PER_CELL) / eventsPerCell)
      : Number.POSITIVE_INFINITY;
  const modPeriod =
    options.churn > 0
      ? Math.max(1, (2 * MOD_TARGETS_PER_CELL) / eventsPerCell)
      : Number.POSITIVE_INFINITY;
  return {
    seed: options.seed,
    key,
    scan: options.scan,
    churn: options.churn,
    company: rng.pick(COMPANIES),
    accounts: Array.from({ length: accountCount }, (_, i) => accountId(key, i)),
    regions,
    cellCount,
    unitCount: accountCount * regionCount,
    lifetime,
    modPeriod,
  };
}

/** The unit (account index, region index) of a cell, and its place in the unit. */
export function unitOfCell(estate: Estate, cell: number): { unit: number; indexInUnit: number } {
  return { unit: cell % estate.unitCount, indexInUnit: Math.floor(cell / estate.unitCount) };
}

/** The cells of a unit, hub first. */
export function* cellsOfUnit(estate: Estate, unit: number): Generator<number> {
  for (let c = unit; c < estate.cellCount; c += estate.unitCount) yield c;
}

/** The cells of an account, over all its regions (what its global partitions hold). */
export function* cellsOfAccount(estate: Estate, account: number): Generator<number> {
  const per = estate.regions.length;
  for (let r = 0; r < per; r++) yield* cellsOfUnit(estate, account * per + r);
}
