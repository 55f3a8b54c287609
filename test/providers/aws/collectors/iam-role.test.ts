import {
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { IamRoleSchema } from "../../../../src/gen/elava/v1/identity_pb.ts";
import { iamRoleCollector } from "../../../../src/providers/aws/collectors/iam-role.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { GLOBAL, observe, pagesOf, payloadOf, testContext } from "./harness.ts";
import {
  bareRole,
  fullRole,
  fullTrustPolicy,
  instanceProfiles,
  roleArn,
} from "./iam-role.fixture.ts";

const iam = mockClient(IAMClient);
const POLICY = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy";

beforeEach(() => {
  iam.on(ListInstanceProfilesCommand).resolves({ InstanceProfiles: instanceProfiles });
  iam.on(ListRoleTagsCommand).resolves({ Tags: [], IsTruncated: false });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  iam
    .on(ListRoleTagsCommand, { RoleName: "eks-node" })
    .resolves({ Tags: [{ Key: "Team", Value: "platform" }], IsTruncated: false });
  iam.on(ListAttachedRolePoliciesCommand, { RoleName: "eks-node" }).resolves({
    AttachedPolicies: [{ PolicyName: "AmazonEKSWorkerNodePolicy", PolicyArn: POLICY }],
    IsTruncated: false,
  });
});
afterEach(() => iam.reset());

describe("iam_role collector", () => {
  it("pages roles and instance profiles at 1,000 with two calls per role", async () => {
    const profileInputs = answerPages(iam.on(ListInstanceProfilesCommand), [
      { InstanceProfiles: instanceProfiles.slice(1), IsTruncated: true, Marker: "p1" },
      { InstanceProfiles: instanceProfiles.slice(0, 1), IsTruncated: false },
    ]);
    const roleInputs = answerPages(iam.on(ListRolesCommand), [
      { Roles: [fullRole, bareRole("a")], IsTruncated: true, Marker: "r1" },
      { Roles: [bareRole("b")], IsTruncated: false },
    ]);
    const tagInputs = answerPages(iam.on(ListRoleTagsCommand, { RoleName: "a" }), [
      { Tags: [{ Key: "k1", Value: "v1" }], IsTruncated: true, Marker: "t1" },
      { Tags: [{ Key: "k2", Value: "v2" }], IsTruncated: false },
    ]);
    const ctx = testContext(GLOBAL, 2);

    const pages = await pagesOf(iamRoleCollector, ctx);

    expect(pages.map((p) => p.map((i) => i.role.RoleName))).toEqual([["eks-node", "a"], ["b"]]);
    expect(roleInputs).toEqual([
      { MaxItems: 1000, Marker: undefined },
      { MaxItems: 1000, Marker: "r1" },
    ]);
    expect(profileInputs).toEqual([
      { MaxItems: 1000, Marker: undefined },
      { MaxItems: 1000, Marker: "p1" },
    ]);
    expect(tagInputs).toEqual([
      { RoleName: "a", MaxItems: 1000, Marker: undefined },
      { RoleName: "a", MaxItems: 1000, Marker: "t1" },
    ]);
    expect(iam.commandCalls(ListRoleTagsCommand)).toHaveLength(4);
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(3);
    expect(ctx.limited.calls).toBe(2 + 4 + 3);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
    expect(pages[0]?.[1]?.tags).toEqual([
      { Key: "k1", Value: "v1" },
      { Key: "k2", Value: "v2" },
    ]);
  });

  it("makes no per-role calls for an account without roles", async () => {
    iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    const ctx = testContext(GLOBAL);
    expect(await pagesOf(iamRoleCollector, ctx)).toEqual([[]]);
    expect(iam.commandCalls(ListRoleTagsCommand)).toHaveLength(0);
    expect(ctx.limited.calls).toBe(1);
  });

  it("maps the full fixture field by field, the trust policy URL-decoded", async () => {
    iam.on(ListRolesCommand).resolves({ Roles: [fullRole], IsTruncated: false });
    const [r] = await observe(iamRoleCollector, testContext(GLOBAL));

    expect(r?.id).toBe(roleArn("eks-node"));
    expect(r?.arn).toBe(roleArn("eks-node"));
    expect(r?.name).toBe("eks-node");
    expect(r?.tags).toEqual({ Team: "platform" });
    const role = payloadOf(r, "iam_role");
    expect(role.name).toBe("eks-node");
    expect(role.path).toBe("/");
    expect(role.roleId).toBe("AROAEXAMPLEID1234567");
    expect(role.createdAt && timestampDate(role.createdAt)).toEqual(
      new Date("2026-03-04T05:06:07Z"),
    );
    expect(role.assumeRolePolicyDocument).toBe(fullTrustPolicy);
    expect(role.maxSessionDuration).toBe(3600);
    expect(role.description).toBe("EKS worker nodes");
    expect(role.attachedPolicyArns).toEqual([POLICY]);
    expect(role.instanceProfileArns).toEqual([
      "arn:aws:iam::123456789012:instance-profile/eks-node",
    ]);
    expect(role.trustedServices).toEqual(["ec2.amazonaws.com", "eks.amazonaws.com"]);
    expect(unsetFields(IamRoleSchema, role)).toEqual([]);
  });

  it("leaves optional fields empty when ListRoles omits them", async () => {
    iam.on(ListRolesCommand).resolves({ Roles: [bareRole("bare")], IsTruncated: false });
    const [r] = await observe(iamRoleCollector, testContext(GLOBAL));
    const role = payloadOf(r, "iam_role");
    expect(role.assumeRolePolicyDocument).toBe("");
    expect(role.trustedServices).toEqual([]);
    expect(role.instanceProfileArns).toEqual([]);
    expect(role.description).toBe("");
    expect(role.maxSessionDuration).toBe(0);
  });

  it("leaves out a role deleted between the list and its per-role calls", async () => {
    iam.on(ListRolesCommand).resolves({ Roles: [fullRole, bareRole("gone")], IsTruncated: false });
    iam
      .on(ListAttachedRolePoliciesCommand, { RoleName: "gone" })
      .rejects(new NoSuchEntityException({ message: "The role cannot be found", $metadata: {} }));
    const [page] = await pagesOf(iamRoleCollector, testContext(GLOBAL));
    expect(page?.map((i) => i.role.RoleName)).toEqual(["eks-node"]);
  });

  it("fails the partition on a role without an ARN or with a broken trust policy", async () => {
    const broken = [
      { ...fullRole, Arn: undefined },
      { ...fullRole, AssumeRolePolicyDocument: "%7B%22Statement%22%3A" },
    ];
    for (const role of broken) {
      iam.on(ListRolesCommand).resolves({ Roles: [role], IsTruncated: false });
      const failure = await observe(iamRoleCollector, testContext(GLOBAL)).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(PartitionFailure);
      expect((failure as PartitionFailure).reason).toBe("invalid_data");
      expect((failure as PartitionFailure).message).toMatch(/eks-node|AROAEXAMPLEID1234567/);
      expect((failure as PartitionFailure).message).toContain("global for 123456789012");
    }
  });
});
