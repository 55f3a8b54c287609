/**
 * Sharding the units (account x region) among n replicas with no coordination, by
 * rendezvous (highest random weight) hashing: each replica scores a unit by hashing the
 * unit's key with the replica's index, and the unit belongs to the replica with the
 * highest score. Every replica computes the same answer from the unit alone, so the n
 * shards cover every unit exactly once, and a unit's shard never depends on which other
 * units exist: adding an account or enabling a region moves nothing else. Changing n
 * moves only about 1/n of the units.
 */
import { createHash } from "node:crypto";
import type { ShardSpec } from "../config/settings.ts";
import type { Unit } from "../providers/provider.ts";

/** The stable key of a unit: `provider/account/region`. */
export function unitKey(unit: Pick<Unit, "provider" | "accountId" | "region">): string {
  return `${unit.provider}/${unit.accountId}/${unit.region}`;
}

function score(key: string, replica: number): bigint {
  return createHash("sha256").update(`${replica}\u0000${key}`).digest().readBigUInt64BE(0);
}

/** The replica (0 .. count-1) that scans a unit. */
export function shardOf(
  unit: Pick<Unit, "provider" | "accountId" | "region">,
  count: number,
): number {
  const key = unitKey(unit);
  let best = 0;
  let bestScore = -1n;
  for (let i = 0; i < count; i++) {
    const s = score(key, i);
    if (s > bestScore) {
      best = i;
      bestScore = s;
    }
  }
  return best;
}

/** The units of `units` that belong to `shard`. */
export function unitsOfShard<U extends Pick<Unit, "provider" | "accountId" | "region">>(
  units: readonly U[],
  shard: ShardSpec,
): U[] {
  if (shard.count <= 1) return [...units];
  return units.filter((u) => shardOf(u, shard.count) === shard.index);
}
