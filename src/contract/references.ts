/**
 * References between resources, followed from the schema's options alone: a field's
 * `(elava.v1.field).references` say which type its values name and how, the target type's
 * `(elava.v1.resource)` says what its resource_id is and whether it is global. This
 * module is what a consumer in another language would write from the descriptor
 * (docs/stream-contract.md, "References"); `graph` is built on it and keeps no table of
 * its own.
 *
 * Two functions: `resolveReferences` turns a snapshot's reference fields into target keys
 * (resource_type, account, region, resource_id), and `resourceKey` gives a resource's own
 * key. They differ from the subject's partition in one case: a resource that both of its
 * accounts list (a VPC peering) is keyed by its owner, so that it is one entity whichever
 * side scanned it; `publishedKey` is the key it was published under, which a reference
 * from that side finds it by.
 */
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import type { InfrastructureChangeEvent } from "../gen/elava/v1/event_pb.ts";
import type { Reference } from "../gen/elava/v1/options_pb.ts";
import {
  ALL_RESOURCE_TYPES,
  GLOBAL_REGION,
  isResourceType,
  type ResourceType,
  resourceTypeOfCase,
} from "./resource-types.ts";
import {
  fieldRules,
  IdForm,
  isRelation,
  payloadSchema,
  RELATIONS,
  type Relation,
  resourceRules,
  Scope,
} from "./schema-rules.ts";

export { RELATIONS, type Relation };

/** Where a resource is: what a reference resolves to and what a graph node is keyed by. */
export interface ResourceKey {
  readonly resourceType: string;
  readonly accountId: string;
  readonly region: string;
  readonly resourceId: string;
}

/** A key as text: `<type>:<account>:<region>:<id>`. */
export function keyText(k: ResourceKey): string {
  return `${k.resourceType}:${k.accountId}:${k.region}:${k.resourceId}`;
}

/** One declared reference of a resource type: the annotated field and where it is. */
export interface ReferenceSite {
  readonly sourceType: ResourceType;
  /** The field's path in the payload: `vpc_id`, `routes[].target_id`. */
  readonly path: string;
  /** The path of the message holding the field: [] for the payload, ["routes"] inside routes. */
  readonly holder: readonly DescField[];
  readonly field: DescField;
  readonly reference: Reference;
  readonly relation: Relation;
  readonly targetType: ResourceType;
}

function sitesOf(sourceType: ResourceType): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  const visit = (message: DescMessage, holder: DescField[], prefix: string) => {
    for (const field of message.fields) {
      const list = field.fieldKind === "list";
      for (const reference of fieldRules(field).references) {
        const { targetType, relation } = reference;
        if (!isResourceType(targetType)) {
          throw new Error(
            `${message.typeName}.${field.name}: reference target_type "${targetType}" is not a resource type`,
          );
        }
        if (!isRelation(relation)) {
          throw new Error(
            `${message.typeName}.${field.name}: relation "${relation}" is not one of ${RELATIONS.join(", ")}`,
          );
        }
        sites.push({
          sourceType,
          path: `${prefix}${field.name}`,
          holder,
          field,
          reference,
          relation,
          targetType,
        });
      }
      const nested =
        field.fieldKind === "message" || (list && field.listKind === "message")
          ? field.message
          : undefined;
      if (nested !== undefined && !nested.typeName.startsWith("google.protobuf.")) {
        visit(nested, [...holder, field], `${prefix}${field.name}${list ? "[]" : ""}.`);
      }
    }
  };
  visit(payloadSchema(sourceType), [], "");
  return sites;
}

const SITES = new Map<ResourceType, readonly ReferenceSite[]>(
  ALL_RESOURCE_TYPES.map((t) => [t, sitesOf(t)]),
);

/** Every reference a resource type declares, in field order. */
export function referenceSites(type: ResourceType): readonly ReferenceSite[] {
  return SITES.get(type) ?? [];
}

/** A reference of one resource, resolved to where its target is. */
export interface ResolvedReference {
  /** The field(s) it came from: `vpc_id`, `routes[].target_id`, `eks_cluster_name+eks_node_group_name`. */
  readonly field: string;
  /** The value as the resource holds it (composites joined with "/"). */
  readonly value: string;
  readonly relation: Relation;
  /** The edge points from the target to the source. */
  readonly inverse: boolean;
  /**
   * The target's key. With `targetField`, its resourceId is the value to look for in that
   * payload field of the target type's resources in that account and region.
   */
  readonly target: ResourceKey;
  /** The target is the resource whose payload field of this name holds the value. */
  readonly targetField?: string;
}

/** A message as protobuf-es represents it: its fields by local name. */
type Fields = Readonly<Record<string, unknown>>;

/** The values of a field of a message: a scalar's, or a list's elements; "" left out. */
function stringsOf(holder: Fields, field: DescField | undefined): string[] {
  if (field === undefined) return [];
  const v = holder[field.localName];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string" && x !== "");
  return typeof v === "string" && v !== "" ? [v] : [];
}

/** The value under one key of a map<string, string> field; "" and a missing key give none. */
function mapValueOf(holder: Fields, field: DescField, key: string): string[] {
  const map = holder[field.localName] as Readonly<Record<string, unknown>> | undefined;
  const v = map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
  return typeof v === "string" && v !== "" ? [v] : [];
}

/** The messages at a holder path: the payload, or every element of the lists on the way. */
function holdersAt(payload: Fields, holder: readonly DescField[]): Fields[] {
  let current: Fields[] = [payload];
  for (const field of holder) {
    const next: Fields[] = [];
    for (const c of current) {
      const v = c[field.localName];
      if (Array.isArray(v)) next.push(...(v as Fields[]));
      else if (v !== undefined && v !== null) next.push(v as Fields);
    }
    current = next;
  }
  return current;
}

