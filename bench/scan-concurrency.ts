/**
 * Bench 4, scan concurrency: the real AWS collectors, through real SDK clients, against
 * the local fake endpoint answering every call after 50 ms, 4 regions x every type.
 *
 * The yardstick is the longest single partition's chain of calls: after a warm-up pass,
 * each partition is listed alone, one after the other, and the slowest one's time is what
 * a scan with unlimited parallelism could not beat. The scan is then run as the daemon
 * runs it (runScan into a real nats-server, the CLI's default concurrency, the second scan
 * of a provider, whose SDK clients are warm) and its wall time compared with that chain;
 * it is run again with one worker per partition, to show what the default costs. The
 * provider runs on a thread of its own, as the CLI runs it (src/providers/thread/); a
 * third scan with the provider on the scan's thread shows what that thread gives. Units
 * are discovered before the clock starts (their STS and DescribeRegions calls are the
 * same in all three). The fake answers a request it has answered before from a cache,
 * so that its own CPU, on the same two cores, takes little from the scan measured.
 *
 * The estate is the one the tests scan (test/support/aws-estate.ts) in the shape of
 * `SCAN_BENCH_ESTATE`. API calls are counted by the provider (every attempt, by operation)
 * and compared with the minimum that estate's data and the APIs' page sizes allow, as the
 * fake process reports it for what it scripted.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ALL_RESOURCE_TYPES } from "../src/contract/resource-types.ts";
import { partitionId } from "../src/contract/subject.ts";
import { createAwsProvider } from "../src/providers/aws/provider.ts";
import type { Provider, Unit } from "../src/providers/provider.ts";
import { moduleBeside, startProviderThread } from "../src/providers/thread/host.ts";
import { JetStreamPublisher } from "../src/publisher/publisher.ts";
import { planPartitions, runScan } from "../src/scanner/scanner.ts";
import type { AwsEstateOptions } from "../test/support/aws-estate.ts";
import { measureEventLoop } from "./event-loop.ts";
import type { FakeEstateSummary } from "./fake-aws-process.ts";
import type { Figure } from "./figures.ts";
import { measurePeakRss } from "./peak-rss.ts";
import { openBenchSession } from "./session.ts";
import { buildDist, parseScanSummary } from "./shipped-scan.ts";

/** Options of the scan concurrency bench. */
export interface ScanBenchOptions {
  /** Milliseconds the fake waits before answering each call. */
  delayMs: number;
  /** The CLI's default `--concurrency`. */
  defaultConcurrency: number;
  /** The estate the fake scripts; `SCAN_BENCH_ESTATE` when absent. */
  estate?: AwsEstateOptions;
  log: (line: string) => void;
}

/** One operation's count against its minimum. */
export interface CallComparison {
  readonly operation: string;
  readonly calls: number;
  readonly minimum: number;
}

/** Every operation made or expected, sorted, with its calls and minimum (0 when none). */
export function compareCalls(
  calls: ReadonlyMap<string, number>,
  minimum: ReadonlyMap<string, number>,
): CallComparison[] {
  const ops = [...new Set([...calls.keys(), ...minimum.keys()])].sort();
  return ops.map((operation) => ({
    operation,
    calls: calls.get(operation) ?? 0,
    minimum: minimum.get(operation) ?? 0,
  }));
}

/**
 * Bench 4's estate: 4 regions, every type present, EC2 instances over two pages (1000 + 1).
 * It is kept small otherwise: the bench measures how well API latency overlaps, and a
 * large estate would measure the CPU time of parsing and encoding instead.
 */
export const SCAN_BENCH_ESTATE: AwsEstateOptions = {
  regions: ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"],
  regionsGiven: true,
  perType: 3,
  counts: {
    ec2_instance: 1001,
    vpc: 2,
    subnet: 6,
    internet_gateway: 2,
    nat_gateway: 2,
    vpc_peering: 1,
    security_group: 6,
    eks_cluster: 2,
    eks_node_group: 4,
    db_subnet_group: 2,
    load_balancer: 2,
    s3_bucket: 4,
    iam_role: 6,
  },
};

/** The client CPU one collector spent listing its partitions alone, warm. */
export interface CollectorCost {
  readonly cpuSeconds: number;
  /** API calls (attempts), the unit discovery's excluded. */
  readonly calls: number;
  readonly resources: number;
}

