/**
 * The fake AWS endpoint speaks each protocol of the services (EC2 and AWS query, REST XML
 * and JSON, the JSON protocol) well enough for the real SDK
 * clients: answers written in SDK shapes come back out of the clients as they went in,
 * inputs are read back from the requests, and error answers become the SDK errors named.
 */
import { DescribeInstancesCommand, type DescribeInstancesCommandOutput } from "@aws-sdk/client-ec2";
import {
  DescribeClusterCommand,
  type DescribeClusterCommandOutput,
  ListNodegroupsCommand,
} from "@aws-sdk/client-eks";
import { DescribeTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListRolesCommand, type ListRolesCommandOutput } from "@aws-sdk/client-iam";
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  ListBucketsCommand,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiCallCounter, createAwsClients } from "../../src/providers/aws/clients.ts";
import { AwsErrorAnswer, on } from "./aws-answers.ts";
import { FAKE_CREDENTIALS, FakeAws } from "./fake-aws.ts";

let fake: FakeAws;
let clients: ReturnType<typeof createAwsClients>;
beforeEach(async () => {
  fake = await FakeAws.start();
  clients = createAwsClients(
    { region: "eu-west-1", credentials: FAKE_CREDENTIALS },
    { maxAttempts: 1, retryMode: "standard", endpoint: fake.url },
    new ApiCallCounter(),
  );
});
afterEach(async () => {
  clients.destroy();
  await fake.close();
});

const when = new Date("2026-03-04T05:06:07.000Z");
const strip = <T extends { $metadata?: unknown }>(out: T) => {
  const { $metadata: _, ...rest } = out;
  return rest;
};

