/**
 * Bench 5: past one machine. Sharded `bin/elava scan`s into a 3-node JetStream cluster on
 * loopback (routes on 127.0.0.1, an R3 stream), against one scanner into one node.
 *
 * 1. One node, one scanner: `bin/elava scan --provider sample` into a single nats-server
 *    (R1 stream): the publish rate a single node takes, and the reference inventory.
 * 2. The cluster, three scanners: `bin/elava scan --shard i/3` for i = 0, 1, 2, started
 *    together, each connected to all three nodes, into an R3 stream the bench creates
 *    first (so the three do not race to create it). Their rate is every message they
 *    published over the time from the start to the last one's exit.
 * 3. The cluster, one scanner, into the same R3 stream emptied: what replication costs
 *    one scanner.
 *
 * The inventory of a stream is the last message of every subject (an ordered consumer
 * with LastPerSubject, headers only): each snapshot subject with its content hash, each
 * marker subject with its status and resource count. The sharded scanners' inventory must
 * equal the single scanner's, subject for subject; scan ids and times differ, hashes and
 * counts must not.
 */
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { everything, StreamReader } from "../src/consumer/reader.ts";
import { Header } from "../src/contract/headers.ts";
import { connectNats, type NatsConnection } from "../src/publisher/connection.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../src/publisher/stream.ts";
import { NatsCluster, NatsServer } from "../test/support/nats-server.ts";
import { childrenCpuSeconds } from "./cpu.ts";
import type { Figure } from "./figures.ts";
import { measurePeakRss } from "./peak-rss.ts";
import { buildDist, parseScanSummary } from "./shipped-scan.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH = "5 cluster";
const SHARDS = 3;

/** One `bin/elava scan` child's outcome. */
interface ScannerRun {
  readonly messages: number;
  readonly seconds: number;
  readonly peakKiB: number;
}

/** Runs `bin/elava scan --provider sample` with `extra` arguments against `servers`. */
async function runScanner(
  resources: number,
  servers: readonly string[],
  extra: readonly string[],
): Promise<ScannerRun> {
  const run = await measurePeakRss(
    `${ROOT}bin/elava`,
    [
      "scan",
      "--provider",
      "sample",
      "--sample-resources",
      String(resources),
      "--nats-url",
      servers.join(","),
      ...extra,
    ],
    { env: { ...process.env, NODE_OPTIONS: "" } },
  );
  const summary = parseScanSummary(run.stderrTail);
  if (run.exitCode !== 0 || summary === undefined || summary.partitionsFailed > 0) {
    throw new Error(
      `bin/elava scan ${extra.join(" ")} exited with ${run.exitCode ?? run.signal}; its last lines:\n${run.stderrTail.join("\n")}`,
    );
  }
  return {
    messages: summary.published + summary.partitionsOk,
    seconds: run.seconds,
    peakKiB: run.peakKiB,
  };
}

/** What the last message of a subject says: a snapshot's hash, a marker's status and count. */
export function inventoryValue(headers: Iterable<readonly [string, readonly string[]]>): string {
  const h = new Map<string, string>();
  for (const [k, v] of headers) h.set(k, v[0] ?? "");
  const hash = h.get(Header.ContentHash);
  if (hash !== undefined) return hash;
  return `marker ${h.get(Header.Status) ?? "?"} ${h.get(Header.ResourceCount) ?? "?"}`;
}

/** The inventory of the stream: subject -> inventoryValue of its last message. */
async function readInventory(nc: NatsConnection): Promise<Map<string, string>> {
  const location = {
    stream: DEFAULT_STREAM_SETTINGS.name,
    prefix: DEFAULT_STREAM_SETTINGS.subjectPrefix,
  };
  const reader = await StreamReader.open(nc, location);
  const out = new Map<string, string>();
  for await (const m of reader.read({
    filter: everything(location.prefix),
    start: { kind: "last-per-subject" },
    headersOnly: true,
    purpose: "reading the inventory",
  })) {
    out.set(m.subject, inventoryValue(m.headers ?? []));
  }
  return out;
}

/** How two inventories differ, in a sentence; "" when they are equal. */
export function compareInventories(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): string {
  const missing: string[] = [];
  const differing: string[] = [];
  for (const [subject, value] of expected) {
    const found = actual.get(subject);
    if (found === undefined) missing.push(subject);
    else if (found !== value) differing.push(subject);
  }
  const extra = [...actual.keys()].filter((s) => !expected.has(s));
  if (missing.length + differing.length + extra.length === 0) return "";
  const some = (list: string[]) => list.slice(0, 3).join(", ");
  return [
    missing.length > 0 ? `${missing.length} subjects missing (${some(missing)})` : "",
    extra.length > 0 ? `${extra.length} subjects extra (${some(extra)})` : "",
    differing.length > 0 ? `${differing.length} subjects differ (${some(differing)})` : "",
  ]
    .filter((s) => s !== "")
    .join("; ");
}

