/**
 * `elava scan --provider aws --org-role NAME` as an operator runs it, against the fake
 * AWS endpoint (AWS_ENDPOINT_URL) and a real nats-server: an organisation of three active
 * accounts, one of which cannot be assumed, and a suspended one. The stream's markers and
 * the exit status say what happened; include, exclude and shards choose the accounts.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardOf } from "../../src/daemon/shard.ts";
import { PartitionScannedSchema, ScanStatus } from "../../src/gen/elava/v1/marker_pb.ts";
import { scriptAwsEstate } from "../support/aws-estate.ts";
import { scriptOrganization } from "../support/aws-organization.ts";
import { FAKE_CREDENTIALS, FakeAws } from "../support/fake-aws.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { runCli } from "./run-cli.ts";

const nats = useNatsServer();
let fake: FakeAws;
let home: string;

const MANAGEMENT = "123456789012";
const MEMBER = "222222222222";
const DENIED = "333333333333";
const SUSPENDED = "444444444444";

beforeAll(async () => {
  fake = await FakeAws.start();
  // Every account sees the same small estate in us-east-1; the scanning identity is the
  // management account's.
  await scriptAwsEstate(fake, { accountId: MANAGEMENT, regions: ["us-east-1"], perType: 1 });
  scriptOrganization(fake, [
    { id: MANAGEMENT },
    { id: MEMBER },
    { id: DENIED, assumable: false },
    { id: SUSPENDED, state: "SUSPENDED" },
  ]);
  home = await mkdtemp(join(tmpdir(), "elava-org-home-"));
});
afterAll(() => fake.close());

/** Scans the organisation into its own stream; `more` adds flags. */
function scanOrg(stream: string, ...more: string[]) {
  return runCli(
    [
      "scan",
      "--provider",
      "aws",
      "--org-role",
      "elava-scan",
      // S3 is left out: the fake serves path-style requests only, which the SDK makes for
      // a configured endpoint, not for AWS_ENDPOINT_URL.
      "--types",
      "vpc,iam_role",
      "--nats-url",
      nats.server.url,
      "--stream",
      stream,
      "--subject-prefix",
      stream.toLowerCase(),
      ...more,
    ],
    {
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: fake.url,
      AWS_EC2_METADATA_DISABLED: "true",
      HOME: home,
    },
  );
}

/** Partition (`aws.vpc.<account>.us-east-1`) -> status and error of its latest marker. */
async function markers(stream: string): Promise<Map<string, { status: string; error: string }>> {
  const prefix = stream.toLowerCase();
  const jsm = await jetstreamManager(nats.nc);
  const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}.*.*.*.*` });
  const out = new Map<string, { status: string; error: string }>();
  for (const subject of Object.keys(info.state.subjects ?? {})) {
    const msg = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (msg === null) throw new Error(`no message on ${subject}`);
    const marker = fromBinary(PartitionScannedSchema, msg.data);
    out.set(subject.slice(prefix.length + 1), {
      status: ScanStatus[marker.status] ?? String(marker.status),
      error: marker.error,
    });
  }
  return out;
}

const partitionsOf = (account: string) => [
  `aws.iam_role.${account}.global`,
  `aws.vpc.${account}.us-east-1`,
];

describe("elava scan --org-role", () => {
  it("scans every active account through its role; the one that cannot be assumed is FAILED and logged, the scan exits 1", async () => {
    const scan = await scanOrg("ORG");
    expect(scan.code, scan.stderr).toBe(1);
    const got = await markers("ORG");
    expect([...got.keys()].sort()).toEqual(
      [...partitionsOf(MANAGEMENT), ...partitionsOf(MEMBER), ...partitionsOf(DENIED)].sort(),
    );
    for (const p of [...partitionsOf(MANAGEMENT), ...partitionsOf(MEMBER)]) {
      expect(got.get(p)?.status, p).toBe("OK");
    }
    for (const p of partitionsOf(DENIED)) {
      expect(got.get(p)?.status, p).toBe("FAILED");
      expect(got.get(p)?.error).toContain(
        `access_denied: assume role arn:aws:iam::${DENIED}:role/elava-scan`,
      );
    }
    const warning = scan.logs.find(
      (l) => l.msg === "account cannot be scanned: its partitions are published FAILED",
    );
    expect(warning).toMatchObject({
      accountId: DENIED,
      roleArn: `arn:aws:iam::${DENIED}:role/elava-scan`,
    });
    expect(String(warning?.error)).toContain("AccessDenied");
    // The management account was read through the role too, with the role's credentials.
    expect(new Set(fake.calls("ec2", "DescribeVpcs").map((c) => c.accountId))).toEqual(
      new Set([MANAGEMENT, MEMBER]),
    );
    expect(fake.calls("organizations", "ListAccounts")).toHaveLength(2);
  });

  it("--org-include and --org-exclude choose the accounts; a clean scan exits 0", async () => {
    const [included, excluded] = await Promise.all([
      scanOrg("ORGINC", "--org-include", `${MEMBER},${SUSPENDED}`),
      scanOrg("ORGEXC", "--org-exclude", DENIED),
    ]);
    expect(included.code, included.stderr).toBe(0);
    expect([...(await markers("ORGINC")).keys()].sort()).toEqual(partitionsOf(MEMBER));
    expect(excluded.code, excluded.stderr).toBe(0);
    expect([...(await markers("ORGEXC")).keys()].sort()).toEqual(
      [...partitionsOf(MANAGEMENT), ...partitionsOf(MEMBER)].sort(),
    );
  });

  it("with --shard I/3, the shards' markers cover every account's partitions once", async () => {
    const streams = ["ORGS0", "ORGS1", "ORGS2"];
    const scans = await Promise.all(streams.map((s, i) => scanOrg(s, "--shard", `${i}/3`)));
    const seen = new Map<string, number>();
    for (const [i, stream] of streams.entries()) {
      const mine = await markers(stream);
      const failed = [...mine.values()].some((m) => m.status === "FAILED");
      expect(scans[i]?.code, scans[i]?.stderr).toBe(failed ? 1 : 0);
      for (const [partition, marker] of mine) {
        const [, , accountId = "", region = ""] = partition.split(".");
        expect(shardOf({ provider: "aws", accountId, region }, 3), partition).toBe(i);
        expect(marker.status).toBe(accountId === DENIED ? "FAILED" : "OK");
        seen.set(partition, (seen.get(partition) ?? 0) + 1);
      }
    }
    expect([...seen.keys()].sort()).toEqual(
      [...partitionsOf(MANAGEMENT), ...partitionsOf(MEMBER), ...partitionsOf(DENIED)].sort(),
    );
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it("rejects account lists without --org-role, and an account both included and excluded", async () => {
    const [lonely, both] = await Promise.all([
      runCli(["config", "--org-exclude", DENIED]),
      runCli([
        "config",
        "--org-role",
        "elava-scan",
        "--org-include",
        MEMBER,
        "--org-exclude",
        MEMBER,
      ]),
    ]);
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain("only --org-role NAME scans");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`${MEMBER} is both included and excluded`);
  });
});
