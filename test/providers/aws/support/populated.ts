/**
 * The "fully populated" check of AWS collectors: a full fixture must come out with every
 * envelope field (id, name, ARN, tags) and every payload field set, recursively (see
 * test/support/populated.ts for what "set" means inside lists), so a mapping that forgets
 * a field fails.
 */
import { expect } from "vitest";
import type { ObservedResource } from "../../../../src/contract/encode.ts";
import { InfrastructureChangeEventSchema } from "../../../../src/gen/elava/v1/event_pb.ts";
import type { AwsFixture } from "../../../support/aws-fixture.ts";
import { unsetFields, unsetFieldsAcross } from "../../../support/populated.ts";

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

/**
 * Asserts a type's full fixture came out full: its resource `full.id` with every envelope
 * field set, and every payload field set in it or in one of its `variants` (each listed).
 */
export function expectFullFixture(
  resources: readonly ObservedResource[],
  full: AwsFixture["full"],
): void {
  const main = resources.find((r) => r.id === full.id);
  expect(main, full.id).toBeDefined();
  if (main === undefined) return;
  if (full.variants === undefined) {
    expectFullyPopulated(main);
    return;
  }
  const variants = full.variants.map((id) => resources.find((r) => r.id === id));
  expect(
    variants.every((v) => v !== undefined),
    full.variants.join(", "),
  ).toBe(true);
  const all = [main, ...variants.filter((v): v is ObservedResource => v !== undefined)];
  for (const r of all) {
    expect(
      [r.id, r.name, r.arn].every((v) => v !== ""),
      r.id,
    ).toBe(true);
    expect(Object.keys(r.tags).length, r.id).toBeGreaterThan(0);
  }
  const field = InfrastructureChangeEventSchema.fields.find(
    (f) => f.localName === main.payload.case,
  );
  if (field?.fieldKind !== "message") throw new Error(`no field for ${main.payload.case}`);
  expect(
    unsetFieldsAcross(
      field.message,
      all.map((r) => r.payload.value),
    ),
  ).toEqual([]);
}
