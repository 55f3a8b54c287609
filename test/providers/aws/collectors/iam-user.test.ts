import {
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListUsersCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { iamUserCollector } from "../../../../src/providers/aws/collectors/iam-user.ts";
import { answerPages } from "../support/mocks.ts";
import { expectFullyPopulated } from "../support/populated.ts";
import { GLOBAL, observe, pagesOf, payloadOf, testContext } from "./harness.ts";
import {
  fullUser,
  fullUserDetail,
  fullUserKeys,
  fullUserMfa,
  userArn,
} from "./iam-user.fixture.ts";

const iam = mockClient(IAMClient);

function bare(name: string) {
  return {
    UserName: name,
    UserId: `AIDA${name.toUpperCase()}`,
    Arn: userArn(name),
    Path: "/",
    CreateDate: new Date("2025-01-01T00:00:00Z"),
  };
}

beforeEach(() => {
  iam.on(GetAccountAuthorizationDetailsCommand).resolves({
    UserDetailList: [fullUserDetail, bare("bob"), bare("carol")],
    IsTruncated: false,
  });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [], IsTruncated: false });
  iam.on(ListMFADevicesCommand).resolves({ MFADevices: [], IsTruncated: false });
  iam
    .on(ListAccessKeysCommand, { UserName: "alice" })
    .resolves({ AccessKeyMetadata: fullUserKeys, IsTruncated: false });
  iam
    .on(ListMFADevicesCommand, { UserName: "alice" })
    .resolves({ MFADevices: fullUserMfa, IsTruncated: false });
});
afterEach(() => iam.reset());

describe("iam_user collector", () => {
  it("reads the account's details once, then pages users at 1,000 with two calls per user", async () => {
    const detailInputs = answerPages(iam.on(GetAccountAuthorizationDetailsCommand), [
      { UserDetailList: [fullUserDetail], IsTruncated: true, Marker: "d1" },
      { UserDetailList: [bare("bob"), bare("carol")], IsTruncated: false },
    ]);
    const userInputs = answerPages(iam.on(ListUsersCommand), [
      { Users: [fullUser, bare("bob")], IsTruncated: true, Marker: "u1" },
      { Users: [bare("carol")], IsTruncated: false },
    ]);
    const ctx = testContext(GLOBAL, 2);
    const pages = await pagesOf(iamUserCollector, ctx);

    expect(pages.map((p) => p.map((i) => i.user.UserName))).toEqual([["alice", "bob"], ["carol"]]);
    expect(detailInputs).toEqual([
      { Filter: ["User"], MaxItems: 1000 },
      { Filter: ["User"], MaxItems: 1000, Marker: "d1" },
    ]);
    expect(userInputs).toEqual([{ MaxItems: 1000 }, { MaxItems: 1000, Marker: "u1" }]);
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(3);
    expect(iam.commandCalls(ListMFADevicesCommand)).toHaveLength(3);
    // Only the per-user calls take a slot of the cap.
    expect(ctx.limited.calls).toBe(6);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("maps the full fixture field by field, and publishes no secret", async () => {
    iam.on(ListUsersCommand).resolves({ Users: [fullUser], IsTruncated: false });
    const [r] = await observe(iamUserCollector, testContext(GLOBAL));
    expectFullyPopulated(r);
    expect(r?.id).toBe(userArn("alice"));
    expect(r?.tags).toEqual({ Team: "platform" });
    const u = payloadOf(r, "iam_user");
    expect(u.attachedPolicyArns).toEqual([
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:iam::123456789012:policy/deploy",
    ]);
    expect(u.inlinePolicyNames).toEqual(["assume-admin"]);
    expect(u.groupNames).toEqual(["oncall", "developers"]);
    expect(u.accessKeys.map((k) => [k.accessKeyId, k.status])).toEqual([
      ["AKIAEXAMPLEALICE0001", "Active"],
      ["AKIAEXAMPLEALICE0002", "Inactive"],
    ]);
    expect(u.accessKeys[0]?.createdAt && timestampDate(u.accessKeys[0].createdAt)).toEqual(
      new Date("2026-01-02T03:04:05Z"),
    );
    expect(u.mfaDeviceSerials).toEqual(["arn:aws:iam::123456789012:mfa/alice"]);
    expect(u.passwordLastUsed && timestampDate(u.passwordLastUsed)).toEqual(
      new Date("2026-11-21T09:10:11Z"),
    );
    expect(u.permissionsBoundaryArn).toBe("arn:aws:iam::123456789012:policy/people-boundary");
    // Inline policy documents are read by the API call, never published.
    expect(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toMatch(
      /2012-10-17|Secret/,
    );
  });

  it("leaves out a user created after the details were read, and one deleted since the list", async () => {
    iam.on(ListUsersCommand).resolves({
      Users: [fullUser, bare("bob"), bare("dave")],
      IsTruncated: false,
    });
    iam.on(ListAccessKeysCommand, { UserName: "bob" }).rejects(
      new NoSuchEntityException({
        message: "The user with name bob cannot be found.",
        $metadata: {},
      }),
    );
    const resources = await observe(iamUserCollector, testContext(GLOBAL));
    expect(resources.map((r) => r.id)).toEqual([userArn("alice")]);
    // dave was never looked up: no call is made for a user the details do not know.
    expect(
      iam.commandCalls(ListMFADevicesCommand).map((c) => c.args[0].input.UserName),
    ).not.toContain("dave");
  });

  it("fails the partition on any other error of a per-user call", async () => {
    iam.on(ListUsersCommand).resolves({ Users: [fullUser], IsTruncated: false });
    iam.on(ListMFADevicesCommand, { UserName: "alice" }).rejects(new Error("throttled for good"));
    await expect(observe(iamUserCollector, testContext(GLOBAL))).rejects.toThrow(
      "throttled for good",
    );
  });

  it("fails the partition with invalid_data on a user without an ARN", () => {
    expect(() =>
      iamUserCollector.toProto(
        {
          user: { ...bare("x"), Arn: "" },
          detail: undefined,
          accessKeys: [],
          mfaDevices: [],
        },
        GLOBAL,
      ),
    ).toThrow(PartitionFailure);
  });
});
