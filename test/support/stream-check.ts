/**
 * Compares what a scan said about its partitions (its report, or its log lines) with what
 * the stream holds: the check every fault test ends with.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { expect } from "vitest";
import { Header } from "../../src/contract/headers.ts";
import { ScanStatus } from "../../src/gen/elava/v1/marker_pb.ts";
import {
  decodeMarker,
  isMarker,
  readStream,
  type StoredMessage,
} from "../scanner/stream-reader.ts";

/** What a scan said about one partition. */
export interface SaidOfPartition {
  /** `partitionId`, e.g. `aws.vpc.123456789012.us-east-1`. */
  readonly partition: string;
  readonly status: string;
  readonly marker: string;
}

/**
 * A marker said to be stored is there with the said status, `none` means no marker of
 * this scan, `unconfirmed` either; and every OK marker of the scan follows all the
 * snapshots it counts. Returns the number of markers of the scan.
 */
export async function expectStreamMatches(
  nc: NatsConnection,
  where: { stream: string; prefix: string },
  scanId: string,
  partitions: readonly SaidOfPartition[],
  /** The stream as already read; read through `nc` when absent. */
  read?: readonly StoredMessage[],
): Promise<number> {
  const stored = read ?? (await readStream(nc, where.stream));
  const ofScan = stored.filter((m) => m.headers[Header.ScanId] === scanId);
  const markers = new Map(ofScan.filter(isMarker).map((m) => [m.subject, m]));
  for (const p of partitions) {
    const subject = `${where.prefix}.${p.partition}`;
    const m = markers.get(subject);
    const status = m === undefined ? undefined : decodeMarker(m).status;
    const expected = p.status === "OK" ? ScanStatus.OK : ScanStatus.FAILED;
    if (p.marker === "stored") expect(status, subject).toBe(expected);
    else if (p.marker === "none") expect(m, subject).toBeUndefined();
    else {
      expect(p.marker, subject).toBe("unconfirmed");
      expect([undefined, expected], subject).toContain(status);
    }
    if (m !== undefined && status === ScanStatus.OK) {
      const snapshots = ofScan.filter(
        (s) => !isMarker(s) && s.subject.startsWith(`${subject}.`) && s.seq < m.seq,
      );
      expect(snapshots.length, subject).toBe(Number(decodeMarker(m).resourceCount));
    }
  }
  expect(partitions.length).toBeGreaterThanOrEqual(markers.size);
  return markers.size;
}
