/** Header names of the stream contract, readable in `nats sub` without decoding protobuf. */
export const Header = {
  /** JetStream's deduplication id: `<scan_id>:<subject without prefix>`. */
  MsgId: "Nats-Msg-Id",
  /** Always `application/protobuf`. */
  ContentType: "Content-Type",
  /** The full protobuf message name of the payload. */
  Schema: "Elava-Schema",
  /** The scan cycle that published the message. */
  ScanId: "Elava-Scan-Id",
  /** On snapshots: the content hash, equal to the event's `content_hash`. */
  ContentHash: "Elava-Content-Hash",
  /** On markers: OK or FAILED. */
  Status: "Elava-Status",
  /** On markers: the number of snapshots of the partition in this scan. */
  ResourceCount: "Elava-Resource-Count",
} as const;

export const CONTENT_TYPE_PROTOBUF = "application/protobuf";
