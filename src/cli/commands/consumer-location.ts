/** What the consumer commands share: the stream they read and where they start. */
import { parseStartAt, type StartAt, type StreamLocation } from "../../consumer/reader.ts";
import { type RunContext, UsageError } from "../command.ts";

/** Stream name and subject prefix of the configuration. */
export function streamLocation(ctx: RunContext): StreamLocation {
  return { stream: ctx.config.values.streamName, prefix: ctx.config.values.subjectPrefix };
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
