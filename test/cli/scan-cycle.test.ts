/**
 * One scan as the CLI runs it: a scan that fails before its partitions run (the `run`
 * daemon without AWS credentials) leaves no progress timer behind and is counted, and a
 * graceful stop holds any number of partitions without a process warning.
 */
import { describe, expect, it } from "vitest";
import { CommandArgs, type RunContext } from "../../src/cli/command.ts";
import { createLogger } from "../../src/cli/log.ts";
import { GracefulStop, MeasuredPublisher, scanOnce } from "../../src/cli/scan-cycle.ts";
import { loadConfig } from "../../src/config/load.ts";
import { ALL_RESOURCE_TYPES } from "../../src/contract/resource-types.ts";
import { ElavaMetrics } from "../../src/daemon/metrics.ts";
import { ConfigError } from "../../src/errors.ts";
import type { Provider } from "../../src/providers/provider.ts";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../../src/providers/sample/index.ts";
import { JetStreamPublisher } from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { useNatsServer } from "../support/nats-server.ts";

const nats = useNatsServer();

async function context(stderr: { write(chunk: string): unknown }): Promise<RunContext> {
  const config = await loadConfig({ flags: {}, env: {}, configFile: undefined, cwd: "/" });
  return {
    argv: [],
    env: {},
    stdout: { write: () => true },
    stderr,
    isTTY: true,
    signal: new AbortController().signal,
    cwd: "/",
    config,
    args: new CommandArgs({}, []),
    log: createLogger(stderr, "info", {}, () => new Date(), "text"),
  };
}

describe("scanOnce", () => {
  it("counts a scan that fails before its partitions run as failed, and stops its progress line", async () => {
    const writes: string[] = [];
    const ctx = await context({ write: (chunk: string) => writes.push(chunk) });
    const noCredentials: Provider = {
      name: "aws",
      units: async () => {
        // Long enough for the progress line to be drawn.
        await new Promise((resolve) => setTimeout(resolve, 600));
        throw new ConfigError("no AWS credentials");
      },
      list: () => {
        throw new Error("never listed");
      },
    };
    const metrics = new ElavaMetrics();
    const publisher = new JetStreamPublisher(nats.nc, {
      window: 8,
      ackTimeoutMs: 1000,
      publishDeadlineMs: 2000,
    });
    for (let i = 0; i < 2; i++) {
      await expect(
        scanOnce({ ctx, provider: noCredentials, publisher, metrics, stop: ctx.signal }),
      ).rejects.toThrow("no AWS credentials");
    }
    await publisher.close();
    const text = await metrics.text();
    expect(text).toMatch(/^elava_scan_running 0$/mu);
    expect(text).toMatch(/^elava_scans_total\{result="failed"\} 2$/mu);
    expect(text).toMatch(/^elava_last_scan_finished_timestamp_seconds [1-9]/mu);
    expect(writes.some((w) => w.includes("discovering partitions"))).toBe(true);
    // The line was erased, and no timer draws it again.
    expect(writes.at(-1)).toBe("\r\u001b[K");
    const count = writes.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(writes).toHaveLength(count);
  });
});

describe("the partitions a scan lists at once", () => {
  /** The sample provider, counting the lists running at once (each lingers a little). */
  function counted(): { provider: Provider; most: () => number } {
    const sample = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources: 300 });
    let running = 0;
    let most = 0;
    const provider: Provider = {
      ...sample,
      async *list(partition, signal) {
        running += 1;
        most = Math.max(most, running);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield* sample.list(partition, signal);
        } finally {
          running -= 1;
        }
      },
    };
    return { provider, most: () => most };
  }

  async function scanWith(flags: Record<string, string>, provider: Provider): Promise<void> {
    await ensureStream(nats.nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const ctx = {
      ...(await context({ write: () => true })),
      config: await loadConfig({ flags, env: {}, configFile: undefined, cwd: "/" }),
    };
    const publisher = new JetStreamPublisher(nats.nc, {
      window: 64,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 10_000,
    });
    const report = await scanOnce({ ctx, provider, publisher, stop: ctx.signal });
    await publisher.close();
    expect(report.partitions.length).toBeGreaterThan(16);
  }

  it("are the provider's choice when --concurrency is not set: 4 for the sample", async () => {
    const { provider, most } = counted();
    expect(provider.concurrency).toBe(4);
    await scanWith({}, provider);
    expect(most()).toBe(4);
  });

  it("are --concurrency when it is set, whatever the provider would choose", async () => {
    const { provider, most } = counted();
    await scanWith({ concurrency: "16" }, provider);
    expect(most()).toBe(16);
  });
});

describe("the metrics of a scan", () => {
  it("count snapshots in elava_snapshots_published_total, and time every message", async () => {
    await ensureStream(nats.nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const ctx = await context({ write: () => true });
    const metrics = new ElavaMetrics();
    const publisher = new MeasuredPublisher(nats.nc, {
      window: 64,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 10_000,
    }).measure(metrics);
    const report = await scanOnce({
      ctx,
      provider: createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources: 300 }),
      publisher,
      metrics,
      stop: ctx.signal,
    });
    await publisher.close();
    const text = await metrics.text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "mu").exec(text)?.[1]);
    expect(report.published).toBeGreaterThan(0);
    expect(value("elava_snapshots_published_total")).toBe(report.published);
    // Latency covers every acknowledged message: snapshots and markers.
    expect(value("elava_publish_latency_seconds_count")).toBe(
      report.published + report.partitions.length,
    );
  });
});

describe("GracefulStop", () => {
  it("holds every partition started after the stop on one listener, and releases them at the grace's end", async () => {
    const stop = new AbortController();
    let graceOver = 0;
    const graceful = new GracefulStop(
      stop.signal,
      200,
      () => undefined,
      () => {
        graceOver += 1;
      },
    );
    const inner: Provider = {
      name: "fake",
      units: async () => [],
      list: () => {
        throw new Error("a held partition must not be listed");
      },
    };
    const provider = graceful.provider(inner);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      // A partition running at the stop keeps the grace period going.
      graceful.observer({}).onPartitionStart?.({
        provider: "aws",
        resourceType: "vpc",
        accountId: "123456789012",
        region: "us-east-1",
      });
      stop.abort();
      const held = ALL_RESOURCE_TYPES.map(async (resourceType) => {
        const pages = [];
        for await (const page of provider.list(
          { provider: "aws", resourceType, accountId: "123456789012", region: "eu-west-1" },
          graceful.signal,
        )) {
          pages.push(page);
        }
        return pages.length;
      });
      expect(await Promise.all(held)).toEqual(ALL_RESOURCE_TYPES.map(() => 0));
      expect(graceful.signal.aborted).toBe(true);
      expect(graceOver).toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      graceful.dispose();
    }
  });
});
