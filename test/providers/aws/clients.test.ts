import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ApiCallCounter,
  createAwsClients,
  createEc2Client,
  createStsClient,
} from "../../../src/providers/aws/clients.ts";
import { AWS_SERVICES } from "../../../src/providers/aws/services.ts";
import { scriptAwsEstate } from "../../support/aws-estate.ts";
import { FakeAws } from "../../support/fake-aws.ts";

const target = {
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
};
const settings = { maxAttempts: 1, retryMode: "standard" as const };

let fake: FakeAws;
beforeEach(async () => {
  fake = await FakeAws.start();
});
afterEach(() => fake.close());

describe("AWS SDK clients", () => {
  it("skip the SDK's logger middleware, which copies every answer to log nothing", () => {
    const clients = createAwsClients(target, settings, new ApiCallCounter());
    const stacks = [
      ...AWS_SERVICES.map((s) => clients[s]),
      createStsClient(target, settings, new ApiCallCounter()),
      createEc2Client(target, settings, new ApiCallCounter()),
    ].map((c) => c.middlewareStack.identify());
    expect(stacks).toHaveLength(AWS_SERVICES.length + 2);
    for (const names of stacks) {
      expect(names.filter((n) => n.startsWith("loggerMiddleware"))).toEqual([]);
      expect(names.filter((n) => n.startsWith("elavaCountCalls"))).toHaveLength(1);
    }
    clients.destroy();
  });

  it("still answer and count calls without it", async () => {
    await scriptAwsEstate(fake, { regions: ["us-east-1"], perType: 2, regionsGiven: true });
    const counter = new ApiCallCounter();
    const clients = createAwsClients(target, { ...settings, endpoint: fake.url }, counter);
    try {
      const out = await clients.ec2.send(new DescribeVpcsCommand({ MaxResults: 1000 }));
      expect(out.Vpcs?.length).toBe(2);
      expect(counter.calls().get("ec2:DescribeVpcs")).toBe(1);
    } finally {
      clients.destroy();
    }
  });
});
