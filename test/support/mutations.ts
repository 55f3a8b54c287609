/**
 * Every single-field change of a message: for each field (recursively, through nested
 * messages and the first element of message lists) a copy of the message with only that
 * field changed. Used to prove that a hash or a differ sees every field. And, for each
 * repeated field, two copies that hold the same distinct elements in two orders, to prove
 * that a hash sees the order of a list exactly when the schema says it matters.
 */
import {
  clone,
  type DescField,
  type DescMessage,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

function changedScalar(type: ScalarType, value: unknown): unknown {
  switch (type) {
    case ScalarType.STRING:
      return `${String(value)}-changed`;
    case ScalarType.BOOL:
      return !value;
    case ScalarType.BYTES:
      return new Uint8Array([...(value as Uint8Array), 1]);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (value as bigint) + 1n;
    default:
      return (value as number) + 1;
  }
}

function changeField(msg: ReflectMessage, field: DescField): void {
  switch (field.fieldKind) {
    case "scalar":
      msg.set(field, changedScalar(field.scalar, msg.get(field)) as never);
      return;
    case "enum": {
      const current = msg.get(field);
      const other = field.enum.values.find((v) => v.number !== current && v.number !== 0);
      msg.set(field, (other?.number ?? 0) as never);
      return;
    }
    case "map":
      msg.get(field).set("elava-test-extra-key", "x" as never);
      return;
    case "list":
      if (field.listKind === "scalar") msg.get(field).add(changedScalar(field.scalar, "") as never);
      else msg.get(field).add(msg.get(field).get(0) as never);
      return;
    case "message":
      // Timestamps and plain sub-messages: change their first field.
      changeFirstField(msg.get(field));
      return;
  }
}

function changeFirstField(msg: ReflectMessage): void {
  const first = msg.fields[0];
  if (first) changeField(msg, first);
}

const isStruct = (m: DescMessage) => !m.typeName.startsWith("google.protobuf.");

/** All single-field variants of `message`, each with the path and the field changed. */
export function singleFieldChanges<T extends Message>(
  schema: DescMessage,
  message: T,
): Array<[string, T, DescField]> {
  const out: Array<[string, T, DescField]> = [];
  type Locate = (root: ReflectMessage) => ReflectMessage;
  const visit = (desc: DescMessage, path: string[], locate: Locate) => {
    for (const field of desc.fields) {
      const original = locate(reflect(schema, message));
      if (field.oneof && !original.isSet(field)) continue;
      const copy = clone(schema, message) as T;
      changeField(locate(reflect(schema, copy)), field);
      out.push([[...path, field.name].join("."), copy, field]);
      if (!original.isSet(field)) continue;
      if (field.fieldKind === "message" && isStruct(field.message)) {
        visit(field.message, [...path, field.name], (r) => locate(r).get(field) as ReflectMessage);
      } else if (field.fieldKind === "list" && field.listKind === "message") {
        visit(field.message, [...path, `${field.name}[0]`], (r) => {
          const list = locate(r).get(field) as { get(i: number): unknown };
          return list.get(0) as ReflectMessage;
        });
      }
    }
  };
  visit(schema, [], (root) => root);
  return out;
}

/** A list's elements as the reflection API takes them. */
interface ReflectList {
  readonly size: number;
  get(i: number): unknown;
  add(v: unknown): void;
  clear(): void;
}

/**
 * For every repeated field of `message` (recursively, as above), two copies where the
 * list holds three distinct elements, in one order and in the reverse order; derived from
 * the element already there (or "x" for an empty string list, skipped for an empty list
 * of messages).
 */
export function listOrderVariants<T extends Message>(
  schema: DescMessage,
  message: T,
): Array<{ path: string; field: DescField; forward: T; reversed: T }> {
  const out: Array<{ path: string; field: DescField; forward: T; reversed: T }> = [];
  type Locate = (root: ReflectMessage) => ReflectMessage;
  const visit = (desc: DescMessage, path: string[], locate: Locate) => {
    for (const field of desc.fields) {
      const original = locate(reflect(schema, message));
      if (field.fieldKind === "list") {
        const list = original.get(field) as unknown as ReflectList;
        let elements: unknown[];
        if (field.listKind === "message") {
          const first = list.get(0) as ReflectMessage | undefined;
          if (first === undefined) continue;
          elements = [0, 1, 2].map((i) => {
            const e = reflect(first.desc, clone(first.desc, first.message));
            for (let k = 0; k < i; k++) changeFirstField(e);
            return e;
          });
        } else if (field.listKind === "scalar") {
          const base = list.size > 0 ? list.get(0) : field.scalar === ScalarType.STRING ? "x" : 1;
          const next = changedScalar(field.scalar, base);
          elements = [base, next, changedScalar(field.scalar, next)];
        } else {
          continue;
        }
        const variant = (order: unknown[]) => {
          const copy = clone(schema, message) as T;
          const l = locate(reflect(schema, copy)).get(field) as unknown as ReflectList;
          l.clear();
          for (const e of order) l.add(e);
          return copy;
        };
        out.push({
          path: [...path, field.name].join("."),
          field,
          forward: variant(elements),
          reversed: variant([...elements].reverse()),
        });
      }
      if (!original.isSet(field)) continue;
      if (field.fieldKind === "message" && isStruct(field.message)) {
        visit(field.message, [...path, field.name], (r) => locate(r).get(field) as ReflectMessage);
      } else if (field.fieldKind === "list" && field.listKind === "message") {
        visit(field.message, [...path, `${field.name}[0]`], (r) => {
          const l = locate(r).get(field) as unknown as ReflectList;
          return l.get(0) as ReflectMessage;
        });
      }
    }
  };
  visit(schema, [], (root) => root);
  return out;
}
