/**
 * aws-sdk-client-mock stubs of every client a collector may use, and the IAM actions of
 * the commands they received: a collector test checks with `expectActionsAllowed` that
 * every call it made is declared by the collector and granted by deploy/iam-policy.json.
 */
import { readFileSync } from "node:fs";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "vitest";
import type { Collector } from "../../../../src/providers/aws/collector.ts";
import {
  AWS_SERVICES,
  type AwsClients,
  type AwsService,
  SERVICES,
} from "../../../../src/providers/aws/services.ts";
import { type AnyAnswer, AwsErrorAnswer, sdkErrorOf } from "../../../support/aws-answers.ts";
import { operationOf } from "../../../support/aws-wire.ts";

/** A stub of every collector client (all instances of each client class), by service. */
export type AwsMocks = { readonly [S in AwsService]: AwsClientStub<AwsClients[S]> };

/** Stubs of every collector client, derived from SERVICES. */
export function mockAws(): AwsMocks {
  return Object.fromEntries(
    // One stub per client class; mockClient cannot take the union of the classes' types.
    AWS_SERVICES.map((s) => [
      s,
      mockClient(SERVICES[s].client as unknown as Parameters<typeof mockClient>[0]),
    ]),
  ) as unknown as AwsMocks;
}

/** What installing answers needs of a stub, whichever client's it is. */
interface AnswerableStub {
  on(command: unknown): { callsFake(fn: (input: never) => unknown): unknown };
}

/**
 * Makes the stubs give the answers (aws-answers.ts), errors thrown as the SDK throws them:
 * the same answers the fake endpoint serves to real SDK clients.
 */
export function installOnMocks(mocks: AwsMocks, answers: readonly AnyAnswer[]): void {
  for (const a of answers) {
    const { service } = operationOf(a.command);
    if (!Object.hasOwn(mocks, service.key)) {
      throw new Error(`${a.command.name} is not of a collector's service: no stub answers it`);
    }
    const stub = mocks[service.key as AwsService] as unknown as AnswerableStub;
    // `send` resolves like the SDK's, so `.then` on its result works as in production.
    stub.on(a.command).callsFake(async (input) => {
      const output = a.respond(input);
      if (output instanceof AwsErrorAnswer) throw sdkErrorOf(output);
      return output;
    });
  }
}

/** Resets every stub's behaviour and recorded calls. */
export function resetAws(mocks: AwsMocks): void {
  for (const m of Object.values(mocks)) m.reset();
}

/** Operations whose IAM action is not named after them. */
const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  "s3:ListBuckets": "s3:ListAllMyBuckets",
  "s3:HeadBucket": "s3:ListBucket",
  "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
  "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
};

/** The IAM action of an SDK command of a service (`ec2`, `DescribeInstancesCommand`). */
export function iamActionOf(prefix: string, commandName: string): string {
  const op = `${prefix}:${commandName.replace(/Command$/, "")}`;
  return ACTION_OF_OPERATION[op] ?? op;
}

/** The IAM actions of every command the stubs received, deduplicated and sorted. */
export function actionsCalled(mocks: AwsMocks): string[] {
  const actions = new Set<string>();
  for (const service of AWS_SERVICES) {
    for (const call of mocks[service].calls()) {
      const command = call.args[0] as object;
      actions.add(iamActionOf(SERVICES[service].iamPrefix, command.constructor.name));
    }
  }
  return [...actions].sort();
}

/** Every action of the read-only statement of deploy/iam-policy.json. */
export function policyActions(): string[] {
  const url = new URL("../../../../deploy/iam-policy.json", import.meta.url);
  const policy = JSON.parse(readFileSync(url, "utf8")) as {
    Statement: Array<{ Sid?: string; Action: string | string[] }>;
  };
  return policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/**
 * Fails when the calls made so far include an action the collector does not declare or
 * the policy does not grant: a collector cannot grow a call that production would deny.
 */
export function expectActionsAllowed(mocks: AwsMocks, collector: Collector): void {
  const called = actionsCalled(mocks);
  expect(called.length).toBeGreaterThan(0);
  expect(called.filter((a) => !collector.iamActions.includes(a))).toEqual([]);
  const granted = new Set(policyActions());
  expect(called.filter((a) => !granted.has(a))).toEqual([]);
}

/**
 * Answers a stubbed command with `pages` in order (the last one again if asked more) and
 * returns the inputs of the calls as they were sent. The SDK paginators reuse one input
 * object and set the next token on it, so the inputs aws-sdk-client-mock keeps would all
 * show the last token; these are copies taken at call time.
 */
export function answerPages<Out extends object>(
  behavior: { callsFake(fn: (input: Record<string, unknown>) => unknown): unknown },
  pages: readonly Out[],
): Array<Record<string, unknown>> {
  const inputs: Array<Record<string, unknown>> = [];
  behavior.callsFake((input) => {
    inputs.push({ ...input });
    return pages[Math.min(inputs.length, pages.length) - 1];
  });
  return inputs;
}
