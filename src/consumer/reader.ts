/**
 * Reading the stream: the one way every consumer tool reads.
 *
 * A reader opens on a stream with one `STREAM.INFO` call, which fixes what a bounded
 * read covers (everything up to the stream's last sequence at that moment, so the passes
 * of one command see the same stream) and the JetStream API timeout: by default it grows
 * with the stream's size, because the server's work for some calls (creating a
 * last-per-subject consumer, counting what a filter matches) grows with the messages it
 * holds.
 *
 * Messages come from an ephemeral pull consumer (no acks, memory storage, removed by the
 * server when idle) through at most two outstanding fetches of `batch` messages: a tool
 * that stops reading (its output is a pipe nobody drains) stops pulling, so what is
 * buffered stays bounded, which a `consume()` loop that pulls whenever messages arrive
 * does not give. A read that follows the stream (`tail`) recreates its consumer after
 * the next sequence when the server lost it (a restart).
 */

import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  type MsgRequest,
  type StreamInfo,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { ConfigError, errorMessage } from "../errors.ts";
import { formatDuration, parseDuration } from "../util/units.ts";
import type { StreamMessage } from "./decode.ts";

/** Stream name and subject prefix of the contract. */
export interface StreamLocation {
  readonly stream: string;
  readonly prefix: string;
}

/** Where a read starts. */
export type StartAt =
  | { readonly kind: "new" }
  | { readonly kind: "all" }
  | { readonly kind: "last-per-subject" }
  | { readonly kind: "time"; readonly time: Date }
  | { readonly kind: "sequence"; readonly sequence: number };

/** The JetStream API timeout: a duration in ms, or `auto` (see `apiTimeoutFor`). */
export type ApiTimeout = number | "auto";

/** The floor of the automatic API timeout, and what it adds per million stored messages. */
export const AUTO_TIMEOUT_MS = 10_000;
export const AUTO_TIMEOUT_PER_MILLION_MS = 20_000;

/**
 * The API timeout for a stream of `messages`: an explicit value as it is; `auto` is 10 s
 * plus 20 s per million messages, since the server's work for some calls (creating a
 * last-per-subject consumer) grows with the messages it stores, and a busy server takes
 * several times as long as an idle one.
 */
export function apiTimeoutFor(setting: ApiTimeout, messages: number): number {
  if (setting !== "auto") return setting;
  return Math.max(AUTO_TIMEOUT_MS, Math.ceil((messages / 1e6) * AUTO_TIMEOUT_PER_MILLION_MS));
}

/** A read of the stream failed; the message says what was asked, of which stream. */
export class StreamReadError extends Error {
  override readonly name = "StreamReadError";
}

/** What to read. */
export interface ReadOptions {
  /** One filter subject (servers before 2.10 take one). */
  readonly filter: string;
  readonly start: StartAt;
  /**
   * Follow new messages until `signal` aborts. Otherwise the read ends after the last
   * message the stream held when the reader opened (`endSeq`), or after `until`.
   */
  readonly follow?: boolean;
  /** The last sequence of a bounded read (at most `endSeq`). */
  readonly until?: number;
  /** Deliver headers without payloads. */
  readonly headersOnly?: boolean;
  /** Messages per fetch. */
  readonly batch?: number;
  readonly signal?: AbortSignal;
  /** What the read is for, in errors: `replay: the window of scan ...`. */
  readonly purpose?: string;
}

function deliverConfig(start: StartAt): Partial<ConsumerConfig> {
  switch (start.kind) {
    case "new":
      return { deliver_policy: DeliverPolicy.New };
    case "all":
      return { deliver_policy: DeliverPolicy.All };
    case "last-per-subject":
      return { deliver_policy: DeliverPolicy.LastPerSubject };
    case "time":
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time.toISOString() };
    case "sequence":
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.sequence };
  }
}

function describeStart(start: StartAt): string {
  switch (start.kind) {
    case "time":
      return `from ${start.time.toISOString()}`;
    case "sequence":
      return `from sequence ${start.sequence}`;
    case "last-per-subject":
      return "last per subject";
    default:
      return `from ${start.kind}`;
  }
}

function isTimeout(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.name === "TimeoutError" || /\btimeout\b/iu.test(e.message)) return true;
  }
  return false;
}

function isNotFound(err: unknown, what: "stream" | "consumer"): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (new RegExp(`${what} not found`, "iu").test(e.message)) return true;
  }
  return false;
}

const FETCH_EXPIRES_MS = 10_000;
const FOLLOW_EXPIRES_MS = 30_000;
const CONSUMER_IDLE_NS = 10 * 60 * 1e9;

/** A stream opened for reading (see the module comment). */
export class StreamReader {
  private constructor(
    readonly location: StreamLocation,
    readonly info: StreamInfo,
    /** The JetStream API timeout in ms, fitted to the stream's size. */
    readonly timeoutMs: number,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
  ) {}

