import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { EcsTaskSchema } from "../../../../src/gen/elava/v1/containers_pb.ts";
import { ecsTaskCollector } from "../../../../src/providers/aws/collectors/ecs-task.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { ecsArn } from "./ecs-cluster.fixture.ts";
import {
  fullContainerInstance,
  fullContainerInstanceArn,
  fullEcsTask,
  fullTaskArn,
} from "./ecs-task.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

const prod = ecsArn("cluster", "prod");
const task = (n: number) => ecsArn("task", `prod/t${n}`);
const instanceOf = (n: number) => ecsArn("container-instance", `prod/ci${n % 3}`);

describe("ecs_task collector", () => {
  it("lists running tasks at 100 a page, one DescribeTasks a page, one DescribeContainerInstances for their distinct hosts", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    const inputs = answerPages(ecs.on(ListTasksCommand), [
      { taskArns: [task(0), task(1), task(2), task(3)], nextToken: "p1" },
      { taskArns: [task(4)] },
    ]);
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
      tasks: (input.tasks ?? []).map((taskArn) => {
        const n = Number(taskArn.slice(taskArn.lastIndexOf("/t") + 2));
        return {
          taskArn,
          clusterArn: prod,
          launchType: n === 4 ? "FARGATE" : "EC2",
          containerInstanceArn: n === 4 ? undefined : instanceOf(n),
        };
      }),
    }));
    ecs
      .on(DescribeContainerInstancesCommand)
      .callsFake((input: { containerInstances?: string[] }) => ({
        containerInstances: (input.containerInstances ?? []).map((containerInstanceArn) => ({
          containerInstanceArn,
          ec2InstanceId: `i-${containerInstanceArn.slice(-3)}`,
        })),
      }));
    const ctx = testContext(REGIONAL, 2);
    const [page] = await pagesOf(ecsTaskCollector, ctx);

    expect(inputs).toEqual([
      { cluster: prod, desiredStatus: "RUNNING", maxResults: 100, nextToken: undefined },
      { cluster: prod, desiredStatus: "RUNNING", maxResults: 100, nextToken: "p1" },
    ]);
    expect(ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: prod, tasks: [task(0), task(1), task(2), task(3)], include: ["TAGS"] },
      { cluster: prod, tasks: [task(4)], include: ["TAGS"] },
    ]);
    const hosts = ecs.commandCalls(DescribeContainerInstancesCommand).map((c) => c.args[0].input);
    expect(hosts).toEqual([
      { cluster: prod, containerInstances: [instanceOf(0), instanceOf(1), instanceOf(2)] },
    ]);
    expect(page?.map((i) => i.ec2InstanceId)).toEqual(["i-ci0", "i-ci1", "i-ci2", "i-ci0", ""]);
    expect(ctx.limited.calls).toBe(5);
  });

  it("makes no DescribeContainerInstances call for Fargate tasks only", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [task(0)] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: task(0), clusterArn: prod, launchType: "FARGATE" }],
    });
    const [page] = await pagesOf(ecsTaskCollector, testContext());
    expect(page?.map((i) => i.ec2InstanceId)).toEqual([""]);
    expect(ecs.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
  });

  it("leaves out tasks stopped since their page and hosts deregistered since", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [task(0), task(1)] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: task(0), clusterArn: prod, containerInstanceArn: instanceOf(0) }],
      failures: [{ arn: task(1), reason: "MISSING" }],
    });
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [],
      failures: [{ arn: instanceOf(0), reason: "MISSING" }],
    });
    const [page] = await pagesOf(ecsTaskCollector, testContext());
    expect(page?.map((i) => [i.task.taskArn, i.ec2InstanceId])).toEqual([[task(0), ""]]);
  });

  it("maps the full fixture field by field", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [fullTaskArn] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [fullEcsTask] });
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [fullContainerInstance],
    });
    const [r] = await observe(ecsTaskCollector, testContext());
    expect(r?.id).toBe(fullTaskArn);
    expect(r?.arn).toBe(fullTaskArn);
    expect(r?.name).toBe("web-task");
    expect(r?.tags).toEqual({ Name: "web-task", Team: "web" });
    const t = payloadOf(r, "ecs_task");
    expect(t.clusterName).toBe("prod");
    expect(t.group).toBe("service:web");
    expect(t.serviceName).toBe("web");
    expect(t.taskDefinitionArn).toBe("arn:aws:ecs:us-east-1:123456789012:task-definition/web:42");
    expect(t.launchType).toBe("EC2");
    expect(t.lastStatus).toBe("RUNNING");
    expect(t.desiredStatus).toBe("RUNNING");
    expect(t.containerInstanceArn).toBe(fullContainerInstanceArn);
    expect(t.ec2InstanceId).toBe("i-0aaa1111bbbb2222c");
    expect(t.networkInterfaceId).toBe("eni-0abc1234def567890");
    expect(t.subnetId).toBe("subnet-0priv1");
    expect(t.privateIpv4Address).toBe("10.0.1.23");
    expect(t.availabilityZone).toBe("us-east-1a");
    expect([t.cpu, t.memory]).toEqual(["512", "1024"]);
    expect(t.createdAt && timestampDate(t.createdAt)).toEqual(new Date("2026-03-04T05:06:07Z"));
    expect(t.startedAt && timestampDate(t.startedAt)).toEqual(new Date("2026-03-04T05:06:52Z"));
    expect(t.startedBy).toBe("ecs-svc/1234567890123456789");
    expect(t.capacityProviderName).toBe("prod-asg-cp");
    expect(t.platformVersion).toBe("1.4.0");
    expect(t.healthStatus).toBe("HEALTHY");
    expect(t.connectivity).toBe("CONNECTED");
    expect(t.containerNames).toEqual(["web", "log-router"]);
    expect(t.enableExecuteCommand).toBe(true);
    expect(unsetFields(EcsTaskSchema, t)).toEqual([]);
  });

  it("names no service for a task run by hand, and its id when it has no Name tag", () => {
    const r = ecsTaskCollector.toProto(
      { task: { taskArn: task(7), clusterArn: prod, group: "family:batch" }, ec2InstanceId: "" },
      REGIONAL,
    );
    const t = payloadOf(r, "ecs_task");
    expect(r.name).toBe("t7");
    expect(t.serviceName).toBe("");
    expect(t.subnetId).toBe("");
  });

  it("fails the partition on a described task without an ARN", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [task(0)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ clusterArn: prod }] });
    const failure = await observe(ecsTaskCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(prod);
  });
});