/** Adds one partition's cost to its collector's. */
export function addCollectorCost(
  costs: Map<string, CollectorCost>,
  type: string,
  cost: CollectorCost,
): void {
  const had = costs.get(type) ?? { cpuSeconds: 0, calls: 0, resources: 0 };
  costs.set(type, {
    cpuSeconds: had.cpuSeconds + cost.cpuSeconds,
    calls: had.calls + cost.calls,
    resources: had.resources + cost.resources,
  });
}

/** `ec2_instance: 12 calls, 1.9 ms CPU per call, 88 µs per resource (4004 resources)`. */
export function formatCollectorCost(type: string, c: CollectorCost): string {
  const perCall = c.calls > 0 ? `${((c.cpuSeconds / c.calls) * 1e3).toFixed(2)} ms` : "n/a";
  const perResource =
    c.resources > 0 ? `${((c.cpuSeconds / c.resources) * 1e6).toFixed(0)} µs` : "n/a";
  return `${type}: ${c.calls} calls, ${perCall} CPU per call, ${perResource} per resource (${c.resources} resources, ${(c.cpuSeconds * 1e3).toFixed(1)} ms)`;
}

/** Resources per type of a scripted estate, for checking a scan saw all of it. */
export function resourcesByType(summary: FakeEstateSummary): Map<string, number> {
  const byType = new Map<string, number>();
  for (const p of summary.partitions) {
    byType.set(p.resourceType, (byType.get(p.resourceType) ?? 0) + p.resources);
  }
  return byType;
}

const credentials = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-not-a-secret" };

