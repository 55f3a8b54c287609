/**
 * A small deterministic in-memory Provider for scanner and publisher tests: configurable
 * units, resources per partition and page size, a partition whose listing throws after
 * some resources, an oversized resource, and a pause per page (to interrupt a scan).
 * Resources are generic: an empty typed payload of the partition's type, identified by
 * id, name and tags, so nothing here is written per resource type.
 */
import { create, type DescMessage } from "@bufbuild/protobuf";
import type { ObservedResource } from "../../src/contract/encode.ts";
import {
  RESOURCE_TYPES,
  type ResourcePayload,
  type ResourceType,
} from "../../src/contract/resource-types.ts";
import { type PartitionKey, partitionId } from "../../src/contract/subject.ts";
import type { PartitionFailure } from "../../src/errors.ts";
import { InfrastructureChangeEventSchema } from "../../src/gen/elava/v1/event_pb.ts";
import type { Provider, Unit } from "../../src/providers/provider.ts";

export interface FakeProviderOptions {
  /** Units as `account/region` plus an optional failure. */
  units: ReadonlyArray<{ accountId: string; region: string; failure?: PartitionFailure }>;
  /** Resources per partition; 0 for types not listed here when a function returns 0. */
  resources: number | ((p: PartitionKey) => number);
  pageSize?: number;
  /** Changes every resource's content (a tag), to make a later scan differ. */
  generation?: number;
  /** `partitionId` -> throw this error after yielding `after` resources. */
  throwIn?: ReadonlyMap<string, { after: number; error: Error }>;
  /** `partitionId` -> the index of a resource given a tag of `bytes` bytes. */
  oversized?: ReadonlyMap<string, { index: number; bytes: number }>;
  /** Wait this long before each page. */
  pageDelayMs?: number;
}

const messageOfCase = new Map<string, DescMessage>(
  InfrastructureChangeEventSchema.fields.flatMap((f) =>
    f.oneof?.name === "resource" && f.fieldKind === "message"
      ? [[f.localName, f.message] as const]
      : [],
  ),
);

/** The id of the n-th fake resource of a type: shapes that exercise subject tokens. */
export function fakeResourceId(type: ResourceType, accountId: string, n: number): string {
  if (type === "s3_bucket") return `bucket.${n}.example.com`;
  if (type === "iam_role") return `arn:aws:iam::${accountId}:role/team/role-${n}`;
  return `${type.replaceAll("_", "-")}-${n.toString(16).padStart(8, "0")}`;
}

/** The n-th fake resource of a partition. */
export function fakeResource(
  p: PartitionKey,
  n: number,
  generation = 0,
  padBytes = 0,
): ObservedResource {
  const c = RESOURCE_TYPES[p.resourceType].case;
  const schema = messageOfCase.get(c);
  if (schema === undefined) throw new Error(`no payload message for ${c}`);
  const tags: Record<string, string> = {
    Name: `${p.resourceType}-${n}`,
    team: n % 2 === 0 ? "core" : "edge",
    generation: String(generation),
  };
  if (padBytes > 0) tags.padding = "x".repeat(padBytes);
  return {
    id: fakeResourceId(p.resourceType, p.accountId, n),
    name: `${p.resourceType}-${n}`,
    arn: "",
    tags,
    payload: { case: c, value: create(schema) } as ResourcePayload,
  };
}

/** A deterministic Provider; `listed` counts list calls per partition id. */
export class FakeProvider implements Provider {
  readonly name = "fake";
  readonly listed = new Map<string, number>();
  constructor(readonly options: FakeProviderOptions) {}

  async units(): Promise<Unit[]> {
    return this.options.units.map((u) => {
      const unit: Unit = { provider: "aws", accountId: u.accountId, region: u.region };
      return u.failure === undefined ? unit : { ...unit, failure: u.failure };
    });
  }

  /** How many resources a partition holds. */
  count(p: PartitionKey): number {
    const r = this.options.resources;
    return typeof r === "number" ? r : r(p);
  }

  async *list(p: PartitionKey, signal: AbortSignal): AsyncIterable<ObservedResource[]> {
    const id = partitionId(p);
    this.listed.set(id, (this.listed.get(id) ?? 0) + 1);
    const total = this.count(p);
    const pageSize = this.options.pageSize ?? 100;
    const throwIn = this.options.throwIn?.get(id);
    const oversized = this.options.oversized?.get(id);
    let n = 0;
    while (n < total) {
      if (this.options.pageDelayMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, this.options.pageDelayMs));
      }
      if (signal.aborted) throw signal.reason;
      const page: ObservedResource[] = [];
      for (; n < total && page.length < pageSize; n++) {
        if (throwIn !== undefined && n === throwIn.after) {
          if (page.length > 0) yield page;
          throw throwIn.error;
        }
        page.push(
          fakeResource(p, n, this.options.generation, oversized?.index === n ? oversized.bytes : 0),
        );
      }
      yield page;
    }
  }
}
