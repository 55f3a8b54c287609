/**
 * The pipelined publisher against real nats-servers: acks, no responders, max_payload,
 * error acks no retry can fix, a server killed or frozen with messages in flight, and a
 * SIGKILL + restart of the server in the middle of a 50,000-event scan.
 */
import { DiscardPolicy, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../../src/contract/encode.ts";
import { Header } from "../../src/contract/headers.ts";
import { partitionId } from "../../src/contract/subject.ts";
import { connectNats } from "../../src/publisher/connection.ts";
import {
  JetStreamPublisher,
  type PublishOutcome,
  publishAll,
} from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { runScan } from "../../src/scanner/scanner.ts";
import { decodeMarker, isMarker, readStream } from "../scanner/stream-reader.ts";
import { FakeProvider } from "../support/fake-provider.ts";
import { NatsServer } from "../support/nats-server.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(
  config?: string,
  reconnect: "forever" | "never" = "forever",
): Promise<{ server: NatsServer; nc: NatsConnection }> {
  const server = await NatsServer.start(config === undefined ? {} : { config });
  cleanup.push(() => server.dispose());
  const nc = await connectNats({
    servers: [server.url],
    name: "publisher-test",
    connectTimeoutMs: 5000,
    reconnect,
  });
  cleanup.push(() => nc.close());
  return { server, nc };
}

function message(subject: string, msgId: string, bytes = 100): OutgoingMessage {
  return {
    subject,
    msgId,
    data: new Uint8Array(bytes).fill(1),
    headers: [
      [Header.MsgId, msgId],
      [Header.ContentType, "application/protobuf"],
    ],
  };
}