/** Runs the scan concurrency bench and returns its figures. */
export async function benchScanConcurrency(options: ScanBenchOptions): Promise<Figure[]> {
  const { delayMs, defaultConcurrency, log } = options;
  const log_ = log;
  const estateOptions = options.estate ?? SCAN_BENCH_ESTATE;
  const fake = await startFakeAwsProcess(delayMs, estateOptions);
  const regions = estateOptions.regions;
  const session = await openBenchSession("scan");
  const providers: Provider[] = [];
  // As the CLI runs it, on a thread of its own; `onScanThread` for the comparison.
  const provider = async (
    onScanThread = false,
  ): Promise<Provider & { apiCalls(): ReadonlyMap<string, number> }> => {
    const options = {
      endpoint: fake.url,
      credentials,
      homeRegion: regions[0] ?? "us-east-1",
      regions,
      maxAttempts: 1,
      retryMode: "standard",
    } as const;
    const log = (level: string, message: string, fields: Readonly<Record<string, unknown>>) =>
      log_(`scan: aws ${level}: ${message} ${JSON.stringify(fields)}`);
    const p = onScanThread
      ? createAwsProvider({ ...options, log })
      : await startProviderThread({
          module: moduleBeside(import.meta.url, "../src/providers/aws/provider"),
          factory: "createAwsProvider",
          options,
          log,
        });
    providers.push(p);
    return p;
  };
  try {
    const signal = new AbortController().signal;

    // The yardstick: every partition alone.
    const alone = await provider();
    const units = await alone.units(signal);
    const planned = planPartitions(units);
    // Every partition once before the clock: the first calls of a client load and compile
    // the SDK's code, which would lengthen the yardstick and flatter the ratio.
    for (const { key } of planned) {
      for await (const _page of alone.list(key, signal)) {
        // Warm-up only.
      }
    }
    let longest = { seconds: 0, id: "" };
    const perCollector = new Map<string, CollectorCost>();
    const totalCalls = () => [...alone.apiCalls().values()].reduce((a, b) => a + b, 0);
    for (const { key } of planned) {
      const calls0 = totalCalls();
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      let resources = 0;
      for await (const page of alone.list(key, signal)) resources += page.length;
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      addCollectorCost(perCollector, key.resourceType, {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        calls: totalCalls() - calls0,
        resources,
      });
      if (seconds > longest.seconds) longest = { seconds, id: partitionId(key) };
    }
    for (const [type, c] of perCollector) log(`scan: ${formatCollectorCost(type, c)}`);
    log(
      `scan: ${planned.length} partitions; the longest alone is ${partitionId(planned.find((p) => partitionId(p.key) === longest.id)?.key ?? planned[0]!.key)} at ${longest.seconds.toFixed(3)} s`,
    );

    const scan = async (concurrency: number, onScanThread = false) => {
      const p = await provider(onScanThread);
      const found: Unit[] = await p.units(signal);
      const discovery = new Map(p.apiCalls());
      const discovered: Provider = { ...p, name: p.name, units: async () => found, list: p.list };
      const publisher = new JetStreamPublisher(session.nc, {
        window: 1024,
        ackTimeoutMs: 5_000,
        publishDeadlineMs: 60_000,
      });
      // The daemon keeps its provider, and so its SDK clients, from one scan to the next:
      // the timed scan is the second of a provider, as the yardstick is measured warm.
      await runScan(discovered, publisher, { prefix: "elava", concurrency, signal });
      await session.resetStream();
      const before = new Map(p.apiCalls());
      const started = performance.now();
      const cpu = process.cpuUsage();
      const { result: report, delay } = await measureEventLoop(() =>
        runScan(discovered, publisher, { prefix: "elava", concurrency, signal }),
      );
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      await publisher.close();
      const failed = report.partitions.filter((r) => r.status !== "OK");
      if (failed.length > 0) {
        throw new Error(
          `${failed.length} partition(s) of the fake estate FAILED, first ${partitionId(failed[0]!.partition)}: ${failed[0]?.error}`,
        );
      }
      const byType = new Map<string, number>();
      for (const r of report.partitions) {
        byType.set(
          r.partition.resourceType,
          (byType.get(r.partition.resourceType) ?? 0) + r.resourceCount,
        );
      }
      log(
        `scan: concurrency ${concurrency}${onScanThread ? ", provider on the scan's thread" : ""}: ${report.published} snapshots, ${report.partitions.length} partitions in ${seconds.toFixed(3)} s, ${cpuSeconds.toFixed(3)} s of CPU in this process`,
      );
      // The calls of discovering the units, and of the timed scan.
      const calls = new Map(
        [...p.apiCalls()].map(
          ([op, n]) => [op, (discovery.get(op) ?? 0) + n - (before.get(op) ?? 0)] as const,
        ),
      );
      return { seconds, cpuSeconds, report, byType, calls, delay };
    };

    const atDefault = await scan(defaultConcurrency);
    const allAtOnce = await scan(planned.length);
    const sameThread = await scan(defaultConcurrency, true);

    const expected = resourcesByType(fake.estate);
    const missing = [...expected].filter(([type, n]) => (atDefault.byType.get(type) ?? 0) !== n);
    for (const [type, n] of missing) {
      log(
        `scan: WARNING ${type}: expected ${n} resources from the fake, the scan published ${atDefault.byType.get(type) ?? 0}`,
      );
    }
    const comparison = compareCalls(
      atDefault.calls,
      new Map(Object.entries(fake.estate.minimumCalls)),
    );
    const total = comparison.reduce((n, c) => n + c.calls, 0);
    const minimum = comparison.reduce((n, c) => n + c.minimum, 0);
    const over = comparison.filter((c) => c.calls > c.minimum);
    for (const c of comparison) {
      log(
        `scan: ${c.operation.padEnd(45)} ${String(c.calls).padStart(5)} calls, minimum ${c.minimum}${c.calls > c.minimum ? "  <- above the minimum" : ""}`,
      );
    }
    const collectorFigures: Figure[] = [...perCollector]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, c]) => ({
        bench: "4 scan",
        name: `  client CPU per call, ${type}`,
        value: c.calls > 0 ? (c.cpuSeconds / c.calls) * 1e3 : Number.NaN,
        unit: "ms",
        note: `${formatCollectorCost(type, c)}; every partition of the type listed alone after a warm-up, this process's CPU (SDK middleware, signing, HTTP, XML or JSON parsing, mapping), the fake's excluded`,
      }));
    const allCollectors = [...perCollector.values()].reduce(
      (t, c) => ({
        cpuSeconds: t.cpuSeconds + c.cpuSeconds,
        calls: t.calls + c.calls,
        resources: t.resources + c.resources,
      }),
      { cpuSeconds: 0, calls: 0, resources: 0 },
    );
    const whole = await scanAsShipped(fake.url, regions, session.server.url, log);
    const estate = `${regions.length} regions x ${ALL_RESOURCE_TYPES.length} types, ${planned.length} partitions, ${[...expected.values()].reduce((a, b) => a + b, 0)} resources, ${delayMs} ms per call, the fake in its own process`;
    return [
      {
        bench: "4 scan",
        name: "longest single partition, alone",
        value: longest.seconds,
        unit: "s",
        note: `${longest.id}; each partition listed alone through the fake; ${estate}`,
      },
      {
        bench: "4 scan",
        name: `scan wall time, --concurrency ${defaultConcurrency} (default)`,
        value: atDefault.seconds,
        unit: "s",
        note: `runScan into a real nats-server, ${atDefault.cpuSeconds.toFixed(3)} s CPU; ${estate}`,
      },
      {
        bench: "4 scan",
        name: `event-loop delay during the scan, max, --concurrency ${defaultConcurrency}`,
        value: atDefault.delay.maxMs,
        unit: "ms",
        target: { direction: "at-most", value: 100 },
        note: `p99 ${atDefault.delay.p99Ms.toFixed(1)} ms (perf_hooks.monitorEventLoopDelay, 10 ms resolution); the SDK parses each page in one go, on the provider's thread`,
      },
      {
        bench: "4 scan",
        name: "  the same, provider on the scan's thread (comparison)",
        value: sameThread.delay.maxMs,
        unit: "ms",
        note: `p99 ${sameThread.delay.p99Ms.toFixed(1)} ms; the AWS provider as it ran before it had a thread of its own: each page's parsing holds the event loop`,
      },
      {
        bench: "4 scan",
        name: "  scan wall time, provider on the scan's thread (comparison)",
        value: sameThread.seconds,
        unit: "s",
        note: `${sameThread.cpuSeconds.toFixed(3)} s CPU, against ${atDefault.seconds.toFixed(3)} s wall and ${atDefault.cpuSeconds.toFixed(3)} s CPU on the provider's thread, in this run`,
      },
      {
        bench: "4 scan",
        name: `wall / longest chain, --concurrency ${defaultConcurrency} (default)`,
        value: atDefault.seconds / longest.seconds,
        unit: "x",
        target: { direction: "at-most", value: 1.25 },
      },
      {
        bench: "4 scan",
        name: `wall / max(longest chain, scan CPU), --concurrency ${defaultConcurrency}`,
        value: atDefault.seconds / Math.max(longest.seconds, atDefault.cpuSeconds),
        unit: "x",
        target: { direction: "at-most", value: 1.1 },
        note: `${atDefault.seconds.toFixed(3)} s wall against a ${longest.seconds.toFixed(3)} s chain and ${atDefault.cpuSeconds.toFixed(3)} s of this process's CPU over the scan, the provider's thread included`,
      },
      {
        bench: "4 scan",
        name: `wall / longest chain, --concurrency ${planned.length} (one per partition)`,
        value: allAtOnce.seconds / longest.seconds,
        unit: "x",
        target: { direction: "at-most", value: 1.25 },
        note: `${allAtOnce.seconds.toFixed(3)} s wall, ${allAtOnce.cpuSeconds.toFixed(3)} s CPU (parsing, mapping, encoding, publishing on one thread)`,
      },
      {
        bench: "4 scan",
        name: `scan CPU / longest chain, --concurrency ${planned.length} (one per partition)`,
        value: allAtOnce.cpuSeconds / longest.seconds,
        unit: "x",
        note: `${allAtOnce.cpuSeconds.toFixed(3)} s of CPU in this process for ${[...allAtOnce.calls.values()].reduce((a, b) => a + b, 0)} calls and ${allAtOnce.report.published} snapshots: a scan on one thread takes at least its CPU time, so above 1.25 the wall-time target is out of reach whatever the concurrency`,
      },
      {
        bench: "4 scan",
        name: "bin/elava scan --provider aws (whole process): peak RSS",
        value: whole.peakKiB / 1024,
        unit: "MiB",
        note: `the same fake estate but SQS (its calls follow the queue URL's host), AWS_ENDPOINT_URL at the fake, a fresh process with the launcher's flags; ${whole.published} snapshots in ${whole.seconds.toFixed(2)} s, ${whole.cpuSeconds.toFixed(2)} s CPU; the manifest requests 224Mi and limits at 288Mi`,
      },
      {
        bench: "4 scan",
        name: "  its event-loop delay during the scan, max",
        value: whole.eventLoopMaxMs,
        unit: "ms",
        target: { direction: "at-most", value: 100 },
        note: "from the scan's summary line: a fresh process, whose first pages are parsed while the JIT is cold, on the provider's thread",
      },
      {
        bench: "4 scan",
        name: "client CPU per call, every collector",
        value: (allCollectors.cpuSeconds / allCollectors.calls) * 1e3,
        unit: "ms",
        note: `${formatCollectorCost("all", allCollectors)}; the lines below, one per collector`,
      },
      ...collectorFigures,
      {
        bench: "4 scan",
        name: "API calls / minimum the page sizes allow",
        value: total / minimum,
        unit: "x",
        target: { direction: "at-most", value: 1 },
        note: `${total} calls, minimum ${minimum}; above the minimum: ${over.map((c) => `${c.operation} ${c.calls}/${c.minimum}`).join(", ") || "none"}${missing.length > 0 ? `; resources the scan did not see: ${missing.map(([t, n]) => `${t} ${atDefault.byType.get(t) ?? 0}/${n}`).join(", ")}` : ""}`,
      },
      {
        bench: "4 scan",
        name: "operations above their minimum",
        value: over.length,
        unit: "ops",
        target: { direction: "at-most", value: 0 },
        note: over.map((c) => `${c.operation} ${c.calls}/${c.minimum}`).join(", ") || "none",
      },
    ];
  } finally {
    for (const p of providers) await p.close?.();
    await session.close();
    fake.close();
  }
}

