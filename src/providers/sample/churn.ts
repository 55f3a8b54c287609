/**
 * What changes between scans, computed for any scan k directly, without the scans before.
 *
 * Churnable slots: a cell has a few slots for resources nothing else references
 * (standalone instances, launch-wizard security groups, unused IAM roles, scratch
 * buckets). A slot lives in generations of a seed-determined length L: within each
 * generation it exists for its first `aliveLen` scans and is gone for the rest, so at scan
 * k it is alive iff (k + phase) mod L < aliveLen. Each generation has a new id, as a new
 * instance would: a birth is a CREATED resource, a death a DISAPPEARED one.
 *
 * Modification targets: a few fields of the cell (the bastion's office CIDR, a target
 * group's health check, the database's storage, ...) are a function of a version v = floor((k + phase)
 * / M), which steps by at most one per scan. Each target's value function changes on every
 * step, so the reported field paths are exactly the ones that differ.
 *
 * With churn 0 every scan looks like scan 1, but for its volatile values (free IPs, restore
 * times, health: fields the schema marks volatile), which move on every scan as they do in
 * AWS and are no change.
 */
import { GLOBAL_REGION, type ResourceType } from "../../contract/resource-types.ts";
import { type CellPlan, Key, planCell } from "./cell.ts";
import type { Estate } from "./estate.ts";
import { ec2Id, hash, Rng } from "./random.ts";

/** One resource of the estate, by partition and id. */
export interface ResourceRef {
  resourceType: ResourceType;
  accountId: string;
  region: string;
  resourceId: string;
}

/** Exactly what differs between scan k-1 and scan k. */
export interface SampleChurn {
  scan: number;
  created: ResourceRef[];
  modified: Array<ResourceRef & { fieldPaths: string[] }>;
  disappeared: ResourceRef[];
}

/** The kinds of churnable slot, with how many a cell has. */
export const SLOT_KINDS = {
  instance: { id: 0, count: 4, type: "ec2_instance" },
  securityGroup: { id: 1, count: 2, type: "security_group" },
  role: { id: 2, count: 2, type: "iam_role" },
  bucket: { id: 3, count: 2, type: "s3_bucket" },
} as const satisfies Record<string, { id: number; count: number; type: ResourceType }>;

export type SlotKind = keyof typeof SLOT_KINDS;

/** Lifetime used for the shape of slots when churn is 0 (only scan 1 is ever generated). */
const STATIC_PERIOD = 40;

/** The scan whose state is generated: k, or 1 when nothing churns. */
export function effectiveScan(estate: Estate, k: number): number {
  return estate.churn > 0 ? k : 1;
}

/** A slot's state at one scan. */
export interface SlotLife {
  readonly alive: boolean;
  readonly generation: number;
  /** The scan at which the current generation was born (may be <= 0: before scan 1). */
  readonly bornScan: number;
  /** The random key of this generation: everything about it derives from it. */
  readonly key: number;
}

/** The state of one slot at scan k. */
export function slotLife(
  estate: Estate,
  cell: number,
  kind: SlotKind,
  slot: number,
  k: number,
): SlotLife {
  const kindId = SLOT_KINDS[kind].id;
  const r = new Rng(hash(estate.key, Key.Slot, cell, kindId, slot));
  const mean = Number.isFinite(estate.lifetime) ? estate.lifetime : STATIC_PERIOD;
  const period = Math.max(2, Math.round(mean * (0.75 + 0.5 * r.float())));
  const aliveLen = Math.min(period - 1, Math.max(1, Math.round(period * (0.55 + 0.3 * r.float()))));
  const phase = r.int(0, period - 1);
  const t = effectiveScan(estate, k) + phase;
  const generation = Math.floor(t / period);
  const p = t - generation * period;
  return {
    alive: p < aliveLen,
    generation,
    bornScan: effectiveScan(estate, k) - p,
    key: hash(estate.key, Key.SlotGeneration, cell, kindId * 64 + slot, generation),
  };
}

/** The modification targets of a cell: the fields whose value follows a version. */
export const MOD_TARGETS = {
  bastionCidr: {
    id: 0,
    type: "security_group",
    paths: ["security_group.ingress_rules[0].cidr_block"],
  },
  healthCheckPath: { id: 1, type: "target_group", paths: ["target_group.health_check_path"] },
  dbStorage: { id: 2, type: "rds_instance", paths: ["rds_instance.allocated_storage"] },
  bucketVersioning: { id: 3, type: "s3_bucket", paths: ["s3_bucket.versioning"] },
  roleSession: { id: 4, type: "iam_role", paths: ["iam_role.max_session_duration"] },
  nodeLabels: { id: 5, type: "eks_node_group", paths: ["eks_node_group.labels"] },
  albVersion: { id: 6, type: "load_balancer", paths: ["tags.Version"] },
  templateVersion: { id: 7, type: "launch_template", paths: ["launch_template.latest_version"] },
  clusterPlatform: { id: 8, type: "eks_cluster", paths: ["eks_cluster.platform_version"] },
} as const satisfies Record<string, { id: number; type: ResourceType; paths: readonly string[] }>;

export type ModTarget = keyof typeof MOD_TARGETS;

/** The path a standalone instance's modification changes. */
export const INSTANCE_TYPE_PATH = "ec2_instance.instance_type";

/** The version of a modification target at scan k (`targetId` >= 16 are instance slots). */
export function modVersion(estate: Estate, cell: number, targetId: number, k: number): number {
  const r = new Rng(hash(estate.key, Key.Mod, cell, targetId));
  const mean = Number.isFinite(estate.modPeriod) ? estate.modPeriod : STATIC_PERIOD;
  const period = Math.max(1, Math.round(mean * (0.75 + 0.5 * r.float())));
  return Math.floor((effectiveScan(estate, k) + r.int(0, period - 1)) / period);
}

