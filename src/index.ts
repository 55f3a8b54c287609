/**
 * The public API of Elava as a library, for consumers written in TypeScript (AHTI's
 * ingestion, tools, tests of downstream systems). Everything here reads or writes only
 * what the stream contract (docs/stream-contract.md) promises.
 *
 * The AWS provider is not re-exported: it loads the AWS SDK, which a consumer does not
 * need. Import it from `src/providers/aws/provider.ts` when you scan AWS yourself, or
 * run it on a thread of its own with `startProviderThread`, as the CLI does.
 */

// Consuming the stream.
export { type Change, ChangeDeriver, deriveChanges } from "./consumer/changes.ts";
export {
  type BadMessage,
  BadMessages,
  checkMessage,
  type Decoded,
  decodeMessage,
} from "./consumer/decode.ts";
export { type Difference, diffSnapshots } from "./consumer/diff.ts";
export {
  buildGraph,
  formatGraph,
  type Graph,
  writeGraph,
} from "./consumer/graph.ts";
export { resourceHistory } from "./consumer/history.ts";
export {
  type InventoryPlan,
  inventorySnapshots,
  judgeScan,
  type PartitionState,
  type PartitionStatus,
  planInventory,
} from "./consumer/inventory.ts";
export { type StartAt, type StreamLocation, StreamReader } from "./consumer/reader.ts";
export { replay } from "./consumer/replay.ts";
export { tail } from "./consumer/tail.ts";
export {
  CONTENT_HASH_SCHEME,
  type ContentComparison,
  compareContentHashes,
  contentHashScheme,
} from "./contract/content-hash.ts";
// The stream contract in code.
export {
  encodeMarker,
  encodeSnapshot,
  type ObservedResource,
  type OutgoingMessage,
  type ScanContext,
} from "./contract/encode.ts";
export { CONTENT_TYPE_PROTOBUF, Header } from "./contract/headers.ts";
export { newScanId, ulidTime } from "./contract/ids.ts";
export {
  keyText,
  publishedKey,
  RELATIONS,
  type Relation,
  type ResolvedReference,
  type ResourceKey,
  resolveReferences,
  resourceKey,
} from "./contract/references.ts";
export {
  ALL_RESOURCE_TYPES,
  GLOBAL_REGION,
  type MessageOf,
  type PayloadOf,
  payload,
  RESOURCE_TYPES,
  type ResourceType,
} from "./contract/resource-types.ts";
export {
  decodeToken,
  encodeToken,
  type PartitionKey,
  parseSubject,
  partitionSubject,
  snapshotSubject,
} from "./contract/subject.ts";
export { ConfigError, type FailureReason, PartitionFailure } from "./errors.ts";
// The schema: every message, enum and schema object of elava.v1.
export * from "./gen/elava/v1/compute_pb.ts";
export * from "./gen/elava/v1/containers_pb.ts";
export * from "./gen/elava/v1/database_pb.ts";
export * from "./gen/elava/v1/event_pb.ts";
export * from "./gen/elava/v1/identity_pb.ts";
export * from "./gen/elava/v1/load_balancing_pb.ts";
export * from "./gen/elava/v1/marker_pb.ts";
export * from "./gen/elava/v1/messaging_pb.ts";
export * from "./gen/elava/v1/monitoring_pb.ts";
export * from "./gen/elava/v1/network_pb.ts";
export * from "./gen/elava/v1/options_pb.ts";
export * from "./gen/elava/v1/storage_pb.ts";
export type { Provider, Unit } from "./providers/provider.ts";
// Publishing a scan.
export { createSampleProvider, sampleChurn } from "./providers/sample/index.ts";
export {
  moduleBeside,
  type ProviderThreadOptions,
  startProviderThread,
  type ThreadedProvider,
} from "./providers/thread/host.ts";
export { connectNats, type NatsConnectionOptions } from "./publisher/connection.ts";
export { JetStreamPublisher } from "./publisher/publisher.ts";
export { DEFAULT_STREAM_SETTINGS, ensureStream, type StreamSettings } from "./publisher/stream.ts";
export { type PartitionResult, runScan, type ScanReport } from "./scanner/scanner.ts";
