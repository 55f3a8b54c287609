/**
 * The pipelined JetStream publisher.
 *
 * `js.publish()` makes one request per message, each with its own reply subscription
 * entry and timer; on a 2-core machine it tops out near 30k msgs/s however many are in
 * flight. This publisher does what the Go client's PublishAsync does: core publishes with
 * a reply subject under ONE inbox subscription (`<inbox>.<token>`), a bounded window of
 * messages awaiting their PubAck, and one periodic sweep (not a timer per message) that
 * finds acks overdue and retries due.
 *
 * Every message is retried with the same bytes and `Nats-Msg-Id` until it is stored or
 * its publish deadline passes, so JetStream's duplicate window makes the retries
 * exactly-once: a transient error ack, a no-responders status (no stream captures the
 * subject, or a clustered stream between leaders), an ack timeout and a reconnect
 * (whatever was in flight may be lost) all lead to a retry with backoff. A duplicate ack
 * means "already stored" and counts as success. What no retry can fix fails at once,
 * alone: a message over the server's max_payload, and an error ack saying the stream
 * refuses it for good (too large for the stream, sealed, full under discard new, out of
 * storage).
 *
 * When JetStream is gone, every message fails fast instead of one deadline at a time:
 * once the connection has closed (reconnecting gave up), or a message has waited its
 * whole deadline without the server answering anything since it was sent (server down,
 * hung or unreachable), the publisher is *unavailable*: everything in flight or waiting
 * fails, and so does every later `send` until `resume()` (the daemon's next scan) or a
 * reconnect. Each failure says whether the message may still have been stored
 * (`maybeStored`: it was transmitted and not refused), because a scan must not report "not
 * stored" about a marker the server may yet write.
 *
 * Memory is bounded by the window: `send` waits while it is full, and the outcome of each
 * message is reported to the caller's callback, not kept.
 */
