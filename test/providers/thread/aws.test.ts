/**
 * The AWS provider as the CLI runs it, on a thread of its own: every partition of the
 * test estate (every resource type, two regions, through real SDK clients and the fake
 * endpoint) comes out the same as from the provider on the scan's thread, down to the
 * content hash the scanner gives each snapshot, and with the same API calls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSnapshot, type ObservedResource } from "../../../src/contract/encode.ts";
import type { PartitionKey } from "../../../src/contract/subject.ts";
import { type AwsProvider, createAwsProvider } from "../../../src/providers/aws/provider.ts";
import type { Provider } from "../../../src/providers/provider.ts";
import {
  moduleBeside,
  startProviderThread,
  type ThreadedProvider,
} from "../../../src/providers/thread/host.ts";
import { type AwsEstate, scriptAwsEstate } from "../../support/aws-estate.ts";
import { FAKE_CREDENTIALS, FakeAws } from "../../support/fake-aws.ts";

const REGIONS = ["us-east-1", "eu-west-1"];
let fake: FakeAws;
let estate: AwsEstate;
let onScanThread: AwsProvider;
let onItsThread: ThreadedProvider;
const logs: string[] = [];

beforeAll(async () => {
  fake = await FakeAws.start();
  estate = await scriptAwsEstate(fake, { regions: REGIONS, regionsGiven: true, perType: 3 });
  const options = {
    endpoint: fake.url,
    credentials: FAKE_CREDENTIALS,
    homeRegion: "us-east-1",
    regions: REGIONS,
    retryMode: "standard",
  } as const;
  onScanThread = createAwsProvider({ ...options, log: () => {} });
  onItsThread = await startProviderThread({
    module: moduleBeside(import.meta.url, "../../../src/providers/aws/provider"),
    factory: "createAwsProvider",
    options,
    log: (level, message) => logs.push(`${level} ${message}`),
  });
});

afterAll(async () => {
  await onScanThread?.close();
  await onItsThread?.close();
  await fake?.close();
});

async function listAll(p: Provider, key: PartitionKey): Promise<ObservedResource[]> {
  const out: ObservedResource[] = [];
  for await (const page of p.list(key, new AbortController().signal)) out.push(...page);
  return out;
}

describe("the AWS provider on its own thread", () => {
  it("finds the same units", async () => {
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([onScanThread.units(signal), onItsThread.units(signal)]);
    expect(b).toEqual(a);
    expect(b.map((u) => u.region).sort()).toEqual([...REGIONS, "global"].sort());
  });

  it("lists every partition into the same resources and snapshots", async () => {
    const scan = { scanId: "01J0SCAN0000000000000000AA", scanStartedAt: new Date(0), prefix: "t" };
    const observedAt = new Date(1_000);
    for (const p of estate.partitions) {
      const key: PartitionKey = {
        provider: "aws",
        resourceType: p.resourceType,
        accountId: p.accountId,
        region: p.region,
      };
      const [a, b] = await Promise.all([listAll(onScanThread, key), listAll(onItsThread, key)]);
      expect(
        b.map((r) => r.id),
        `${p.resourceType} ${p.region}`,
      ).toEqual(p.ids);
      expect(b).toStrictEqual(a);
      const encode = (r: ObservedResource) => {
        const s = encodeSnapshot(scan, key, r, observedAt);
        return `${s.subject} ${s.contentHash}`;
      };
      expect(b.map(encode)).toEqual(a.map(encode));
    }
    expect(onItsThread.apiCalls()).toEqual(onScanThread.apiCalls());
    expect(onItsThread.throttledCalls()).toEqual(onScanThread.throttledCalls());
  });
});
