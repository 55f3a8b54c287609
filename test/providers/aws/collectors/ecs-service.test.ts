import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { PartitionFailure } from "../../../../src/errors.ts";
import { EcsServiceSchema } from "../../../../src/gen/elava/v1/containers_pb.ts";
import { ecsServiceCollector } from "../../../../src/providers/aws/collectors/ecs-service.ts";
import { unsetFields } from "../../../support/populated.ts";
import { answerPages } from "../support/mocks.ts";
import { ecsArn } from "./ecs-cluster.fixture.ts";
import { fullEcsService } from "./ecs-service.fixture.ts";
import { observe, pagesOf, payloadOf, REGIONAL, testContext } from "./harness.ts";

const ecs = mockClient(ECSClient);
afterEach(() => ecs.reset());

const prod = ecsArn("cluster", "prod");

function describeByArn(): void {
  ecs.on(DescribeServicesCommand).callsFake((input: { cluster?: string; services?: string[] }) => ({
    services: (input.services ?? []).map((serviceArn) => ({
      serviceArn,
      clusterArn: input.cluster,
      serviceName: serviceArn.slice(serviceArn.lastIndexOf("/") + 1),
    })),
  }));
}

describe("ecs_service collector", () => {
  it("pages each cluster's ListServices at 100 and describes 10 services a call", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    const names = Array.from({ length: 23 }, (_, i) => `svc-${i}`);
    const inputs = answerPages(ecs.on(ListServicesCommand), [
      {
        serviceArns: names.slice(0, 20).map((n) => ecsArn("service", `prod/${n}`)),
        nextToken: "s1",
      },
      { serviceArns: names.slice(20).map((n) => ecsArn("service", `prod/${n}`)) },
    ]);
    describeByArn();
    const ctx = testContext(REGIONAL, 3);
    const pages = await pagesOf(ecsServiceCollector, ctx);
    expect(pages.flat().map((s) => s.serviceName)).toEqual(names);
    expect(inputs).toEqual([
      { cluster: prod, maxResults: 100, nextToken: undefined },
      { cluster: prod, maxResults: 100, nextToken: "s1" },
    ]);
    const describes = ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input);
    expect(describes.map((d) => d.services?.length)).toEqual([10, 10, 3]);
    expect(describes.every((d) => d.include?.includes("TAGS") && d.cluster === prod)).toBe(true);
    expect(ctx.limited.calls).toBe(5);
    expect(ctx.limited.maxInFlight).toBeLessThanOrEqual(3);
  });

  it("gives no services for a cluster deleted since its page", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod, ecsArn("cluster", "gone")] });
    ecs.on(ListServicesCommand, { cluster: prod }).resolves({
      serviceArns: [ecsArn("service", "prod/web")],
    });
    ecs
      .on(ListServicesCommand, { cluster: ecsArn("cluster", "gone") })
      .rejects(new ClusterNotFoundException({ message: "Cluster not found.", $metadata: {} }));
    describeByArn();
    const [page] = await pagesOf(ecsServiceCollector, testContext());
    expect(page?.map((s) => s.serviceName)).toEqual(["web"]);
  });

  it("maps the full fixture field by field", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    ecs.on(ListServicesCommand).resolves({ serviceArns: [ecsArn("service", "prod/web")] });
    ecs.on(DescribeServicesCommand).resolves({ services: [fullEcsService] });
    const [r] = await observe(ecsServiceCollector, testContext());
    expect(r?.id).toBe("prod/web");
    expect(r?.name).toBe("prod-web");
    expect(r?.arn).toBe(ecsArn("service", "prod/web"));
    expect(r?.tags).toEqual({ Name: "prod-web", Team: "web" });
    const s = payloadOf(r, "ecs_service");
    expect(s.clusterName).toBe("prod");
    expect(s.serviceName).toBe("web");
    expect(s.status).toBe("ACTIVE");
    expect(s.taskDefinitionArn).toBe("arn:aws:ecs:us-east-1:123456789012:task-definition/web:42");
    expect(s.launchType).toBe("FARGATE");
    expect([s.desiredCount, s.runningCount, s.pendingCount]).toEqual([4, 3, 1]);
    expect(s.loadBalancers.map((lb) => [lb.targetGroupArn, lb.loadBalancerName])).toEqual([
      [
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
        "legacy-web",
      ],
    ]);
    expect(s.loadBalancers[0]?.containerName).toBe("web");
    expect(s.loadBalancers[0]?.containerPort).toBe(8080);
    expect(s.subnetIds).toEqual(["subnet-0priv1", "subnet-0priv2"]);
    expect(s.securityGroupIds).toEqual(["sg-0web0000000000001"]);
    expect(s.assignPublicIp).toBe(true);
    expect(s.capacityProviderStrategy.map((c) => c.capacityProvider)).toEqual(["FARGATE_SPOT"]);
    expect(s.schedulingStrategy).toBe("REPLICA");
    expect(s.platformVersion).toBe("1.4.0");
    expect(s.roleArn).toBe("arn:aws:iam::123456789012:role/ecsServiceRole");
    expect(s.createdAt && timestampDate(s.createdAt)).toEqual(new Date("2026-03-04T05:06:07Z"));
    expect(s.deploymentController).toBe("ECS");
    expect(s.healthCheckGracePeriodSeconds).toBe(60);
    expect(s.enableExecuteCommand).toBe(true);
    expect(unsetFields(EcsServiceSchema, s)).toEqual([]);
  });

  it("fails the partition on a service without a cluster ARN", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [prod] });
    ecs.on(ListServicesCommand).resolves({ serviceArns: [ecsArn("service", "prod/web")] });
    ecs.on(DescribeServicesCommand).resolves({
      services: [{ serviceName: "web", serviceArn: ecsArn("service", "prod/web") }],
    });
    const failure = await observe(ecsServiceCollector, testContext()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect((failure as PartitionFailure).reason).toBe("invalid_data");
    expect((failure as PartitionFailure).message).toContain(ecsArn("service", "prod/web"));
  });

  it("maps a service outside awsvpc with no public IP and no load balancer", () => {
    const r = ecsServiceCollector.toProto(
      { serviceName: "daemon", clusterArn: prod, schedulingStrategy: "DAEMON" },
      REGIONAL,
    );
    const s = payloadOf(r, "ecs_service");
    expect(r.id).toBe("prod/daemon");
    expect(s.assignPublicIp).toBe(false);
    expect(s.subnetIds).toEqual([]);
    expect(s.loadBalancers).toEqual([]);
  });
});
