/**
 * A scan into a 3-node JetStream cluster on loopback (routes on 127.0.0.1, an R3 stream)
 * whose stream leader is killed mid-scan: the scan completes, or ends as it does when NATS
 * is lost; no snapshot is lost or stored twice, no OK marker claims what is not stored,
 * and consumers read the same stream from any node.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { ResourceType } from "../../src/contract/resource-types.ts";
import { partitionId } from "../../src/contract/subject.ts";
import { connectNats } from "../../src/publisher/connection.ts";
import { JetStreamPublisher } from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { runScan } from "../../src/scanner/scanner.ts";
import { FakeProvider } from "../support/fake-provider.ts";
import { NatsCluster } from "../support/nats-server.ts";
import { expectStreamMatches } from "../support/stream-check.ts";
import { isMarker, readStream } from "./stream-reader.ts";

const TYPES: ResourceType[] = ["vpc", "subnet", "security_group", "route_table", "ec2_instance"];

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function client(servers: string[]): Promise<NatsConnection> {
  const nc = await connect({ servers, ignoreClusterUpdates: true });
  cleanup.push(() => nc.close());
  return nc;
}

/** The stream as read through `nc` once it holds `total` messages (followers catch up). */
async function caughtUp(nc: NatsConnection, total: number) {
  const deadline = Date.now() + 30_000;
  let last = "";
  for (;;) {
    // A node just restarted answers JetStream requests only once it has caught up.
    const stored = await readStream(nc, "ELAVA").catch((err: unknown) => {
      last = String(err);
      return [];
    });
    if (stored.length === total) return stored;
    if (stored.length > 0) last = `${stored.length} of ${total} messages`;
    if (Date.now() > deadline) throw new Error(`a node still serves ${last} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("runScan into a clustered JetStream", () => {
  it("survives the stream leader's death mid-scan, and every node serves the same stream", async () => {
    const cluster = await NatsCluster.start();
    cleanup.push(() => cluster.dispose());
    const nc = await connectNats({
      servers: cluster.urls,
      name: "cluster-test",
      connectTimeoutMs: 10_000,
      reconnect: "forever",
    });
    cleanup.push(() => nc.close());
    const { info } = await ensureStream(
      nc,
      { ...DEFAULT_STREAM_SETTINGS, replicas: 3 },
      { verifyOnly: false },
    );
    expect(info.config.num_replicas).toBe(3);
    const leader = await cluster.leaderOf(nc, "ELAVA");

    const publisher = new JetStreamPublisher(nc, {
      window: 512,
      ackTimeoutMs: 1_000,
      publishDeadlineMs: 45_000,
    });
    const provider = new FakeProvider({
      units: [{ accountId: "123456789012", region: "us-east-1" }],
      resources: 3_000,
      pageSize: 300,
    });
    let acked = 0;
    let killed: Promise<void> | undefined;
    const report = await runScan(
      provider,
      publisher,
      { prefix: "elava", concurrency: 2, types: TYPES, signal: new AbortController().signal },
      {
        onPublished: (n) => {
          acked += n;
          if (acked >= 4_000) killed ??= leader.kill();
        },
      },
    );
    await killed;
    await publisher.close();

    expect(killed).toBeDefined();
    expect(report.unavailable).toBeUndefined();
    expect(report.partitions.map((p) => [partitionId(p.partition), p.status, p.marker])).toEqual(
      report.partitions.map((p) => [partitionId(p.partition), "OK", "stored"]),
    );
    expect(report.published).toBe(15_000);

    // The survivors elected a new leader, which holds every message.
    const total = 15_000 + TYPES.length;
    expect(await cluster.leaderOf(nc, "ELAVA")).not.toBe(leader);
    const after = await (await jetstreamManager(nc)).streams.info("ELAVA");
    expect(after.state.messages).toBe(total);

    // The killed node comes back and catches up; a consumer on any node reads the same
    // stream. (While a peer is down, nats-server 2.9 may place a new consumer on it, and
    // its creation times out: see docs/operations.md.)
    await leader.restart();
    const views: number[][] = [];
    for (const node of cluster.nodes) {
      const nodeClient = await client([node.url]);
      // A consumer placed on a follower reads its copy, which may still be catching up.
      const stored = await caughtUp(nodeClient, total);
      await expectStreamMatches(
        nodeClient,
        { stream: "ELAVA", prefix: "elava" },
        report.scanId,
        report.partitions.map((p) => ({ ...p, partition: partitionId(p.partition) })),
        stored,
      );
      const snapshots = stored.filter((m) => !isMarker(m));
      // Nothing lost, nothing stored twice.
      expect(snapshots).toHaveLength(15_000);
      expect(new Set(snapshots.map((m) => m.subject)).size).toBe(15_000);
      views.push(stored.map((m) => m.seq));
    }
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
  }, 120_000);
});
