/**
 * The "fully populated" check of AWS collectors: a full fixture must come out with every
 * envelope field (id, name, ARN, tags) and every payload field set, recursively (see
 * test/support/populated.ts for what "set" means inside lists), so a mapping that forgets
 * a field fails.
 */
import { expect } from "vitest";
import type { ObservedResource } from "../../../../src/contract/encode.ts";
import { InfrastructureChangeEventSchema } from "../../../../src/gen/elava/v1/event_pb.ts";
import { unsetFields } from "../../../support/populated.ts";

/** The payload fields a resource leaves at their default. */
export function unsetPayloadFields(resource: ObservedResource): string[] {
  const field = InfrastructureChangeEventSchema.fields.find(
    (f) => f.localName === resource.payload.case,
  );
  if (field?.fieldKind !== "message") throw new Error(`no field for ${resource.payload.case}`);
  return unsetFields(field.message, resource.payload.value);
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
