/**
 * Reading the stream with an ordered consumer: the one way every consumer tool reads.
 *
 * An ordered consumer is ephemeral, unacknowledged and recreated by the client on any gap,
 * so a reader never leaves state on the server and always sees subjects in stream order.
 * Tools that rebuild something (replay, changes) need a *bounded* read: they stop at the
 * end of what the stream held when they started. JetStream tells how many messages are
 * still pending after each delivery (`info.pending`), so a read ends at the first message
 * with nothing pending. A read that matches nothing never delivers a message to carry
 * that count, so a bounded read first asks a short-lived probe consumer how many messages
 * it would deliver. `tail` reads unbounded and follows new messages.
 */

import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { errorMessage } from "../errors.ts";
import { parseDuration } from "../util/units.ts";

/** Stream name and subject prefix of the contract, `ELAVA` and `elava` by default. */
export interface StreamLocation {
  readonly stream: string;
  readonly prefix: string;
}

/** The defaults of DESIGN.md. */
export const DEFAULT_STREAM: StreamLocation = { stream: "ELAVA", prefix: "elava" };

/** Where a read starts. */
export type StartAt =
  | { readonly kind: "new" }
  | { readonly kind: "all" }
  | { readonly kind: "last-per-subject" }
  | { readonly kind: "time"; readonly time: Date }
  | { readonly kind: "sequence"; readonly sequence: number };

/** What to read. */
export interface ReadOptions {
  readonly stream: string;
  /** Subjects to read; `<prefix>.>` for everything. */
  readonly filterSubjects: readonly string[];
  readonly start: StartAt;
  /** Stop at the end of what the stream holds now (true), or follow new messages. */
  readonly bounded: boolean;
  readonly signal?: AbortSignal;
  /** Messages per pull; larger pulls drain faster. */
  readonly batch?: number;
}

type DeliverOptions = {
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  opt_start_time?: string;
};

function deliverOptions(start: StartAt): DeliverOptions {
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

/**
 * Reads messages of the stream in order. Bounded reads end after the last message the
 * stream held when the read started; unbounded ones end when `signal` aborts.
 */
export async function* readStream(nc: NatsConnection, options: ReadOptions): AsyncGenerator<JsMsg> {
  const { stream, filterSubjects, start, bounded, signal } = options;
  const filter = filterSubjects.length === 1 ? filterSubjects[0] : [...filterSubjects];
  if (filter === undefined) throw new Error("readStream needs at least one filter subject");
  if (bounded && start.kind === "new") {
    throw new Error('a bounded read cannot start at "new": it would end before it begins');
  }
  if (bounded && (await pendingAtStart(nc, stream, filter, start)) === 0) return;
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, {
    filter_subjects: filter,
    ...deliverOptions(start),
  });
  const batch = options.batch ?? 4096;
  const messages: ConsumerMessages = await consumer.consume({
    max_messages: batch,
    threshold_messages: Math.floor(batch / 2),
  });
  const stop = () => {
    void messages.close();
  };
  signal?.addEventListener("abort", stop, { once: true });
  try {
    if (signal?.aborted) return;
    for await (const m of messages) {
      yield m;
      if (bounded && m.info.pending === 0) break;
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    await messages.close();
  }
}

/**
 * How many messages a read would deliver, from a short-lived probe consumer's info: a
 * bounded read of nothing ends here instead of waiting for a message that never comes.
 */
async function pendingAtStart(
  nc: NatsConnection,
  stream: string,
  filter: string | string[],
  start: StartAt,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  let pending = 0;
  // One probe per filter subject (they are disjoint): older servers take only one each.
  for (const subject of typeof filter === "string" ? [filter] : filter) {
    const probe = await jsm.consumers
      .add(stream, {
        ack_policy: AckPolicy.None,
        inactive_threshold: 10_000_000_000,
        mem_storage: true,
        filter_subject: subject,
        ...deliverOptions(start),
      })
      .catch((err: unknown) => {
        throw new Error(
          `read stream ${stream}: ${errorMessage(err)} (is the stream name right, and has the publisher created it?)`,
          { cause: err },
        );
      });
    await jsm.consumers.delete(stream, probe.name).catch(() => false);
    pending += probe.num_pending;
  }
  return pending;
}

/** The filter subject of everything under a prefix. */
export function everything(prefix: string): string {
  return `${prefix}.>`;
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