/** What `bin/elava scan --provider aws` did against the fake, as a whole process. */
interface WholeScan {
  readonly peakKiB: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly published: number;
  readonly eventLoopMaxMs: number;
}

/**
 * Runs `bin/elava scan --provider aws` against the fake, as an operator would point it at
 * an AWS-compatible endpoint: every type but SQS, whose calls go to the host of each queue
 * URL, which names AWS.
 */
async function scanAsShipped(
  endpoint: string,
  regions: readonly string[],
  natsUrl: string,
  log: (line: string) => void,
): Promise<WholeScan> {
  const failed = buildDist();
  if (failed !== undefined)
    log(`scan: npm run build failed; bin/elava runs from source:\n${failed}`);
  const run = await measurePeakRss(
    fileURLToPath(new URL("../bin/elava", import.meta.url)),
    [
      "scan",
      "--provider",
      "aws",
      "--regions",
      regions.join(","),
      "--types",
      ALL_RESOURCE_TYPES.filter((t) => t !== "sqs_queue").join(","),
      "--nats-url",
      natsUrl,
      "--stream",
      "ELAVA_AWS",
      "--subject-prefix",
      "aws-bench",
    ],
    {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: regions[0] ?? "us-east-1",
        ELAVA_NODE: process.execPath,
      },
    },
  );
  const summary = parseScanSummary(run.stderrTail);
  if (run.exitCode !== 0 || summary === undefined || summary.partitionsFailed > 0) {
    throw new Error(
      `bin/elava scan --provider aws exited with ${run.exitCode ?? run.signal}; its last lines:\n${run.stderrTail.join("\n")}`,
    );
  }
  log(
    `scan: bin/elava scan --provider aws: peak ${(run.peakKiB / 1024).toFixed(1)} MiB, ${summary.published} snapshots in ${run.seconds.toFixed(2)} s, event loop max ${summary.eventLoopDelay?.maxMs ?? Number.NaN} ms`,
  );
  return {
    peakKiB: run.peakKiB,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    published: summary.published,
    eventLoopMaxMs: summary.eventLoopDelay?.maxMs ?? Number.NaN,
  };
}