async function connect(servers: readonly string[]): Promise<NatsConnection> {
  return connectNats({
    servers: [...servers],
    name: "elava-bench-cluster",
    connectTimeoutMs: 10_000,
    reconnect: "never",
  });
}

/** Runs bench 5 (see the module comment). */
export async function benchCluster(options: {
  resources: number;
  log: (line: string) => void;
}): Promise<Figure[]> {
  const { resources, log } = options;
  const buildError = buildDist();
  if (buildError !== undefined) throw new Error(`npm run build failed: ${buildError}`);
  {
    log(`cluster: one scanner into one node, ${resources} sample resources`);
    const server = await NatsServer.start();
    let single: ScannerRun;
    let reference: Map<string, string>;
    try {
      single = await runScanner(resources, [server.url], []);
      const nc = await connect([server.url]);
      reference = await readInventory(nc).finally(() => nc.close());
    } finally {
      await server.dispose();
    }
    log(
      `cluster: single node ${Math.round(single.messages / single.seconds)} msgs/s, ${reference.size} subjects`,
    );

    const cluster = await NatsCluster.start();
    try {
      const nc = await connect(cluster.urls);
      try {
        const r3 = { ...DEFAULT_STREAM_SETTINGS, replicas: SHARDS };
        await ensureStream(nc, r3, { verifyOnly: false });
        log(`cluster: ${SHARDS} scanners (--shard i/${SHARDS}) into an R3 stream on 3 nodes`);
        const cpu0 = childrenCpuSeconds();
        const started = performance.now();
        const shards = await Promise.all(
          Array.from({ length: SHARDS }, (_, i) =>
            runScanner(resources, cluster.urls, [
              "--shard",
              `${i}/${SHARDS}`,
              "--stream-replicas",
              String(SHARDS),
            ]),
          ),
        );
        const shardedSeconds = (performance.now() - started) / 1000;
        const shardedCpu = childrenCpuSeconds() - cpu0;
        const shardedMessages = shards.reduce((n, s) => n + s.messages, 0);
        const sharded = await readInventory(nc);
        const difference = compareInventories(reference, sharded);
        log(
          `cluster: sharded ${Math.round(shardedMessages / shardedSeconds)} msgs/s, ${sharded.size} subjects${difference === "" ? ", the same inventory" : `; ${difference}`}`,
        );

        const jsm = await jetstreamManager(nc);
        await jsm.streams.delete(r3.name);
        await ensureStream(nc, r3, { verifyOnly: false });
        log("cluster: one scanner into the R3 stream");
        const alone = await runScanner(resources, cluster.urls, [
          "--stream-replicas",
          String(SHARDS),
        ]);

        const singleRate = single.messages / single.seconds;
        const shardedRate = shardedMessages / shardedSeconds;
        const aloneRate = alone.messages / alone.seconds;
        const peak = Math.max(...shards.map((s) => s.peakKiB)) / 1024;
        return [
          {
            bench: BENCH,
            name: "one scanner into one node msgs/s",
            value: singleRate,
            unit: "msgs/s",
            note: `bin/elava scan --provider sample --sample-resources ${resources}, R1 stream, whole process (startup included); ${single.messages} messages`,
          },
          {
            bench: BENCH,
            name: `${SHARDS} sharded scanners into an R3 cluster msgs/s`,
            value: shardedRate,
            unit: "msgs/s",
            note: `--shard i/${SHARDS}, started together, each connected to the 3 nodes; ${shardedMessages} messages from the first start to the last exit (${shardedSeconds.toFixed(1)} s); ${((shardedCpu / shardedMessages) * 1e6).toFixed(1)} µs of scanner CPU per message; the 3 nodes and 3 scanners share this machine's cores`,
          },
          {
            bench: BENCH,
            name: `  ${SHARDS} sharded into R3 / one into one node`,
            value: shardedRate / singleRate,
            unit: "x",
            note: "same run, same machine: the scale-out is bounded by the cores the nodes and scanners share here",
          },
          {
            bench: BENCH,
            name: "one scanner into an R3 cluster msgs/s",
            value: aloneRate,
            unit: "msgs/s",
            note: `unsharded, the same R3 stream emptied first; ${alone.messages} messages`,
          },
          {
            bench: BENCH,
            name: "sharded inventory equals one scanner's",
            value: difference === "" ? 1 : 0,
            unit: "",
            target: { direction: "at-least", value: 1 },
            note:
              difference === ""
                ? `${reference.size} subjects, every snapshot's content hash and every marker's status and count equal (last message per subject, read back from the cluster)`
                : difference,
          },
          {
            bench: BENCH,
            name: "sharded scanner peak RSS",
            value: peak,
            unit: "MiB",
            target: { direction: "at-most", value: 128 },
            note: `the largest of the ${SHARDS} scanners' VmHWM, each with a third of ${resources} resources`,
          },
        ];
      } finally {
        await nc.close();
      }
    } finally {
      await cluster.dispose();
    }
  }
}
