/**
 * Finds the fields a message leaves at their default, recursively: scalars at their zero
 * value, empty lists and maps, unset messages, and the same inside every nested message
 * and list element. A fixture meant to be "full" must come out with none, so a field the
 * mapping forgets is caught.
 */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

export function unsetFields(schema: DescMessage, message: Message, path = ""): string[] {
  return unsetIn(reflect(schema, message), path);
}

function unsetIn(msg: ReflectMessage, path: string): string[] {
  const missing: string[] = [];
  for (const field of msg.fields) {
    // A oneof is full when one of its cases is set; the others stay empty by definition.
    if (field.oneof && !msg.isSet(field)) {
      if (!field.oneof.fields.some((f) => msg.isSet(f))) missing.push(`${path}${field.oneof.name}`);
      continue;
    }
    const at = `${path}${field.name}`;
    if (!msg.isSet(field)) {
      missing.push(at);
      continue;
    }
    // Well-known types (Timestamp) are values: a whole second has nanos 0 and is still set.
    if (field.fieldKind === "message" && !field.message.typeName.startsWith("google.protobuf.")) {
      missing.push(...unsetIn(msg.get(field), `${at}.`));
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      let i = 0;
      for (const item of msg.get(field))
        missing.push(...unsetIn(item as ReflectMessage, `${at}[${i++}].`));
    }
  }
  return missing;
}