/** The fake AWS endpoint in its own process: where it listens and what it scripted. */
export interface FakeAwsProcess {
  readonly url: string;
  readonly estate: FakeEstateSummary;
  /** Ends the process (it exits when its standard input closes). */
  close(): void;
}

/** Starts bench/fake-aws-process.ts with the estate and waits for its summary and URL. */
export async function startFakeAwsProcess(
  delayMs: number,
  estate: AwsEstateOptions,
): Promise<FakeAwsProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(new URL("fake-aws-process.ts", import.meta.url)),
      String(delayMs),
      JSON.stringify(estate),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const started = await new Promise<{ url: string; estate: FakeEstateSummary }>(
    (resolve, reject) => {
      let out = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        // Whole lines only: a chunk may end inside the estate's JSON.
        const url = /^url (\S+)\n/mu.exec(out)?.[1];
        const summary = /^estate (.+)\n/mu.exec(out)?.[1];
        if (url !== undefined && summary !== undefined) {
          resolve({ url, estate: JSON.parse(summary) as FakeEstateSummary });
        }
      });
      child.once("exit", (code) =>
        reject(new Error(`the fake AWS process exited (${code}) before listening`)),
      );
      child.once("error", reject);
    },
  );
  return { ...started, close: () => child.stdin.end() };
}
