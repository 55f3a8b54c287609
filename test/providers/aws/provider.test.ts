import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ObservedResource } from "../../../src/contract/encode.ts";
import type { ResourceType } from "../../../src/contract/resource-types.ts";
import { PartitionFailure } from "../../../src/errors.ts";
import { type AwsProviderOptions, createAwsProvider } from "../../../src/providers/aws/provider.ts";
import { COLLECTORS } from "../../../src/providers/aws/registry.ts";
import { on } from "../../support/aws-answers.ts";
import { type AwsEstate, scriptAwsEstate } from "../../support/aws-estate.ts";
import { FAKE_CREDENTIALS, FakeAws } from "../../support/fake-aws.ts";

let fake: FakeAws;
beforeAll(async () => {
  fake = await FakeAws.start();
});
afterAll(() => fake.close());

const credentials = FAKE_CREDENTIALS;

/** One resource of every type in two regions, as the tests below find it. */
function scriptEstate(): Promise<AwsEstate> {
  return scriptAwsEstate(fake, { regions: ["us-east-1", "eu-west-1"], perType: 1 });
}

/** The ids the estate holds in a partition. */
function idsOf(estate: AwsEstate, type: ResourceType, region = "us-east-1"): readonly string[] {
  return estate.partitions.find((p) => p.resourceType === type && p.region === region)?.ids ?? [];
}

/** The regional types whose collectors call EC2. */
const EC2_TYPES = (Object.keys(COLLECTORS) as ResourceType[]).filter(
  (t) => COLLECTORS[t].service === "ec2",
);

function provider(options: Partial<AwsProviderOptions> = {}) {
  const logs: Array<[string, string, Record<string, string | number>]> = [];
  const p = createAwsProvider({
    endpoint: fake.url,
    credentials,
    homeRegion: "us-east-1",
    maxAttempts: 4,
    retryMode: "standard",
    log: (level, message, fields) => logs.push([level, message, { ...fields }]),
    ...options,
  });
  return { p, logs };
}

async function listAll(
  p: ReturnType<typeof createAwsProvider>,
  type: ResourceType,
  region = "us-east-1",
): Promise<ObservedResource[]> {
  const out: ObservedResource[] = [];
  const partition = { provider: "aws", resourceType: type, accountId: "123456789012", region };
  for await (const page of p.list(partition, new AbortController().signal)) out.push(...page);
  return out;
}

async function failureOf(promise: Promise<unknown>): Promise<PartitionFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PartitionFailure);
  return err as PartitionFailure;
}

