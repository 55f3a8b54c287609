/**
 * Organisation-wide accounts (`--org-role`) through real SDK clients against the fake
 * endpoint: ListAccounts paging (JSON protocol), active accounts only, include and
 * exclude, one role per account, and an account whose role cannot be assumed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors.ts";
import { createAwsProvider } from "../../../src/providers/aws/provider.ts";
import type { OrganizationScan } from "../../../src/providers/aws/units.ts";
import { scriptDiscovery } from "../../support/aws-estate.ts";
import { scriptOrganization } from "../../support/aws-organization.ts";
import { FakeAws, fakeProviderOptions } from "../../support/fake-aws.ts";

let fake: FakeAws;
beforeEach(async () => {
  fake = await FakeAws.start();
  // The scanning identity lives in the management account, 123456789012.
  scriptDiscovery(fake, "123456789012", ["us-east-1", "eu-west-1"]);
  scriptOrganization(fake, [
    { id: "123456789012" },
    { id: "222222222222" },
    { id: "333333333333", assumable: false },
    { id: "444444444444", state: "SUSPENDED" },
    { id: "555555555555" },
  ]);
});
afterEach(() => fake.close());

async function discover(organization: OrganizationScan, regions?: string[]) {
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const provider = createAwsProvider(
    fakeProviderOptions(fake, {
      organization,
      ...(regions === undefined ? {} : { regions }),
      log: (level, message, fields) => logs.push({ level, message, fields }),
    }),
  );
  const units = await provider.units(new AbortController().signal);
  await provider.close();
  const byAccount = new Map<string, string[]>();
  for (const u of units) {
    const list = byAccount.get(u.accountId) ?? [];
    list.push(`${u.region}:${u.failure?.reason ?? "ok"}`);
    byAccount.set(u.accountId, list);
  }
  return { units, byAccount, logs };
}

describe("organisation-wide accounts", () => {
  it("lists every page of accounts, assumes the role in each active one, and fails only the one that cannot be assumed", async () => {
    const { units, byAccount, logs } = await discover({
      roleName: "elava-scan",
      externalId: "ext-1",
    });
    expect(fake.calls("organizations", "ListAccounts").map((c) => c.input.NextToken)).toEqual([
      undefined,
      "page-1",
      "page-2",
    ]);
    expect(
      fake
        .calls("sts", "AssumeRole")
        .map((c) => c.input.RoleArn)
        .sort(),
    ).toEqual([
      "arn:aws:iam::123456789012:role/elava-scan",
      "arn:aws:iam::222222222222:role/elava-scan",
      "arn:aws:iam::333333333333:role/elava-scan",
      "arn:aws:iam::555555555555:role/elava-scan",
    ]);
    expect(fake.calls("sts", "AssumeRole").every((c) => c.input.ExternalId === "ext-1")).toBe(true);
    const ok = ["eu-west-1:ok", "us-east-1:ok", "global:ok"];
    expect(Object.fromEntries(byAccount)).toEqual({
      "123456789012": ok,
      "222222222222": ok,
      "333333333333": [
        "eu-west-1:access_denied",
        "us-east-1:access_denied",
        "global:access_denied",
      ],
      "555555555555": ok,
    });
    // Each assumed account discovered its own regions, with its own credentials.
    expect(new Set(fake.calls("ec2", "DescribeRegions").map((c) => c.accountId))).toEqual(
      new Set(["123456789012", "222222222222", "555555555555"]),
    );
    const failed = units.find((u) => u.accountId === "333333333333");
    expect(failed?.failure?.message).toContain(
      "assume role arn:aws:iam::333333333333:role/elava-scan",
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "account cannot be scanned: its partitions are published FAILED",
        fields: expect.objectContaining({ accountId: "333333333333" }),
      }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: "organisation account not active: skipped",
        fields: { accountId: "444444444444", state: "SUSPENDED" },
      }),
    );
  });

  it("scans only the included accounts, never the excluded ones", async () => {
    const included = await discover(
      { roleName: "elava-scan", include: ["222222222222", "333333333333", "999999999999"] },
      ["us-east-1"],
    );
    expect([...included.byAccount.keys()]).toEqual(["222222222222", "333333333333"]);
    expect(included.logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "account of --org-include is not in the organisation: skipped",
        fields: { accountId: "999999999999" },
      }),
    );
    const excluded = await discover(
      { roleName: "elava-scan", exclude: ["123456789012", "333333333333"] },
      ["us-east-1"],
    );
    expect([...excluded.byAccount.keys()]).toEqual(["222222222222", "555555555555"]);
  });

  it("without leave to list the organisation, says what the credentials need (nothing is scanned)", async () => {
    fake.fail({
      service: "organizations",
      operation: "ListAccounts",
      code: "AccessDeniedException",
      status: 400,
    });
    const error = await discover({ roleName: "elava-scan" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      "access_denied: list the organisation's accounts (organizations ListAccounts) in us-east-1 for 123456789012",
    );
    expect((error as Error).message).toContain("allowed organizations:ListAccounts");
    expect(fake.calls("sts", "AssumeRole")).toEqual([]);
  });
});
