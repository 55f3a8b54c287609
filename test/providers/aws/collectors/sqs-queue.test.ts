import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  QueueDoesNotExist,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { SqsQueueSchema } from "../../../../src/gen/elava/v1/messaging_pb.ts";
import { sqsQueueCollector } from "../../../../src/providers/aws/collectors/sqs-queue.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { fullQueueAttributes, queueOf } from "./sqs-queue.fixture.ts";

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

describe("sqs_queue collector", () => {
  it("pages ListQueues at 1000 and makes two calls per queue under the limit", async () => {
    const inputs = answerPages(sqs.on(ListQueuesCommand), [
      { QueueUrls: [queueOf("a").url, queueOf("b").url], NextToken: "q1" },
      { QueueUrls: [queueOf("c").url] },
    ]);
    sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl?: string }) => ({
      Attributes: { QueueArn: `arn:${input.QueueUrl}` },
    }));
    sqs.on(ListQueueTagsCommand).resolves({});
    const ctx = testContext(REGIONAL, 2);
    const pages = await pagesOf(sqsQueueCollector, ctx);
    expect(pages.map((p) => p.map((q) => q.queueUrl))).toEqual([
      [queueOf("a").url, queueOf("b").url],
      [queueOf("c").url],
    ]);
    expect(inputs).toEqual([
      { MaxResults: 1000, NextToken: undefined },
      { MaxResults: 1000, NextToken: "q1" },
    ]);
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input).toEqual({
      QueueUrl: queueOf("a").url,
      AttributeNames: ["All"],
    });
    expect(ctx.limited.calls).toBe(6);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("leaves out a queue deleted between its page and its attributes", async () => {
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [queueOf("kept").url, queueOf("gone").url] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: queueOf("kept").arn } });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: queueOf("gone").url })
      .rejects(
        new QueueDoesNotExist({ message: "The specified queue does not exist.", $metadata: {} }),
      );
    sqs.on(ListQueueTagsCommand).resolves({});
    const [page] = await pagesOf(sqsQueueCollector, testContext());
    expect(page?.map((q) => q.queueUrl)).toEqual([queueOf("kept").url]);
  });

  it("maps the full fixture field by field", async () => {
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [queueOf("orders.fifo").url] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: fullQueueAttributes });
    sqs.on(ListQueueTagsCommand).resolves({ Tags: { Name: "orders", Team: "orders" } });
    const [r] = await observe(sqsQueueCollector, testContext());
    expect(r?.id).toBe(queueOf("orders.fifo").arn);
    expect(r?.arn).toBe(queueOf("orders.fifo").arn);
    expect(r?.name).toBe("orders");
    expect(r?.tags).toEqual({ Name: "orders", Team: "orders" });
    const q = payloadOf(r, "sqs_queue");
    expect(q.queueName).toBe("orders.fifo");
    expect(q.queueUrl).toBe(queueOf("orders.fifo").url);
    expect(q.fifoQueue).toBe(true);
    expect([q.visibilityTimeout, q.messageRetentionPeriod, q.delaySeconds]).toEqual([
      120, 345_600, 5,
    ]);
    expect([q.maximumMessageSize, q.receiveMessageWaitTime]).toEqual([262_144, 20]);
    expect([q.kmsMasterKeyId, q.kmsDataKeyReusePeriod, q.sqsManagedSse]).toEqual([
      "alias/orders",
      600,
      true,
    ]);
    expect(q.deadLetterTargetArn).toBe(queueOf("orders-dlq.fifo").arn);
    expect(q.maxReceiveCount).toBe(5);
    expect(q.contentBasedDeduplication).toBe(true);
    expect(q.deduplicationScope).toBe("messageGroup");
    expect(q.fifoThroughputLimit).toBe("perMessageGroupId");
    expect(q.createdAt && timestampDate(q.createdAt)).toEqual(new Date(1_772_600_767_000));
    expect(q.lastModifiedAt && timestampDate(q.lastModifiedAt)).toEqual(
      new Date(1_772_687_167_000),
    );
    expect(q.approximateNumberOfMessages).toBe(42n);
    expect(q.approximateNumberOfMessagesNotVisible).toBe(3n);
    expect(unsetFields(SqsQueueSchema, q)).toEqual([]);
  });

  it("reads a redrive policy whose maxReceiveCount is a string, and a queue without one", () => {
    const item = (attributes: Record<string, string>) => ({
      queueUrl: queueOf("q").url,
      attributes: { QueueArn: queueOf("q").arn, ...attributes },
      tags: {},
    });
    const withString = payloadOf(
      sqsQueueCollector.toProto(
        item({
          RedrivePolicy: `{"deadLetterTargetArn":"${queueOf("d").arn}","maxReceiveCount":"7"}`,
        }),
        REGIONAL,
      ),
      "sqs_queue",
    );
    expect([withString.deadLetterTargetArn, withString.maxReceiveCount]).toEqual([
      queueOf("d").arn,
      7,
    ]);
    const without = payloadOf(sqsQueueCollector.toProto(item({}), REGIONAL), "sqs_queue");
    expect([without.deadLetterTargetArn, without.maxReceiveCount]).toEqual(["", 0]);
    expect(without.createdAt).toBeUndefined();
  });

  it("fails the partition on a redrive policy that is not JSON, naming the queue", () => {
    const failure = (() => {
      try {
        sqsQueueCollector.toProto(
          {
            queueUrl: queueOf("q").url,
            attributes: { QueueArn: queueOf("q").arn, RedrivePolicy: "{broken" },
            tags: {},
          },
          REGIONAL,
        );
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(queueOf("q").url);
  });

  it("fails the partition on a queue whose attributes have no ARN", async () => {
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [queueOf("q").url] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    sqs.on(ListQueueTagsCommand).resolves({});
    const failure = await observe(sqsQueueCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(queueOf("q").url);
  });
});
