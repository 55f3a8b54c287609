import {
  GetFunctionCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { LambdaFunctionSchema } from "../../../../src/gen/elava/v1/compute_pb.ts";
import {
  lambdaFunctionCollector,
  lambdaTime,
} from "../../../../src/providers/aws/collectors/lambda-function.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { fullFunction, fullGetFunction, functionArn } from "./lambda-function.fixture.ts";

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

describe("lambda_function collector", () => {
  it("pages ListFunctions at 50 and makes one GetFunction per function under the limit", async () => {
    const inputs = answerPages(lambda.on(ListFunctionsCommand), [
      { Functions: [{ FunctionName: "a" }, { FunctionName: "b" }], NextMarker: "m1" },
      { Functions: [{ FunctionName: "c" }] },
    ]);
    lambda.on(GetFunctionCommand).resolves({ Configuration: { State: "Active" } });
    const ctx = testContext(REGIONAL, 2);

    const pages = await pagesOf(lambdaFunctionCollector, ctx);

    expect(pages.map((p) => p.map((i) => i.configuration.FunctionName))).toEqual([
      ["a", "b"],
      ["c"],
    ]);
    expect(inputs).toEqual([
      { MaxItems: 50, Marker: undefined },
      { MaxItems: 50, Marker: "m1" },
    ]);
    expect(lambda.commandCalls(GetFunctionCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: "a" },
      { FunctionName: "b" },
      { FunctionName: "c" },
    ]);
    expect(ctx.limited.calls).toBe(3);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("maps the full fixture field by field", async () => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [fullFunction] });
    lambda.on(GetFunctionCommand).resolves(fullGetFunction);
    const [r] = await observe(lambdaFunctionCollector, testContext());

    expect(r?.id).toBe("orders-api");
    expect(r?.name).toBe("orders-api");
    expect(r?.arn).toBe(functionArn("orders-api"));
    expect(r?.tags).toEqual({ Name: "orders-api", Team: "orders" });
    const f = payloadOf(r, "lambda_function");
    expect(f.functionName).toBe("orders-api");
    expect(f.runtime).toBe("nodejs22.x");
    expect(f.handler).toBe("index.handler");
    expect(f.memorySize).toBe(1024);
    expect(f.timeout).toBe(30);
    expect(f.roleArn).toBe("arn:aws:iam::123456789012:role/orders-api-exec");
    expect(f.vpcId).toBe("vpc-0abc1234");
    expect(f.subnetIds).toEqual(["subnet-0priv1", "subnet-0priv2"]);
    expect(f.securityGroupIds).toEqual(["sg-0lambda000000001"]);
    expect(f.layerArns).toEqual([
      "arn:aws:lambda:us-east-1:123456789012:layer:otel:7",
      "arn:aws:lambda:us-east-1:123456789012:layer:shared:3",
    ]);
    expect(f.architectures).toEqual(["arm64"]);
    expect(f.packageType).toBe("Image");
    expect(f.imageUri).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.4.2");
    expect(f.state).toBe("Active");
    expect(f.lastModified && timestampDate(f.lastModified)).toEqual(
      new Date("2026-03-04T05:06:07Z"),
    );
    expect(f.environmentVariableNames).toEqual(["DB_PASSWORD", "TABLE_NAME"]);
    expect(f.description).toBe("Orders HTTP API");
    expect(f.codeSize).toBe(5_242_880n);
    expect(f.codeSha256).toBe("pQ2Wq4yqg6XyNf0v0u5Hq9G4P5kq9W2mF1Yw0o7Vb3c=");
    expect(f.kmsKeyArn).toMatch(/^arn:aws:kms:/);
    expect(f.deadLetterTargetArn).toBe("arn:aws:sqs:us-east-1:123456789012:orders-dlq");
    expect(f.ephemeralStorageSize).toBe(1024);
    expect(f.tracingMode).toBe("Active");
    expect(f.logGroup).toBe("/aws/lambda/orders-api");
    expect(unsetFields(LambdaFunctionSchema, f)).toEqual([]);
  });

  it("publishes environment variable names and never their values", async () => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [fullFunction] });
    lambda.on(GetFunctionCommand).resolves(fullGetFunction);
    const [page] = await pagesOf(lambdaFunctionCollector, testContext());
    const item = page?.[0];
    // Not even the item between list and toProto holds the values.
    expect(JSON.stringify(item)).not.toContain("hunter2");
    expect(item?.configuration).not.toHaveProperty("Environment");
    const r = lambdaFunctionCollector.toProto(item as NonNullable<typeof item>, REGIONAL);
    const bytes = Buffer.from(toBinary(LambdaFunctionSchema, payloadOf(r, "lambda_function")));
    expect(bytes.includes("hunter2-never-published")).toBe(false);
    expect(bytes.includes("DB_PASSWORD")).toBe(true);
  });

  it("leaves out a function deleted between the list and its GetFunction", async () => {
    lambda.on(ListFunctionsCommand).resolves({
      Functions: [{ FunctionName: "kept" }, { FunctionName: "gone" }],
    });
    lambda.on(GetFunctionCommand).resolves({ Configuration: { State: "Active" } });
    lambda
      .on(GetFunctionCommand, { FunctionName: "gone" })
      .rejects(new ResourceNotFoundException({ message: "Function not found", $metadata: {} }));
    const [page] = await pagesOf(lambdaFunctionCollector, testContext());
    expect(page?.map((i) => i.configuration.FunctionName)).toEqual(["kept"]);
  });

  it("fails the partition as access_denied when GetFunction withholds the tags (no lambda:ListTags)", async () => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [{ FunctionName: "a" }] });
    lambda.on(GetFunctionCommand).resolves({
      Configuration: { State: "Active" },
      TagsError: { ErrorCode: "AccessDeniedException", Message: "not authorized: lambda:ListTags" },
    });
    const failure = await pagesOf(lambdaFunctionCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("access_denied");
    expect((failure as PartitionFailure).message).toMatch(
      /^lambda:ListTags .* of function a in us-east-1 for 123456789012: AccessDeniedException/,
    );
  });

  it("fails the partition on any other GetFunction error", async () => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [{ FunctionName: "a" }] });
    lambda
      .on(GetFunctionCommand)
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" }));
    await expect(pagesOf(lambdaFunctionCollector, testContext())).rejects.toThrow(/Rate exceeded/);
  });

  it("leaves a function outside a VPC, without layers or image, with empty fields", () => {
    const r = lambdaFunctionCollector.toProto(
      {
        configuration: { FunctionName: "tiny", Runtime: "python3.13", LastModified: "not a time" },
        environmentVariableNames: [],
        state: "",
        imageUri: "",
        tags: {},
      },
      REGIONAL,
    );
    const f = payloadOf(r, "lambda_function");
    expect(r.name).toBe("tiny");
    expect(f.vpcId).toBe("");
    expect(f.subnetIds).toEqual([]);
    expect(f.layerArns).toEqual([]);
    expect(f.lastModified).toBeUndefined();
    expect(f.codeSize).toBe(0n);
  });

  it("reads Lambda's times with a +0000 offset", () => {
    expect(lambdaTime("2024-01-01T12:00:00.000+0000")).toEqual(new Date("2024-01-01T12:00:00Z"));
    expect(lambdaTime("2024-01-01T14:00:00.000+0200")).toEqual(new Date("2024-01-01T12:00:00Z"));
    expect(lambdaTime(undefined)).toBeUndefined();
    expect(lambdaTime("")).toBeUndefined();
  });

  it("fails the partition on a listed function without a name", async () => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [{ FunctionArn: functionArn("x") }] });
    const failure = await observe(lambdaFunctionCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(functionArn("x"));
    expect(lambda.commandCalls(GetFunctionCommand)).toHaveLength(0);
  });
});
