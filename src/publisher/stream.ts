/**
 * The ELAVA stream: created when missing, updated when its settings differ, or only
 * verified when operators provision it (`--stream-verify-only`). The settings elava
 * manages are compared one by one so an error can list every difference; settings it does
 * not manage (placement, sources, metadata, max_msgs) are left as the operator set them.
 *
 * A stream that already exists may hold data elava does not own, or limits an operator
 * chose on purpose, so elava never weakens it silently. A change that cannot delete
 * messages (a looser limit, the duplicate window, direct get, replicas) is made and
 * reported setting by setting. A change that can (a tighter max_age, max_bytes or
 * max_msgs_per_subject, another discard policy, adding elava's subjects to a stream that
 * captures others) is refused, listing each one, unless `forceUpdate` says to make it.
 */
import {
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { STREAM_DEFAULTS } from "../contract/stream-defaults.ts";
import { ConfigError, errorMessage } from "../errors.ts";

/** The stream settings elava manages. */
export interface StreamSettings {
  /** Stream name, `ELAVA` by default (`--stream`). */
  name: string;
  /** Subject prefix; the stream captures `<prefix>.>` (`--subject-prefix`). */
  subjectPrefix: string;
  /** Drop messages older than this; 0 keeps them until another limit applies. */
  maxAgeMs: number;
  /** Total size limit in bytes; -1 for none. */
  maxBytes: number;
  /** Messages kept per subject, i.e. snapshots kept per resource and markers per partition. */
  maxMsgsPerSubject: number;
  replicas: number;
  /** How long JetStream remembers msg ids; must exceed the publisher's publish deadline. */
  duplicateWindowMs: number;
  /** Lets consumers read the last message per subject with direct get (`--last-for`). */
  allowDirect: boolean;
}

/** The defaults of the stream contract (src/contract/stream-defaults.ts). */
export const DEFAULT_STREAM_SETTINGS: StreamSettings = { ...STREAM_DEFAULTS };

/** One setting of the stream that is not what elava expects. */
export interface StreamDifference {
  /** The JetStream config field, e.g. `max_msgs_per_subject`. */
  setting: string;
  expected: string;
  actual: string;
}

/** The limits of the stream that can discard messages, as the scanner watches them. */
export interface StreamLimits {
  readonly stream: string;
  /** -1 for none. */
  readonly maxBytes: number;
  /** -1 for none. */
  readonly maxMsgs: number;
  /** 0 for none. */
  readonly maxAgeMs: number;
  /** The largest message the stream takes (headers and payload); -1 for none. */
  readonly maxMsgSize: number;
}

/** The limits of a stream's configuration. */
export function streamLimitsOf(config: StreamConfig): StreamLimits {
  return {
    stream: config.name,
    maxBytes: config.max_bytes,
    maxMsgs: config.max_msgs,
    maxAgeMs: config.max_age / NANOS_PER_MS,
    maxMsgSize: config.max_msg_size ?? -1,
  };
}

/** The flag that lets elava make changes that can delete messages. */
export const FORCE_UPDATE_FLAG = "--stream-force-update";

/** Under verify-only, the stream exists but its settings differ. */
export class StreamMismatchError extends Error {
  override readonly name = "StreamMismatchError";
  constructor(
    readonly stream: string,
    readonly differences: readonly StreamDifference[],
  ) {
    super(
      `stream ${stream} does not have the settings elava expects:\n${differences
        .map((d) => `  ${d.setting}: expected ${d.expected}, found ${d.actual}`)
        .join(
          "\n",
        )}\nfix the stream (nats stream edit ${stream}) or change elava's stream settings to match, or run without --stream-verify-only to let elava update it`,
    );
  }
}

/** The existing stream differs in ways elava would only change when forced. */
export class StreamUnsafeUpdateError extends Error {
  override readonly name = "StreamUnsafeUpdateError";
  constructor(
    readonly stream: string,
    readonly differences: readonly StreamDifference[],
  ) {
    super(
      `stream ${stream} exists with settings elava would change in ways that can delete messages, so it changed nothing:\n${differences
        .map(
          (d) =>
            `  ${d.setting}: elava wants ${d.expected}, the stream has ${d.actual} (${unsafeBecause(d.setting)})`,
        )
        .join(
          "\n",
        )}\nif this stream is elava's, run once with ${FORCE_UPDATE_FLAG} to apply these changes; otherwise give elava a stream of its own (--stream, --subject-prefix), or set elava's stream settings to match`,
    );
  }
}

/** A subject of the stream is already captured by another stream. */
export class StreamOverlapError extends Error {
  override readonly name = "StreamOverlapError";
}

/** Under verify-only, the stream does not exist. */
export class StreamMissingError extends Error {
  override readonly name = "StreamMissingError";
  constructor(readonly stream: string) {
    super(
      `stream ${stream} does not exist; create it (nats stream add ${stream}) with the settings in docs/stream-contract.md, or run without --stream-verify-only to let elava create it`,
    );
  }
}

const NANOS_PER_MS = 1_000_000;

/** The JetStream configuration of the settings. */
export function streamConfig(s: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: [`${s.subjectPrefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: s.maxAgeMs * NANOS_PER_MS,
    max_bytes: s.maxBytes,
    max_msgs_per_subject: s.maxMsgsPerSubject,
    num_replicas: s.replicas,
    duplicate_window: s.duplicateWindowMs * NANOS_PER_MS,
    allow_direct: s.allowDirect,
  };
}

function ms(nanos: number): string {
  return `${nanos / NANOS_PER_MS} ms`;
}

/** Every managed setting of `actual` that differs from the settings. */
export function streamDifferences(s: StreamSettings, actual: StreamConfig): StreamDifference[] {
  const want = streamConfig(s);
  const out: StreamDifference[] = [];
  const check = (
    setting: string,
    expected: unknown,
    found: unknown,
    show: (v: unknown) => string = String,
  ) => {
    if (expected !== found) out.push({ setting, expected: show(expected), actual: show(found) });
  };
  const subject = `${s.subjectPrefix}.>`;
  if (!(actual.subjects ?? []).includes(subject)) {
    out.push({
      setting: "subjects",
      expected: `to include ${subject}`,
      actual: JSON.stringify(actual.subjects ?? []),
    });
  }
  check("storage", want.storage, actual.storage);
  check("retention", want.retention, actual.retention);
  check("discard", want.discard, actual.discard);
  check("max_age", want.max_age, actual.max_age, (v) => ms(Number(v)));
  check("max_bytes", want.max_bytes, actual.max_bytes);
  check("max_msgs_per_subject", want.max_msgs_per_subject, actual.max_msgs_per_subject);
  check("num_replicas", want.num_replicas, actual.num_replicas);
  check("duplicate_window", want.duplicate_window, actual.duplicate_window, (v) => ms(Number(v)));
  check("allow_direct", want.allow_direct, actual.allow_direct ?? false);
  return out;
}

// Settings JetStream cannot change on an existing stream.
const IMMUTABLE = new Set(["storage", "retention"]);

/** Limits where 0 (max_age) or -1 (the others) means none. */
const LIMITS = new Set(["max_age", "max_bytes", "max_msgs_per_subject"]);

function unsafeBecause(setting: string): string {
  if (setting === "subjects") return "the stream captures subjects elava does not own";
  if (setting === "discard")
    return "discard old drops the oldest messages at a limit, discard new refuses new ones";
  return "a tighter limit deletes the messages over it";
}

/** Whether applying `d` to an existing stream can delete messages (see the module comment). */
function canDeleteMessages(
  d: StreamDifference,
  want: Partial<StreamConfig>,
  actual: StreamConfig,
): boolean {
  if (!LIMITS.has(d.setting)) return d.setting === "subjects" || d.setting === "discard";
  const key = d.setting as "max_age" | "max_bytes" | "max_msgs_per_subject";
  const none = key === "max_age" ? 0 : -1;
  const wanted = Number(want[key]);
  const found = Number(actual[key]);
  if (wanted === none || wanted <= 0) return false;
  return found === none || found <= 0 || wanted < found;
}

async function currentInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (err instanceof Error && err.name === "StreamNotFoundError") return undefined;
    if (/stream not found/iu.test(errorMessage(err))) return undefined;
    throw new Error(`cannot read stream ${name}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Names the streams other than `name` that capture any of `subjects`, with their subjects. */
async function overlapping(
  jsm: JetStreamManager,
  name: string,
  subjects: readonly string[],
): Promise<string> {
  const found: string[] = [];
  for (const subject of subjects) {
    for await (const other of jsm.streams.names(subject)) {
      if (other === name || found.some((f) => f.startsWith(`${other} `))) continue;
      const info = await jsm.streams.info(other).catch(() => undefined);
      found.push(`${other} (${(info?.config.subjects ?? []).join(", ")})`);
    }
  }
  return found.length === 0 ? "another stream" : `stream ${found.join(" and ")}`;
}

/** Turns JetStream's "subjects overlap" error into one naming the other stream(s). */
async function overlapError(
  jsm: JetStreamManager,
  err: unknown,
  name: string,
  subjects: readonly string[],
  what: string,
): Promise<Error | undefined> {
  if (
    (err as { code?: unknown })?.code !== 10065 &&
    !/subjects overlap/iu.test(errorMessage(err))
  ) {
    return undefined;
  }
  const others = await overlapping(jsm, name, subjects);
  return new StreamOverlapError(
    `cannot ${what} stream ${name}: its subjects ${subjects.join(", ")} overlap those of ${others}, and JetStream stores a subject in one stream only; point elava at that stream (--stream) or use another --subject-prefix`,
    { cause: err },
  );
}

/** What `ensureStream` did. */
export interface EnsuredStream {
  readonly action: "created" | "updated" | "unchanged" | "verified";
  readonly info: StreamInfo;
  /** The settings changed on an existing stream, from `actual` to `expected`. */
  readonly changes: readonly StreamDifference[];
}

/**
 * Makes sure the stream exists with the settings: creates it, updates it where that
 * deletes nothing (or, with `forceUpdate`, where it may), or (verifyOnly) only checks it.
 * Throws StreamMissingError / StreamMismatchError (verify-only), StreamUnsafeUpdateError,
 * StreamOverlapError: configuration errors naming each difference or the other stream.
 */
export async function ensureStream(
  nc: NatsConnection,
  settings: StreamSettings,
  opts: { verifyOnly: boolean; forceUpdate?: boolean },
): Promise<EnsuredStream> {
  const jsm = await jetstreamManager(nc).catch((err: unknown) => {
    throw new Error(
      `JetStream is not available on the server: ${errorMessage(err)}; start nats-server with JetStream enabled (-js)`,
      {
        cause: err,
      },
    );
  });
  const info = await currentInfo(jsm, settings.name);
  const want = streamConfig(settings);
  if (info === undefined) {
    if (opts.verifyOnly) throw new StreamMissingError(settings.name);
    try {
      return { action: "created", info: await jsm.streams.add(want), changes: [] };
    } catch (err) {
      throw (
        (await overlapError(jsm, err, settings.name, want.subjects ?? [], "create")) ??
        new Error(`cannot create stream ${settings.name}: ${errorMessage(err)}`, { cause: err })
      );
    }
  }
  const differences = streamDifferences(settings, info.config);
  if (differences.length === 0) {
    return { action: opts.verifyOnly ? "verified" : "unchanged", info, changes: [] };
  }
  if (opts.verifyOnly) throw new StreamMismatchError(settings.name, differences);
  const fixed = differences.filter((d) => IMMUTABLE.has(d.setting));
  if (fixed.length > 0) {
    throw new ConfigError(
      `stream ${settings.name} has ${fixed.map((d) => `${d.setting} ${d.actual}`).join(" and ")}, which JetStream cannot change (elava needs ${fixed.map((d) => d.expected).join(", ")}); recreate the stream or point elava at another one (--stream)`,
    );
  }
  const unsafe = differences.filter((d) => canDeleteMessages(d, want, info.config));
  if (unsafe.length > 0 && opts.forceUpdate !== true) {
    throw new StreamUnsafeUpdateError(settings.name, unsafe);
  }
  // Only the settings that differ change; the operator's other settings stay as they are.
  const update: Partial<StreamConfig> = { ...info.config };
  for (const d of differences) {
    const key = d.setting as keyof StreamConfig;
    if (key === "subjects") {
      update.subjects = [...new Set([...(info.config.subjects ?? []), ...(want.subjects ?? [])])];
    } else {
      (update as Record<string, unknown>)[key] = (want as Record<string, unknown>)[key];
    }
  }
  const { name: _name, ...config } = update;
  try {
    return {
      action: "updated",
      info: await jsm.streams.update(settings.name, config),
      changes: differences,
    };
  } catch (err) {
    throw (
      (await overlapError(jsm, err, settings.name, want.subjects ?? [], "update")) ??
      new Error(
        `cannot update stream ${settings.name} (${differences.map((d) => d.setting).join(", ")}): ${errorMessage(err)}`,
        { cause: err },
      )
    );
  }
}

/** What `elava stream` prints about a stream. */
export interface StreamSummary {
  name: string;
  subjects: string[];
  messages: number;
  bytes: number;
  /** Distinct subjects: resources plus partitions. */
  subjectCount: number;
  firstSeq: number;
  lastSeq: number;
  firstTime: string;
  lastTime: string;
  consumers: number;
  settings: Record<string, string>;
}

/** A plain summary of a stream's info. */
export function streamSummary(info: StreamInfo): StreamSummary {
  const c = info.config;
  return {
    name: c.name,
    subjects: c.subjects ?? [],
    messages: info.state.messages,
    bytes: info.state.bytes,
    subjectCount: info.state.num_subjects ?? 0,
    firstSeq: info.state.first_seq,
    lastSeq: info.state.last_seq,
    firstTime: info.state.first_ts,
    lastTime: info.state.last_ts,
    consumers: info.state.consumer_count,
    settings: {
      storage: String(c.storage),
      retention: String(c.retention),
      discard: String(c.discard),
      max_age: ms(c.max_age),
      max_bytes: String(c.max_bytes),
      max_msgs_per_subject: String(c.max_msgs_per_subject),
      num_replicas: String(c.num_replicas),
      duplicate_window: ms(c.duplicate_window),
      allow_direct: String(c.allow_direct ?? false),
    },
  };
}
