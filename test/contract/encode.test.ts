import { create, fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { encodeSnapshot, type ObservedResource } from "../../src/contract/encode.ts";
import { payload } from "../../src/contract/resource-types.ts";
import { InfrastructureChangeEventSchema } from "../../src/gen/elava/v1/event_pb.ts";
import { VpcSchema } from "../../src/gen/elava/v1/network_pb.ts";

const partition = {
  provider: "aws",
  resourceType: "vpc",
  accountId: "123456789012",
  region: "us-east-1",
} as const;
const scan = (scanId: string) => ({
  scanId,
  scanStartedAt: new Date("2026-01-01T00:00:00Z"),
  prefix: "elava",
});

function vpc(tags: Record<string, string>): ObservedResource {
  return {
    id: "vpc-1",
    name: "main",
    arn: "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1",
    tags,
    payload: payload("vpc", create(VpcSchema, { vpcId: "vpc-1", cidrBlock: "10.0.0.0/16" })),
  };
}

describe("encodeSnapshot", () => {
  it("decodes to the full event, scan fields included", () => {
    const s = encodeSnapshot(scan("01SCAN"), partition, vpc({ Name: "main" }));
    const event = fromBinary(InfrastructureChangeEventSchema, s.data);
    expect(event.resourceId).toBe("vpc-1");
    expect(event.scanId).toBe("01SCAN");
    expect(event.contentHash).toBe(s.contentHash);
    expect(event.tags).toEqual({ Name: "main" });
    expect(event.resource.case).toBe("vpc");
    expect(s.subject).toBe("elava.aws.vpc.123456789012.us-east-1.vpc-1");
    expect(s.msgId).toBe("01SCAN:aws.vpc.123456789012.us-east-1.vpc-1");
  });

  it("hashes equal content equally across scans and map insertion orders", () => {
    const a = encodeSnapshot(scan("A"), partition, vpc({ b: "1", "10": "x", a: "2", "2": "y" }));
    const b = encodeSnapshot(scan("B"), partition, vpc({ "2": "y", a: "2", "10": "x", b: "1" }));
    expect(a.contentHash).toBe(b.contentHash);
    const c = encodeSnapshot(scan("A"), partition, vpc({ b: "1", "10": "x", a: "3", "2": "y" }));
    expect(c.contentHash).not.toBe(a.contentHash);
  });
});
