import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { CloudwatchAlarmSchema } from "../../../../src/gen/elava/v1/monitoring_pb.ts";
import { cloudwatchAlarmCollector } from "../../../../src/providers/aws/collectors/cloudwatch-alarm.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { alarmArn, alertsTopic, fullAlarm } from "./cloudwatch-alarm.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const cloudwatch = mockClient(CloudWatchClient);
afterEach(() => cloudwatch.reset());

describe("cloudwatch_alarm collector", () => {
  it("pages metric alarms at 100 and reads each alarm's tags under the limit", async () => {
    const inputs = answerPages(cloudwatch.on(DescribeAlarmsCommand), [
      { MetricAlarms: [{ AlarmName: "a", AlarmArn: alarmArn("a") }], NextToken: "n1" },
      { MetricAlarms: [{ AlarmName: "b", AlarmArn: alarmArn("b") }] },
    ]);
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    const ctx = testContext();
    const pages = await pagesOf(cloudwatchAlarmCollector, ctx);
    expect(pages.map((p) => p.map((i) => i.alarm.AlarmName))).toEqual([["a"], ["b"]]);
    expect(inputs).toEqual([
      { AlarmTypes: ["MetricAlarm"], MaxRecords: 100, NextToken: undefined },
      { AlarmTypes: ["MetricAlarm"], MaxRecords: 100, NextToken: "n1" },
    ]);
    expect(cloudwatch.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input)).toEqual(
      [{ ResourceARN: alarmArn("a") }, { ResourceARN: alarmArn("b") }],
    );
    expect(ctx.limited.calls).toBe(2);
  });

  it("leaves out an alarm deleted between its page and its tags", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: "kept", AlarmArn: alarmArn("kept") },
        { AlarmName: "gone", AlarmArn: alarmArn("gone") },
      ],
    });
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    cloudwatch
      .on(ListTagsForResourceCommand, { ResourceARN: alarmArn("gone") })
      .rejects(new ResourceNotFoundException({ message: "not found", $metadata: {} }));
    const [page] = await pagesOf(cloudwatchAlarmCollector, testContext());
    expect(page?.map((i) => i.alarm.AlarmName)).toEqual(["kept"]);
  });

  it("maps the full fixture field by field", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [fullAlarm] });
    cloudwatch.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: "Name", Value: "web-cpu" },
        { Key: "Team", Value: "web" },
      ],
    });
    const [r] = await observe(cloudwatchAlarmCollector, testContext());
    expect(r?.id).toBe("web-cpu-high");
    expect(r?.name).toBe("web-cpu");
    expect(r?.arn).toBe(alarmArn("web-cpu-high"));
    expect(r?.tags).toEqual({ Name: "web-cpu", Team: "web" });
    const a = payloadOf(r, "cloudwatch_alarm");
    expect(a.alarmName).toBe("web-cpu-high");
    expect(a.description).toBe("CPU of the web fleet");
    expect(a.namespace).toBe("AWS/EC2");
    expect(a.metricName).toBe("CPUUtilization");
    expect(a.dimensions).toEqual({
      InstanceId: "i-0aaa1111bbbb2222c",
      AutoScalingGroupName: "web",
    });
    expect([a.statistic, a.extendedStatistic]).toEqual(["Average", "p99"]);
    expect([a.period, a.evaluationPeriods, a.datapointsToAlarm]).toEqual([300, 3, 2]);
    expect(a.threshold).toBe(80);
    expect(a.comparisonOperator).toBe("GreaterThanThreshold");
    expect(a.treatMissingData).toBe("notBreaching");
    expect(a.actionsEnabled).toBe(true);
    expect(a.alarmActions[0]).toBe(alertsTopic);
    expect(a.okActions).toEqual([alertsTopic]);
    expect(a.insufficientDataActions).toEqual(["arn:aws:sns:us-east-1:123456789012:ops"]);
    expect(a.stateValue).toBe("ALARM");
    expect(a.stateReason).toMatch(/^Threshold Crossed/);
    expect(a.stateUpdatedAt && timestampDate(a.stateUpdatedAt)).toEqual(
      new Date("2026-03-05T01:02:03Z"),
    );
    expect(a.configurationUpdatedAt && timestampDate(a.configurationUpdatedAt)).toEqual(
      new Date("2026-03-04T05:06:07Z"),
    );
    expect(a.unit).toBe("Percent");
    expect(unsetFields(CloudwatchAlarmSchema, a)).toEqual([]);
  });

  it("keeps fractional thresholds and drops dimensions without a name", () => {
    const r = cloudwatchAlarmCollector.toProto(
      {
        alarm: {
          AlarmName: "latency",
          Threshold: 0.25,
          Dimensions: [
            { Name: undefined, Value: "orphan" },
            { Name: "LoadBalancer", Value: "app/web/0123" },
          ],
        },
        tags: [],
      },
      REGIONAL,
    );
    const a = payloadOf(r, "cloudwatch_alarm");
    expect(a.threshold).toBe(0.25);
    expect(a.dimensions).toEqual({ LoadBalancer: "app/web/0123" });
    expect(r.arn).toBe("");
  });

  it("fails the partition on an alarm without a name", async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmArn: alarmArn("x") }] });
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    const failure = await observe(cloudwatchAlarmCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(alarmArn("x"));
  });
});
