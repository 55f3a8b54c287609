/**
 * Opening what a command needs from NATS: the connection and the stream. Both are checked
 * before any work starts, so an unreachable server, rejected credentials or a stream that
 * is missing under `--stream-verify-only` end the command with status 2 (nothing was
 * done), like a bad flag, rather than with a scan full of FAILED partitions.
 */

import type { StreamInfo } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { LoadedConfig } from "../config/load.ts";
import { ConfigError, errorMessage } from "../errors.ts";
import { connectNats, describeConnection, NatsConnectError } from "../publisher/connection.ts";
import {
  ensureStream,
  StreamMismatchError,
  StreamMissingError,
  type StreamSettings,
} from "../publisher/stream.ts";
import { natsConnectionOptions } from "./command.ts";
import type { Logger } from "./log.ts";

/** The stream settings of the configuration. */
export function streamSettingsOf(config: LoadedConfig): StreamSettings {
  const v = config.values;
  return {
    name: v.streamName,
    subjectPrefix: v.subjectPrefix,
    maxAgeMs: v.streamMaxAge,
    maxBytes: v.streamMaxBytes,
    maxMsgsPerSubject: v.streamMaxMsgsPerSubject,
    replicas: v.streamReplicas,
    duplicateWindowMs: v.streamDuplicateWindow,
    allowDirect: v.streamAllowDirect,
  };
}

/** Connects to NATS; a connection that cannot be made is a ConfigError (exit 2). */
export async function openNats(
  config: LoadedConfig,
  role: string,
  reconnect: "forever" | "never",
  log: Logger,
): Promise<NatsConnection> {
  const options = natsConnectionOptions(config, role, reconnect);
  try {
    const nc = await connectNats(options);
    log.info("connected to NATS", { nats: describeConnection(options) });
    return nc;
  } catch (err) {
    if (err instanceof NatsConnectError || err instanceof ConfigError) {
      throw new ConfigError(errorMessage(err), { cause: err });
    }
    throw err;
  }
}

/** Creates, updates or verifies the stream; a missing or mismatched stream under verify-only is a ConfigError. */
export async function openStream(
  nc: NatsConnection,
  config: LoadedConfig,
  log: Logger,
): Promise<{ action: string; info: StreamInfo }> {
  const settings = streamSettingsOf(config);
  try {
    const result = await ensureStream(nc, settings, { verifyOnly: config.values.streamVerifyOnly });
    log.info(`stream ${settings.name} ${result.action}`, {
      stream: settings.name,
      action: result.action,
      subjects: result.info.config.subjects,
    });
    return result;
  } catch (err) {
    if (err instanceof StreamMissingError || err instanceof StreamMismatchError) {
      throw new ConfigError(errorMessage(err), { cause: err });
    }
    throw err;
  }
}

/** Drains a connection (flushes what is buffered, then closes), logging rather than throwing. */
export async function closeNats(nc: NatsConnection, log: Logger): Promise<void> {
  if (nc.isClosed()) return;
  try {
    await nc.drain();
  } catch (err) {
    log.warn("draining the NATS connection failed", { error: errorMessage(err) });
  }
}
