/**
 * What the consumer commands share: the stream they read, where they start, how they
 * report messages that are not of the contract, and their exit statuses.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { BadMessages, describeBad } from "../../consumer/decode.ts";
import { LineWriter } from "../../consumer/output.ts";
import {
  parseStartAt,
  type StartAt,
  type StreamLocation,
  StreamReader,
} from "../../consumer/reader.ts";
import { ExitCode, type RunContext, UsageError } from "../command.ts";

/** Stream name and subject prefix of the configuration. */
export function streamLocation(ctx: RunContext): StreamLocation {
  return { stream: ctx.config.values.streamName, prefix: ctx.config.values.subjectPrefix };
}

/** Opens the configured stream with the configured JetStream API timeout. */
export function openReader(ctx: RunContext, nc: NatsConnection): Promise<StreamReader> {
  return StreamReader.open(nc, streamLocation(ctx), ctx.config.values.natsApiTimeout);
}

/** The start flag `--<flag>` of `elava <command>` (`new`, `all`, `24h`, a time, a sequence). */
export function startOption(
  ctx: RunContext,
  command: string,
  flag: string,
  fallback: string,
): StartAt {
  try {
    return parseStartAt(ctx.args.string(flag) ?? fallback);
  } catch (err) {
    throw new UsageError(`elava ${command}: --${flag}: ${(err as Error).message}`);
  }
}

/** Bad messages, each logged as a warning with its sequence and subject. */
export function loggedBadMessages(ctx: RunContext): BadMessages {
  return new BadMessages((bad) =>
    ctx.log.warn(`bad message skipped: ${describeBad(bad)}`, {
      seq: bad.seq,
      subject: bad.subject,
      reason: bad.reason,
    }),
  );
}

/** The command's output, with backpressure, ending when its reader goes away. */
export function output(ctx: RunContext): LineWriter {
  return new LineWriter(ctx.stdout, ctx.signal);
}

/** The exit status of a consumer command that read the stream to the end. */
export function consumerExit(bad: BadMessages): number {
  return bad.count > 0 ? ExitCode.BadMessages : ExitCode.Ok;
}

/** The "Exit status" paragraph of the consumer commands' help. */
export function consumerExitHelp(extra = ""): string {
  return [
    "Exit status: 0 done; 1 reading failed (a NATS error or a JetStream API timeout, named);",
    "2 bad command line or configuration, or NATS",
    "not reachable, or a stream that does not exist or holds nothing under the prefix",
    "(nothing was read); 3 done, but messages that are not snapshots or markers of the",
    "contract were skipped (each is logged with its stream sequence and subject, and",
    `counted in the summary); 141 the output was closed by its reader (| head), as for SIGPIPE.${extra}`,
  ].join("\n");
}
