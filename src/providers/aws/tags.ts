/** Helpers every collector shares: tags, names, ARNs, times and required ids. */
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PartitionFailure } from "../../errors.ts";
import type { UnitRef } from "./collector.ts";

/** A tag as every SDK spells it (EC2 `Tags`, RDS `TagList`, S3 `TagSet`, ...). */
export interface SdkTag {
  readonly Key?: string | undefined;
  readonly Value?: string | undefined;
}

/** SDK tags as a record; tags without a key are dropped, a missing value is "". */
export function tagRecord(tags: readonly SdkTag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    if (t.Key !== undefined && t.Key !== "") out[t.Key] = t.Value ?? "";
  }
  return out;
}

/** The Name tag when present and non-empty, else `fallback` (the natural name or id). */
export function nameFrom(tags: Readonly<Record<string, string>>, fallback: string): string {
  const name = tags.Name;
  return name !== undefined && name !== "" ? name : fallback;
}

/** The AWS partition of a region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws`. */
export function awsPartitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  return "aws";
}

/** The partition named by an ARN (`arn:aws-cn:...` -> `aws-cn`). */
export function partitionOfArn(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts[1] ? parts[1] : undefined;
}

/** The account id of an ARN (`arn:aws:iam::123456789012:role/x` -> `123456789012`). */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(":")[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** Builds `arn:<partition>:<service>:<region>:<account>:<resource>`; pass "" for a global part. */
export function arnOf(
  unit: UnitRef,
  service: string,
  resource: string,
  parts: { region?: string; accountId?: string } = {},
): string {
  const region = parts.region ?? unit.region;
  const accountId = parts.accountId ?? unit.accountId;
  return `arn:${unit.partition}:${service}:${region}:${accountId}:${resource}`;
}

/** The ARN of an EC2 resource: `ec2Arn(unit, "instance", "i-0abc")`, `vpc`, `subnet`, ... */
export function ec2Arn(unit: UnitRef, kind: string, id: string, ownerId?: string): string {
  return arnOf(unit, "ec2", `${kind}/${id}`, ownerId ? { accountId: ownerId } : {});
}

/** A protobuf Timestamp of an SDK date; undefined stays unset. */
export function timestamp(date: Date | undefined): Timestamp | undefined {
  return date === undefined ? undefined : timestampFromDate(date);
}

/**
 * Returns the resource's id, or throws PartitionFailure("invalid_data") naming the type and
 * the unit: a resource that cannot be identified makes its partition FAILED, never dropped.
 */
export function requireId(id: string | undefined, what: string, unit: UnitRef): string {
  if (id === undefined || id === "") {
    throw new PartitionFailure(
      "invalid_data",
      `a ${what} in ${unit.region} for ${unit.accountId} has no id; the API answered an entry that cannot be published`,
    );
  }
  return id;
}
