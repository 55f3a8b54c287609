/**
 * What every bench starts from: its own throwaway nats-server (file storage, temp dir),
 * a connection made the way the CLI makes it, and a stream created with the product's
 * defaults.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connectNats, type NatsConnection } from "../src/publisher/connection.ts";
import {
  DEFAULT_STREAM_SETTINGS,
  ensureStream,
  type StreamSettings,
} from "../src/publisher/stream.ts";
import { NatsServer } from "../test/support/nats-server.ts";

/** A server, a connection to it and the stream settings of the bench. */
export interface BenchSession {
  readonly server: NatsServer;
  readonly nc: NatsConnection;
  readonly stream: StreamSettings;
  /** Deletes and creates the stream: the next measurement starts from an empty one. */
  resetStream(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server and connects; the stream is created empty. */
export async function openBenchSession(name: string): Promise<BenchSession> {
  const server = await NatsServer.start();
  const stream = DEFAULT_STREAM_SETTINGS;
  let nc: NatsConnection;
  try {
    nc = await connectNats({
      servers: [server.url],
      name: `elava-bench-${name}`,
      connectTimeoutMs: 5_000,
      reconnect: "never",
    });
    await ensureStream(nc, stream, { verifyOnly: false });
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return {
    server,
    nc,
    stream,
    async resetStream() {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream.name);
      await ensureStream(nc, stream, { verifyOnly: false });
    },
    async close() {
      await nc.drain().catch(() => undefined);
      await server.dispose();
    },
  };
}
