/**
 * The provider thread (src/providers/thread/): a provider built on a worker thread
 * behaves, for the scanner, as the same provider on the scan's thread: the same units
 * and pages, failures with their reason, aborts that reach the listing, and a thread that
 * dies failing what waits on it instead of hanging.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { ObservedResource } from "../../../src/contract/encode.ts";
import { type PartitionKey, partitionId } from "../../../src/contract/subject.ts";
import { ConfigError, PartitionFailure } from "../../../src/errors.ts";
import {
  moduleBeside,
  startProviderThread,
  type ThreadedProvider,
} from "../../../src/providers/thread/host.ts";
import { fakeResource } from "../../support/fake-provider.ts";
import type { ThreadTestOptions } from "../../support/thread-provider.ts";

const key = (resourceType: PartitionKey["resourceType"], region = "eu-west-1"): PartitionKey => ({
  provider: "aws",
  resourceType,
  accountId: "111111111111",
  region,
});

type Options = Omit<ThreadTestOptions, "log">;
const base: Options = {
  units: [
    { accountId: "111111111111", region: "eu-west-1" },
    {
      accountId: "222222222222",
      region: "eu-west-1",
      failure: { reason: "access_denied", message: "assume role arn:aws:iam::222222222222:role/x" },
    },
  ],
  resources: 7,
  pageSize: 3,
};

const started: ThreadedProvider[] = [];
let logs: { level: string; message: string; fields: Readonly<Record<string, unknown>> }[] = [];

async function start(options: Partial<Options> = {}): Promise<ThreadedProvider> {
  logs = [];
  const p = await startProviderThread({
    module: moduleBeside(import.meta.url, "../../support/thread-provider"),
    factory: "createThreadTestProvider",
    options: { ...base, ...options },
    log: (level, message, fields) => logs.push({ level, message, fields }),
  });
  started.push(p);
  return p;
}

async function pages(p: ThreadedProvider, k: PartitionKey, signal = new AbortController().signal) {
  const out: ObservedResource[][] = [];
  for await (const page of p.list(k, signal)) out.push(page);
  return out;
}

const pagesMade = (id: string) =>
  logs.filter((l) => l.message === "page made" && l.fields.partition === id).length;

afterEach(async () => {
  for (const p of started.splice(0)) await p.close();
});

describe("a provider on its own thread", () => {
  it("reports the thread's provider name and concurrency, and its units with their failures", async () => {
    const p = await start();
    expect(p.name).toBe("thread-test");
    expect(p.broken()).toBeUndefined();
    expect(p.concurrency).toBe(3);
    const units = await p.units(new AbortController().signal);
    expect(units.map((u) => `${u.accountId}/${u.region}`)).toEqual([
      "111111111111/eu-west-1",
      "222222222222/eu-west-1",
    ]);
    const failure = units[1]?.failure;
    expect(failure).toBeInstanceOf(PartitionFailure);
    expect(failure?.markerText).toBe("access_denied: assume role arn:aws:iam::222222222222:role/x");
    expect(units[0]?.failure).toBeUndefined();
  });

  it("hands over the same pages the provider made, in order, as the same objects", async () => {
    const p = await start();
    const k = key("vpc");
    const got = await pages(p, k);
    expect(got.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(got.flat()).toEqual(Array.from({ length: 7 }, (_, n) => fakeResource(k, n)));
    expect(p.apiCalls()).toEqual(new Map([["List", 1]]));
  });

  it("makes a partition's next page only when the scan has taken the last one", async () => {
    const p = await start();
    const k = key("subnet");
    const it = p.list(k, new AbortController().signal)[Symbol.asyncIterator]();
    expect((await it.next()).value).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(pagesMade(partitionId(k))).toBe(1);
    expect((await it.next()).value).toHaveLength(3);
    await it.return?.(undefined);
  });

  it("lists several partitions at once, each in its own order", async () => {
    const p = await start({ resources: 20, pageSize: 2 });
    const keys = [key("vpc"), key("subnet"), key("security_group"), key("vpc", "us-east-1")];
    const all = await Promise.all(keys.map((k) => pages(p, k)));
    all.forEach((got, i) => {
      const k = keys[i] as PartitionKey;
      expect(got.flat().map((r) => r.id)).toEqual(
        Array.from({ length: 20 }, (_, n) => fakeResource(k, n).id),
      );
    });
    expect(p.apiCalls().get("List")).toBe(4);
  });

  it("fails a partition with the provider's reason and message, after the pages before it", async () => {
    const k = key("nat_gateway");
    const p = await start({
      failIn: {
        [partitionId(k)]: {
          after: 4,
          reason: "throttled",
          message: "describe nat gateways in eu-west-1 for 111111111111: Rate exceeded",
        },
      },
    });
    const got: number[] = [];
    const err = await (async () => {
      for await (const page of p.list(k, new AbortController().signal)) got.push(page.length);
    })().catch((e: unknown) => e);
    expect(got).toEqual([3, 1]);
    expect(err).toBeInstanceOf(PartitionFailure);
    expect((err as PartitionFailure).markerText).toBe(
      "throttled: describe nat gateways in eu-west-1 for 111111111111: Rate exceeded",
    );
  });

  it("passes the scan's abort to the listing on the thread", async () => {
    const k = key("ebs_volume");
    const p = await start({ hangIn: partitionId(k) });
    const stop = new AbortController();
    const listing = pages(p, k, stop.signal).catch((e: unknown) => e);
    await expect.poll(() => logs.some((l) => l.message === "waiting")).toBe(true);
    stop.abort(new Error("scan interrupted"));
    const err = await listing;
    expect(err).toBeInstanceOf(Error);
    expect(logs.find((l) => l.message === "aborted")?.fields.partition).toBe(partitionId(k));
  });

  it("passes the scan's abort to the discovery of units on the thread", async () => {
    const p = await start({ hangUnits: true });
    const stop = new AbortController();
    const units = p.units(stop.signal).catch((e: unknown) => e);
    stop.abort(new Error("scan interrupted"));
    expect(await units).toBeInstanceOf(Error);
    await expect
      .poll(() => logs.find((l) => l.message === "units aborted")?.fields.reason)
      .toBe("Error: the scan stopped waiting for this answer");
  });

  it("stops the thread's listing when the scan stops reading", async () => {
    const p = await start({ resources: 30, pageSize: 1 });
    const k = key("elastic_ip");
    for await (const _ of p.list(k, new AbortController().signal)) break;
    // The next list still works: the abandoned one released nothing it should not have.
    expect((await pages(p, key("vpc"))).flat()).toHaveLength(30);
    expect(pagesMade(partitionId(k))).toBe(1);
  });

  it("rejects with the factory's ConfigError when the provider cannot be built", async () => {
    const err = await start({ refuse: "--regions mars-north-1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("the test provider refuses --regions mars-north-1");
  });

  it("fails what waits on a thread that died, and every later request, with why", async () => {
    const k = key("lambda_function");
    const p = await start({ exitIn: partitionId(k) });
    const waiting = pages(p, key("vpc"), new AbortController().signal);
    await waiting;
    const err = await pages(p, k).catch((e: unknown) => e);
    expect((err as Error).message).toBe("the provider's thread stopped: it exited with code 3");
    await expect(p.units(new AbortController().signal)).rejects.toThrow(
      "the provider's thread stopped: it exited with code 3",
    );
    // What the daemon asks before each scan, to build a new provider.
    expect(p.broken()).toBe("the provider's thread stopped: it exited with code 3");
  });

  it("does not keep the process alive once nothing waits on it", async () => {
    // A process that lists through the thread and never closes it must still end.
    const host = new URL("../../../src/providers/thread/host.ts", import.meta.url).href;
    const module = new URL("../../support/thread-provider.ts", import.meta.url).href;
    const code = `
      import { startProviderThread } from ${JSON.stringify(host)};
      const p = await startProviderThread({
        module: new URL(${JSON.stringify(module)}), factory: "createThreadTestProvider",
        options: ${JSON.stringify(base)}, log: () => {},
      });
      let n = 0;
      for await (const page of p.list({ provider: "aws", resourceType: "vpc", accountId: "111111111111", region: "eu-west-1" }, new AbortController().signal)) n += page.length;
      console.log("listed", n);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const [code_, signal] = (await once(child, "exit")) as [number | null, string | null];
    clearTimeout(timer);
    expect({ code: code_, signal, out: out.trim() }).toEqual({
      code: 0,
      signal: null,
      out: "listed 7",
    });
  });
});
