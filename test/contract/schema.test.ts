import {
  type DescMessage,
  equals,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  ALL_RESOURCE_TYPES,
  RESOURCE_TYPES,
  resourceTypeInfo,
} from "../../src/contract/resource-types.ts";
import { InfrastructureChangeEventSchema } from "../../src/gen/elava/v1/event_pb.ts";
import { fullEvents, fullVariantEvents } from "../support/full-events.ts";
import { unsetFieldsAcross } from "../support/populated.ts";

/** A full event of every type, its payload from the AWS collector's full fixture. */
const EVENTS = await fullEvents();

describe("the resource oneof", () => {
  const oneof = InfrastructureChangeEventSchema.oneofs.find((o) => o.name === "resource");

  it("has exactly one case per resource type, named as the resource_type string", () => {
    expect(oneof?.fields.map((f) => f.name).sort()).toEqual([...ALL_RESOURCE_TYPES].sort());
    for (const f of oneof?.fields ?? []) {
      expect(RESOURCE_TYPES[f.name as keyof typeof RESOURCE_TYPES].case).toBe(f.localName);
    }
  });

  it("gives each type its domain from its proto file and its scope from its message's option", () => {
    expect(RESOURCE_TYPES.ec2_instance).toEqual({
      case: "ec2Instance",
      domain: "compute",
      scope: "regional",
    });
    expect(RESOURCE_TYPES.target_group.domain).toBe("load balancing");
    expect(RESOURCE_TYPES.iam_role.scope).toBe("global");
    expect(RESOURCE_TYPES.s3_bucket.scope).toBe("global");
  });

  it("refuses a case that is no resource message, or whose message declares no scope", () => {
    const field = (name: string) => {
      const f = InfrastructureChangeEventSchema.fields.find((x) => x.name === name);
      if (f === undefined) throw new Error(`no field ${name}`);
      return f;
    };
    expect(() => resourceTypeInfo(field("tags"))).toThrow(
      "tags of elava.v1.InfrastructureChangeEvent is not a message",
    );
    expect(() => resourceTypeInfo(field("scan_started_at"))).toThrow(
      "google.protobuf.Timestamp declares no scope: give it option (elava.v1.resource) = { scope: SCOPE_REGIONAL } or SCOPE_GLOBAL",
    );
  });

  it.each(ALL_RESOURCE_TYPES)(
    "%s: a full fixture sets every field and round-trips",
    async (type) => {
      const event = EVENTS[type];
      expect(event.resource.case).toBe(RESOURCE_TYPES[type].case);
      expect(event.resourceType).toBe(type);
      // With its variants, when two APIs fill the type (a classic and an ELBv2 load balancer).
      const events = await fullVariantEvents(type);
      expect(unsetFieldsAcross(InfrastructureChangeEventSchema, events)).toEqual([]);

      const viaBinary = fromBinary(
        InfrastructureChangeEventSchema,
        toBinary(InfrastructureChangeEventSchema, event),
      );
      expect(equals(InfrastructureChangeEventSchema, viaBinary, event)).toBe(true);
      const viaJson = fromJson(
        InfrastructureChangeEventSchema,
        toJson(InfrastructureChangeEventSchema, event),
      );
      expect(equals(InfrastructureChangeEventSchema, viaJson, event)).toBe(true);
    },
  );
});

describe("schema rules the content hash relies on", () => {
  function reachable(root: DescMessage): DescMessage[] {
    const seen = new Map<string, DescMessage>();
    const visit = (m: DescMessage) => {
      if (seen.has(m.typeName) || m.typeName.startsWith("google.protobuf.")) return;
      seen.set(m.typeName, m);
      for (const f of m.fields) {
        if (f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message"))
          visit(f.message);
      }
    };
    visit(root);
    return [...seen.values()];
  }

  it("maps are string -> string and sit only on the envelope or a payload message", () => {
    const payloads = new Set(
      InfrastructureChangeEventSchema.oneofs[0]?.fields.flatMap((f) =>
        f.fieldKind === "message" ? [f.message.typeName] : [],
      ),
    );
    for (const m of reachable(InfrastructureChangeEventSchema)) {
      for (const f of m.fields) {
        if (f.fieldKind !== "map") continue;
        expect(
          m === InfrastructureChangeEventSchema || payloads.has(m.typeName),
          `${m.typeName}.${f.name}`,
        ).toBe(true);
        expect(f.mapKey).toBe(9); // ScalarType.STRING
        expect(f.mapKind === "scalar" && f.scalar === 9, `${m.typeName}.${f.name} values`).toBe(
          true,
        );
      }
    }
  });
});
