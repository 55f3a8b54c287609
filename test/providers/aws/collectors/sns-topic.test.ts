import {
  GetTopicAttributesCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  SNSClient,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { SnsTopicSchema } from "../../../../src/gen/elava/v1/messaging_pb.ts";
import { snsTopicCollector } from "../../../../src/providers/aws/collectors/sns-topic.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";
import { fullSubscriptions, fullTopicAttributes, topicArn } from "./sns-topic.fixture.ts";

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

function topicCalls(): void {
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
  sns.on(ListTagsForResourceCommand).resolves({ Tags: [] });
}

describe("sns_topic collector", () => {
  it("reads the account's subscriptions once, then pages topics with two calls per topic", async () => {
    const topicInputs = answerPages(sns.on(ListTopicsCommand), [
      { Topics: [{ TopicArn: topicArn("a") }], NextToken: "t1" },
      { Topics: [{ TopicArn: topicArn("b") }] },
    ]);
    const subscriptionInputs = answerPages(sns.on(ListSubscriptionsCommand), [
      {
        Subscriptions: [{ TopicArn: topicArn("b"), Protocol: "sqs", Endpoint: "q1" }],
        NextToken: "s1",
      },
      { Subscriptions: [{ TopicArn: topicArn("a"), Protocol: "sqs", Endpoint: "q2" }] },
    ]);
    topicCalls();
    const ctx = testContext();
    const pages = await pagesOf(snsTopicCollector, ctx);
    expect(topicInputs).toEqual([{ NextToken: undefined }, { NextToken: "t1" }]);
    expect(subscriptionInputs).toEqual([{ NextToken: undefined }, { NextToken: "s1" }]);
    expect(
      pages.map((p) => p.map((t) => [t.topicArn, t.subscriptions.map((s) => s.Endpoint)])),
    ).toEqual([[[topicArn("a"), ["q2"]]], [[topicArn("b"), ["q1"]]]]);
    expect(ctx.limited.calls).toBe(4);
  });

  it("makes no ListSubscriptions call for an account without topics", async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    expect(await pagesOf(snsTopicCollector, testContext())).toEqual([[]]);
    expect(sns.commandCalls(ListSubscriptionsCommand)).toHaveLength(0);
  });

  it("leaves out a topic deleted between its page and its attributes", async () => {
    sns.on(ListTopicsCommand).resolves({
      Topics: [{ TopicArn: topicArn("kept") }, { TopicArn: topicArn("gone") }],
    });
    sns.on(ListSubscriptionsCommand).resolves({ Subscriptions: [] });
    topicCalls();
    sns
      .on(GetTopicAttributesCommand, { TopicArn: topicArn("gone") })
      .rejects(new NotFoundException({ message: "Topic does not exist", $metadata: {} }));
    const [page] = await pagesOf(snsTopicCollector, testContext());
    expect(page?.map((t) => t.topicArn)).toEqual([topicArn("kept")]);
  });

  it("maps the full fixture field by field, with only its own subscriptions", async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [{ TopicArn: topicArn("orders-events.fifo") }] });
    sns.on(ListSubscriptionsCommand).resolves({ Subscriptions: fullSubscriptions });
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: fullTopicAttributes });
    sns.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: "Name", Value: "orders-events" },
        { Key: "Team", Value: "orders" },
      ],
    });
    const [r] = await observe(snsTopicCollector, testContext());
    expect(r?.id).toBe(topicArn("orders-events.fifo"));
    expect(r?.arn).toBe(topicArn("orders-events.fifo"));
    expect(r?.name).toBe("orders-events");
    expect(r?.tags).toEqual({ Name: "orders-events", Team: "orders" });
    const t = payloadOf(r, "sns_topic");
    expect(t.topicName).toBe("orders-events.fifo");
    expect(t.displayName).toBe("Order events");
    expect(t.kmsMasterKeyId).toBe("alias/aws/sns");
    expect(t.fifoTopic).toBe(true);
    expect(t.contentBasedDeduplication).toBe(true);
    expect(t.owner).toBe("123456789012");
    expect(t.subscriptions.map((s) => [s.protocol, s.endpoint, s.owner])).toEqual([
      ["sqs", "arn:aws:sqs:us-east-1:123456789012:orders.fifo", "123456789012"],
      ["lambda", "arn:aws:lambda:us-east-1:123456789012:function:orders-api", "123456789012"],
    ]);
    expect(t.subscriptions[0]?.subscriptionArn).toMatch(/^arn:aws:sns:.*:11111111-/);
    expect(unsetFields(SnsTopicSchema, t)).toEqual([]);
  });

  it("maps a standard topic without attributes to false and empty values", () => {
    const r = snsTopicCollector.toProto(
      { topicArn: topicArn("plain"), attributes: {}, tags: [], subscriptions: [] },
      REGIONAL,
    );
    const t = payloadOf(r, "sns_topic");
    expect(r.name).toBe("plain");
    expect(t.fifoTopic).toBe(false);
    expect(t.subscriptions).toEqual([]);
  });

  it("fails the partition on a listed topic without an ARN", async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [{}] });
    sns.on(ListSubscriptionsCommand).resolves({ Subscriptions: [] });
    const failure = await observe(snsTopicCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect(sns.commandCalls(GetTopicAttributesCommand)).toHaveLength(0);
  });
});
