/**
 * The sample provider: a synthetic, realistic and internally consistent AWS estate of any
 * size, for demos, benchmarks and load tests of consumers. It is not a model of anyone's
 * account; it is a fixture that behaves like one: every reference (vpc_id, subnet_ids,
 * security groups and their rules, route targets, ASG and node group ownership, launch
 * templates, target ids, load balancer ARNs, DB subnet groups, replica sources, IAM roles
 * and instance profiles, NAT subnets, peered VPCs) points at a resource of the same
 * estate, at every scan.
 *
 * Shape: about `resources / AVERAGE_CELL_SIZE` cells (estate.ts); a cell is one VPC and its workload (cell.ts). Cells
 * are dealt over units of up to four regions per account, from 4 VPCs per unit in small
 * estates to 40 in large ones: a few thousand resources span one or two accounts, a
 * million about a hundred, whose largest partitions hold a few thousand resources.
 * Global types (iam_role, s3_bucket) are listed per account under region "global". It is
 * published as provider "sample", with account ids like `sample-0k3f9a` that no one takes
 * for AWS's 12 digits; ARNs keep AWS's shape with those accounts.
 *
 * Determinism: every value comes from a PRNG keyed by (seed, cell, slot): the same options
 * give byte-identical resources, and any partition is generated alone, page by page,
 * without the rest of the estate, so a million resources are never held in memory.
 *
 * Change: scan k differs from scan k-1 by about churn x resources created, modified and
 * disappeared resources, computed for k directly (churn.ts); `sampleChurn` reports them
 * exactly, so tests predict what a consumer must derive.
 */
import type { ObservedResource } from "../../contract/encode.ts";
import {
  GLOBAL_REGION,
  type ResourceType,
  scopeOf,
  typesForRegion,
} from "../../contract/resource-types.ts";
import { type PartitionKey, partitionId } from "../../contract/subject.ts";
import { ConfigError, PartitionFailure } from "../../errors.ts";
import type { Provider, Unit } from "../provider.ts";
import { type CellPlan, planCell } from "./cell.ts";
import { computeChurn, type ResourceRef, type SampleChurn } from "./churn.ts";
import { cellsOfAccount, cellsOfUnit, type Estate, planEstate } from "./estate.ts";
import { GENERATORS } from "./resources.ts";

export type { ResourceRef, SampleChurn };

/** Options of the sample estate (CLI: --sample-resources, --sample-seed, --sample-scan, --sample-churn). */
export interface SampleOptions {
  /** Approximate total number of resources N. */
  resources: number;
  /** Seed of every random choice; the same seed gives the same estate. */
  seed: number;
  /** The 1-based scan index k whose state is generated. */
  scan: number;
  /** Fraction 0..1 of resources created, modified or disappeared per scan. */
  churn: number;
  /** Partitions of these types throw PartitionFailure("access_denied"): for tests and demos. */
  failTypes?: readonly ResourceType[];
}

/** A few thousand resources, a fixed seed, scan 1, 1% churn. */
export const DEFAULT_SAMPLE_OPTIONS: SampleOptions = {
  resources: 3000,
  seed: 42,
  scan: 1,
  churn: 0.01,
};

/** Resources per page of `list`. */
export const SAMPLE_PAGE_SIZE = 32;

/**
 * Partitions listed at once unless `--concurrency` says otherwise: generating is CPU work
 * with no latency to hide. At 64, a 300,000-resource scan held 64 pages' snapshots
 * waiting for the publish window; they outlived V8's young generation, and the scan
 * promoted 2.4 times the bytes and took 30% more CPU than at 4 (docs/benchmarks.md).
 */
export const SAMPLE_CONCURRENCY = 4;

/**
 * The provider token of the sample's subjects and envelopes: it mimics AWS, but says
 * where it came from, so that sample data on a shared stream is never taken for AWS data
 * (its account ids, `sample-...`, cannot be either).
 */
const PROVIDER_TOKEN = "sample";
const CELL_CACHE_SIZE = 256;

