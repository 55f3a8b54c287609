import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { derivedFiles, resourceTypesDoc } from "../../../scripts/generate-aws.ts";
import { ALL_RESOURCE_TYPES, RESOURCE_TYPES } from "../../../src/contract/resource-types.ts";
import {
  ALL_COLLECTORS,
  COLLECTORS,
  requiredIamActions,
} from "../../../src/providers/aws/registry.ts";
import { SERVICES } from "../../../src/providers/aws/services.ts";
import { loadAwsFixtures } from "../../support/aws-fixture.ts";
import { GLOBAL, observe, REGIONAL, testContext } from "./collectors/harness.ts";
import {
  actionsCalled,
  installOnMocks,
  mockAws,
  policyActions,
  resetAws,
} from "./support/mocks.ts";
import { expectFullFixture, unsetPayloadFields } from "./support/populated.ts";

const aws = mockAws();
afterEach(() => resetAws(aws));

describe("AWS collector registry", () => {
  it("has one collector per resource type, under its own type, calling its own service", () => {
    expect(Object.keys(COLLECTORS).sort()).toEqual([...ALL_RESOURCE_TYPES].sort());
    for (const type of ALL_RESOURCE_TYPES) {
      const c = COLLECTORS[type];
      expect(c.type).toBe(type);
      expect(c.iamActions.length).toBeGreaterThan(0);
      const prefix = SERVICES[c.service].iamPrefix;
      for (const a of [...c.iamActions, ...(c.impliedIamActions ?? [])]) {
        expect(a.startsWith(`${prefix}:`), a).toBe(true);
      }
      for (const a of c.impliedIamActions ?? []) expect(c.iamActions, a).not.toContain(a);
    }
  });

  it.each(ALL_COLLECTORS.map((c) => [c.type, c] as const))(
    "%s has a full fixture that maps with no field left empty, calling only declared actions",
    async (type, collector) => {
      const { full } = (await loadAwsFixtures([type]))[type];
      installOnMocks(aws, full.answers);
      const unit = RESOURCE_TYPES[type].scope === "global" ? GLOBAL : REGIONAL;
      const resources = await observe(collector, testContext(unit));
      expectFullFixture(resources, full);
      const undeclared = actionsCalled(aws).filter((a) => !collector.iamActions.includes(a));
      expect(undeclared).toEqual([]);
    },
  );

  it("the fully-populated check catches a field the mapping leaves empty", () => {
    const [first] = ALL_COLLECTORS;
    expect(first).toBeDefined();
    if (first === undefined) return;
    const bare = {
      id: "x",
      name: "x",
      arn: "",
      tags: {},
      payload: { ...emptyPayloadOf(first.type) },
    };
    expect(unsetPayloadFields(bare).length).toBeGreaterThan(0);
  });
});

describe("files derived from the registry", () => {
  it.each(Object.entries(derivedFiles()))("%s is what npm run generate writes", (path, content) => {
    const committed = readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
    expect(committed, `${path} is stale: run \`npm run generate\` and commit it`).toBe(content);
  });

  it("names every type, its message and each of its IAM actions in the docs table", () => {
    const doc = resourceTypesDoc();
    for (const c of ALL_COLLECTORS) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${c.type}\` |`));
      expect(row, c.type).toBeDefined();
      for (const a of [...c.iamActions, ...(c.impliedIamActions ?? [])]) {
        expect(row).toContain(`\`${a}\``);
      }
    }
  });
});

describe("deploy/iam-policy.json", () => {
  it("grants exactly the actions the collectors and the framework declare", () => {
    const readOnly = policyActions().filter((a) => a !== "sts:AssumeRole");
    expect([...readOnly].sort()).toEqual(requiredIamActions());
  });

  it("holds only read actions, besides sts:AssumeRole for scanning other accounts", () => {
    // sts:AssumeRole is what --assume-role needs: the scanning identity must be allowed to
    // assume the read-only role in each other account; it grants nothing by itself.
    for (const action of policyActions()) {
      if (action === "sts:AssumeRole") continue;
      expect(action).toMatch(/^[a-z0-9-]+:(Describe|List|Get)[A-Za-z0-9]*$/);
    }
  });
});

import { create } from "@bufbuild/protobuf";
import type { ResourcePayload, ResourceType } from "../../../src/contract/resource-types.ts";
import { InfrastructureChangeEventSchema } from "../../../src/gen/elava/v1/event_pb.ts";

/** The payload of a type with every field at its default. */
function emptyPayloadOf(type: ResourceType): ResourcePayload {
  const field = InfrastructureChangeEventSchema.fields.find(
    (f) => f.localName === RESOURCE_TYPES[type].case,
  );
  if (field?.fieldKind !== "message") throw new Error(`no message field for ${type}`);
  return { case: RESOURCE_TYPES[type].case, value: create(field.message) } as ResourcePayload;
}
