import { describe, expect, it } from "vitest";
import {
  decodeToken,
  encodeToken,
  type PartitionKey,
  parseSubject,
  partitionSubject,
  snapshotSubject,
} from "../../src/contract/subject.ts";

const partition: PartitionKey = {
  provider: "aws",
  resourceType: "s3_bucket",
  accountId: "123456789012",
  region: "global",
};

// What the NATS server accepts inside one subject token.
function isValidToken(token: string): boolean {
  return (
    token.length > 0 &&
    [...token].every((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code > 0x20 && code !== 0x7f && !".*>".includes(ch) && !/\s/u.test(ch);
    })
  );
}

const ids = [
  "i-0abc123def4567890",
  "logs.example.com",
  "a*b>c",
  "with space\tand\ttabs\nnewline",
  "100%",
  "%41 literally",
  "arn:aws:iam::123456789012:role/service-role/my.role",
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
  "ünïcødé-名前-🚀",
  "nbsp\u00a0and\u2028line-separator",
  "eks-cluster/node-group",
  ">",
  ".",
  "\u0000\u007f",
];

describe("resource tokens", () => {
  it.each(ids)("round-trips %j into one valid subject token", (id) => {
    const token = encodeToken(id);
    expect(isValidToken(token)).toBe(true);
    expect(decodeToken(token)).toBe(id);
  });

  it("keeps ARNs and plain ids readable", () => {
    expect(encodeToken("i-0abc")).toBe("i-0abc");
    expect(encodeToken("arn:aws:iam::1:role/x")).toBe("arn:aws:iam::1:role/x");
    expect(encodeToken("logs.example.com")).toBe("logs%2Eexample%2Ecom");
    expect(encodeToken("50%")).toBe("50%25");
  });

  it("refuses an empty id", () => {
    expect(() => encodeToken("")).toThrow(/empty resource id/);
  });
});

describe("subjects", () => {
  it("builds snapshot and marker subjects per the contract", () => {
    expect(partitionSubject("elava", partition)).toBe("elava.aws.s3_bucket.123456789012.global");
    expect(snapshotSubject("elava", partition, "logs.example.com")).toBe(
      "elava.aws.s3_bucket.123456789012.global.logs%2Eexample%2Ecom",
    );
  });

  it("parses both shapes back, with a dotted prefix", () => {
    const subject = snapshotSubject("corp.elava", partition, "a.b");
    expect(parseSubject("corp.elava", subject)).toEqual({
      kind: "snapshot",
      partition,
      resourceId: "a.b",
    });
    expect(parseSubject("corp.elava", partitionSubject("corp.elava", partition))).toEqual({
      kind: "marker",
      partition,
    });
  });

  it("rejects subjects that are not the contract's", () => {
    expect(parseSubject("elava", "other.aws.vpc.1.us-east-1")).toBeUndefined();
    expect(parseSubject("elava", "elava.aws.not_a_type.1.us-east-1")).toBeUndefined();
    expect(parseSubject("elava", "elava.aws.vpc.1")).toBeUndefined();
    expect(parseSubject("elava", "elava.aws.vpc.1.r.id.extra")).toBeUndefined();
  });

  it("names a partition field that cannot be a token", () => {
    expect(() => partitionSubject("elava", { ...partition, region: "us east" })).toThrow(
      /region "us east" cannot be a subject token/,
    );
  });
});
