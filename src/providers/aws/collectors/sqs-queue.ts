/**
 * sqs_queue: SQS queues. ListQueues pages of 1000 URLs; per queue one GetQueueAttributes
 * (All) and one ListQueueTags under `ctx.limit`: SQS tells a queue's ARN, settings and
 * tags no other way. A queue deleted between its page and those calls is left out.
 */
import {
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  paginateListQueues,
} from "@aws-sdk/client-sqs";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { PartitionFailure } from "../../../errors.ts";
import { SqsQueueSchema } from "../../../gen/elava/v1/messaging_pb.ts";
import { type CollectorContext, callOptions, defineCollector, describeEach } from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, timestamp } from "../tags.ts";

/** The largest page of ListQueues. */
export const SQS_PAGE_SIZE = 1000;

/** A queue with its attributes and tags. */
export interface SqsQueueItem {
  readonly queueUrl: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

function isGone(err: unknown): boolean {
  const name = awsErrorName(err);
  return name === "QueueDoesNotExist" || name === "AWS.SimpleQueueService.NonExistentQueue";
}

async function describe(
  ctx: CollectorContext,
  queueUrl: string,
): Promise<SqsQueueItem | undefined> {
  try {
    const [attributes, tags] = await Promise.all([
      ctx.limit(() =>
        ctx.clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
          callOptions(ctx),
        ),
      ),
      ctx.limit(() =>
        ctx.clients.sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }), callOptions(ctx)),
      ),
    ]);
    return { queueUrl, attributes: attributes.Attributes ?? {}, tags: tags.Tags ?? {} };
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** A whole number attribute ("30"); 0 when absent. */
function int(value: string | undefined): number {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) ? n : 0;
}

/** An epoch-seconds attribute ("1700000000") as a Date; undefined when absent. */
function epochSeconds(value: string | undefined): Date | undefined {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) ? new Date(n * 1000) : undefined;
}

/** The dead-letter queue and receive count of a RedrivePolicy attribute (JSON). */
function redrive(
  policy: string | undefined,
  unit: { region: string; accountId: string },
  queueUrl: string,
): { deadLetterTargetArn: string; maxReceiveCount: number } {
  if (policy === undefined || policy === "") return { deadLetterTargetArn: "", maxReceiveCount: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new PartitionFailure(
      "invalid_data",
      `SQS queue ${queueUrl} in ${unit.region} for ${unit.accountId} has a RedrivePolicy that is not JSON`,
    );
  }
  const p = (typeof parsed === "object" && parsed !== null ? parsed : {}) as {
    deadLetterTargetArn?: unknown;
    maxReceiveCount?: unknown;
  };
  return {
    deadLetterTargetArn: typeof p.deadLetterTargetArn === "string" ? p.deadLetterTargetArn : "",
    // SQS has written maxReceiveCount both as a number and as a string.
    maxReceiveCount: int(String(p.maxReceiveCount ?? "")),
  };
}

/** SQS queues with their attributes and tags. */
export const sqsQueueCollector = defineCollector({
  type: "sqs_queue",
  service: "sqs",
  iamActions: ["sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags"],

  async *list(ctx): AsyncGenerator<SqsQueueItem[]> {
    for await (const page of paginateListQueues(
      { client: ctx.clients.sqs, pageSize: SQS_PAGE_SIZE },
      {},
      callOptions(ctx),
    )) {
      yield await describeEach(page.QueueUrls ?? [], (url) => describe(ctx, url));
    }
  },

  toProto({ queueUrl, attributes: a, tags: sdkTags }: SqsQueueItem, unit) {
    const arn = requireId(a.QueueArn, `SQS queue (URL ${queueUrl}, no QueueArn)`, unit);
    const tags = { ...sdkTags };
    const name = queueUrl.slice(queueUrl.lastIndexOf("/") + 1);
    return {
      id: arn,
      name: nameFrom(tags, name),
      arn,
      tags,
      payload: payload(
        "sqs_queue",
        create(SqsQueueSchema, {
          queueName: name,
          queueUrl,
          fifoQueue: a.FifoQueue === "true",
          visibilityTimeout: int(a.VisibilityTimeout),
          messageRetentionPeriod: int(a.MessageRetentionPeriod),
          delaySeconds: int(a.DelaySeconds),
          maximumMessageSize: int(a.MaximumMessageSize),
          receiveMessageWaitTime: int(a.ReceiveMessageWaitTimeSeconds),
          kmsMasterKeyId: a.KmsMasterKeyId ?? "",
          kmsDataKeyReusePeriod: int(a.KmsDataKeyReusePeriodSeconds),
          sqsManagedSse: a.SqsManagedSseEnabled === "true",
          ...redrive(a.RedrivePolicy, unit, queueUrl),
          contentBasedDeduplication: a.ContentBasedDeduplication === "true",
          deduplicationScope: a.DeduplicationScope ?? "",
          fifoThroughputLimit: a.FifoThroughputLimit ?? "",
          createdAt: timestamp(epochSeconds(a.CreatedTimestamp)),
          lastModifiedAt: timestamp(epochSeconds(a.LastModifiedTimestamp)),
          approximateNumberOfMessages: BigInt(int(a.ApproximateNumberOfMessages)),
          approximateNumberOfMessagesNotVisible: BigInt(
            int(a.ApproximateNumberOfMessagesNotVisible),
          ),
        }),
      ),
    };
  },
});