function checkOptions(options: SampleOptions): void {
  const { resources, seed, scan, churn } = options;
  if (!Number.isSafeInteger(resources) || resources < 1) {
    throw new ConfigError(`sample resources must be a whole number >= 1, got ${resources}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ConfigError(`sample seed must be a whole number >= 0, got ${seed}`);
  }
  if (!Number.isSafeInteger(scan) || scan < 1) {
    throw new ConfigError(
      `sample scan must be a whole number >= 1 (scans are 1-based), got ${scan}`,
    );
  }
  if (!(churn >= 0 && churn <= 1)) {
    throw new ConfigError(
      `sample churn must be a fraction between 0 and 1 (0.01 is 1%), got ${churn}`,
    );
  }
}

/** Generates the estate of the options, partition by partition, cell by cell. */
class SampleEstate {
  readonly estate: Estate;
  readonly #accountIndex: Map<string, number>;
  readonly #regionIndex: Map<string, number>;
  readonly #cells = new Map<number, CellPlan>();

  constructor(options: SampleOptions) {
    checkOptions(options);
    this.estate = planEstate(options);
    this.#accountIndex = new Map(this.estate.accounts.map((a, i) => [a, i]));
    this.#regionIndex = new Map(this.estate.regions.map((r, i) => [r.name, i]));
  }

  /** Every unit: each account's regions, then its global unit. */
  units(): Unit[] {
    const units: Unit[] = [];
    for (const accountId of this.estate.accounts) {
      for (const region of this.estate.regions) {
        units.push({ provider: PROVIDER_TOKEN, accountId, region: region.name });
      }
      units.push({ provider: PROVIDER_TOKEN, accountId, region: GLOBAL_REGION });
    }
    return units;
  }

  /** The cells whose resources make up a partition. */
  cellsOf(partition: PartitionKey): Iterable<number> {
    const account = this.#accountIndex.get(partition.accountId);
    const global = partition.region === GLOBAL_REGION;
    const region = this.#regionIndex.get(partition.region);
    const scopeMatches = (scopeOf(partition.resourceType) === "global") === global;
    if (
      partition.provider !== PROVIDER_TOKEN ||
      account === undefined ||
      (!global && region === undefined) ||
      !scopeMatches
    ) {
      throw new PartitionFailure(
        "invalid_data",
        `partition ${partitionId(partition)} is not part of the sample estate; list one of the units the sample provider returned`,
      );
    }
    if (global) return cellsOfAccount(this.estate, account);
    return cellsOfUnit(this.estate, account * this.estate.regions.length + (region ?? 0));
  }

  /** A cell's plan; the last few are cached because every type of a unit reads them. */
  cell(index: number): CellPlan {
    let plan = this.#cells.get(index);
    if (plan === undefined) {
      plan = planCell(this.estate, index);
      if (this.#cells.size >= CELL_CACHE_SIZE) {
        const oldest = this.#cells.keys().next();
        if (!oldest.done) this.#cells.delete(oldest.value);
      }
      this.#cells.set(index, plan);
    }
    return plan;
  }

  /** The resources of one partition, in pages of about SAMPLE_PAGE_SIZE. */
  *pages(partition: PartitionKey): Generator<ObservedResource[]> {
    const generate = GENERATORS[partition.resourceType];
    const view = { estate: this.estate, scan: this.estate.scan };
    let page: ObservedResource[] = [];
    for (const c of this.cellsOf(partition)) {
      generate(this.cell(c), view, page);
      if (page.length >= SAMPLE_PAGE_SIZE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }
}

/** The sample provider: name and provider token "sample". */
export function createSampleProvider(options: SampleOptions): Provider {
  const sample = new SampleEstate(options);
  const failing = new Set(options.failTypes ?? []);
  let calls = 0;
  return {
    name: "sample",
    concurrency: SAMPLE_CONCURRENCY,
    async units(signal) {
      signal.throwIfAborted();
      return sample.units();
    },
    async *list(partition, signal) {
      calls += 1;
      if (failing.has(partition.resourceType)) {
        throw new PartitionFailure(
          "access_denied",
          `list ${partition.resourceType} in ${partition.region} for ${partition.accountId}: the sample provider denies ${partition.resourceType} because it is in failTypes; remove it from failTypes to list it`,
        );
      }
      for (const page of sample.pages(partition)) {
        signal.throwIfAborted();
        yield page;
      }
    },
    apiCalls() {
      return new Map([["sample:list", calls]]);
    },
  };
}

/** One resource of the estate with the partition it is published in. */
export interface SampleResource {
  readonly partition: PartitionKey;
  readonly resource: ObservedResource;
}

/** Every resource of the estate at the options' scan, streaming, partition by partition. */
export function* sampleResources(options: SampleOptions): Generator<SampleResource> {
  const sample = new SampleEstate(options);
  for (const unit of sample.units()) {
    for (const resourceType of typesForRegion(unit.region)) {
      const partition: PartitionKey = { ...unit, resourceType };
      for (const page of sample.pages(partition)) {
        for (const resource of page) yield { partition, resource };
      }
    }
  }
}

/** Exactly what differs between scan k-1 and scan k (empty for k = 1). */
export function sampleChurn(options: SampleOptions): SampleChurn {
  return computeChurn(new SampleEstate(options).estate);
}
