/** Reads a stream back in order for assertions, the way a consumer of the contract would. */
import { fromBinary } from "@bufbuild/protobuf";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { Header } from "../../src/contract/headers.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../../src/gen/elava/v1/event_pb.ts";
import { type PartitionScanned, PartitionScannedSchema } from "../../src/gen/elava/v1/marker_pb.ts";

export interface StoredMessage {
  seq: number;
  subject: string;
  headers: Record<string, string>;
  data: Uint8Array;
}

/** Every message of the stream (or the last per subject), in stream order. */
export async function readStream(
  nc: NatsConnection,
  stream: string,
  opts: { filter?: string; lastPerSubject?: boolean } = {},
): Promise<StoredMessage[]> {
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  if (info.state.messages === 0) return [];
  // On a cluster that just lost a node, creating the consumer can time out until the
  // cluster has noticed; try again for a while.
  const deadline = Date.now() + 30_000;
  let consumer: Awaited<ReturnType<ReturnType<typeof jetstream>["consumers"]["get"]>>;
  for (;;) {
    try {
      consumer = await jetstream(nc, { timeout: 10_000 }).consumers.get(stream, {
        filter_subjects: opts.filter ?? ">",
        deliver_policy:
          opts.lastPerSubject === true ? DeliverPolicy.LastPerSubject : DeliverPolicy.All,
      });
      break;
    } catch (err) {
      if (Date.now() > deadline || !/timeout/iu.test(String(err))) throw err;
    }
  }
  const out: StoredMessage[] = [];
  const messages = await consumer.consume({ max_messages: 5000 });
  for await (const m of messages) {
    const headers: Record<string, string> = {};
    for (const [k, v] of m.headers ?? []) headers[k] = v[0] ?? "";
    out.push({ seq: m.seq, subject: m.subject, headers, data: m.data });
    if (m.info.pending === 0) break;
  }
  await messages.close();
  return out;
}

/** Whether a stored message is a marker (by its schema header). */
export function isMarker(m: StoredMessage): boolean {
  return m.headers[Header.Schema] === PartitionScannedSchema.typeName;
}

export function decodeMarker(m: StoredMessage): PartitionScanned {
  return fromBinary(PartitionScannedSchema, m.data);
}

export function decodeSnapshot(m: StoredMessage): InfrastructureChangeEvent {
  return fromBinary(InfrastructureChangeEventSchema, m.data);
}
