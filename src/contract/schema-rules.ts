/**
 * The schema's own rules, read from the custom options of elava.v1
 * (proto/elava/v1/options.proto) in the descriptors the generated code embeds: which
 * fields are volatile, which lists are unordered, which fields reference other resources,
 * and each resource type's scope and identity. Nothing here is written per type: the
 * hash (encode.ts, wire.ts), the references (references.ts) and the field diffs all ask
 * these functions, so the proto file is the one place a rule is stated.
 */
import { create, type DescField, type DescMessage, getOption } from "@bufbuild/protobuf";
import { InfrastructureChangeEventSchema } from "../gen/elava/v1/event_pb.ts";
import {
  type FieldRules,
  FieldRulesSchema,
  field as fieldOption,
  IdForm,
  type ResourceRules,
  resource as resourceOption,
  Scope,
} from "../gen/elava/v1/options_pb.ts";
import { ALL_RESOURCE_TYPES, RESOURCE_TYPES, type ResourceType } from "./resource-types.ts";

export type { FieldRules, ResourceRules };
export { IdForm, Scope };

/** The relation names of the seed design (the Elava -> AHTI integration), as edges carry them. */
export const RELATIONS = [
  "runs_in",
  "attached_to",
  "routes_via",
  "protected_by",
  "assumed_by",
  "targets",
  "registers_to",
  "uses_template",
  "uses_subnet_group",
  "owns",
  "routes_through",
  "deploys_in",
  "belongs_to",
  "managed_by",
  "replicates_from",
  "peers_via",
  "nats_through",
  "public_access",
  "connects_to",
  "manages",
  "depends_on",
  "contains",
] as const;

/** A relation name of the seed design. */
export type Relation = (typeof RELATIONS)[number];

/** Whether a name is one of RELATIONS. */
export function isRelation(name: string): name is Relation {
  return (RELATIONS as readonly string[]).includes(name);
}

const NO_RULES: FieldRules = create(FieldRulesSchema);
const fieldRulesCache = new WeakMap<DescField, FieldRules>();

/** The `(elava.v1.field)` rules of a field; all false and empty when it has none. */
export function fieldRules(field: DescField): FieldRules {
  let rules = fieldRulesCache.get(field);
  if (rules === undefined) {
    rules = field.proto.options === undefined ? NO_RULES : getOption(field, fieldOption);
    fieldRulesCache.set(field, rules);
  }
  return rules;
}

/** The field's value moves by itself: published, but out of the content hash and of diffs. */
export function isVolatile(field: DescField): boolean {
  return fieldRules(field).volatile;
}

/** The repeated field is a set: published in canonical order, hashed as a set. */
export function isUnordered(field: DescField): boolean {
  return fieldRules(field).unordered;
}

/** The messages a message holds (itself first), well-known types excluded. */
export function messagesWithin(root: DescMessage): DescMessage[] {
  const seen = new Map<string, DescMessage>();
  const visit = (m: DescMessage) => {
    if (seen.has(m.typeName) || m.typeName.startsWith("google.protobuf.")) return;
    seen.set(m.typeName, m);
    for (const f of m.fields) {
      if (f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message")) {
        visit(f.message);
      }
    }
  };
  visit(root);
  return [...seen.values()];
}

/** Whether any field of the message, or of a message within it, has a rule `has` holds for. */
export function anyFieldWithin(root: DescMessage, has: (rules: FieldRules) => boolean): boolean {
  return messagesWithin(root).some((m) => m.fields.some((f) => has(fieldRules(f))));
}

const payloadSchemas = new Map<ResourceType, DescMessage>(
  ALL_RESOURCE_TYPES.map((type) => {
    const f = InfrastructureChangeEventSchema.fields.find(
      (x) => x.localName === RESOURCE_TYPES[type].case,
    );
    if (f?.fieldKind !== "message") throw new Error(`no payload message for ${type}`);
    return [type, f.message];
  }),
);

/** The payload message of a resource type (`vpc` -> elava.v1.Vpc). */
export function payloadSchema(type: ResourceType): DescMessage {
  return payloadSchemas.get(type) as DescMessage;
}

const resourceRulesCache = new Map<ResourceType, ResourceRules>();

/** The `(elava.v1.resource)` rules of a resource type: its scope and identity. */
export function resourceRules(type: ResourceType): ResourceRules {
  let rules = resourceRulesCache.get(type);
  if (rules === undefined) {
    rules = getOption(payloadSchema(type), resourceOption);
    resourceRulesCache.set(type, rules);
  }
  return rules;
}