/** The version of a named target. */
export function version(estate: Estate, cell: number, target: ModTarget, k: number): number {
  return modVersion(estate, cell, MOD_TARGETS[target].id, k);
}

/** The version of a standalone instance slot's type. */
export function instanceVersion(estate: Estate, cell: number, slot: number, k: number): number {
  return modVersion(estate, cell, 16 + slot, k);
}

const WORKER_TYPES = ["t3.medium", "t3.large", "m6i.large", "c6i.large", "r6i.large"];

/** The instance type of a standalone instance at a version: differs for consecutive versions. */
export function workerType(generationKey: number, v: number): string {
  return WORKER_TYPES[(generationKey + v) % WORKER_TYPES.length] as string;
}

/** Value functions of the targets; each differs between consecutive versions. */
export const modValues = {
  officeCidr: (v: number) => `203.0.113.${(v % 250) + 1}/32`,
  healthCheckPath: (v: number) => (v % 2 === 0 ? "/healthz" : "/health/ready"),
  storage: (base: number, v: number) => base + 20 * v,
  versioning: (v: number) => (v % 2 === 0 ? "Enabled" : "Suspended"),
  maxSession: (v: number) => (v % 2 === 0 ? 3600 : 7200),
  rolloutWave: (v: number) => String(v),
  releaseTag: (v: number) => `2025.${v}`,
  templateVersion: (base: number, v: number) => base + v,
  platform: (base: number, v: number) => `eks.${base + v}`,
};

/** Ids and names of slot resources, derived from the generation's key. */
export const slotIds = {
  instance: (life: SlotLife) => ec2Id("i", life.key),
  securityGroup: (life: SlotLife) => ec2Id("sg", life.key),
  roleName: (cell: CellPlan, slot: number, life: SlotLife) =>
    `${cell.stem}-job-${slot}-${(life.key % 1_679_616).toString(36)}`,
  roleArn: (cell: CellPlan, slot: number, life: SlotLife) =>
    `arn:aws:iam::${cell.accountId}:role/${slotIds.roleName(cell, slot, life)}`,
  bucket: (company: string, cell: CellPlan, slot: number, life: SlotLife) =>
    `${company}.${cell.stem}.export-${slot}-${(life.key % 1_679_616).toString(36)}`,
};

/** The id a slot's resource has in one generation. */
function slotResourceId(
  estate: Estate,
  cell: CellPlan,
  kind: SlotKind,
  slot: number,
  life: SlotLife,
): string {
  switch (kind) {
    case "instance":
      return slotIds.instance(life);
    case "securityGroup":
      return slotIds.securityGroup(life);
    case "role":
      return slotIds.roleArn(cell, slot, life);
    case "bucket":
      return slotIds.bucket(estate.company, cell, slot, life);
  }
}

function ref(cell: CellPlan, type: ResourceType, resourceId: string): ResourceRef {
  const global = type === "iam_role" || type === "s3_bucket";
  return {
    resourceType: type,
    accountId: cell.accountId,
    region: global ? GLOBAL_REGION : cell.region.name,
    resourceId,
  };
}

/** The resource id of a modification target in a cell. */
function targetResourceId(cell: CellPlan, target: ModTarget): string {
  switch (target) {
    case "bastionCidr":
      return cell.sg.bastion;
    case "healthCheckPath":
      return cell.tg.arn;
    case "dbStorage":
      return cell.db.primary;
    case "bucketVersioning":
      return cell.buckets[0]?.name ?? "";
    case "roleSession":
      return cell.roles.app.arn;
    case "nodeLabels":
      return `${cell.cluster.name}/${cell.cluster.nodeGroups[0]?.name ?? ""}`;
    case "albVersion":
      return cell.alb.arn;
    case "templateVersion":
      return cell.appLt.id;
    case "clusterPlatform":
      return cell.cluster.name;
  }
}

/** Everything that differs between scan k-1 and scan k of the estate (empty for k = 1). */
export function computeChurn(estate: Estate): SampleChurn {
  const k = estate.scan;
  const churn: SampleChurn = { scan: k, created: [], modified: [], disappeared: [] };
  if (k <= 1 || estate.churn <= 0) return churn;
  for (let c = 0; c < estate.cellCount; c++) {
    const cell = planCell(estate, c);
    for (const kind of Object.keys(SLOT_KINDS) as SlotKind[]) {
      const { count, type } = SLOT_KINDS[kind];
      for (let s = 0; s < count; s++) {
        const before = slotLife(estate, c, kind, s, k - 1);
        const now = slotLife(estate, c, kind, s, k);
        const same = before.alive && now.alive && before.generation === now.generation;
        if (before.alive && !same) {
          churn.disappeared.push(ref(cell, type, slotResourceId(estate, cell, kind, s, before)));
        }
        if (now.alive && !same) {
          churn.created.push(ref(cell, type, slotResourceId(estate, cell, kind, s, now)));
        }
        if (
          same &&
          kind === "instance" &&
          instanceVersion(estate, c, s, k) !== instanceVersion(estate, c, s, k - 1)
        ) {
          churn.modified.push({
            ...ref(cell, type, slotIds.instance(now)),
            fieldPaths: [INSTANCE_TYPE_PATH],
          });
        }
      }
    }
    for (const target of Object.keys(MOD_TARGETS) as ModTarget[]) {
      if (version(estate, c, target, k) === version(estate, c, target, k - 1)) continue;
      const { type, paths } = MOD_TARGETS[target];
      churn.modified.push({
        ...ref(cell, type, targetResourceId(cell, target)),
        fieldPaths: [...paths],
      });
    }
  }
  return churn;
}