import { createInbox, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import type { OutgoingMessage } from "../contract/encode.ts";
import { DEFAULT_PUBLISH_DEADLINE_MS } from "../contract/stream-defaults.ts";
import { ConfigError } from "../errors.ts";
import { type AckJson, parseAck } from "./ack.ts";
import { type FrameWriter, frameWriterFor } from "./frames.ts";
import { InFlight } from "./in-flight.ts";
import { headerBlock, headerBlockLength, WireHeaders } from "./wire-headers.ts";

/** Tuning of the publisher. */
export interface PublisherOptions {
  /** Messages in flight (published, not yet acknowledged) at most. */
  window: number;
  /** Retry a message whose ack has not come within this time. */
  ackTimeoutMs: number;
  /** Give up on a message (it FAILS) this long after its first publish. */
  publishDeadlineMs: number;
  /** First retry delay, doubled on every attempt up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How often the sweep looks for overdue acks and due retries. */
  sweepIntervalMs?: number;
}

/**
 * Defaults: 256 messages in flight, a 5 s ack timeout and a 60 s publish deadline, under
 * the stream's default 2 minute duplicate window so every retry of a message is
 * deduplicated. 256 publishes as fast as 1024 into a nearby server and keeps a sample
 * scan's resident set 10 to 15 MiB lower (docs/benchmarks.md); a far server (a long round
 * trip) wants more: at most a window per round trip is published.
 */
export const DEFAULT_PUBLISHER_OPTIONS: Required<PublisherOptions> = {
  window: 256,
  ackTimeoutMs: 5_000,
  publishDeadlineMs: DEFAULT_PUBLISH_DEADLINE_MS,
  retryInitialMs: 100,
  retryMaxMs: 2_000,
  sweepIntervalMs: 50,
};

/** JetStream's acknowledgement of a stored message. */
export interface PublishAck {
  readonly stream: string;
  readonly seq: number;
  /** The msg id was already stored within the duplicate window: stored, not twice. */
  readonly duplicate: boolean;
}

/**
 * Why a message was not stored:
 * - `too_large`: over the server's max_payload or the stream's max_msg_size;
 * - `rejected`: the stream refused it for good (sealed, full under discard new, no storage);
 * - `not_acknowledged`: no acknowledgement before the publish deadline;
 * - `unavailable`: the connection closed, or the server stopped answering (see the module comment);
 * - `abandoned`: the caller stopped waiting (`abandon`, on shutdown).
 */
export type PublishFailureKind =
  | "too_large"
  | "rejected"
  | "not_acknowledged"
  | "unavailable"
  | "abandoned";

/** A message was not stored, or not known to be. */
export class PublishError extends Error {
  override readonly name = "PublishError";
  constructor(
    readonly kind: PublishFailureKind,
    readonly subject: string,
    readonly msgId: string,
    message: string,
    /** The message was transmitted and not refused: the stream may hold it after all. */
    readonly maybeStored: boolean,
  ) {
    super(message);
  }
}

/** The outcome of one message, reported once. */
export type PublishOutcome =
  | { readonly ok: true; readonly message: OutgoingMessage; readonly ack: PublishAck }
  | { readonly ok: false; readonly message: OutgoingMessage; readonly error: PublishError };

/** Receives the outcome of a message. Called once, possibly before `send` returns. */
export type OnSettled = (outcome: PublishOutcome) => void;

/** Counters since the publisher was created. */
export interface PublisherStats {
  /** Messages accepted by `send`. */
  sent: number;
  /** Messages stored (duplicates included). */
  acked: number;
  /** Acks that said the message was already stored. */
  duplicates: number;
  /** Publishes repeated after an error ack, no responders, a timeout or a reconnect. */
  retries: number;
  failed: number;
  /** Payload and header bytes of the messages accepted. */
  bytes: number;
  inFlight: number;
}

interface Pending {
  readonly message: OutgoingMessage;
  /** The header block, built once: every retry sends the same bytes. */
  readonly headers: Uint8Array;
  /** Its reply subject is `<inbox>.<token in base 36>`, built when it is sent. */
  readonly token: number;
  readonly onSettled: OnSettled;
  readonly firstSentAt: number;
  /** The publisher's count of answers when it was first sent (see `#answers`). */
  readonly answersBefore: number;
  sentAt: number;
  attempts: number;
  /** Handed to a connected client at least once: the server may have stored it. */
  transmitted: boolean;
  /** When to publish again; 0 while waiting for the ack of the last publish. */
  retryAt: number;
  lastError: string;
}

interface Waiting {
  readonly message: OutgoingMessage;
  readonly onSettled: OnSettled;
  readonly resolve: () => void;
}

const RESOLVED: Promise<void> = Promise.resolve();
const decoder = new TextDecoder();

/**
 * JetStream error codes no retry can fix (nats-server's errors.json): the message is
 * larger than the stream's max_msg_size (10054), the stream is sealed (10109), the server
 * has no storage or resources left (10047, 10023). 10077 wraps any store failure; it is
 * final when a limit under discard new refused the message ("maximum bytes exceeded",
 * "maximum messages exceeded", "maximum messages per subject exceeded").
 */
function permanentError(errCode: number | undefined, description: string): boolean {
  if (errCode === 10054 || errCode === 10109 || errCode === 10047 || errCode === 10023) {
    return true;
  }
  return errCode === 10077 && /^maximum /u.test(description);
}

/** The length of a message's header block, as the server counts it. */
export function headerBytes(message: OutgoingMessage): number {
  return message.headerBlock?.length ?? headerBlockLength(message.headers);
}

/** Publishes messages to JetStream through a bounded window of in-flight publishes. */
export class JetStreamPublisher {
  readonly #nc: NatsConnection;
  readonly #opts: Required<PublisherOptions>;
  readonly #inbox: string;
  readonly #sub: Subscription;
  /**
   * In flight, by token (in-flight.ts). Each entry lives until its ack, and may outlive
   * V8's young generation, so it holds no string of its own: the reply is written per publish.
   */
  readonly #pending: InFlight<Pending>;
  readonly #waiters: Waiting[] = [];
  readonly #idle: Array<() => void> = [];
  readonly #sweep: NodeJS.Timeout;
  readonly #status: AsyncIterable<unknown> & { stop?: () => void };
  readonly #stats: PublisherStats = {
    sent: 0,
    acked: 0,
    duplicates: 0,
    retries: 0,
    failed: 0,
    bytes: 0,
    inFlight: 0,
  };
  readonly #lowWater: number;
  /** Writes each publish as the bytes sent, when the client allows it (frames.ts). */
  readonly #frames: FrameWriter | undefined;
  /** `<inbox>.`, the reply subject before a message's token. */
  readonly #replyPrefix: Uint8Array;
  /** Otherwise, reused by every publish: the client reads it synchronously and keeps nothing. */
  readonly #wireHeaders = new WireHeaders();
  readonly #publishOptions: { reply: string; headers: WireHeaders } = {
    reply: "",
    headers: this.#wireHeaders,
  };
  #connected = true;
  #closed = false;
  /**
   * Answers from the server on the inbox, counted (and `resume()` counts as one): a
   * message sent when the count was n, past its deadline with the count still n, had not
   * one answer since. A count, not a time: an answer and a send in the same millisecond
   * are still told apart.
   */
  #answers = 0;
  /** Why the connection is gone for good. */
  #lost: string | undefined;
  /** Why `abandon` was called. */
  #abandoned: string | undefined;
  /** Why the server is taken for unreachable until `resume()` or a reconnect. */
  #stalled: string | undefined;

  constructor(nc: NatsConnection, options: PublisherOptions) {
    const opts = { ...DEFAULT_PUBLISHER_OPTIONS, ...options };
    if (!Number.isInteger(opts.window) || opts.window < 1) {
      throw new ConfigError(`the publish window must be a whole number >= 1, got ${opts.window}`);
    }
    if (opts.ackTimeoutMs <= 0 || opts.publishDeadlineMs < opts.ackTimeoutMs) {
      throw new ConfigError(
        `the publish deadline (${opts.publishDeadlineMs} ms, --publish-deadline) must be at least the ack timeout (${opts.ackTimeoutMs} ms, --publish-ack-timeout), and both positive`,
      );
    }
    this.#nc = nc;
    this.#opts = opts;
    this.#pending = new InFlight(opts.window);
    this.#lowWater = opts.window - Math.max(1, Math.floor(opts.window / 4));
    this.#inbox = createInbox();
    this.#replyPrefix = new TextEncoder().encode(`${this.#inbox}.`);
    this.#frames = frameWriterFor(nc);
    const tokenStart = this.#inbox.length + 1;
    this.#sub = nc.subscribe(`${this.#inbox}.*`, {
      callback: (err, msg) => {
        if (err !== null) return;
        this.#answers += 1;
        const p = this.#pending.get(Number.parseInt(msg.subject.slice(tokenStart), 36));
        if (p === undefined) return; // a late ack of a message already settled
        if (msg.headers !== undefined && msg.headers.code === 503) {
          this.#retryLater(p, `no responders: no stream captures subject ${p.message.subject}`);
          return;
        }
        let ack: AckJson;
        try {
          ack = parseAck(msg.data);
        } catch {
          this.#retryLater(p, `unreadable ack: ${decoder.decode(msg.data).slice(0, 200)}`);
          return;
        }
        if (ack.error !== undefined) {
          const e = ack.error;
          const description = e.description ?? "no description";
          const text = `JetStream error ${e.err_code ?? e.code ?? "?"}: ${description}`;
          if (permanentError(e.err_code, description)) {
            // Refused for good; an earlier attempt whose ack was lost may have been stored.
            this.#fail(
              p,
              e.err_code === 10054 ? "too_large" : "rejected",
              `stream refused ${p.message.subject}: ${text}`,
              p.attempts > 1,
            );
          } else {
            this.#retryLater(p, text);
          }
          return;
        }
        this.#settle(p, {
          ok: true,
          message: p.message,
          ack: { stream: ack.stream ?? "", seq: ack.seq ?? 0, duplicate: ack.duplicate === true },
        });
      },
    });
    this.#sweep = setInterval(() => this.#sweepPending(), opts.sweepIntervalMs);
    // The sweep keeps the process alive only while messages wait for it.
    this.#sweep.unref();
    this.#status = nc.status() as AsyncIterable<unknown> & { stop?: () => void };
    void this.#watchStatus();
    void nc.closed().then((err) => {
      this.#connected = false;
      this.#lost = `the NATS connection closed${err instanceof Error ? `: ${err.message}` : ""}`;
      this.#becomeUnavailable(this.#lost);
    });
  }

  /** The largest message the server takes (payload and headers), as it announced. */
  get maxPayload(): number {
    return this.#nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
  }

  /** Counters so far. */
  get stats(): Readonly<PublisherStats> {
    return { ...this.#stats, inFlight: this.#pending.size };
  }

  /**
   * Why JetStream cannot be reached now (every `send` fails at once), or undefined: the
   * connection closed, or the server left a message unanswered for its whole deadline.
   */
  get unavailable(): string | undefined {
    return this.#lost ?? this.#stalled;
  }

  /**
   * Tries the server again after it stopped answering (the daemon's next scan): sends are
   * accepted again, and fail fast again after one more deadline without an answer.
   */
  resume(): void {
    this.#stalled = undefined;
    this.#answers += 1;
  }

  /**
   * Publishes a message; `onSettled` receives its outcome. Returns undefined when the
   * window had room (the message is on its way), or a promise that resolves once a slot
   * freed and the message was published. Callers await only that promise
   * (`const wait = p.send(m, cb); if (wait) await wait;`): awaiting on every message would
   * yield to the client's flush after each one and write one tiny packet per message.
   * A message over the server's max_payload fails at once without entering the window,
   * and so does every message while the publisher is `unavailable`.
   */
  send(message: OutgoingMessage, onSettled: OnSettled): Promise<void> | undefined {
    if (this.#closed) throw new Error(`publisher is closed; cannot publish ${message.subject}`);
    const size = message.data.length + headerBytes(message);
    const max = this.maxPayload;
    this.#stats.sent += 1;
    this.#stats.bytes += size;
    if (size > max) {
      this.#failUnsent(
        message,
        onSettled,
        "too_large",
        `message on ${message.subject} is ${size} bytes, over the server's max_payload of ${max} bytes; raise max_payload in nats-server.conf`,
      );
      return undefined;
    }
    if (this.#abandoned !== undefined) {
      this.#failUnsent(
        message,
        onSettled,
        "abandoned",
        `${message.subject} was not published: ${this.#abandoned}`,
      );
      return undefined;
    }
    const unavailable = this.unavailable;
    if (unavailable !== undefined) {
      this.#failUnsent(message, onSettled, "unavailable", this.#unavailableText(unavailable));
      return undefined;
    }
    if (this.#pending.size < this.#opts.window && this.#waiters.length === 0) {
      this.#start(message, onSettled);
      return undefined;
    }
    return new Promise((resolve) => {
      this.#waiters.push({ message, onSettled, resolve });
    });
  }

  /** Resolves when every message sent so far has settled. */
  flush(): Promise<void> {
    if (this.#pending.size === 0 && this.#waiters.length === 0) return RESOLVED;
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Stops waiting: every message in flight or waiting for a slot fails now (`abandoned`,
   * `maybeStored` when it was transmitted), and so does every later one. For a shutdown
   * whose grace period is over.
   */
  abandon(reason: string): void {
    this.#abandoned ??= reason;
    this.#failEverything("abandoned", (subject, transmitted) =>
      transmitted
        ? `${subject} was not acknowledged before ${reason}; the stream may still store it`
        : `${subject} was not published: ${reason}`,
    );
  }

  /** Waits for every message to settle, then stops listening for acks. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#status.stop?.();
    if (!this.#nc.isClosed()) this.#sub.unsubscribe();
  }

  #start(message: OutgoingMessage, onSettled: OnSettled): void {
    let headers: Uint8Array;
    try {
      headers = message.headerBlock ?? headerBlock(message.headers);
    } catch (err) {
      this.#failUnsent(message, onSettled, "rejected", (err as Error).message);
      return;
    }
    const token = this.#pending.take();
    const now = Date.now();
    const p: Pending = {
      message,
      headers,
      token,
      onSettled,
      firstSentAt: now,
      answersBefore: this.#answers,
      sentAt: now,
      attempts: 0,
      transmitted: false,
      retryAt: 0,
      lastError: "",
    };
    if (this.#pending.size === 0) this.#sweep.ref();
    this.#pending.add(p);
    this.#transmit(p, now);
  }

  #transmit(p: Pending, now: number): void {
    p.attempts += 1;
    p.sentAt = now;
    p.retryAt = 0;
    if (!this.#connected) return; // resent on reconnect
    try {
      if (this.#frames !== undefined) {
        this.#frames.hpub(p.message.subject, this.#replyPrefix, p.token, p.headers, p.message.data);
      } else {
        this.#wireHeaders.block = p.headers;
        this.#publishOptions.reply = `${this.#inbox}.${p.token.toString(36)}`;
        this.#nc.publish(p.message.subject, p.message.data, this.#publishOptions);
      }
      p.transmitted = true;
    } catch (err) {
      this.#retryLater(p, `publish failed: ${(err as Error).message}`);
    }
  }

  #retryLater(p: Pending, error: string): void {
    p.lastError = error;
    const delay = Math.min(
      this.#opts.retryMaxMs,
      this.#opts.retryInitialMs * 2 ** Math.min(p.attempts - 1, 20),
    );
    p.retryAt = Date.now() + delay;
  }

  #sweepPending(): void {
    const now = Date.now();
    const { ackTimeoutMs, publishDeadlineMs } = this.#opts;
    for (const p of this.#pending.values()) {
      if (now - p.firstSentAt >= publishDeadlineMs) {
        if (this.#answers === p.answersBefore) {
          // Not one answer from the server since this message was sent: it is down or hung,
          // and every other message would wait out its own deadline the same way.
          this.#stalled = `JetStream answered nothing for ${publishDeadlineMs} ms (the publish deadline)${p.lastError ? `; last error: ${p.lastError}` : ""}`;
          this.#becomeUnavailable(this.#stalled);
          return;
        }
        this.#fail(
          p,
          "not_acknowledged",
          `JetStream did not acknowledge ${p.message.subject} (msg id ${p.message.msgId}) within the ${publishDeadlineMs} ms publish deadline after ${p.attempts} attempt(s); last error: ${p.lastError || "none"}`,
          p.transmitted,
        );
        continue;
      }
      if (p.retryAt === 0) {
        if (now - p.sentAt < ackTimeoutMs) continue;
        this.#retryLater(p, `no acknowledgement within ${ackTimeoutMs} ms`);
        this.#stats.retries += 1;
        this.#transmit(p, now);
      } else if (now >= p.retryAt && this.#connected) {
        this.#stats.retries += 1;
        this.#transmit(p, now);
      }
    }
  }

  async #watchStatus(): Promise<void> {
    for await (const s of this.#status) {
      const type = (s as { type?: string }).type;
      if (type === "disconnect") {
        this.#connected = false;
      } else if (type === "reconnect") {
        this.#connected = true;
        this.resume();
        // What was in flight may have been lost with the old connection.
        const now = Date.now();
        for (const p of this.#pending.values()) {
          this.#stats.retries += 1;
          this.#transmit(p, now);
        }
      }
    }
  }

  #unavailableText(why: string): string {
    return `JetStream is unavailable: ${why}`;
  }

  #becomeUnavailable(why: string): void {
    const text = this.#unavailableText(why);
    this.#failEverything("unavailable", (subject, transmitted) =>
      transmitted
        ? `${subject} was not acknowledged (the stream may still store it): ${text}`
        : `${subject} was not published: ${text}`,
    );
  }

  /** Fails every message in flight and every waiting one. */
  #failEverything(
    kind: PublishFailureKind,
    text: (subject: string, transmitted: boolean) => string,
  ): void {
    // The waiting ones first: settling the pending ones would otherwise start them.
    const waiting = this.#waiters.splice(0);
    for (const p of this.#pending.values()) {
      this.#fail(p, kind, text(p.message.subject, p.transmitted), p.transmitted);
    }
    for (const w of waiting) {
      this.#failUnsent(w.message, w.onSettled, kind, text(w.message.subject, false));
      w.resolve();
    }
    if (this.#pending.size === 0 && this.#waiters.length === 0) {
      this.#sweep.unref();
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #failUnsent(
    message: OutgoingMessage,
    onSettled: OnSettled,
    kind: PublishFailureKind,
    text: string,
  ): void {
    this.#stats.failed += 1;
    onSettled({
      ok: false,
      message,
      error: new PublishError(kind, message.subject, message.msgId, text, false),
    });
  }

  #fail(p: Pending, kind: PublishFailureKind, text: string, maybeStored: boolean): void {
    this.#stats.failed += 1;
    this.#settle(p, {
      ok: false,
      message: p.message,
      error: new PublishError(kind, p.message.subject, p.message.msgId, text, maybeStored),
    });
  }

  #settle(p: Pending, outcome: PublishOutcome): void {
    if (!this.#pending.delete(p)) return;
    if (outcome.ok) {
      this.#stats.acked += 1;
      if (outcome.ack.duplicate) this.#stats.duplicates += 1;
    }
    p.onSettled(outcome);
    // Refill in batches: waking a waiting producer for every single ack would send one
    // message per socket write.
    if (this.#waiters.length > 0) {
      if (this.#pending.size <= this.#lowWater) {
        while (this.#waiters.length > 0 && this.#pending.size < this.#opts.window) {
          const w = this.#waiters.shift() as Waiting;
          this.#start(w.message, w.onSettled);
          w.resolve();
        }
      }
    } else if (this.#pending.size === 0) {
      this.#sweep.unref();
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}

/**
 * Publishes pre-encoded messages through a publisher and counts the outcomes: the raw
 * baseline of the bench, and a simple way to publish a batch.
 */
export async function publishAll(
  publisher: JetStreamPublisher,
  messages: Iterable<OutgoingMessage>,
): Promise<{ acked: number; failed: number; errors: PublishError[] }> {
  let acked = 0;
  let failed = 0;
  const errors: PublishError[] = [];
  const onSettled: OnSettled = (o) => {
    if (o.ok) acked += 1;
    else {
      failed += 1;
      if (errors.length < 10) errors.push(o.error);
    }
  };
  for (const m of messages) {
    const wait = publisher.send(m, onSettled);
    if (wait !== undefined) await wait;
  }
  await publisher.flush();
  return { acked, failed, errors };
}