describe("the fake AWS endpoint", () => {
  it("answers EC2 query calls in EC2's XML, lists and nested structures included", async () => {
    const output: Omit<DescribeInstancesCommandOutput, "$metadata"> = {
      Reservations: [
        {
          ReservationId: "r-1",
          Instances: [
            {
              InstanceId: "i-1",
              LaunchTime: when,
              State: { Code: 16, Name: "running" },
              SecurityGroups: [{ GroupId: "sg-1", GroupName: "web" }],
              Tags: [{ Key: "Name", Value: "a<b&c" }],
            },
          ],
        },
      ],
      NextToken: "more",
    };
    fake.serve(on(DescribeInstancesCommand, { region: "eu-west-1" }).answer(output));
    const out = await clients.ec2.send(
      new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: ["i-1", "i-2"] }),
    );
    expect(strip(out)).toEqual(output);
    expect(fake.calls("ec2", "DescribeInstances")[0]?.input).toEqual({
      MaxResults: 5,
      InstanceIds: ["i-1", "i-2"],
    });
  });

  it("answers awsQuery calls (IAM, RDS's own list member names, ELBv2 list inputs)", async () => {
    const roles: Omit<ListRolesCommandOutput, "$metadata"> = {
      Roles: [
        {
          Path: "/",
          RoleName: "r",
          RoleId: "AROA1",
          Arn: "arn:aws:iam::123456789012:role/r",
          CreateDate: when,
          Tags: [{ Key: "k", Value: "v" }],
        },
      ],
      IsTruncated: false,
    };
    fake.serve(
      on(ListRolesCommand).answer(roles),
      on(DescribeDBInstancesCommand).answer({
        DBInstances: [{ DBInstanceIdentifier: "db", ReadReplicaDBInstanceIdentifiers: ["a", "b"] }],
      }),
      on(DescribeTagsCommand).answerBy((input) => ({
        TagDescriptions: (input.ResourceArns ?? []).map((ResourceArn) => ({ ResourceArn })),
      })),
    );
    expect(strip(await clients.iam.send(new ListRolesCommand({})))).toEqual(roles);
    const dbs = await clients.rds.send(new DescribeDBInstancesCommand({}));
    expect(dbs.DBInstances?.[0]?.ReadReplicaDBInstanceIdentifiers).toEqual(["a", "b"]);
    const tags = await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: ["x", "y"] }));
    expect(tags.TagDescriptions?.map((d) => d.ResourceArn)).toEqual(["x", "y"]);
  });

  it("answers REST JSON calls, reading path labels and query parameters", async () => {
    const cluster: Omit<DescribeClusterCommandOutput, "$metadata"> = {
      cluster: { name: "prod", createdAt: when, tags: { team: "web" }, version: "1.30" },
    };
    fake.serve(
      on(DescribeClusterCommand).answerBy((input) =>
        input.name === "prod" ? cluster : new AwsErrorAnswer(404, "ResourceNotFoundException"),
      ),
      on(ListNodegroupsCommand).pagesBy(
        {
          items: "nodegroups",
          pageSize: "maxResults",
          max: 2,
          inputToken: "nextToken",
          outputToken: "nextToken",
        },
        (input) => (input.clusterName === "prod" ? ["a", "b", "c"] : []),
      ),
    );
    expect(strip(await clients.eks.send(new DescribeClusterCommand({ name: "prod" })))).toEqual(
      cluster,
    );
    const missing = await clients.eks
      .send(new DescribeClusterCommand({ name: "gone" }))
      .catch((e: unknown) => e);
    expect((missing as Error).name).toBe("ResourceNotFoundException");
    const first = await clients.eks.send(
      new ListNodegroupsCommand({ clusterName: "prod", maxResults: 100 }),
    );
    expect(first).toMatchObject({ nodegroups: ["a", "b"], nextToken: "page-1" });
    const second = await clients.eks.send(
      new ListNodegroupsCommand({ clusterName: "prod", nextToken: "page-1" }),
    );
    expect(second.nodegroups).toEqual(["c"]);
    expect(second.nextToken).toBeUndefined();
    expect(fake.calls("eks", "ListNodegroups").map((c) => c.input)).toEqual([
      { clusterName: "prod", maxResults: 100 },
      { clusterName: "prod", nextToken: "page-1" },
    ]);
  });

  it("answers S3 REST XML calls, buckets by path, payload members and bare elements", async () => {
    fake.serve(
      on(ListBucketsCommand).answer({
        Buckets: [{ Name: "a.b", CreationDate: when, BucketRegion: "eu-west-1" }],
        ContinuationToken: "t",
      }),
      on(GetBucketTaggingCommand).answerBy((input) => ({
        TagSet: [{ Key: "b", Value: input.Bucket }],
      })),
      on(GetBucketLocationCommand).answer({ LocationConstraint: "eu-west-1" }),
      on(GetBucketEncryptionCommand).answer({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" } }],
        },
      }),
    );
    const list = await clients.s3.send(new ListBucketsCommand({ MaxBuckets: 10 }));
    expect(list.Buckets).toEqual([{ Name: "a.b", CreationDate: when, BucketRegion: "eu-west-1" }]);
    expect(list.ContinuationToken).toBe("t");
    expect(fake.calls("s3", "ListBuckets")[0]?.input).toEqual({ MaxBuckets: 10 });
    const tagging = await clients.s3.send(new GetBucketTaggingCommand({ Bucket: "a.b" }));
    expect(tagging.TagSet).toEqual([{ Key: "b", Value: "a.b" }]);
    const location = await clients.s3.send(new GetBucketLocationCommand({ Bucket: "a.b" }));
    expect(location.LocationConstraint).toBe("eu-west-1");
    const encryption = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: "a.b" }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]).toEqual({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" },
    });
  });

  it("answers the framework's STS calls, and serves an answer only in its region", async () => {
    fake.serve(
      on(GetCallerIdentityCommand, { region: "us-east-1" }).answer({
        Account: "123456789012",
        Arn: "arn:aws:iam::1:user/x",
      }),
    );
    const sts = (region: string) =>
      new STSClient({ region, endpoint: fake.url, credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
    expect((await sts("us-east-1").send(new GetCallerIdentityCommand({}))).Account).toBe(
      "123456789012",
    );
    const elsewhere = await sts("eu-west-1")
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect((elsewhere as Error).message).toContain(
      "the fake serves no sts GetCallerIdentity in eu-west-1",
    );
  });

  it("answers JSON-protocol calls (Organizations) to a real SDK paginator, token by token", async () => {
    fake.serve(
      on(ListAccountsCommand).pages(
        {
          items: "Accounts",
          pageSize: "MaxResults",
          max: 1,
          inputToken: "NextToken",
          outputToken: "NextToken",
        },
        [
          { Id: "111111111111", JoinedTimestamp: when },
          { Id: "222222222222", JoinedTimestamp: when },
        ],
      ),
      on(DescribeOrganizationCommand).answerBy(
        () => new AwsErrorAnswer(400, "AWSOrganizationsNotInUseException"),
      ),
    );
    const organizations = new OrganizationsClient({
      endpoint: fake.url,
      region: "us-east-1",
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
    });
    const accounts: unknown[] = [];
    for await (const page of paginateListAccounts({ client: organizations }, { MaxResults: 1 })) {
      accounts.push(...(page.Accounts ?? []));
    }
    expect(accounts).toEqual([
      { Id: "111111111111", JoinedTimestamp: when },
      { Id: "222222222222", JoinedTimestamp: when },
    ]);
    expect(fake.calls("organizations", "ListAccounts").map((c) => c.input)).toEqual([
      { MaxResults: 1 },
      { MaxResults: 1, NextToken: "page-1" },
    ]);
    await expect(organizations.send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({
      name: "AWSOrganizationsNotInUseException",
    });
    fake.fail({ service: "organizations", code: "AccessDeniedException", status: 400, times: 1 });
    await expect(organizations.send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    organizations.destroy();
  });

  it("turns error answers and faults into the SDK errors of each protocol", async () => {
    fake.serve(
      on(DescribeInstancesCommand).answer({ Reservations: [] }),
      on(ListRolesCommand).answer({ Roles: [] }),
      on(ListBucketsCommand).answer({ Buckets: [] }),
      on(DescribeClusterCommand).answer({ cluster: {} }),
    );
    fake.fail({ service: "ec2", code: "UnauthorizedOperation", status: 403 });
    fake.fail({
      service: "iam",
      operation: "ListRoles",
      code: "Throttling",
      status: 400,
      times: 1,
    });
    fake.fail({ service: "s3", operation: /^List/, code: "SlowDown", status: 503 });
    fake.fail({ service: "eks", code: "AccessDeniedException", status: 403 });
    const names = await Promise.all(
      [
        clients.ec2.send(new DescribeInstancesCommand({})),
        clients.iam.send(new ListRolesCommand({})),
        clients.s3.send(new ListBucketsCommand({})),
        clients.eks.send(new DescribeClusterCommand({ name: "x" })),
      ].map((p) =>
        p.then(
          () => "ok",
          (e: unknown) => (e as Error).name,
        ),
      ),
    );
    expect(names).toEqual([
      "UnauthorizedOperation",
      "Throttling",
      "SlowDown",
      "AccessDeniedException",
    ]);
    // The IAM fault was for one call only.
    expect((await clients.iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
  });
});
