/**
 * Finds the fields a message leaves at their default, recursively: scalars at their zero
 * value, empty lists and maps, unset messages, and the same inside every nested message. A
 * fixture meant to be "full" must come out with none, so a field the mapping forgets is
 * caught.
 *
 * Inside a list of messages a field counts as set when at least one element sets it: some
 * messages hold one of several alternatives per element (a SecurityRule has a CIDR, a
 * source group or a prefix list; a healthy target has no reason), so no single element can
 * set them all, while a fixture can still prove the mapping fills each of them. A oneof is
 * set when one of its cases is.
 */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";

/** The fields (dotted paths, `[]` for list elements) `message` leaves at their default. */
export function unsetFields(schema: DescMessage, message: Message, path = ""): string[] {
  return unsetAcross([reflect(schema, message)], path);
}

/** The fields (as above) that every one of `messages`, all of one schema, leaves at their default. */
export function unsetFieldsAcross(schema: DescMessage, messages: readonly Message[]): string[] {
  return unsetAcross(
    messages.map((m) => reflect(schema, m)),
    "",
  );
}

/** The fields left at their default in every one of `messages` (of one type). */
function unsetAcross(messages: readonly ReflectMessage[], path: string): string[] {
  const first = messages[0];
  if (first === undefined) return [];
  const missing: string[] = [];
  for (const field of first.fields) {
    const setIn = messages.filter((m) => m.isSet(field));
    if (field.oneof !== undefined && setIn.length === 0) {
      const name = `${path}${field.oneof.name}`;
      const anyCase = messages.some((m) => field.oneof?.fields.some((f) => m.isSet(f)));
      if (!anyCase && !missing.includes(name)) missing.push(name);
      continue;
    }
    const at = `${path}${field.name}`;
    if (setIn.length === 0) {
      missing.push(at);
      continue;
    }
    // Well-known types (Timestamp) are values: a whole second has nanos 0 and is still set.
    if (field.fieldKind === "message" && !field.message.typeName.startsWith("google.protobuf.")) {
      missing.push(
        ...unsetAcross(
          setIn.map((m) => m.get(field) as ReflectMessage),
          `${at}.`,
        ),
      );
    } else if (field.fieldKind === "list" && field.listKind === "message") {
      const items = setIn.flatMap((m) => [...(m.get(field) as Iterable<ReflectMessage>)]);
      missing.push(...unsetAcross(items, `${at}[].`));
    }
  }
  return missing;
}