describe("JetStreamPublisher", () => {
  it("stores each message once and reports a republished msg id as a duplicate", async () => {
    const { nc } = await setup();
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const publisher = new JetStreamPublisher(nc, {
      window: 8,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 5000,
    });
    const batch = Array.from({ length: 100 }, (_, i) => message(`elava.x.m${i}`, `s1:m${i}`));
    expect(await publishAll(publisher, batch)).toMatchObject({ acked: 100, failed: 0 });
    const outcomes: PublishOutcome[] = [];
    await publisher.send(batch[7] as OutgoingMessage, (o) => outcomes.push(o));
    await publisher.flush();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      ok: true,
      ack: { stream: "ELAVA", seq: 8, duplicate: true },
    });
    expect(publisher.stats).toMatchObject({
      sent: 101,
      acked: 101,
      duplicates: 1,
      failed: 0,
      inFlight: 0,
    });
    await publisher.close();
    expect((await readStream(nc, "ELAVA")).length).toBe(100);
  });

  it("retries while no stream captures the subject, then fails naming the subject and the cause", async () => {
    const { nc } = await setup();
    const publisher = new JetStreamPublisher(nc, {
      window: 4,
      ackTimeoutMs: 200,
      publishDeadlineMs: 800,
      sweepIntervalMs: 20,
    });
    const result = await publishAll(publisher, [message("elava.nowhere.a", "s1:a")]);
    expect(result.failed).toBe(1);
    const error = result.errors[0];
    expect(error?.kind).toBe("not_acknowledged");
    expect(error?.message).toContain("elava.nowhere.a");
    expect(error?.message).toContain("no responders: no stream captures subject elava.nowhere.a");
    expect(publisher.stats.retries).toBeGreaterThan(0);
    await publisher.close();
  });

  it("publishes once a stream appears within the deadline", async () => {
    const { nc } = await setup();
    const publisher = new JetStreamPublisher(nc, {
      window: 4,
      ackTimeoutMs: 500,
      publishDeadlineMs: 5000,
    });
    const outcomes: PublishOutcome[] = [];
    await publisher.send(message("elava.late.a", "s1:late"), (o) => outcomes.push(o));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    await publisher.close();
    expect(outcomes[0]?.ok).toBe(true);
    expect((await readStream(nc, "ELAVA")).map((m) => m.subject)).toEqual(["elava.late.a"]);
  });

  it("fails a message over max_payload alone, with both sizes, and stores the others", async () => {
    const { nc } = await setup("max_payload: 4096");
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const publisher = new JetStreamPublisher(nc, {
      window: 8,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 5000,
    });
    const result = await publishAll(publisher, [
      message("elava.s.a", "s:a"),
      message("elava.s.big", "s:big", 5000),
      message("elava.s.c", "s:c"),
    ]);
    expect(result).toMatchObject({ acked: 2, failed: 1 });
    expect(result.errors[0]?.kind).toBe("too_large");
    expect(result.errors[0]?.message).toMatch(
      /elava\.s\.big is 50\d\d bytes, over the server's max_payload of 4096 bytes/u,
    );
    expect((await readStream(nc, "ELAVA")).map((m) => m.subject)).toEqual([
      "elava.s.a",
      "elava.s.c",
    ]);
    await publisher.close();
  });

  it("fails at once, without retrying, what the stream refuses for good", async () => {
    const { nc } = await setup();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SMALL", subjects: ["small.>"], max_msg_size: 1000 });
    await jsm.streams.add({
      name: "FULL",
      subjects: ["full.>"],
      max_msgs: 2,
      discard: DiscardPolicy.New,
    });
    await jsm.streams.add({ name: "SEALED", subjects: ["sealed.>"] });
    const sealed = await jsm.streams.info("SEALED");
    // Sealing is an update nats.js's update type leaves out; the API takes the whole config.
    await nc.request(
      "$JS.API.STREAM.UPDATE.SEALED",
      JSON.stringify({ ...sealed.config, sealed: true }),
    );
    // A deadline far beyond the test's timeout: only failing at once can end this test.
    const publisher = new JetStreamPublisher(nc, {
      window: 8,
      ackTimeoutMs: 60_000,
      publishDeadlineMs: 600_000,
    });
    const outcomes = new Map<string, PublishOutcome>();
    const record = (o: PublishOutcome) => outcomes.set(o.message.subject, o);
    for (const m of [
      message("small.ok", "s:ok", 100),
      message("small.big", "s:big", 2000),
      message("full.1", "f:1"),
      message("full.2", "f:2"),
      message("full.3", "f:3"),
      message("sealed.a", "z:a"),
    ]) {
      await publisher.send(m, record);
      await publisher.flush();
    }
    expect(outcomes.get("small.ok")?.ok).toBe(true);
    const error = (subject: string) => {
      const o = outcomes.get(subject);
      if (o === undefined || o.ok) throw new Error(`${subject} should have failed`);
      return o.error;
    };
    expect(error("small.big")).toMatchObject({ kind: "too_large", maybeStored: false });
    expect(error("small.big").message).toContain("10054");
    expect(error("full.3").kind).toBe("rejected");
    expect(error("full.3").message).toContain("maximum messages exceeded");
    expect(error("sealed.a").kind).toBe("rejected");
    expect(error("sealed.a").message).toContain("sealed");
    expect(publisher.stats.retries).toBe(0);
    await publisher.close();
  });

  it("fails everything in flight and every later message once the connection is lost", async () => {
    const { server, nc } = await setup(undefined, "never");
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const publisher = new JetStreamPublisher(nc, {
      window: 256,
      ackTimeoutMs: 60_000,
      publishDeadlineMs: 600_000,
    });
    const outcomes: PublishOutcome[] = [];
    let killed: Promise<void> | undefined;
    for (let i = 0; i < 20_000; i++) {
      const wait = publisher.send(message(`elava.lost.${i}`, `l:${i}`), (o) => outcomes.push(o));
      if (i === 2_000) killed = server.kill();
      if (wait !== undefined) await wait;
    }
    await killed;
    await publisher.flush();
    expect(outcomes).toHaveLength(20_000);
    const failed = outcomes.filter((o) => !o.ok);
    expect(failed.length).toBeGreaterThan(10_000);
    for (const o of failed) {
      if (o.ok) continue;
      expect(o.error.kind).toBe("unavailable");
      expect(o.error.message).toContain("the NATS connection closed");
    }
    expect(publisher.unavailable).toContain("the NATS connection closed");
    await publisher.close();
  });

  it("fails everything once a frozen server answers nothing for the deadline, then resumes", async () => {
    const { server, nc } = await setup();
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const publisher = new JetStreamPublisher(nc, {
      window: 64,
      ackTimeoutMs: 200,
      publishDeadlineMs: 1_000,
      sweepIntervalMs: 20,
    });
    expect(await publishAll(publisher, [message("elava.f.before", "f:before")])).toMatchObject({
      acked: 1,
    });
    await server.pause();
    try {
      const frozen = await publishAll(
        publisher,
        Array.from({ length: 200 }, (_, i) => message(`elava.f.${i}`, `f:${i}`)),
      );
      expect(frozen.failed).toBe(200);
      expect(frozen.errors[0]?.kind).toBe("unavailable");
      expect(frozen.errors[0]?.message).toContain("JetStream answered nothing for 1000 ms");
      // Transmitted into the frozen server's socket: it may store them once it runs again.
      expect(frozen.errors[0]?.maybeStored).toBe(true);
      const later = await publishAll(publisher, [message("elava.f.later", "f:later")]);
      expect(later.errors[0]).toMatchObject({ kind: "unavailable", maybeStored: false });
    } finally {
      server.resume();
    }
    publisher.resume();
    expect(await publishAll(publisher, [message("elava.f.after", "f:after")])).toMatchObject({
      acked: 1,
    });
    await publisher.close();
  });

  it("abandons what is in flight at once, saying what may still be stored", async () => {
    const { server, nc } = await setup();
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const publisher = new JetStreamPublisher(nc, {
      window: 4,
      ackTimeoutMs: 60_000,
      publishDeadlineMs: 600_000,
    });
    await server.pause();
    try {
      const outcomes: PublishOutcome[] = [];
      const sending = (async () => {
        for (let i = 0; i < 10; i++) {
          const wait = publisher.send(message(`elava.a.${i}`, `a:${i}`), (o) => outcomes.push(o));
          if (wait !== undefined) await wait;
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 200));
      publisher.abandon("the shutdown grace period ended");
      await sending;
      await publisher.flush();
      const errors = outcomes.map((o) => (o.ok ? undefined : o.error));
      expect(errors.filter((e) => e?.kind === "abandoned")).toHaveLength(
        10 - outcomes.filter((o) => o.ok).length,
      );
      expect(errors.filter((e) => e?.maybeStored)).toHaveLength(4);
      expect(errors[0]?.message).toContain("before the shutdown grace period ended");
    } finally {
      server.resume();
    }
    await publisher.close();
  });

  it("keeps at most `window` messages in flight", async () => {
    const { nc } = await setup();
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const publisher = new JetStreamPublisher(nc, {
      window: 16,
      ackTimeoutMs: 2000,
      publishDeadlineMs: 5000,
    });
    let maxInFlight = 0;
    for (let i = 0; i < 2000; i++) {
      const wait = publisher.send(message(`elava.w.${i}`, `w:${i}`), () => undefined);
      maxInFlight = Math.max(maxInFlight, publisher.stats.inFlight);
      if (wait !== undefined) await wait;
    }
    await publisher.close();
    expect(maxInFlight).toBe(16);
    expect(publisher.stats.acked).toBe(2000);
  });

  it("stores every snapshot exactly once across a SIGKILL and restart of the server mid-scan", async () => {
    const { server, nc } = await setup();
    await ensureStream(nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
    const provider = new FakeProvider({
      units: [{ accountId: "123456789012", region: "us-east-1" }],
      resources: 10_000,
      pageSize: 500,
    });
    const publisher = new JetStreamPublisher(nc, {
      window: 512,
      ackTimeoutMs: 1000,
      publishDeadlineMs: 20_000,
    });
    let published = 0;
    let crash: Promise<void> | undefined;
    const report = await runScan(
      provider,
      publisher,
      {
        prefix: "elava",
        concurrency: 5,
        types: ["vpc", "subnet", "security_group", "route_table", "ec2_instance"],
        signal: new AbortController().signal,
      },
      {
        onPublished: (n) => {
          published += n;
          if (crash === undefined && published >= 15_000) {
            crash = (async () => {
              await server.kill();
              await new Promise((resolve) => setTimeout(resolve, 500));
              await server.restart();
            })();
          }
        },
      },
    );
    await crash;
    await publisher.close();

    expect(crash).toBeDefined();
    expect(publisher.stats.retries).toBeGreaterThan(0);
    const stored = await readStream(nc, "ELAVA");
    const snapshots = stored.filter((m) => !isMarker(m));
    expect(new Set(snapshots.map((m) => m.subject)).size).toBe(snapshots.length);
    const markers = stored.filter(isMarker);
    expect(markers).toHaveLength(5);
    for (const m of markers) {
      const marker = decodeMarker(m);
      const stored = snapshots.filter((s) => s.subject.startsWith(`${m.subject}.`));
      const result = report.partitions.find(
        (p) => `elava.${partitionId(p.partition)}` === m.subject,
      );
      expect(result?.status).toBe(marker.status === 1 ? "OK" : "FAILED");
      if (marker.status === 1) {
        expect(marker.resourceCount).toBe(10_000n);
        expect(stored).toHaveLength(10_000);
        expect(Math.max(...stored.map((s) => s.seq))).toBeLessThan(m.seq);
      }
    }
    expect(report.partitions.every((p) => p.status === "OK")).toBe(true);
    expect(snapshots).toHaveLength(50_000);
  }, 60_000);
});