  /**
   * Opens a stream for reading. A stream that does not exist, or whose subjects hold
   * nothing under the prefix, is a ConfigError (exit 2) naming the setting to check.
   */
  static async open(
    nc: NatsConnection,
    location: StreamLocation,
    apiTimeout: ApiTimeout = "auto",
  ): Promise<StreamReader> {
    const { stream, prefix } = location;
    const first = apiTimeout === "auto" ? AUTO_TIMEOUT_MS : apiTimeout;
    let info: StreamInfo;
    try {
      const jsm = await jetstreamManager(nc, { timeout: first });
      info = await jsm.streams.info(stream);
    } catch (err) {
      if (isNotFound(err, "stream")) {
        throw new ConfigError(
          `stream ${stream} does not exist on this NATS server: check --stream (ELAVA_STREAM), and that a scan or 'elava stream' created it`,
          { cause: err },
        );
      }
      if (isTimeout(err)) {
        throw new StreamReadError(
          `asking for the information of stream ${stream} got no answer within ${formatDuration(first)} (the JetStream API timeout): is JetStream enabled and reachable? raise it with --nats-api-timeout`,
          { cause: err },
        );
      }
      throw new StreamReadError(
        `reading the information of stream ${stream}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
    const own = `${prefix}.>`;
    const subjects = info.config.subjects ?? [];
    if (!subjects.some((s) => subjectsOverlap(s, own))) {
      throw new ConfigError(
        `stream ${stream} holds ${subjects.join(", ") || "no subjects"} (${info.state.messages} messages), nothing under ${own}: check --subject-prefix (ELAVA_SUBJECT_PREFIX), which is "${prefix}"`,
      );
    }
    const timeoutMs = apiTimeoutFor(apiTimeout, info.state.messages);
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    return new StreamReader(location, info, timeoutMs, jsm, jetstream(nc, { timeout: timeoutMs }));
  }

  /** The stream's last sequence when the reader opened: where bounded reads end. */
  get endSeq(): number {
    return this.info.state.last_seq;
  }

  /** Runs a JetStream API call, turning its failure into an error that says what it was. */
  async api<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const { stream } = this.location;
      if (isTimeout(err)) {
        throw new StreamReadError(
          `${what} on stream ${stream} (${this.info.state.messages.toLocaleString("en-US")} messages) got no answer within ${formatDuration(this.timeoutMs)} (the JetStream API timeout): raise it with --nats-api-timeout`,
          { cause: err },
        );
      }
      throw new StreamReadError(`${what} on stream ${stream}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  /** Subjects matching `filter` with their message counts (from the server's subject index). */
  async subjectCounts(filter: string): Promise<Map<string, number>> {
    const info = await this.api(`listing the subjects ${filter}`, () =>
      this.jsm.streams.info(this.location.stream, { subjects_filter: filter }),
    );
    return new Map(Object.entries(info.state.subjects ?? {}));
  }

  /** The stored message with this sequence; undefined when the stream no longer has it. */
  async get(seq: number): Promise<StreamMessage | undefined> {
    const m = await this.api(`getting message ${seq}`, () =>
      this.jsm.streams.getMessage(this.location.stream, { seq }),
    );
    return m === null ? undefined : storedMessage(m);
  }

  /** The last message on a subject (wildcards allowed); undefined when there is none. */
  async lastOn(subject: string): Promise<StreamMessage | undefined> {
    const m = await this.api(`getting the last message on ${subject}`, () =>
      this.jsm.streams.getMessage(this.location.stream, { last_by_subj: subject }),
    );
    return m === null ? undefined : storedMessage(m);
  }

  /** The first message on a subject at or after `seq`; undefined when there is none. */
  async nextOn(subject: string, seq: number): Promise<StreamMessage | undefined> {
    // STREAM.MSG.GET takes next_by_subj since nats-server 2.9; the client types it only
    // for direct gets, which a stream without allow_direct refuses.
    const query = { next_by_subj: subject, seq } as unknown as MsgRequest;
    const m = await this.api(`getting the first message on ${subject} from sequence ${seq}`, () =>
      this.jsm.streams.getMessage(this.location.stream, query),
    );
    return m === null ? undefined : storedMessage(m);
  }

  async #createConsumer(
    options: ReadOptions,
    start: StartAt,
  ): Promise<{
    info: ConsumerInfo;
    messages: (batch: number, expires: number) => Promise<ConsumerMessages>;
  }> {
    const what = `${options.purpose ? `${options.purpose}: ` : ""}creating a consumer of ${options.filter} (${describeStart(start)})`;
    const info = await this.api(what, () =>
      this.jsm.consumers.add(this.location.stream, {
        ack_policy: AckPolicy.None,
        filter_subject: options.filter,
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: CONSUMER_IDLE_NS,
        ...(options.headersOnly ? { headers_only: true } : {}),
        ...deliverConfig(start),
      }),
    );
    const consumer = this.js.consumers.getConsumerFromInfo(info);
    return {
      info,
      messages: (batch, expires) => consumer.fetch({ max_messages: batch, expires }),
    };
  }

  /** Reads messages in stream order (see ReadOptions). */
  async *read(options: ReadOptions): AsyncGenerator<JsMsg> {
    const { signal } = options;
    const follow = options.follow === true;
    const until = follow
      ? Number.POSITIVE_INFINITY
      : Math.min(options.until ?? this.endSeq, this.endSeq);
    if (!follow && options.start.kind === "new") {
      throw new Error('a bounded read cannot start at "new": it would end before it begins');
    }
    if (signal?.aborted) return;
    const batch = options.batch ?? 1024;
    const expires = follow ? FOLLOW_EXPIRES_MS : FETCH_EXPIRES_MS;
    let start = options.start;
    let lastSeq = 0;
    for (;;) {
      const { info, messages } = await this.#createConsumer(options, start);
      const inFlight: Promise<ConsumerMessages>[] = [];
      const open: ConsumerMessages[] = [];
      const stopAll = () => {
        for (const m of open) m.stop();
      };
      signal?.addEventListener("abort", stopAll);
      let lost: unknown;
      try {
        if (!follow && (info.num_pending === 0 || info.delivered.stream_seq >= until)) return;
        let emptyFetches = 0;
        const pull = () => {
          const p = messages(batch, expires);
          inFlight.push(p);
          p.then((m) => open.push(m)).catch(() => {});
        };
        pull();
        pull();
        while (inFlight.length > 0) {
          if (signal?.aborted) return;
          const iterator = await (inFlight.shift() as Promise<ConsumerMessages>);
          pull();
          let got = 0;
          for await (const m of iterator) {
            got++;
            if (m.seq > until) return;
            lastSeq = m.seq;
            yield m;
            if (signal?.aborted) return;
            if (!follow && (m.seq >= until || m.info.pending === 0)) return;
          }
          if (!follow && got === 0 && ++emptyFetches >= 2) {
            // Nothing arrived for two fetches: what was pending is gone (expired by age).
            const now = await this.api("checking a consumer", () =>
              this.jsm.consumers.info(this.location.stream, info.name),
            );
            if (now.num_pending === 0) return;
            emptyFetches = 0;
          }
        }
      } catch (err) {
        if (!follow || signal?.aborted) {
          if (signal?.aborted) return;
          throw new StreamReadError(
            `${options.purpose ? `${options.purpose}: ` : ""}reading ${options.filter} (${describeStart(start)}) from stream ${this.location.stream}: ${errorMessage(err)}`,
            { cause: err },
          );
        }
        lost = err;
      } finally {
        signal?.removeEventListener("abort", stopAll);
        stopAll();
        await this.jsm.consumers.delete(this.location.stream, info.name).catch(() => false);
      }
      if (lost === undefined) return;
      // Following, the server lost the consumer (restart, or idle too long): carry on
      // after the last message delivered.
      start = { kind: "sequence", sequence: lastSeq + 1 };
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** A stored message (direct get) in the shape the tools read. */
function storedMessage(m: {
  subject: string;
  seq: number;
  data: Uint8Array;
  header: Iterable<[string, string[]]> & { keys(): string[] };
  time: Date;
}): StreamMessage {
  const header = m.header;
  return {
    subject: m.subject,
    seq: m.seq,
    data: m.data,
    headers: header.keys().length === 0 ? undefined : header,
    info: { timestampNanos: m.time.getTime() * 1e6 },
  };
}

/** Whether two subject filters can match a common subject. */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === ">" || q === ">") return p !== undefined && q !== undefined;
    if (p === undefined || q === undefined) return false;
    if (p !== "*" && q !== "*" && p !== q) return false;
  }
  return true;
}

/** The filter subject of everything under a prefix. */
export function everything(prefix: string): string {
  return `${prefix}.>`;
}

/** The filter subject of every marker under a prefix: one token shorter than snapshots. */
export function allMarkers(prefix: string): string {
  return `${prefix}.*.*.*.*`;
}

/**
 * Parses where a read starts: `new`, `all`, a stream sequence (digits), a duration back
 * from `now` (`24h`), or a time (ISO 8601).
 */
export function parseStartAt(text: string, now: Date = new Date()): StartAt {
  const t = text.trim();
  if (t === "new" || t === "all") return { kind: t };
  if (/^\d+$/u.test(t)) return { kind: "sequence", sequence: Number(t) };
  const back = parseDuration(t);
  if (back !== undefined) return { kind: "time", time: new Date(now.getTime() - back) };
  const time = new Date(t);
  if (Number.isNaN(time.getTime())) {
    throw new Error(
      `"${text}" is not a start: use new, all, a stream sequence (1234), a duration back from now (24h) or a time (2026-01-01T00:00:00Z)`,
    );
  }
  return { kind: "time", time };
}
