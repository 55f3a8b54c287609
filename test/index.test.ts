import { describe, expect, it } from "vitest";
import * as elava from "../src/index.ts";

describe("the public API", () => {
  it("exports the schema of every resource type, the envelope and the marker", () => {
    const exported = new Set(
      Object.values(elava).flatMap((v) =>
        typeof v === "object" && v !== null && "typeName" in v ? [String(v.typeName)] : [],
      ),
    );
    const oneof = elava.InfrastructureChangeEventSchema.oneofs[0]?.fields ?? [];
    expect(oneof.length).toBe(elava.ALL_RESOURCE_TYPES.length);
    for (const f of oneof) {
      if (f.fieldKind === "message") expect(exported, f.name).toContain(f.message.typeName);
    }
    expect(exported).toContain("elava.v1.InfrastructureChangeEvent");
    expect(exported).toContain("elava.v1.PartitionScanned");
  });

  it("exports the contract helpers and the consumer and publisher entry points", () => {
    const entryPoints = {
      encodeSnapshot: elava.encodeSnapshot,
      parseSubject: elava.parseSubject,
      deriveChanges: elava.deriveChanges,
      replay: elava.replay,
      buildGraph: elava.buildGraph,
      runScan: elava.runScan,
      startProviderThread: elava.startProviderThread,
      connectNats: elava.connectNats,
    };
    for (const [name, fn] of Object.entries(entryPoints)) expect(typeof fn, name).toBe("function");
  });
});
