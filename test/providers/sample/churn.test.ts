import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Ec2InstanceSchema } from "../../../src/gen/elava/v1/compute_pb.ts";
import {
  DEFAULT_SAMPLE_OPTIONS,
  type SampleChurn,
  type SampleOptions,
  sampleChurn,
} from "../../../src/providers/sample/index.ts";
import { collect, danglingReferences, diffEstates, fieldPaths, refKey } from "./estate-support.ts";

function reported(churn: SampleChurn) {
  return {
    created: churn.created.map(refKey).sort(),
    disappeared: churn.disappeared.map(refKey).sort(),
    modified: new Map(churn.modified.map((m) => [refKey(m), [...m.fieldPaths].sort()])),
  };
}

describe("sample churn", () => {
  it.each([2, 3, 8, 31])(
    "reports exactly what differs between scan %i and the scan before",
    (k) => {
      const options: SampleOptions = { resources: 2500, seed: 11, scan: k, churn: 0.05 };
      const diff = diffEstates(collect({ ...options, scan: k - 1 }), collect(options));
      const churn = sampleChurn(options);
      expect(churn.scan).toBe(k);
      expect(reported(churn)).toEqual(diff);
      expect(diff.created.length + diff.disappeared.length + diff.modified.size).toBeGreaterThan(0);
    },
  );

  it("changes about churn x resources per scan, across several resource types", () => {
    const options: SampleOptions = { ...DEFAULT_SAMPLE_OPTIONS, resources: 5000, churn: 0.02 };
    const types = {
      created: new Set<string>(),
      modified: new Set<string>(),
      disappeared: new Set<string>(),
    };
    let events = 0;
    const scans = 10;
    for (let k = 2; k < 2 + scans; k++) {
      const churn = sampleChurn({ ...options, scan: k });
      events += churn.created.length + churn.modified.length + churn.disappeared.length;
      for (const r of churn.created) types.created.add(r.resourceType);
      for (const r of churn.modified) types.modified.add(r.resourceType);
      for (const r of churn.disappeared) types.disappeared.add(r.resourceType);
    }
    const perScan = events / scans;
    expect(perScan).toBeGreaterThan(0.5 * 0.02 * 5000);
    expect(perScan).toBeLessThan(2 * 0.02 * 5000);
    expect(types.created.size).toBeGreaterThanOrEqual(3);
    expect(types.disappeared.size).toBeGreaterThanOrEqual(3);
    expect(types.modified.size).toBeGreaterThanOrEqual(6);
  });

  it("reports nothing for scan 1 or with churn 0, and churn 0 never changes the estate", () => {
    expect(sampleChurn({ ...DEFAULT_SAMPLE_OPTIONS, scan: 1 })).toEqual({
      scan: 1,
      created: [],
      modified: [],
      disappeared: [],
    });
    const still: SampleOptions = { ...DEFAULT_SAMPLE_OPTIONS, resources: 1500, churn: 0 };
    expect(sampleChurn({ ...still, scan: 9 }).modified).toEqual([]);
    const diff = diffEstates(collect({ ...still, scan: 1 }), collect({ ...still, scan: 9 }));
    expect(diff).toEqual({ created: [], disappeared: [], modified: new Map() });
  });

  it("moves the volatile values on every scan, churn or not, and they are no change", () => {
    const still: SampleOptions = { ...DEFAULT_SAMPLE_OPTIONS, resources: 1500, churn: 0 };
    const [before, after] = [collect({ ...still, scan: 1 }), collect({ ...still, scan: 2 })];
    const moved = new Set<string>();
    for (const [key, e] of after) {
      const old = before.get(key);
      if (old === undefined) throw new Error(`${key} appeared with churn 0`);
      const [a, b] = [old.resource.payload, e.resource.payload];
      if (a.case === "subnet" && b.case === "subnet") {
        if (a.value.availableIpAddressCount !== b.value.availableIpAddressCount)
          moved.add("subnet");
      } else if (a.case === "rdsInstance" && b.case === "rdsInstance") {
        if (a.value.latestRestorableTime?.seconds !== b.value.latestRestorableTime?.seconds)
          moved.add("rds_instance");
      } else if (a.case === "targetGroup" && b.case === "targetGroup") {
        const health = (v: typeof a.value) => v.targets.map((t) => t.healthState).join();
        if (health(a.value) !== health(b.value)) moved.add("target_group");
      } else if (a.case === "autoscalingGroup" && b.case === "autoscalingGroup") {
        if (a.value.currentSize !== b.value.currentSize) moved.add("autoscaling_group");
      }
    }
    expect([...moved].sort()).toEqual([
      "autoscaling_group",
      "rds_instance",
      "subnet",
      "target_group",
    ]);
    expect(diffEstates(before, after)).toEqual({
      created: [],
      disappeared: [],
      modified: new Map(),
    });
  });

  it("keeps every reference resolving across scans with heavy churn", () => {
    for (const k of [5, 6, 7]) {
      expect(
        danglingReferences(collect({ resources: 1200, seed: 5, scan: k, churn: 0.3 })),
      ).toEqual([]);
    }
  });
});

describe("test-only estate tools", () => {
  it("name the changed field paths of the consumer toolkit's contract", () => {
    const a = collect({ ...DEFAULT_SAMPLE_OPTIONS, resources: 300 });
    const group = [...a.values()].find((e) => e.resource.payload.case === "securityGroup");
    const instance = [...a.values()].find((e) => e.resource.payload.case === "ec2Instance");
    if (group?.resource.payload.case !== "securityGroup" || instance === undefined) {
      throw new Error("the estate has no security group or instance");
    }
    const sg = group.resource.payload.value;
    const changed = structuredClone(sg);
    const [first] = changed.ingressRules;
    if (first === undefined) throw new Error("a security group without ingress rules");
    first.fromPort += 1;
    changed.vpcId = "vpc-0other";
    const tags = { ...group.resource.tags, Version: "2" };
    expect(
      fieldPaths("security_group", group.resource, {
        ...group.resource,
        tags,
        payload: { case: "securityGroup", value: changed },
      }),
    ).toEqual([
      "security_group.ingress_rules[0].from_port",
      "security_group.vpc_id",
      "tags.Version",
    ]);
    const i = create(Ec2InstanceSchema, { securityGroupIds: ["sg-1"] });
    const j = create(Ec2InstanceSchema, { securityGroupIds: ["sg-1", "sg-2"] });
    expect(
      fieldPaths(
        "ec2_instance",
        { ...instance.resource, payload: { case: "ec2Instance", value: i } },
        { ...instance.resource, payload: { case: "ec2Instance", value: j } },
      ),
    ).toEqual(["ec2_instance.security_group_ids"]);
  });

  it("find a reference that does not resolve", () => {
    const estate = collect({ ...DEFAULT_SAMPLE_OPTIONS, resources: 300 });
    const [key, entry] =
      [...estate].find(([, e]) => e.resource.payload.case === "natGateway") ?? [];
    if (key === undefined || entry?.resource.payload.case !== "natGateway") {
      throw new Error("the estate has no NAT gateway");
    }
    const value = { ...entry.resource.payload.value, subnetId: "subnet-0missing" };
    estate.set(key, {
      ...entry,
      resource: { ...entry.resource, payload: { case: "natGateway", value } },
    });
    expect(danglingReferences(estate)).toEqual([
      `${key}: subnet_id -> subnet "subnet-0missing" does not exist`,
    ]);
  });
});
