/**
 * Opening what a command needs from NATS: the connection and the stream. Both are checked
 * before any work starts, so an unreachable server, rejected credentials or a stream that
 * is missing under `--stream-verify-only` end the command with status 2 (nothing was
 * done), like a bad flag, rather than with a scan full of FAILED partitions.
 */

import type { NatsConnection } from "@nats-io/transport-node";
import type { LoadedConfig } from "../config/load.ts";
import { ConfigError, errorMessage } from "../errors.ts";
import {
  connectNats,
  describeConnection,
  NatsConnectError,
  type NatsConnectionOptions,
} from "../publisher/connection.ts";
import {
  type EnsuredStream,
  ensureStream,
  StreamMismatchError,
  StreamMissingError,
  StreamOverlapError,
  type StreamSettings,
  StreamUnsafeUpdateError,
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
  reconnect: NatsConnectionOptions["reconnect"],
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

/**
 * Creates, updates or verifies the stream, logging each setting it changes; a stream that
 * is missing or different under verify-only, one elava would weaken without
 * `--stream-force-update`, or one whose subjects another stream holds is a ConfigError.
 */
export async function openStream(
  nc: NatsConnection,
  config: LoadedConfig,
  log: Logger,
): Promise<EnsuredStream> {
  const settings = streamSettingsOf(config);
  try {
    const result = await ensureStream(nc, settings, {
      verifyOnly: config.values.streamVerifyOnly,
      forceUpdate: config.values.streamForceUpdate,
    });
    for (const change of result.changes) {
      log.info(`stream ${settings.name}: ${change.setting} changed`, {
        stream: settings.name,
        setting: change.setting,
        from: change.actual,
        to: change.expected,
      });
    }
    log.info(`stream ${settings.name} ${result.action}`, {
      stream: settings.name,
      action: result.action,
      subjects: result.info.config.subjects,
    });
    return result;
  } catch (err) {
    if (
      err instanceof StreamMissingError ||
      err instanceof StreamMismatchError ||
      err instanceof StreamUnsafeUpdateError ||
      err instanceof StreamOverlapError
    ) {
      throw new ConfigError(errorMessage(err), { cause: err });
    }
    throw err;
  }
}

/** How long closing waits for a server to confirm the drain before it just closes. */
const DRAIN_TIMEOUT_MS = 2_000;

/**
 * Drains a connection (flushes what is buffered, then closes), logging rather than
 * throwing. A server that is down or frozen never confirms a drain, so after
 * DRAIN_TIMEOUT_MS the connection is closed without it: shutdown stays bounded.
 */
export async function closeNats(nc: NatsConnection, log: Logger): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    nc.drain().then(
      () => true,
      (err: unknown) => {
        log.warn("draining the NATS connection failed", { error: errorMessage(err) });
        return true;
      },
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (drained || nc.isClosed()) return;
  log.warn("NATS did not confirm the drain; closing the connection without it", {
    waited_ms: DRAIN_TIMEOUT_MS,
  });
  await Promise.race([
    nc.close().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}
