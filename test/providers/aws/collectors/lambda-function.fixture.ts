/** Lambda ListFunctions / GetFunction output, as the SDK returns it. */

import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { GetFunctionCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** A function's ARN in the test account. */
export function functionArn(name: string): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
}

/** A listed function with every field the mapping reads, and an environment with secrets. */
export const fullFunction: FunctionConfiguration = {
  FunctionName: "orders-api",
  FunctionArn: functionArn("orders-api"),
  Runtime: "nodejs22.x",
  Role: "arn:aws:iam::123456789012:role/orders-api-exec",
  Handler: "index.handler",
  CodeSize: 5_242_880,
  Description: "Orders HTTP API",
  Timeout: 30,
  MemorySize: 1024,
  LastModified: "2026-03-04T05:06:07.000+0000",
  CodeSha256: "pQ2Wq4yqg6XyNf0v0u5Hq9G4P5kq9W2mF1Yw0o7Vb3c=",
  Version: "$LATEST",
  VpcConfig: {
    SubnetIds: ["subnet-0priv1", "subnet-0priv2"],
    SecurityGroupIds: ["sg-0lambda000000001"],
    VpcId: "vpc-0abc1234",
  },
  DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:123456789012:orders-dlq" },
  Environment: {
    Variables: { TABLE_NAME: "orders", DB_PASSWORD: "hunter2-never-published" },
  },
  KMSKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  TracingConfig: { Mode: "Active" },
  Layers: [
    { Arn: "arn:aws:lambda:us-east-1:123456789012:layer:otel:7", CodeSize: 1024 },
    { Arn: "arn:aws:lambda:us-east-1:123456789012:layer:shared:3", CodeSize: 2048 },
  ],
  PackageType: "Image",
  Architectures: ["arm64"],
  EphemeralStorage: { Size: 1024 },
  LoggingConfig: { LogGroup: "/aws/lambda/orders-api", LogFormat: "JSON" },
};

/** The full function's GetFunction answer (its configuration repeats the environment). */
export const fullGetFunction = {
  Configuration: { ...fullFunction, State: "Active" as const },
  Code: {
    RepositoryType: "ECR",
    ImageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.4.2",
    Location: "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/x",
  },
  Tags: { Name: "orders-api", Team: "orders" },
};

/** The largest page of ListFunctions. */
const LAMBDA_PAGING = {
  items: "Functions",
  pageSize: "MaxItems",
  max: 50,
  inputToken: "Marker",
  outputToken: "NextMarker",
} as const;

export default defineAwsFixture({
  type: "lambda_function",
  listing: ListFunctionsCommand,
  full: {
    id: "orders-api",
    answers: [
      on(ListFunctionsCommand).answer({ Functions: [fullFunction] }),
      on(GetFunctionCommand).answer(fullGetFunction),
    ],
  },
  estate: {
    id: (r, k) => `fn-${r.hex(k)}`,
    // Function i runs in VPC i, subnet i and security group i.
    answers: (r) => {
      const names = r.ids("lambda_function");
      const index = new Map(names.map((name, i) => [name, i]));
      return [
        on(ListFunctionsCommand).pages(
          LAMBDA_PAGING,
          names.map(
            (FunctionName, i): FunctionConfiguration => ({
              FunctionName,
              FunctionArn: `arn:aws:lambda:${r.region}:${r.accountId}:function:${FunctionName}`,
              Runtime: "python3.13",
              Role: `arn:aws:iam::${r.accountId}:role/lambda-exec`,
              Handler: "app.handler",
              MemorySize: 256,
              Timeout: 15,
              LastModified: r.epoch.toISOString(),
              PackageType: "Zip",
              Architectures: ["x86_64"],
              VpcConfig:
                r.id("vpc", i) === ""
                  ? undefined
                  : {
                      VpcId: r.id("vpc", i),
                      SubnetIds: r.id("subnet", i) === "" ? [] : [r.id("subnet", i)],
                      SecurityGroupIds:
                        r.id("security_group", i) === "" ? [] : [r.id("security_group", i)],
                    },
              Environment: { Variables: { STAGE: "prod" } },
            }),
          ),
        ),
        on(GetFunctionCommand).answerBy(({ FunctionName = "" }) => {
          if (!index.has(FunctionName)) return new AwsErrorAnswer(404, "ResourceNotFoundException");
          return {
            Configuration: { FunctionName, State: "Active" },
            Code: { RepositoryType: "S3" },
            Tags: { team: "serverless" },
          };
        }),
      ];
    },
    minimumCalls: (r) => [
      [ListFunctionsCommand, r.pages(ListFunctionsCommand)],
      [GetFunctionCommand, r.count("lambda_function")],
    ],
  },
});
