/**
 * "Fully populated" checks for AWS collectors: a full fixture must come out with every
 * envelope field (id, name, ARN, tags) and every payload field set, recursively, so a
 * mapping that forgets a field fails.
 *
 * Inside a list of messages a field counts as set when at least one element sets it:
 * some messages hold one of several alternatives per element (a SecurityRule has a CIDR,
 * a source group or a prefix list), so no single element can set them all, while a
 * fixture can still prove the mapping fills each of them.
 */
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { expect } from "vitest";
import type { ObservedResource } from "../../../../src/contract/encode.ts";
import { InfrastructureChangeEventSchema } from "../../../../src/gen/elava/v1/event_pb.ts";

function isValueMessage(field: DescField): boolean {
  // Well-known types (Timestamp) are values: a whole second has nanos 0 and is still set.
  return field.fieldKind === "message" && field.message.typeName.startsWith("google.protobuf.");
}

/** The fields (dotted paths, `[]` for list elements) left at their default in every one of `messages`. */
function unsetAcross(messages: readonly ReflectMessage[], path: string): string[] {
  const first = messages[0];
  if (first === undefined) return [];
  const missing: string[] = [];
  for (const field of first.fields) {
    const at = `${path}${field.name}`;
    const setIn = messages.filter((m) => m.isSet(field));
    if (setIn.length === 0) {
      missing.push(at);
      continue;
    }
    if (field.fieldKind === "message" && !isValueMessage(field)) {
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

/** The payload fields a resource leaves at their default (see the module comment). */
export function unsetPayloadFields(resource: ObservedResource): string[] {
  const field = InfrastructureChangeEventSchema.fields.find(
    (f) => f.localName === resource.payload.case,
  );
  if (field?.fieldKind !== "message") throw new Error(`no field for ${resource.payload.case}`);
  const schema: DescMessage = field.message;
  return unsetAcross([reflect(schema, resource.payload.value as Message)], "");
}

/** Asserts the envelope and every payload field of the resource are set. */
export function expectFullyPopulated(resource: ObservedResource | undefined): void {
  expect(resource).toBeDefined();
  if (resource === undefined) return;
  expect(resource.id).not.toBe("");
  expect(resource.name).not.toBe("");
  expect(resource.arn).not.toBe("");
  expect(Object.keys(resource.tags).length).toBeGreaterThan(0);
  expect(unsetPayloadFields(resource)).toEqual([]);
}
