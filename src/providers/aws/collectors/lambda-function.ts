/**
 * lambda_function: Lambda functions, their unqualified configuration. ListFunctions pages
 * of 50; per function one GetFunction under `ctx.limit`, the only call that tells its
 * state, its image URI and its tags (ListFunctions leaves them out). A function deleted
 * between the page and its GetFunction is left out: it no longer exists.
 *
 * GetFunction returns the tags only to a caller allowed `lambda:ListTags` (and answers
 * TagsError otherwise): the action is in the policy, and a TagsError fails the partition
 * as access_denied rather than publish the function without its tags.
 *
 * Environment variables: only their names leave this module. The values ListFunctions
 * and GetFunction return are dropped where the answers are read, before anything else
 * sees them.
 */
import {
  type FunctionConfiguration,
  GetFunctionCommand,
  type GetFunctionResponse,
  paginateListFunctions,
} from "@aws-sdk/client-lambda";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { PartitionFailure } from "../../../errors.ts";
import { LambdaFunctionSchema } from "../../../gen/elava/v1/compute_pb.ts";
import { type CollectorContext, callOptions, defineCollector, describeEach } from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, timestamp } from "../tags.ts";

/** The largest page of ListFunctions. */
export const LAMBDA_PAGE_SIZE = 50;

/** A function's configuration without its environment, and what GetFunction adds. */
export interface LambdaFunctionItem {
  readonly configuration: Omit<FunctionConfiguration, "Environment">;
  /** Environment.Variables' names, sorted; the values are never kept. */
  readonly environmentVariableNames: readonly string[];
  /** GetFunction: Configuration.State. */
  readonly state: string;
  /** GetFunction: Code.ImageUri. */
  readonly imageUri: string;
  /** GetFunction: Tags. */
  readonly tags: Readonly<Record<string, string>>;
}

/** The names of a configuration's environment variables, sorted. */
export function environmentNames(config: FunctionConfiguration | undefined): string[] {
  return Object.keys(config?.Environment?.Variables ?? {}).sort();
}

/** What of GetFunction's answer is kept: nothing of its configuration's environment. */
function described(listed: FunctionConfiguration, got: GetFunctionResponse): LambdaFunctionItem {
  const { Environment, ...configuration } = listed;
  return {
    configuration,
    environmentVariableNames: environmentNames(listed),
    state: got.Configuration?.State ?? "",
    imageUri: got.Code?.ImageUri ?? "",
    tags: { ...got.Tags },
  };
}

async function describe(
  ctx: CollectorContext,
  listed: FunctionConfiguration,
): Promise<LambdaFunctionItem | undefined> {
  // A listed function without a name is kept so that toProto fails the partition on it.
  if (listed.FunctionName === undefined) return described(listed, {});
  try {
    const got = await ctx.limit(() =>
      ctx.clients.lambda.send(
        new GetFunctionCommand({ FunctionName: listed.FunctionName }),
        callOptions(ctx),
      ),
    );
    if (got.TagsError !== undefined) {
      throw new PartitionFailure(
        "access_denied",
        `lambda:ListTags (the tags GetFunction returns) of function ${listed.FunctionName} in ${ctx.region} for ${ctx.accountId}: ${got.TagsError.ErrorCode ?? ""} ${got.TagsError.Message ?? ""}`.trim(),
      );
    }
    return described(listed, got);
  } catch (err) {
    if (awsErrorName(err) === "ResourceNotFoundException") return undefined;
    throw err;
  }
}

/** "2024-01-01T12:00:00.000+0000" as a Date; undefined when absent or not a time. */
export function lambdaTime(value: string | undefined): Date | undefined {
  if (value === undefined || value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Lambda functions with their state, image and tags. */
export const lambdaFunctionCollector = defineCollector({
  type: "lambda_function",
  service: "lambda",
  iamActions: ["lambda:ListFunctions", "lambda:GetFunction"],
  impliedIamActions: ["lambda:ListTags"],

  async *list(ctx): AsyncGenerator<LambdaFunctionItem[]> {
    for await (const page of paginateListFunctions(
      { client: ctx.clients.lambda, pageSize: LAMBDA_PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield await describeEach(page.Functions ?? [], (f) => describe(ctx, f));
    }
  },

  toProto(item: LambdaFunctionItem, unit) {
    const f = item.configuration;
    const name = requireId(
      f.FunctionName,
      `Lambda function (ARN ${f.FunctionArn ?? "none"})`,
      unit,
    );
    const tags = { ...item.tags };
    return {
      id: name,
      name: nameFrom(tags, name),
      arn: f.FunctionArn ?? "",
      tags,
      payload: payload(
        "lambda_function",
        create(LambdaFunctionSchema, {
          functionName: name,
          runtime: f.Runtime ?? "",
          handler: f.Handler ?? "",
          memorySize: f.MemorySize ?? 0,
          timeout: f.Timeout ?? 0,
          roleArn: f.Role ?? "",
          vpcId: f.VpcConfig?.VpcId ?? "",
          subnetIds: f.VpcConfig?.SubnetIds ?? [],
          securityGroupIds: f.VpcConfig?.SecurityGroupIds ?? [],
          layerArns: (f.Layers ?? []).flatMap((l) => (l.Arn ? [l.Arn] : [])),
          architectures: f.Architectures ?? [],
          packageType: f.PackageType ?? "",
          imageUri: item.imageUri,
          state: item.state,
          lastModified: timestamp(lambdaTime(f.LastModified)),
          environmentVariableNames: [...item.environmentVariableNames],
          description: f.Description ?? "",
          codeSize: BigInt(f.CodeSize ?? 0),
          codeSha256: f.CodeSha256 ?? "",
          kmsKeyArn: f.KMSKeyArn ?? "",
          deadLetterTargetArn: f.DeadLetterConfig?.TargetArn ?? "",
          ephemeralStorageSize: f.EphemeralStorage?.Size ?? 0,
          tracingMode: f.TracingConfig?.Mode ?? "",
          logGroup: f.LoggingConfig?.LogGroup ?? "",
        }),
      ),
    };
  },
});
