/**
 * sns_topic: SNS topics with their subscriptions. ListSubscriptions pages (100, SNS's
 * fixed page) once for the whole unit, read before the first topic page: one call per
 * 100 subscriptions, where ListSubscriptionsByTopic would cost at least one per topic.
 * Then ListTopics pages (100) and per topic GetTopicAttributes and ListTagsForResource
 * under `ctx.limit`, the only calls that tell a topic's settings and tags. A topic
 * deleted between its page and those calls is left out.
 */
import {
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  paginateListSubscriptions,
  paginateListTopics,
  type Subscription,
  type Tag,
} from "@aws-sdk/client-sns";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { SnsSubscriptionSchema, SnsTopicSchema } from "../../../gen/elava/v1/messaging_pb.ts";
import {
  allItems,
  type CollectorContext,
  callOptions,
  defineCollector,
  describeEach,
} from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, tagRecord } from "../tags.ts";

/** A topic with its attributes, tags and subscriptions. */
export interface SnsTopicItem {
  readonly topicArn: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly subscriptions: readonly Subscription[];
}

/** True for the answers SNS gives about a topic deleted since it was listed. */
function isGone(err: unknown): boolean {
  const name = awsErrorName(err);
  return (
    name === "NotFoundException" || name === "NotFound" || name === "ResourceNotFoundException"
  );
}

async function describe(
  ctx: CollectorContext,
  topicArn: string | undefined,
  subscriptions: readonly Subscription[],
): Promise<SnsTopicItem | undefined> {
  // A topic without an ARN is kept so that toProto fails the partition on it.
  if (topicArn === undefined) return { topicArn, attributes: {}, tags: [], subscriptions };
  try {
    const [attributes, tags] = await Promise.all([
      ctx.limit(() =>
        ctx.clients.sns.send(
          new GetTopicAttributesCommand({ TopicArn: topicArn }),
          callOptions(ctx),
        ),
      ),
      ctx.limit(() =>
        ctx.clients.sns.send(
          new ListTagsForResourceCommand({ ResourceArn: topicArn }),
          callOptions(ctx),
        ),
      ),
    ]);
    return {
      topicArn,
      attributes: attributes.Attributes ?? {},
      tags: tags.Tags ?? [],
      subscriptions,
    };
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** The subscriptions of the unit by topic ARN. */
async function subscriptionsByTopic(ctx: CollectorContext): Promise<Map<string, Subscription[]>> {
  const all = await allItems(
    paginateListSubscriptions({ client: ctx.clients.sns }, {}, callOptions(ctx)),
    (page) => page.Subscriptions,
  );
  const byTopic = new Map<string, Subscription[]>();
  for (const s of all) {
    const topic = s.TopicArn ?? "";
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [s]);
    else list.push(s);
  }
  return byTopic;
}

/** The last part of an ARN (`arn:aws:sns:r:a:alerts` -> `alerts`). */
export function lastArnPart(arn: string): string {
  return arn.slice(arn.lastIndexOf(":") + 1);
}

/** SNS topics with their attributes, tags and subscriptions. */
export const snsTopicCollector = defineCollector({
  type: "sns_topic",
  service: "sns",
  iamActions: [
    "sns:ListTopics",
    "sns:ListSubscriptions",
    "sns:GetTopicAttributes",
    "sns:ListTagsForResource",
  ],

  async *list(ctx): AsyncGenerator<SnsTopicItem[]> {
    let subscriptions: Map<string, Subscription[]> | undefined;
    for await (const page of paginateListTopics(
      { client: ctx.clients.sns },
      {},
      callOptions(ctx),
    )) {
      const topics = page.Topics ?? [];
      if (topics.length > 0 && subscriptions === undefined) {
        subscriptions = await subscriptionsByTopic(ctx);
      }
      const bySubscriptions = subscriptions ?? new Map<string, Subscription[]>();
      yield await describeEach(topics, (t) =>
        describe(ctx, t.TopicArn, bySubscriptions.get(t.TopicArn ?? "") ?? []),
      );
    }
  },

  toProto({ topicArn, attributes: a, tags: sdkTags, subscriptions }: SnsTopicItem, unit) {
    const arn = requireId(topicArn, "SNS topic", unit);
    const tags = tagRecord(sdkTags);
    const name = lastArnPart(arn);
    return {
      id: arn,
      name: nameFrom(tags, name),
      arn,
      tags,
      payload: payload(
        "sns_topic",
        create(SnsTopicSchema, {
          topicName: name,
          displayName: a.DisplayName ?? "",
          kmsMasterKeyId: a.KmsMasterKeyId ?? "",
          fifoTopic: a.FifoTopic === "true",
          contentBasedDeduplication: a.ContentBasedDeduplication === "true",
          owner: a.Owner ?? "",
          subscriptions: subscriptions.map((s) =>
            create(SnsSubscriptionSchema, {
              subscriptionArn: s.SubscriptionArn ?? "",
              protocol: s.Protocol ?? "",
              endpoint: s.Endpoint ?? "",
              owner: s.Owner ?? "",
            }),
          ),
        }),
      ),
    };
  },
});
