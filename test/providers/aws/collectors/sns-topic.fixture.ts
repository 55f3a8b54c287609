/** SNS ListTopics / ListSubscriptions / GetTopicAttributes / ListTagsForResource output. */

import type { Subscription } from "@aws-sdk/client-sns";
import {
  GetTopicAttributesCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
} from "@aws-sdk/client-sns";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** A topic's ARN in the test account. */
export function topicArn(name: string): string {
  return `arn:aws:sns:us-east-1:123456789012:${name}`;
}

/** The full topic's attributes (GetTopicAttributes: Attributes), every mapped one set. */
export const fullTopicAttributes: Record<string, string> = {
  TopicArn: topicArn("orders-events.fifo"),
  DisplayName: "Order events",
  KmsMasterKeyId: "alias/aws/sns",
  FifoTopic: "true",
  ContentBasedDeduplication: "true",
  Owner: "123456789012",
  SubscriptionsConfirmed: "2",
  SubscriptionsPending: "1",
  Policy: '{"Version":"2012-10-17","Statement":[]}',
};

/** The account's subscriptions: two of the full topic, one of another topic. */
export const fullSubscriptions: Subscription[] = [
  {
    SubscriptionArn: `${topicArn("orders-events.fifo")}:11111111-2222-3333-4444-555555555555`,
    Owner: "123456789012",
    Protocol: "sqs",
    Endpoint: "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
    TopicArn: topicArn("orders-events.fifo"),
  },
  {
    SubscriptionArn: `${topicArn("orders-events.fifo")}:66666666-7777-8888-9999-000000000000`,
    Owner: "123456789012",
    Protocol: "lambda",
    Endpoint: "arn:aws:lambda:us-east-1:123456789012:function:orders-api",
    TopicArn: topicArn("orders-events.fifo"),
  },
  {
    SubscriptionArn: "PendingConfirmation",
    Owner: "123456789012",
    Protocol: "email",
    Endpoint: "ops@example.com",
    TopicArn: topicArn("other"),
  },
];

/** SNS's list operations: 100 a page, no page size to ask for. */
const SNS_PAGING = { max: 100, inputToken: "NextToken", outputToken: "NextToken" } as const;

export default defineAwsFixture({
  type: "sns_topic",
  listing: ListTopicsCommand,
  full: {
    id: topicArn("orders-events.fifo"),
    answers: [
      on(ListTopicsCommand).answer({ Topics: [{ TopicArn: topicArn("orders-events.fifo") }] }),
      on(ListSubscriptionsCommand).answer({ Subscriptions: fullSubscriptions }),
      on(GetTopicAttributesCommand).answer({ Attributes: fullTopicAttributes }),
      on(ListTagsForResourceCommand).answer({
        Tags: [
          { Key: "Name", Value: "orders-events" },
          { Key: "Team", Value: "orders" },
        ],
      }),
    ],
  },
  estate: {
    id: (r, k) => `arn:aws:sns:${r.region}:${r.accountId}:topic-${r.hex(k)}`,
    // Topic i is subscribed by queue i and function i.
    answers: (r) => {
      const arns = r.ids("sns_topic");
      const known = new Set(arns);
      const gone = () => new AwsErrorAnswer(404, "NotFound");
      const subscriptions = arns.flatMap((TopicArn, i): Subscription[] => {
        const endpoints = [
          ["sqs", r.id("sqs_queue", i)],
          [
            "lambda",
            r.id("lambda_function", i) &&
              `arn:aws:lambda:${r.region}:${r.accountId}:function:${r.id("lambda_function", i)}`,
          ],
        ].filter(([, endpoint]) => endpoint !== "");
        return endpoints.map(([Protocol, Endpoint], s) => ({
          SubscriptionArn: `${TopicArn}:sub-${i}-${s}`,
          Owner: r.accountId,
          Protocol,
          Endpoint,
          TopicArn,
        }));
      });
      return [
        on(ListTopicsCommand).pages(
          { ...SNS_PAGING, items: "Topics" },
          arns.map((TopicArn) => ({ TopicArn })),
        ),
        on(ListSubscriptionsCommand).pages(
          { ...SNS_PAGING, items: "Subscriptions" },
          subscriptions,
        ),
        on(GetTopicAttributesCommand).answerBy(({ TopicArn = "" }) =>
          known.has(TopicArn)
            ? { Attributes: { TopicArn, Owner: r.accountId, DisplayName: "" } }
            : gone(),
        ),
        on(ListTagsForResourceCommand).answerBy(({ ResourceArn = "" }) =>
          known.has(ResourceArn) ? { Tags: [{ Key: "team", Value: "ops" }] } : gone(),
        ),
      ];
    },
    minimumCalls: (r) => {
      const topics = r.count("sns_topic");
      return [
        [ListTopicsCommand, r.pages(ListTopicsCommand)],
        [ListSubscriptionsCommand, topics === 0 ? 0 : r.pages(ListSubscriptionsCommand)],
        [GetTopicAttributesCommand, topics],
        [ListTagsForResourceCommand, topics],
      ];
    },
  },
});
