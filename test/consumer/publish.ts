/**
 * Publishes hand-made scans into a real nats-server with the contract's own encoders, for
 * consumer tests that do not need the scanner.
 */
import { create } from "@bufbuild/protobuf";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import {
  encodeMarker,
  encodeSnapshot,
  type ObservedResource,
  type OutgoingMessage,
  type ScanContext,
} from "../../src/contract/encode.ts";
import { newScanId } from "../../src/contract/ids.ts";
import { payload, type ResourceType } from "../../src/contract/resource-types.ts";
import type { PartitionKey } from "../../src/contract/subject.ts";
import { SubnetSchema, VpcSchema } from "../../src/gen/elava/v1/network_pb.ts";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export function partition(resourceType: ResourceType, region = REGION): PartitionKey {
  return { provider: "aws", resourceType, accountId: ACCOUNT, region };
}

export async function createStream(nc: NatsConnection, name = "ELAVA", prefix = "elava") {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${prefix}.>`], duplicate_window: 60_000_000_000 });
  return jsm;
}

export async function publish(nc: NatsConnection, m: OutgoingMessage): Promise<number> {
  const h = headers();
  for (const [k, v] of m.headers) h.set(k, v);
  const ack = await jetstream(nc).publish(m.subject, m.data, { headers: h, msgID: m.msgId });
  return ack.seq;
}

/** One partition's part of a scan. */
export interface PartitionScan {
  readonly partition: PartitionKey;
  readonly resources: readonly ObservedResource[];
  /** FAILED publishes the resources then a FAILED marker; "none" publishes no marker. */
  readonly status?: "OK" | "FAILED" | "none";
}

/** A scan's context, for publishing its parts by hand (overlapping scans). */
export function scanOf(prefix = "elava", startedAt = new Date()): ScanContext {
  return { scanId: newScanId(startedAt), scanStartedAt: startedAt, prefix };
}

/** Publishes one partition's snapshots of a scan; returns their sequences. */
export async function publishSnapshots(
  nc: NatsConnection,
  scan: ScanContext,
  p: PartitionKey,
  resources: readonly ObservedResource[],
): Promise<number[]> {
  const seqs: number[] = [];
  for (const r of resources) seqs.push(await publish(nc, encodeSnapshot(scan, p, r)));
  return seqs;
}

/** Publishes one partition's marker of a scan; returns its sequence. */
export async function publishMarker(
  nc: NatsConnection,
  scan: ScanContext,
  p: PartitionKey,
  status: "OK" | "FAILED",
  resourceCount: number,
): Promise<number> {
  return publish(
    nc,
    encodeMarker(scan, p, {
      status,
      resourceCount,
      startedAt: scan.scanStartedAt,
      finishedAt: new Date(),
      error: status === "FAILED" ? "throttled: DescribeVpcs kept throttling" : "",
    }),
  );
}

/** Publishes raw bytes (bad messages), with the given headers. */
export async function publishRaw(
  nc: NatsConnection,
  subject: string,
  data: Uint8Array,
  hdrs?: Readonly<Record<string, string>>,
): Promise<number> {
  const h = hdrs === undefined ? undefined : headers();
  for (const [k, v] of Object.entries(hdrs ?? {})) h?.set(k, v);
  const ack = await jetstream(nc).publish(subject, data, h === undefined ? {} : { headers: h });
  return ack.seq;
}

/** Publishes a scan: every partition's snapshots then its marker. Returns the scan id. */
export async function publishScan(
  nc: NatsConnection,
  partitions: readonly PartitionScan[],
  prefix = "elava",
): Promise<string> {
  const scanStartedAt = new Date();
  const scan = { scanId: newScanId(scanStartedAt), scanStartedAt, prefix };
  for (const p of partitions) {
    for (const r of p.resources) await publish(nc, encodeSnapshot(scan, p.partition, r));
    if (p.status === "none") continue;
    const failed = p.status === "FAILED";
    await publish(
      nc,
      encodeMarker(scan, p.partition, {
        status: failed ? "FAILED" : "OK",
        resourceCount: p.resources.length,
        startedAt: scanStartedAt,
        finishedAt: new Date(),
        error: failed ? "throttled: DescribeVpcs kept throttling" : "",
      }),
    );
  }
  return scan.scanId;
}

export function vpc(
  id: string,
  cidr = "10.0.0.0/16",
  tags: Record<string, string> = {},
): ObservedResource {
  return {
    id,
    name: tags.Name ?? id,
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/${id}`,
    tags,
    payload: payload("vpc", create(VpcSchema, { vpcId: id, cidrBlock: cidr, state: "available" })),
  };
}

export function subnet(id: string, vpcId: string, routeTableId = ""): ObservedResource {
  return {
    id,
    name: id,
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${id}`,
    tags: {},
    payload: payload("subnet", create(SubnetSchema, { subnetId: id, vpcId, routeTableId })),
  };
}
