/**
 * An AWS Organization on the fake endpoint: ListAccounts (JSON protocol, paged) lists the
 * accounts, and AssumeRole into `arn:aws:iam::<account>:role/<name>` answers credentials
 * that the fake attributes to that account, or AccessDenied for an account whose role
 * cannot be assumed.
 */
import {
  type Account,
  type AccountState,
  ListAccountsCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { AwsErrorAnswer, on } from "./aws-answers.ts";
import type { FakeAws } from "./fake-aws.ts";

/** One member account. */
export interface FakeOrgAccount {
  readonly id: string;
  /** `ACTIVE` unless given (`SUSPENDED`, `PENDING_CLOSURE`, ...). */
  readonly state?: AccountState;
  /** False: AssumeRole into it is denied. Default true. */
  readonly assumable?: boolean;
}

/** The access key id of an account's assumed-role credentials. */
export const accessKeyOf = (accountId: string) => `ASIA${accountId}`;

/** Serves the organisation: ListAccounts `pageSize` accounts a page, and AssumeRole. */
export function scriptOrganization(
  fake: FakeAws,
  accounts: readonly FakeOrgAccount[],
  pageSize = 2,
): void {
  for (const a of accounts) fake.accounts.set(accessKeyOf(a.id), a.id);
  fake.serve(
    on(ListAccountsCommand).pages(
      {
        items: "Accounts",
        pageSize: "MaxResults",
        max: pageSize,
        inputToken: "NextToken",
        outputToken: "NextToken",
      },
      accounts.map(
        (a): Account => ({
          Id: a.id,
          Arn: `arn:aws:organizations::${accounts[0]?.id}:account/o-fake/${a.id}`,
          Email: `aws+${a.id}@example.com`,
          Name: `account ${a.id}`,
          State: a.state ?? "ACTIVE",
          JoinedMethod: "CREATED",
          JoinedTimestamp: new Date(1_700_000_000_000),
        }),
      ),
    ),
    on(AssumeRoleCommand).answerBy(({ RoleArn = "", RoleSessionName = "" }) => {
      const id = /^arn:[^:]+:iam::(\d{12}):role\//.exec(RoleArn)?.[1] ?? "";
      const account = accounts.find((a) => a.id === id);
      if (account === undefined || account.assumable === false) {
        return new AwsErrorAnswer(403, "AccessDenied");
      }
      return {
        Credentials: {
          AccessKeyId: accessKeyOf(id),
          SecretAccessKey: "fake-assumed-secret",
          SessionToken: "fake-session",
          Expiration: new Date(Date.now() + 3_600_000),
        },
        AssumedRoleUser: {
          AssumedRoleId: `AROAFAKE:${RoleSessionName}`,
          Arn: `arn:aws:sts::${id}:assumed-role/elava-scan/elava`,
        },
      };
    }),
  );
}
