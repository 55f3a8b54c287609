/**
 * The resource types of stream contract v1. Each is a case of the `resource` oneof of
 * `InfrastructureChangeEvent`; the proto field name (`ec2_instance`) is the
 * `resource_type` string used in subjects, markers and CLI filters, and protobuf-es names
 * the case in camelCase (`ec2Instance`).
 */
import { type DescField, getOption } from "@bufbuild/protobuf";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";
import { Scope as ProtoScope, resource as resourceOption } from "../gen/elava/v1/options_pb.ts";

/** The `resource` oneof of the event: `{ case: "vpc", value: Vpc }` and so on. */
export type ResourcePayload = Exclude<InfrastructureChangeEvent["resource"], { case: undefined }>;

/** A protobuf-es oneof case name, e.g. `ec2Instance`. */
export type ResourceCase = ResourcePayload["case"];

/** Where a resource type is scanned: once per region, or once per account under `global`. */
export type Scope = "regional" | "global";

/** The region name under which global types are scanned and published. */
export const GLOBAL_REGION = "global";

/**
 * A resource type string, e.g. `ec2_instance`: the proto name of a case of the `resource`
 * oneof, which protobuf-es names in camelCase (`ec2Instance`). Derived from the generated
 * code, so a new case of the oneof is a new type with nothing else to list.
 */
export type ResourceType = SnakeCase<ResourceCase>;

/** `ec2Instance` -> `ec2_instance`. */
type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;

/** `ec2_instance` -> `ec2Instance`. */
type CamelCase<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S;

/** What the schema says of a resource type. */
export interface ResourceTypeInfo<T extends ResourceType = ResourceType> {
  /** Its oneof case name (`ec2Instance`). */
  readonly case: CamelCase<T>;
  /** Its proto file under elava/v1, in words (`load_balancing.proto` -> `load balancing`). */
  readonly domain: string;
  /** From its message's `(elava.v1.resource).scope`. */
  readonly scope: Scope;
}

/** What the schema says of the resource type of one case of the `resource` oneof. */
export function resourceTypeInfo(field: DescField): ResourceTypeInfo {
  if (field.fieldKind !== "message") {
    throw new Error(
      `oneof case ${field.name} of elava.v1.InfrastructureChangeEvent is not a message`,
    );
  }
  const scope = getOption(field.message, resourceOption).scope;
  if (scope !== ProtoScope.REGIONAL && scope !== ProtoScope.GLOBAL) {
    throw new Error(
      `${field.message.typeName} declares no scope: give it option (elava.v1.resource) = { scope: SCOPE_REGIONAL } or SCOPE_GLOBAL`,
    );
  }
  const file = field.message.file.name.split("/").at(-1) ?? "";
  return {
    case: field.localName as ResourceCase,
    domain: file.replaceAll("_", " "),
    scope: scope === ProtoScope.GLOBAL ? "global" : "regional",
  } as ResourceTypeInfo;
}

/**
 * Every v1 resource type, in the order of the oneof's fields (the domain order of DESIGN.md
 * for the first 18, later ones appended), read from the schema the generated code embeds.
 */
export const RESOURCE_TYPES: { readonly [T in ResourceType]: ResourceTypeInfo<T> } =
  Object.fromEntries(
    (InfrastructureChangeEventSchema.oneofs.find((o) => o.name === "resource")?.fields ?? []).map(
      (f) => [f.name, resourceTypeInfo(f)],
    ),
  ) as { readonly [T in ResourceType]: ResourceTypeInfo<T> };

/** The oneof payload of one type: `PayloadOf<"vpc">` is `{ case: "vpc"; value: Vpc }`. */
export type PayloadOf<T extends ResourceType> = Extract<ResourcePayload, { case: CamelCase<T> }>;

/** The typed message of one type: `MessageOf<"vpc">` is `Vpc`. */
export type MessageOf<T extends ResourceType> = PayloadOf<T>["value"];

/** All resource type names. */
export const ALL_RESOURCE_TYPES = Object.keys(RESOURCE_TYPES) as ResourceType[];

const TYPE_OF_CASE = new Map<string, ResourceType>(
  ALL_RESOURCE_TYPES.map((t) => [RESOURCE_TYPES[t].case, t]),
);

export function isResourceType(value: string): value is ResourceType {
  return Object.hasOwn(RESOURCE_TYPES, value);
}

/** The resource type of a oneof case name (`ec2Instance` -> `ec2_instance`). */
export function resourceTypeOfCase(c: ResourceCase): ResourceType {
  const t = TYPE_OF_CASE.get(c);
  if (t === undefined) throw new Error(`oneof case "${c}" is not a known resource type`);
  return t;
}

export function scopeOf(type: ResourceType): Scope {
  return RESOURCE_TYPES[type].scope;
}

/** The resource types scanned in a unit: the global ones in `global`, the others elsewhere. */
export function typesForRegion(region: string): ResourceType[] {
  const scope: Scope = region === GLOBAL_REGION ? "global" : "regional";
  return ALL_RESOURCE_TYPES.filter((t) => RESOURCE_TYPES[t].scope === scope);
}

/** Builds a typed payload: `payload("vpc", vpc)`. */
export function payload<T extends ResourceType>(type: T, value: MessageOf<T>): PayloadOf<T> {
  return { case: RESOURCE_TYPES[type].case, value } as PayloadOf<T>;
}
