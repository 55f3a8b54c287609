/**
 * The stream's defaults: the name and subject prefix consumers find it by, and the limits
 * the publisher creates it with. The configuration, the publisher and the consumers take
 * them from here, so an operator who changes nothing gets the stream docs/stream-contract.md
 * describes.
 */

/**
 * How long the publisher retries one snapshot before its partition is FAILED
 * (`publish_failed`). The duplicate window below is derived from it.
 */
export const DEFAULT_PUBLISH_DEADLINE_MS = 60_000;

/**
 * 7 days of history; no byte limit (max_msgs_per_subject bounds storage by resource
 * count); the last 100 snapshots of each resource and markers of each partition: 25 h of
 * scans at the default 15 min interval, so `changes --since 24h` holds
 * (docs/operations.md, History, gives the storage it costs); 1 replica (a single server; 3
 * on a cluster); a duplicate window of twice the publish deadline, so every retry of a
 * message is deduplicated; direct get on, so consumers can read the last message of a
 * subject from any replica.
 */
export const STREAM_DEFAULTS = {
  name: "ELAVA",
  subjectPrefix: "elava",
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxBytes: -1,
  maxMsgsPerSubject: 100,
  replicas: 1,
  duplicateWindowMs: 2 * DEFAULT_PUBLISH_DEADLINE_MS,
  allowDirect: true,
} as const;
