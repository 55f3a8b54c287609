/** CloudWatch DescribeAlarms / ListTagsForResource output, as the SDK returns it. */

import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeAlarmsCommand, ListTagsForResourceCommand } from "@aws-sdk/client-cloudwatch";
import { AwsErrorAnswer, on } from "../../../support/aws-answers.ts";
import { defineAwsFixture } from "../../../support/aws-fixture.ts";

/** An alarm's ARN in the test account. */
export function alarmArn(name: string): string {
  return `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;
}

/** The SNS topic the full alarm notifies. */
export const alertsTopic = "arn:aws:sns:us-east-1:123456789012:alerts";

/** An alarm with every field the mapping reads. */
export const fullAlarm: MetricAlarm = {
  AlarmName: "web-cpu-high",
  AlarmArn: alarmArn("web-cpu-high"),
  AlarmDescription: "CPU of the web fleet",
  AlarmConfigurationUpdatedTimestamp: new Date("2026-03-04T05:06:07Z"),
  ActionsEnabled: true,
  OKActions: [alertsTopic],
  AlarmActions: [
    alertsTopic,
    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0abc:autoScalingGroupName/web:policyName/up",
  ],
  InsufficientDataActions: ["arn:aws:sns:us-east-1:123456789012:ops"],
  StateValue: "ALARM",
  StateReason:
    "Threshold Crossed: 2 out of the last 3 datapoints [91.2, 88.0] were greater than the threshold (80.0).",
  StateUpdatedTimestamp: new Date("2026-03-05T01:02:03Z"),
  MetricName: "CPUUtilization",
  Namespace: "AWS/EC2",
  Statistic: "Average",
  ExtendedStatistic: "p99",
  Dimensions: [
    { Name: "InstanceId", Value: "i-0aaa1111bbbb2222c" },
    { Name: "AutoScalingGroupName", Value: "web" },
  ],
  Period: 300,
  Unit: "Percent",
  EvaluationPeriods: 3,
  DatapointsToAlarm: 2,
  Threshold: 80,
  ComparisonOperator: "GreaterThanThreshold",
  TreatMissingData: "notBreaching",
};

export default defineAwsFixture({
  type: "cloudwatch_alarm",
  listing: DescribeAlarmsCommand,
  full: {
    id: "web-cpu-high",
    answers: [
      on(DescribeAlarmsCommand).answer({ MetricAlarms: [fullAlarm] }),
      on(ListTagsForResourceCommand).answer({
        Tags: [
          { Key: "Name", Value: "web-cpu" },
          { Key: "Team", Value: "web" },
        ],
      }),
    ],
  },
  estate: {
    id: (r, k) => `alarm-${r.hex(k)}`,
    // Alarm i watches instance i and notifies topic i.
    answers: (r) => {
      const names = r.ids("cloudwatch_alarm");
      const arns = new Set(
        names.map((n) => `arn:aws:cloudwatch:${r.region}:${r.accountId}:alarm:${n}`),
      );
      return [
        on(DescribeAlarmsCommand).pages(
          {
            items: "MetricAlarms",
            pageSize: "MaxRecords",
            max: 100,
            inputToken: "NextToken",
            outputToken: "NextToken",
          },
          names.map(
            (AlarmName, i): MetricAlarm => ({
              AlarmName,
              AlarmArn: `arn:aws:cloudwatch:${r.region}:${r.accountId}:alarm:${AlarmName}`,
              MetricName: "CPUUtilization",
              Namespace: "AWS/EC2",
              Statistic: "Average",
              Dimensions:
                r.id("ec2_instance", i) === ""
                  ? []
                  : [{ Name: "InstanceId", Value: r.id("ec2_instance", i) }],
              Period: 300,
              EvaluationPeriods: 1,
              Threshold: 90,
              ComparisonOperator: "GreaterThanThreshold",
              ActionsEnabled: true,
              AlarmActions: r.id("sns_topic", i) === "" ? [] : [r.id("sns_topic", i)],
              StateValue: "OK",
              StateUpdatedTimestamp: r.epoch,
              AlarmConfigurationUpdatedTimestamp: r.epoch,
            }),
          ),
        ),
        on(ListTagsForResourceCommand).answerBy(({ ResourceARN = "" }) =>
          arns.has(ResourceARN)
            ? { Tags: [{ Key: "team", Value: "ops" }] }
            : new AwsErrorAnswer(404, "ResourceNotFoundException"),
        ),
      ];
    },
    minimumCalls: (r) => [
      [DescribeAlarmsCommand, r.pages(DescribeAlarmsCommand)],
      [ListTagsForResourceCommand, r.count("cloudwatch_alarm")],
    ],
  },
});
