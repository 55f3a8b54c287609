/** Decoding one message of the stream into a snapshot or a marker. */
import { fromBinary } from "@bufbuild/protobuf";
import { MARKER_SCHEMA_NAME, SNAPSHOT_SCHEMA_NAME } from "../contract/encode.ts";
import { Header } from "../contract/headers.ts";
import { parseSubject } from "../contract/subject.ts";
import { errorMessage } from "../errors.ts";
import {
  type InfrastructureChangeEvent,
  InfrastructureChangeEventSchema,
} from "../gen/elava/v1/event_pb.ts";
import { type PartitionScanned, PartitionScannedSchema } from "../gen/elava/v1/marker_pb.ts";

/** A message as the consumer tools need it: what any JetStream message (`JsMsg`) offers. */
export interface StreamMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data: Uint8Array;
  readonly headers?: { get(name: string): string } | undefined;
}

/** A decoded snapshot. */
export interface DecodedSnapshot {
  readonly kind: "snapshot";
  readonly event: InfrastructureChangeEvent;
  readonly seq: number;
  readonly subject: string;
}

/** A decoded partition marker. */
export interface DecodedMarker {
  readonly kind: "marker";
  readonly marker: PartitionScanned;
  readonly seq: number;
  readonly subject: string;
}

/** One decoded message of the stream. */
export type Decoded = DecodedSnapshot | DecodedMarker;

/** A message that is not a snapshot or marker of the contract. */
export class ForeignMessageError extends Error {
  override readonly name = "ForeignMessageError";
}

/**
 * What kind of message this is: by its `Elava-Schema` header, or, for a message without
 * one, by the shape of its subject.
 */
export function messageKind(prefix: string, msg: StreamMessage): "snapshot" | "marker" {
  const schema = msg.headers?.get(Header.Schema) ?? "";
  if (schema === SNAPSHOT_SCHEMA_NAME) return "snapshot";
  if (schema === MARKER_SCHEMA_NAME) return "marker";
  if (schema !== "") {
    throw new ForeignMessageError(
      `message ${msg.seq} on ${msg.subject} has ${Header.Schema} "${schema}", expected ${SNAPSHOT_SCHEMA_NAME} or ${MARKER_SCHEMA_NAME}: is something else publishing into the stream?`,
    );
  }
  const parsed = parseSubject(prefix, msg.subject);
  if (parsed === undefined) {
    throw new ForeignMessageError(
      `message ${msg.seq} on ${msg.subject} has no ${Header.Schema} header and its subject is not ${prefix}.<provider>.<resource_type>.<account>.<region>[.<resource>]: is the prefix "${prefix}" right?`,
    );
  }
  return parsed.kind;
}

/** Decodes a message of the stream; throws ForeignMessageError for anything else. */
export function decodeMessage(prefix: string, msg: StreamMessage): Decoded {
  const kind = messageKind(prefix, msg);
  try {
    if (kind === "snapshot") {
      const event = fromBinary(InfrastructureChangeEventSchema, msg.data);
      return { kind, event, seq: msg.seq, subject: msg.subject };
    }
    const marker = fromBinary(PartitionScannedSchema, msg.data);
    return { kind, marker, seq: msg.seq, subject: msg.subject };
  } catch (err) {
    throw new ForeignMessageError(
      `message ${msg.seq} on ${msg.subject} is not a valid ${kind === "snapshot" ? SNAPSHOT_SCHEMA_NAME : MARKER_SCHEMA_NAME}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
}
