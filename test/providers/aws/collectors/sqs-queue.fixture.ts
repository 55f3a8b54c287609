/** SQS ListQueues / GetQueueAttributes / ListQueueTags output, as the SDK returns it. */

import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
} from "@aws-sdk/client-sqs";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture, type EstateRegion } from "../../../support/aws-fixture.ts";

/** A queue's URL and ARN in the test account. */
export function queueOf(name: string): { url: string; arn: string } {
  return {
    url: `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`,
    arn: `arn:aws:sqs:us-east-1:123456789012:${name}`,
  };
}

/** The full queue's attributes (GetQueueAttributes All), every mapped one set. */
export const fullQueueAttributes: Record<string, string> = {
  QueueArn: queueOf("orders.fifo").arn,
  FifoQueue: "true",
  VisibilityTimeout: "120",
  MessageRetentionPeriod: "345600",
  DelaySeconds: "5",
  MaximumMessageSize: "262144",
  ReceiveMessageWaitTimeSeconds: "20",
  KmsMasterKeyId: "alias/orders",
  KmsDataKeyReusePeriodSeconds: "600",
  SqsManagedSseEnabled: "true",
  RedrivePolicy: JSON.stringify({
    deadLetterTargetArn: queueOf("orders-dlq.fifo").arn,
    maxReceiveCount: 5,
  }),
  ContentBasedDeduplication: "true",
  DeduplicationScope: "messageGroup",
  FifoThroughputLimit: "perMessageGroupId",
  CreatedTimestamp: "1772600767",
  LastModifiedTimestamp: "1772687167",
  ApproximateNumberOfMessages: "42",
  ApproximateNumberOfMessagesNotVisible: "3",
  ApproximateNumberOfMessagesDelayed: "0",
  Policy: '{"Version":"2012-10-17","Statement":[]}',
};

/** The URL of queue `name` of the estate. */
function estateUrl(r: EstateRegion, arn: string): string {
  return `https://sqs.${r.region}.amazonaws.com/${r.accountId}/${arn.slice(arn.lastIndexOf(":") + 1)}`;
}

export default defineAwsFixture({
  type: "sqs_queue",
  listing: ListQueuesCommand,
  full: {
    id: queueOf("orders.fifo").arn,
    answers: [
      on(ListQueuesCommand).answer({ QueueUrls: [queueOf("orders.fifo").url] }),
      on(GetQueueAttributesCommand).answer({ Attributes: fullQueueAttributes }),
      on(ListQueueTagsCommand).answer({ Tags: { Name: "orders", Team: "orders" } }),
    ],
  },
  estate: {
    id: (r, k) => `arn:aws:sqs:${r.region}:${r.accountId}:queue-${r.hex(k)}`,
    // Queue i (odd) sends what it cannot deliver to queue i - 1.
    answers: (r) => {
      const arns = r.ids("sqs_queue");
      const byUrl = new Map(arns.map((arn, i) => [estateUrl(r, arn), i]));
      const gone = () => new AwsErrorAnswer(400, "QueueDoesNotExist");
      return [
        on(ListQueuesCommand).pages(
          {
            items: "QueueUrls",
            pageSize: "MaxResults",
            max: 1000,
            inputToken: "NextToken",
            outputToken: "NextToken",
          },
          arns.map((arn) => estateUrl(r, arn)),
        ),
        on(GetQueueAttributesCommand).answerBy(({ QueueUrl = "" }) => {
          const i = byUrl.get(QueueUrl);
          if (i === undefined) return gone();
          const attributes: Record<string, string> = {
            QueueArn: arns[i] ?? "",
            VisibilityTimeout: "30",
            MessageRetentionPeriod: "345600",
            CreatedTimestamp: String(r.epoch.getTime() / 1000),
          };
          if (i % 2 === 1) {
            attributes.RedrivePolicy = JSON.stringify({
              deadLetterTargetArn: arns[i - 1],
              maxReceiveCount: "3",
            });
          }
          return { Attributes: attributes };
        }),
        on(ListQueueTagsCommand).answerBy(({ QueueUrl = "" }) =>
          byUrl.has(QueueUrl) ? { Tags: { team: "jobs" } } : gone(),
        ),
      ];
    },
    minimumCalls: (r) => [
      [ListQueuesCommand, r.pages(ListQueuesCommand)],
      [GetQueueAttributesCommand, r.count("sqs_queue")],
      [ListQueueTagsCommand, r.count("sqs_queue")],
    ],
  },
});