function fieldNamed(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name);
}

/** Every combination of one value per part (a repeated part gives one per element). */
function combinations(parts: readonly string[][]): string[][] {
  let out: string[][] = [[]];
  for (const values of parts) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return out;
}

/** The parts of an ARN; undefined when the value is not one. */
export function parseArn(
  value: string,
): { accountId: string; region: string; resource: string } | undefined {
  const parts = value.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return {
    region: parts[3] ?? "",
    accountId: parts[4] ?? "",
    resource: parts.slice(5).join(":"),
  };
}

/** An ARN's resource after its type: `db:mydb` -> `mydb`, `vpc/vpc-1` -> `vpc-1`. */
function arnResourceId(resource: string): string {
  const cut = resource.search(/[:/]/u);
  return cut < 0 ? resource : resource.slice(cut + 1);
}

function regionOf(type: ResourceType, region: string): string {
  return resourceRules(type).scope === Scope.GLOBAL ? GLOBAL_REGION : region;
}

function resolveSite(
  site: ReferenceSite,
  payload: Fields,
  source: { accountId: string; region: string },
  out: ResolvedReference[],
): void {
  const ref = site.reference;
  if (ref.when !== undefined) {
    const root = payloadSchema(site.sourceType);
    const values = stringsOf(payload, fieldNamed(root, ref.when.field));
    if (!values.some((v) => ref.when?.values.includes(v))) return;
  }
  const holderSchema = site.field.parent;
  const targetRules = resourceRules(site.targetType);
  const composite = ref.idForm === IdForm.COMPOSITE;
  const prefix = site.path.slice(0, site.path.length - site.field.name.length);
  const field = composite
    ? `${prefix}${ref.compositeFields.join("+")}`
    : ref.mapKey !== ""
      ? `${site.path}[${ref.mapKey}]`
      : site.path;
  for (const holder of holdersAt(payload, site.holder)) {
    const values = composite
      ? combinations(
          ref.compositeFields.map((n) => stringsOf(holder, fieldNamed(holderSchema, n))),
        ).map((parts) => parts.join("/"))
      : ref.mapKey !== ""
        ? mapValueOf(holder, site.field, ref.mapKey)
        : stringsOf(holder, site.field);
    const named = (name: string) =>
      name === "" ? undefined : stringsOf(holder, fieldNamed(holderSchema, name))[0];
    for (const value of values) {
      if (ref.idPrefixes.length > 0 && !ref.idPrefixes.some((p) => value.startsWith(p))) continue;
      let accountId = named(ref.accountField) ?? source.accountId;
      let region = named(ref.regionField) ?? source.region;
      let resourceId = value;
      const isArn = value.startsWith("arn:");
      if (ref.idForm === IdForm.ARN || (ref.idForm === IdForm.ID_OR_ARN && isArn)) {
        const arn = parseArn(value);
        // A value that should be an ARN and is not names nothing that can be followed.
        if (arn === undefined) continue;
        if (arn.accountId !== "") accountId = arn.accountId;
        if (arn.region !== "") region = arn.region;
        if (ref.targetField === "" && targetRules.idForm !== IdForm.ARN) {
          resourceId = arnResourceId(arn.resource);
        }
      }
      const target: ResourceKey = {
        resourceType: site.targetType,
        accountId,
        region: regionOf(site.targetType, region),
        resourceId,
      };
      out.push({
        field,
        value,
        relation: site.relation,
        inverse: ref.inverse,
        target,
        ...(ref.targetField === "" ? {} : { targetField: ref.targetField }),
      });
    }
  }
}

function typeOf(event: InfrastructureChangeEvent): ResourceType | undefined {
  const c = event.resource.case;
  return c === undefined ? undefined : resourceTypeOfCase(c);
}

/** The references a snapshot holds, resolved to their targets' keys, in field order. */
export function resolveReferences(event: InfrastructureChangeEvent): ResolvedReference[] {
  const type = typeOf(event);
  if (type === undefined) return [];
  const payload = event.resource.value as unknown as Fields;
  const out: ResolvedReference[] = [];
  for (const site of referenceSites(type)) resolveSite(site, payload, event, out);
  return out;
}

/** The key a snapshot was published under: its subject's account and region, and its id. */
export function publishedKey(event: InfrastructureChangeEvent): ResourceKey {
  return {
    resourceType: event.resourceType,
    accountId: event.accountId,
    region: event.region,
    resourceId: event.resourceId,
  };
}

/**
 * A resource's own key: the key it was published under, except that a type with an owner
 * (`owner_account_field`, a VPC peering) is keyed by its owner's account and region, the
 * same from every account that lists it.
 */
export function resourceKey(event: InfrastructureChangeEvent): ResourceKey {
  const type = typeOf(event);
  const key = publishedKey(event);
  if (type === undefined) return key;
  const rules = resourceRules(type);
  if (rules.ownerAccountField === "" && rules.ownerRegionField === "") return key;
  const payload = event.resource.value as unknown as Fields;
  const schema = payloadSchema(type);
  const owned = (name: string) =>
    name === "" ? undefined : stringsOf(payload, fieldNamed(schema, name))[0];
  return {
    ...key,
    accountId: owned(rules.ownerAccountField) ?? key.accountId,
    region: regionOf(type, owned(rules.ownerRegionField) ?? key.region),
  };
}
