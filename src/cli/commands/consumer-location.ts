/** The stream the consumer commands read, from the configuration. */
import type { StreamLocation } from "../../consumer/reader.ts";
import type { RunContext } from "../command.ts";

/** Stream name and subject prefix of the configuration. */
export function streamLocation(ctx: RunContext): StreamLocation {
  return { stream: ctx.config.values.streamName, prefix: ctx.config.values.subjectPrefix };
}
