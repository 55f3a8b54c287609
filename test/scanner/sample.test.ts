/** End to end: the sample provider scanned into a real nats-server through the pipeline. */
import { beforeAll, describe, expect, it } from "vitest";
import { Header } from "../../src/contract/headers.ts";
import { parseSubject, partitionId } from "../../src/contract/subject.ts";
import { createSampleProvider, type SampleOptions } from "../../src/providers/sample/index.ts";
import { DEFAULT_PUBLISHER_OPTIONS, JetStreamPublisher } from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS, ensureStream } from "../../src/publisher/stream.ts";
import { runScan } from "../../src/scanner/scanner.ts";
import { useNatsServer } from "../support/nats-server.ts";
import { decodeMarker, decodeSnapshot, isMarker, readStream } from "./stream-reader.ts";

const nats = useNatsServer();

beforeAll(async () => {
  await ensureStream(nats.nc, DEFAULT_STREAM_SETTINGS, { verifyOnly: false });
});

async function scanSample(options: SampleOptions) {
  const publisher = new JetStreamPublisher(nats.nc, DEFAULT_PUBLISHER_OPTIONS);
  const report = await runScan(createSampleProvider(options), publisher, {
    prefix: "elava",
    concurrency: 4,
    signal: new AbortController().signal,
  });
  await publisher.close();
  return report;
}

describe("a sample scan", () => {
  it("publishes every resource of every partition, closed by OK markers with matching counts, deterministically", async () => {
    const options: SampleOptions = { resources: 3000, seed: 11, scan: 1, churn: 0.01 };
    const first = await scanSample(options);
    expect(first.partitions.length).toBeGreaterThan(18);
    expect(first.partitions.filter((p) => p.status !== "OK")).toEqual([]);

    const stored = await readStream(nats.nc, "ELAVA");
    const snapshots = stored.filter((m) => !isMarker(m));
    expect(snapshots).toHaveLength(first.published);
    expect(first.published).toBeGreaterThan(2500);
    for (const m of stored.filter(isMarker)) {
      const marker = decodeMarker(m);
      const own = snapshots.filter((s) => s.subject.startsWith(`${m.subject}.`));
      expect(Number(marker.resourceCount), m.subject).toBe(own.length);
      expect(own.every((s) => s.seq < m.seq)).toBe(true);
    }
    for (const m of snapshots.slice(0, 200)) {
      const event = decodeSnapshot(m);
      const parsed = parseSubject("elava", m.subject);
      expect(parsed?.kind === "snapshot" && parsed.resourceId).toBe(event.resourceId);
      expect(parsed && partitionId(parsed.partition)).toBe(
        `${event.provider}.${event.resourceType}.${event.accountId}.${event.region}`,
      );
      expect(m.headers[Header.ContentHash]).toBe(event.contentHash);
    }

    // The same estate scanned again: new scan id, the very same content hashes.
    const second = await scanSample(options);
    const latest = (await readStream(nats.nc, "ELAVA", { lastPerSubject: true })).filter(
      (m) => !isMarker(m),
    );
    expect(latest).toHaveLength(first.published);
    expect(latest.every((m) => m.headers[Header.ScanId] === second.scanId)).toBe(true);
    const hashOf = new Map(snapshots.map((m) => [m.subject, m.headers[Header.ContentHash]]));
    expect(latest.filter((m) => hashOf.get(m.subject) !== m.headers[Header.ContentHash])).toEqual(
      [],
    );
  });
});
