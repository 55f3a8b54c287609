/**
 * cloudwatch_alarm: CloudWatch metric alarms. DescribeAlarms pages of 100; per alarm one
 * ListTagsForResource under `ctx.limit`, the only call that tells an alarm's tags. An
 * alarm deleted between the page and its tags is left out: it no longer exists.
 */
import {
  ListTagsForResourceCommand,
  type MetricAlarm,
  paginateDescribeAlarms,
  type Tag,
} from "@aws-sdk/client-cloudwatch";
import { create } from "@bufbuild/protobuf";
import { payload } from "../../../contract/resource-types.ts";
import { CloudwatchAlarmSchema } from "../../../gen/elava/v1/monitoring_pb.ts";
import { type CollectorContext, callOptions, defineCollector, describeEach } from "../collector.ts";
import { awsErrorName } from "../errors.ts";
import { nameFrom, requireId, tagRecord, timestamp } from "../tags.ts";

/** The largest page of DescribeAlarms. */
export const ALARM_PAGE_SIZE = 100;

/** A metric alarm with its tags. */
export interface CloudwatchAlarmItem {
  readonly alarm: MetricAlarm;
  readonly tags: readonly Tag[];
}

async function tagged(
  ctx: CollectorContext,
  alarm: MetricAlarm,
): Promise<CloudwatchAlarmItem | undefined> {
  const ResourceARN = alarm.AlarmArn;
  // An alarm without an ARN is kept so that toProto fails the partition on it.
  if (ResourceARN === undefined) return { alarm, tags: [] };
  try {
    const out = await ctx.limit(() =>
      ctx.clients.cloudwatch.send(
        new ListTagsForResourceCommand({ ResourceARN }),
        callOptions(ctx),
      ),
    );
    return { alarm, tags: out.Tags ?? [] };
  } catch (err) {
    if (awsErrorName(err) === "ResourceNotFoundException") return undefined;
    throw err;
  }
}

/** CloudWatch metric alarms with their tags. */
export const cloudwatchAlarmCollector = defineCollector({
  type: "cloudwatch_alarm",
  service: "cloudwatch",
  iamActions: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],

  async *list(ctx): AsyncGenerator<CloudwatchAlarmItem[]> {
    for await (const page of paginateDescribeAlarms(
      { client: ctx.clients.cloudwatch, pageSize: ALARM_PAGE_SIZE },
      { AlarmTypes: ["MetricAlarm"] },
      callOptions(ctx),
    )) {
      yield await describeEach(page.MetricAlarms ?? [], (a) => tagged(ctx, a));
    }
  },

  toProto({ alarm: a, tags: sdkTags }: CloudwatchAlarmItem, unit) {
    const name = requireId(a.AlarmName, `CloudWatch alarm (ARN ${a.AlarmArn ?? "none"})`, unit);
    const tags = tagRecord(sdkTags);
    const dimensions: Record<string, string> = {};
    for (const d of a.Dimensions ?? []) {
      if (d.Name !== undefined && d.Name !== "") dimensions[d.Name] = d.Value ?? "";
    }
    return {
      id: name,
      name: nameFrom(tags, name),
      arn: a.AlarmArn ?? "",
      tags,
      payload: payload(
        "cloudwatch_alarm",
        create(CloudwatchAlarmSchema, {
          alarmName: name,
          description: a.AlarmDescription ?? "",
          namespace: a.Namespace ?? "",
          metricName: a.MetricName ?? "",
          dimensions,
          statistic: a.Statistic ?? "",
          extendedStatistic: a.ExtendedStatistic ?? "",
          period: a.Period ?? 0,
          evaluationPeriods: a.EvaluationPeriods ?? 0,
          datapointsToAlarm: a.DatapointsToAlarm ?? 0,
          threshold: a.Threshold ?? 0,
          comparisonOperator: a.ComparisonOperator ?? "",
          treatMissingData: a.TreatMissingData ?? "",
          actionsEnabled: a.ActionsEnabled ?? false,
          alarmActions: a.AlarmActions ?? [],
          okActions: a.OKActions ?? [],
          insufficientDataActions: a.InsufficientDataActions ?? [],
          stateValue: a.StateValue ?? "",
          stateReason: a.StateReason ?? "",
          stateUpdatedAt: timestamp(a.StateUpdatedTimestamp),
          configurationUpdatedAt: timestamp(a.AlarmConfigurationUpdatedTimestamp),
          unit: a.Unit ?? "",
        }),
      ),
    };
  },
});
