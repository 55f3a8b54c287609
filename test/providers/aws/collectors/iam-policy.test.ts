import {
  GetPolicyVersionCommand,
  IAMClient,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { iamPolicyCollector } from "../../../../src/providers/aws/collectors/iam-policy.ts";
import { answerPages } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { GLOBAL, observe, pagesOf, payloadOf, testContext } from "./harness.ts";
import { fullDocument, fullPolicy, policyArn } from "./iam-policy.fixture.ts";

const iam = mockClient(IAMClient);

function bare(name: string) {
  return { PolicyName: name, Arn: policyArn(name), DefaultVersionId: "v1" };
}

beforeEach(() => {
  iam.on(GetPolicyVersionCommand).resolves({
    PolicyVersion: { Document: encodeURIComponent("{}"), VersionId: "v1", IsDefaultVersion: true },
  });
  iam
    .on(GetPolicyVersionCommand, { PolicyArn: policyArn("deploy") })
    .resolves({ PolicyVersion: { Document: encodeURIComponent(fullDocument), VersionId: "v3" } });
  iam.on(ListPolicyTagsCommand).resolves({ Tags: [], IsTruncated: false });
  iam
    .on(ListPolicyTagsCommand, { PolicyArn: policyArn("deploy") })
    .resolves({ Tags: [{ Key: "Team", Value: "platform" }], IsTruncated: false });
});
afterEach(() => iam.reset());

describe("iam_policy collector", () => {
  it("pages the account's own policies at 1,000, with two calls per policy", async () => {
    const inputs = answerPages(iam.on(ListPoliciesCommand), [
      { Policies: [fullPolicy, bare("a")], IsTruncated: true, Marker: "p1" },
      { Policies: [bare("b")], IsTruncated: false },
    ]);
    const ctx = testContext(GLOBAL, 2);
    const pages = await pagesOf(iamPolicyCollector, ctx);

    expect(pages.map((p) => p.map((i) => i.policy.PolicyName))).toEqual([["deploy", "a"], ["b"]]);
    // Scope Local: AWS-managed policies are not listed.
    expect(inputs).toEqual([
      { Scope: "Local", MaxItems: 1000 },
      { Scope: "Local", MaxItems: 1000, Marker: "p1" },
    ]);
    expect(iam.commandCalls(GetPolicyVersionCommand).map((c) => c.args[0].input.VersionId)).toEqual(
      ["v3", "v1", "v1"],
    );
    expect(ctx.limited.calls).toBe(6);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("maps the full fixture field by field, its default document URL-decoded", async () => {
    iam.on(ListPoliciesCommand).resolves({ Policies: [fullPolicy], IsTruncated: false });
    const [r] = await observe(iamPolicyCollector, testContext(GLOBAL));
    expectFullyPopulated(r);
    expect(r?.id).toBe(policyArn("deploy"));
    expect(r?.tags).toEqual({ Team: "platform" });
    const p = payloadOf(r, "iam_policy");
    expect(p.document).toBe(fullDocument);
    expect([p.defaultVersionId, p.attachmentCount, p.permissionsBoundaryUsageCount]).toEqual([
      "v3",
      2,
      1,
    ]);
    expect([p.path, p.isAttachable, p.policyId]).toEqual(["/ci/", true, "ANPAEXAMPLEDEPLOY001"]);
  });

  it("leaves out a policy deleted since the list", async () => {
    iam
      .on(ListPoliciesCommand)
      .resolves({ Policies: [fullPolicy, bare("gone")], IsTruncated: false });
    iam
      .on(GetPolicyVersionCommand, { PolicyArn: policyArn("gone") })
      .rejects(new NoSuchEntityException({ message: "Policy gone was not found.", $metadata: {} }));
    const resources = await observe(iamPolicyCollector, testContext(GLOBAL));
    expect(resources.map((r) => r.id)).toEqual([policyArn("deploy")]);
  });

  it("fails the partition with invalid_data on a document that is not URL-encoded", () => {
    expect(() =>
      iamPolicyCollector.toProto({ policy: fullPolicy, document: "%E0%A4%A", tags: [] }, GLOBAL),
    ).toThrow(PartitionFailure);
    expect(() =>
      iamPolicyCollector.toProto({ policy: { PolicyName: "x" }, document: "", tags: [] }, GLOBAL),
    ).toThrow(PartitionFailure);
  });
});
