/**
 * Field-level differences between two snapshots of one resource, by protobuf reflection,
 * so a new resource type or field needs no code here.
 *
 * Field paths are a contract (the sample provider's churn report uses the same ones):
 *   resource_name, arn               envelope fields that describe the resource
 *   tags.<key>                       one tag
 *   <resource_type>.<field>          a payload field (proto snake_case name)
 *   <resource_type>.<f>.<sub>        a field of a nested message
 *   <resource_type>.<f>[<i>].<sub>   a field of one element of a repeated message field
 * A repeated scalar field or a map inside the payload is compared as a whole, and so is a
 * `google.protobuf.Timestamp` (its value is the RFC 3339 text). A repeated message element
 * or a nested message present on one side only is reported whole at its own path
 * (`<f>[<i>]`, `<f>`), with null on the other side. The envelope fields id, observed_at,
 * scan_id, scan_started_at and content_hash change on every scan and are never differences,
 * and neither is a payload field the schema marks volatile (`(elava.v1.field).volatile`:
 * it moves by itself, and the content hash leaves it out too).
 */
import { type DescField, type DescMessage, toJson } from "@bufbuild/protobuf";
import { isReflectMessage, type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { TimestampSchema, timestampDate } from "@bufbuild/protobuf/wkt";
import { isVolatile } from "../contract/schema-rules.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";

/** A JSON value: what a difference reports for each side. */
export type FieldValue =
  | null
  | boolean
  | number
  | string
  | readonly FieldValue[]
  | { readonly [key: string]: FieldValue };

/** One field that differs: its path, the old value and the new one (null: absent). */
export interface Difference {
  readonly path: string;
  readonly old: FieldValue;
  readonly new: FieldValue;
}

/** Envelope fields that are identity (equal by construction) or change every scan. */
const ENVELOPE_IGNORED = new Set([
  "id",
  "observed_at",
  "change_type",
  "provider",
  "account_id",
  "region",
  "resource_type",
  "resource_id",
  "scan_id",
  "scan_started_at",
  "content_hash",
]);

/** The differences between two snapshots of the same resource, sorted by path. */
export function diffSnapshots(
  before: InfrastructureChangeEvent,
  after: InfrastructureChangeEvent,
): Difference[] {
  const out: Difference[] = [];
  const a = reflect(InfrastructureChangeEventSchema, before);
  const b = reflect(InfrastructureChangeEventSchema, after);
  for (const field of InfrastructureChangeEventSchema.fields) {
    if (ENVELOPE_IGNORED.has(field.name) || field.oneof !== undefined) continue;
    if (field.fieldKind === "map") {
      diffMapEntries(field.name, mapRecord(a, field), mapRecord(b, field), out);
    } else {
      diffField("", field, a, b, out);
    }
  }
  const pa = before.resource;
  const pb = after.resource;
  if (pa.case !== pb.case) {
    out.push({ path: "resource", old: pa.case ?? null, new: pb.case ?? null });
  } else if (pa.case !== undefined && pb.case !== undefined) {
    const field = InfrastructureChangeEventSchema.fields.find((f) => f.localName === pa.case);
    if (field?.fieldKind === "message") {
      diffMessage(
        `${field.name}.`,
        reflectOf(field.message, pa.value),
        reflectOf(field.message, pb.value),
        out,
      );
    }
  }
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

function reflectOf(desc: DescMessage, value: unknown): ReflectMessage {
  return reflect(desc, value as Parameters<typeof reflect>[1]);
}

function mapRecord(m: ReflectMessage, field: DescField): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  const map = m.get(field);
  if (map === undefined || typeof map !== "object" || !("entries" in map)) return out;
  for (const [k, v] of (map as ReadonlyMap<unknown, unknown>).entries()) {
    out[String(k)] = toValue(v);
  }
  return out;
}

function diffMapEntries(
  path: string,
  a: Record<string, FieldValue>,
  b: Record<string, FieldValue>,
  out: Difference[],
): void {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const va = a[key] ?? null;
    const vb = b[key] ?? null;
    if (!equal(va, vb)) out.push({ path: `${path}.${key}`, old: va, new: vb });
  }
}

function diffMessage(path: string, a: ReflectMessage, b: ReflectMessage, out: Difference[]): void {
  for (const field of a.desc.fields) diffField(path, field, a, b, out);
}

function diffField(
  prefix: string,
  field: DescField,
  a: ReflectMessage,
  b: ReflectMessage,
  out: Difference[],
): void {
  if (isVolatile(field)) return;
  const path = `${prefix}${field.name}`;
  if (field.fieldKind === "message" && field.message.typeName !== TimestampSchema.typeName) {
    const setA = a.isSet(field);
    const setB = b.isSet(field);
    if (setA && setB) {
      diffMessage(`${path}.`, a.get(field), b.get(field), out);
    } else if (setA !== setB) {
      out.push({
        path,
        old: setA ? toValue(a.get(field)) : null,
        new: setB ? toValue(b.get(field)) : null,
      });
    }
    return;
  }
  if (field.fieldKind === "list" && field.listKind === "message") {
    const la = a.get(field);
    const lb = b.get(field);
    const n = Math.max(la.size, lb.size);
    for (let i = 0; i < n; i++) {
      const ea = la.get(i);
      const eb = lb.get(i);
      if (isReflectMessage(ea) && isReflectMessage(eb)) {
        diffMessage(`${path}[${i}].`, ea, eb, out);
      } else {
        out.push({ path: `${path}[${i}]`, old: toValue(ea), new: toValue(eb) });
      }
    }
    return;
  }
  const va = fieldValue(a, field);
  const vb = fieldValue(b, field);
  if (!equal(va, vb)) out.push({ path, old: va, new: vb });
}

function fieldValue(m: ReflectMessage, field: DescField): FieldValue {
  if (field.fieldKind === "map") return mapRecord(m, field);
  if (field.fieldKind === "list") return [...m.get(field)].map(toValue);
  if (field.fieldKind === "message" && !m.isSet(field)) return null;
  return toValue(m.get(field));
}

/** A reflected value as JSON: bigints as text, bytes as base64, Timestamps as RFC 3339. */
function toValue(v: unknown): FieldValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (isReflectMessage(v)) {
    if (v.desc.typeName === TimestampSchema.typeName) {
      return timestampDate(v.message as Parameters<typeof timestampDate>[0]).toISOString();
    }
    return toJson(v.desc, v.message) as FieldValue;
  }
  return String(v);
}

function equal(a: FieldValue, b: FieldValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted, so maps compare whatever their insertion order. */
function canonical(v: FieldValue): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as { readonly [key: string]: FieldValue };
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k] ?? null)}`)
    .join(",")}}`;
}
