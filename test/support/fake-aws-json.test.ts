import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_CREDENTIALS, FakeAws, FakeErrorAnswer } from "./fake-aws.ts";

let fake: FakeAws;
beforeAll(async () => {
  fake = await FakeAws.start();
});
afterAll(() => fake.close());

const client = () =>
  new OrganizationsClient({
    endpoint: fake.url,
    region: "us-east-1",
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });

describe("the fake's JSON protocol", () => {
  it("serves scripted pages to a real SDK paginator, token by token, and records the calls", async () => {
    fake.pages("organizations", "ListAccounts", [
      { Accounts: [{ Id: "111111111111" }] },
      { Accounts: [{ Id: "222222222222" }] },
    ]);
    const ids: string[] = [];
    for await (const page of paginateListAccounts({ client: client() }, { MaxResults: 1 })) {
      ids.push(...(page.Accounts ?? []).map((a) => a.Id ?? ""));
    }
    expect(ids).toEqual(["111111111111", "222222222222"]);
    expect(fake.calls("organizations", "ListAccounts").map((c) => c.params)).toEqual([
      { MaxResults: "1" },
      { MaxResults: "1", NextToken: "page-1" },
    ]);
  });

  it("answers errors the SDK names by their code, from faults and from answers", async () => {
    fake.answer(
      "organizations",
      "DescribeOrganization",
      () => new FakeErrorAnswer(400, "AWSOrganizationsNotInUseException"),
    );
    fake.fail({
      service: "organizations",
      operation: "ListAccounts",
      code: "AccessDeniedException",
      status: 400,
      times: 1,
    });
    await expect(client().send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    await expect(client().send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({
      name: "AWSOrganizationsNotInUseException",
    });
  });
});