describe("AWS provider through a fake endpoint", () => {
  afterEach(async () => {
    await fake.close();
    fake = await FakeAws.start();
  });

  it("discovers enabled regions, skips and logs the one not opted in, adds global", async () => {
    await scriptEstate();
    const { p, logs } = provider();
    const units = await p.units(new AbortController().signal);
    expect(units.map((u) => `${u.accountId}/${u.region}`)).toEqual([
      "123456789012/eu-west-1",
      "123456789012/us-east-1",
      "123456789012/global",
    ]);
    expect(logs).toContainEqual([
      "info",
      "region not enabled for the account: skipped",
      { accountId: "123456789012", region: "ap-east-1" },
    ]);
    expect(p.apiCalls().get("ec2:DescribeRegions")).toBe(1);
    expect(p.apiCalls().get("sts:GetCallerIdentity")).toBe(1);
  });

  it("retries throttling and 5xx answers and completes the partition, counting them", async () => {
    const estate = await scriptEstate();
    fake.fail({
      service: "ec2",
      operation: "DescribeVpcs",
      code: "RequestLimitExceeded",
      status: 503,
      times: 2,
    });
    fake.fail({
      service: "ec2",
      operation: "DescribeSubnets",
      code: "InternalError",
      status: 500,
      times: 1,
    });
    const { p } = provider({ regions: ["us-east-1"] });
    await p.units(new AbortController().signal);
    expect((await listAll(p, "vpc")).map((r) => r.id)).toEqual(idsOf(estate, "vpc"));
    expect((await listAll(p, "subnet")).map((r) => r.id)).toEqual(idsOf(estate, "subnet"));
    expect(p.apiCalls().get("ec2:DescribeVpcs")).toBe(3);
    expect(p.throttledCalls().get("ec2:DescribeVpcs")).toBe(2);
    expect(p.apiCalls().get("ec2:DescribeSubnets")).toBe(2);
  });

  it("fails the partition as throttled, naming the call, when throttling outlasts the retries", async () => {
    await scriptEstate();
    fake.fail({
      service: "ec2",
      operation: "DescribeNatGateways",
      code: "RequestLimitExceeded",
      status: 503,
    });
    const { p } = provider({ regions: ["us-east-1"], maxAttempts: 2 });
    await p.units(new AbortController().signal);
    const failure = await failureOf(listAll(p, "nat_gateway"));
    expect(failure.reason).toBe("throttled");
    expect(failure.message).toMatch(/^describe nat gateways in us-east-1 for 123456789012: /);
    expect(fake.calls("ec2", "DescribeNatGateways")).toHaveLength(2);
  });

  it("fails only the partitions of a denied call, as access_denied, and the others stay OK", async () => {
    const estate = await scriptEstate();
    fake.fail({
      service: "ec2",
      operation: "DescribeSecurityGroups",
      code: "UnauthorizedOperation",
      status: 403,
    });
    const { p } = provider({ regions: ["us-east-1"] });
    await p.units(new AbortController().signal);
    const failure = await failureOf(listAll(p, "security_group"));
    expect(failure.reason).toBe("access_denied");
    expect(failure.message).toContain("describe security groups in us-east-1 for 123456789012");
    expect(failure.message).toContain("deploy/iam-policy.json");
    expect(fake.calls("ec2", "DescribeSecurityGroups")).toHaveLength(1);
    for (const type of EC2_TYPES.filter((t) => t !== "security_group")) {
      expect((await listAll(p, type)).map((r) => r.id)).toEqual(idsOf(estate, type));
    }
  });

  it("fails every partition of a service denied in one region, as access_denied, and not elsewhere", async () => {
    const estate = await scriptEstate();
    fake.fail({ service: "ec2", region: "eu-west-1", code: "UnauthorizedOperation", status: 403 });
    const { p } = provider({ regions: ["us-east-1", "eu-west-1"] });
    await p.units(new AbortController().signal);
    expect(EC2_TYPES.length).toBeGreaterThan(5);
    for (const type of EC2_TYPES) {
      expect((await failureOf(listAll(p, type, "eu-west-1"))).reason).toBe("access_denied");
      expect((await listAll(p, type, "us-east-1")).map((r) => r.id)).toEqual(idsOf(estate, type));
    }
  });

  it("fails the partition with invalid_data naming it when the API answers an entry without id", async () => {
    await scriptEstate();
    fake.serve(
      on(DescribeVpcsCommand).answer({
        Vpcs: [{ VpcId: "vpc-0ok" }, { CidrBlock: "10.9.0.0/16" }],
      }),
    );
    const { p } = provider({ regions: ["us-east-1"] });
    await p.units(new AbortController().signal);
    const failure = await failureOf(listAll(p, "vpc"));
    expect(failure.reason).toBe("invalid_data");
    expect(failure.message).toContain("VPC in us-east-1 for 123456789012 has no id");
  });

  it("gives an account whose role cannot be assumed FAILED units; the default account goes on", async () => {
    const estate = await scriptEstate();
    fake.fail({ service: "sts", operation: "AssumeRole", code: "AccessDenied", status: 403 });
    const { p, logs } = provider({
      regions: ["us-east-1"],
      assumeRoles: [{ roleArn: "arn:aws:iam::210987654321:role/elava-scan", externalId: "x-1" }],
    });
    const units = await p.units(new AbortController().signal);
    expect(units.map((u) => [u.accountId, u.region, u.failure?.reason ?? "ok"])).toEqual([
      ["123456789012", "us-east-1", "ok"],
      ["123456789012", "global", "ok"],
      ["210987654321", "us-east-1", "access_denied"],
      ["210987654321", "global", "access_denied"],
    ]);
    expect(units[2]?.failure?.message).toContain(
      "assume role arn:aws:iam::210987654321:role/elava-scan",
    );
    expect(fake.calls("sts", "AssumeRole")[0]?.input.ExternalId).toBe("x-1");
    expect(logs.some(([level, , f]) => level === "warn" && f.accountId === "210987654321")).toBe(
      true,
    );
    expect((await listAll(p, "vpc")).map((r) => r.id)).toEqual(idsOf(estate, "vpc"));
    const other = p.list(
      { provider: "aws", resourceType: "vpc", accountId: "210987654321", region: "us-east-1" },
      new AbortController().signal,
    );
    expect((await failureOf(other[Symbol.asyncIterator]().next())).reason).toBe("access_denied");
  });

  it("scans an assumed role's account with its own credentials", async () => {
    await scriptEstate();
    fake.serve(
      on(AssumeRoleCommand).answer({
        Credentials: {
          AccessKeyId: "ASIAOTHER",
          SecretAccessKey: "other-secret",
          SessionToken: "token",
          Expiration: new Date(Date.now() + 3_600_000),
        },
        AssumedRoleUser: {
          AssumedRoleId: "AROA:elava",
          Arn: "arn:aws:sts::210987654321:assumed-role/elava-scan/elava",
        },
      }),
    );
    fake.accounts.set("ASIAOTHER", "210987654321");
    const { p } = provider({
      regions: ["us-east-1"],
      assumeRoles: [{ roleArn: "arn:aws:iam::210987654321:role/elava-scan" }],
    });
    const units = await p.units(new AbortController().signal);
    expect(units.filter((u) => u.failure === undefined)).toHaveLength(4);
    const partition = {
      provider: "aws",
      resourceType: "vpc" as const,
      accountId: "210987654321",
      region: "us-east-1",
    };
    for await (const page of p.list(partition, new AbortController().signal))
      expect(page.length).toBe(1);
    expect(fake.calls("ec2", "DescribeVpcs").map((c) => c.accountId)).toEqual(["210987654321"]);
    expect(fake.calls("sts", "AssumeRole")).toHaveLength(1);
  });

  it("honours AWS_ENDPOINT_URL when no endpoint is configured", async () => {
    const estate = await scriptEstate();
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = fake.url;
    try {
      const { p } = provider({ endpoint: undefined, regions: ["us-east-1"] });
      await p.units(new AbortController().signal);
      expect((await listAll(p, "vpc")).map((r) => r.id)).toEqual(idsOf(estate, "vpc"));
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  });
});
