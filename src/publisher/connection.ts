/**
 * Connecting to NATS. Secrets (token, password, nkey seed, creds, TLS key) are read from
 * the options or from files and handed to the client; they never appear in an error or in
 * `describeConnection`, which names only the *kind* of authentication.
 *
 * The client's own connect gives up at the first refused connection; a scan started just
 * before its server (compose, systemd) should not fail for that, so `connectNats` keeps
 * trying until `connectTimeoutMs` has passed, then fails naming every URL. A rejected
 * credential is final at once: retrying cannot fix it.
 *
 * Once connected, a lost connection is reconnected `forever` (the daemon), `never`, or
 * for a bounded time (`{ withinMs }`: a one-shot scan that should survive a server
 * restart but not wait forever for one that is gone).
 *
 * TLS to a server given by IP address is checked against that address. Node's TLS names
 * the host "localhost" when the socket was opened to an IP literal (it records only host
 * names), and the client sends no server name for an IP, so without help a certificate
 * for "localhost" would pass and one for the address would fail.
 */
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { type ConnectionOptions, checkServerIdentity, type PeerCertificate } from "node:tls";
import {
  type Authenticator,
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  nkeyAuthenticator,
} from "@nats-io/transport-node";
import { ConfigError, errorMessage } from "../errors.ts";
import { redactUrl } from "../util/redact.ts";

/** How to reach and authenticate to NATS. */
export interface NatsConnectionOptions {
  /** Server URLs, e.g. `nats://127.0.0.1:4222`. */
  servers: string[];
  /** Client name shown by the server (`nats server report connections`). */
  name: string;
  token?: string;
  user?: string;
  password?: string;
  /** A file holding an nkey user seed (`SU...`). */
  nkeySeedFile?: string;
  /** A `.creds` file (user JWT + seed). */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Give up connecting after this many milliseconds. */
  connectTimeoutMs: number;
  /** After a lost connection: `forever` (the daemon), `never`, or for up to `withinMs`. */
  reconnect: "forever" | "never" | { readonly withinMs: number };
}

const RECONNECT_WAIT_MS = 500;

export type { NatsConnection };

/** A connection could not be made: unreachable server, rejected credentials, bad TLS. */
export class NatsConnectError extends Error {
  override readonly name = "NatsConnectError";
}

/** The kind of authentication the options select, for logs and errors. */
export function authKind(
  opts: Pick<NatsConnectionOptions, "token" | "user" | "nkeySeedFile" | "credsFile">,
): string {
  if (opts.credsFile !== undefined) return "creds file";
  if (opts.nkeySeedFile !== undefined) return "nkey";
  if (opts.user !== undefined) return "user/password";
  if (opts.token !== undefined) return "token";
  return "none";
}

/** One line for logs: servers, client name, auth kind and TLS, never a secret. */
export function describeConnection(opts: NatsConnectionOptions): string {
  const tls =
    opts.tls === undefined
      ? "off"
      : [
          opts.tls.caFile === undefined ? "system CAs" : "custom CA",
          opts.tls.certFile === undefined ? "" : "client certificate",
        ]
          .filter((s) => s !== "")
          .join(" + ");
  const reconnect =
    typeof opts.reconnect === "string" ? opts.reconnect : `within ${opts.reconnect.withinMs} ms`;
  return `${opts.servers.map(redactUrl).join(",")} as "${opts.name}" (auth: ${authKind(opts)}, tls: ${tls}, reconnect: ${reconnect})`;
}

async function readSecretFile(what: string, path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ConfigError(
      `cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}; check the path and its permissions`,
    );
  }
}

async function clientOptions(opts: NatsConnectionOptions): Promise<NodeConnectionOptions> {
  if (opts.servers.length === 0) throw new ConfigError("no NATS server URL given (--nats-url)");
  const authenticators: Authenticator[] = [];
  if (opts.nkeySeedFile !== undefined) {
    const seed = new TextDecoder()
      .decode(await readSecretFile("nkey seed", opts.nkeySeedFile))
      .trim();
    authenticators.push(nkeyAuthenticator(new TextEncoder().encode(seed)));
  }
  if (opts.credsFile !== undefined) {
    authenticators.push(credsAuthenticator(await readSecretFile("creds", opts.credsFile)));
  }
  const client: NodeConnectionOptions = {
    servers: opts.servers,
    name: opts.name,
    timeout: opts.connectTimeoutMs,
    reconnect: opts.reconnect !== "never",
    maxReconnectAttempts:
      opts.reconnect === "forever"
        ? -1
        : opts.reconnect === "never"
          ? 0
          : Math.max(1, Math.ceil(opts.reconnect.withinMs / RECONNECT_WAIT_MS)),
    reconnectTimeWait: RECONNECT_WAIT_MS,
    // Publishes made while disconnected are buffered and flushed on reconnect; the
    // publisher retries anything not acknowledged, so no data depends on this buffer.
    ignoreAuthErrorAbort: false,
  };
  if (authenticators.length > 0) client.authenticator = authenticators;
  if (opts.token !== undefined) client.token = opts.token;
  if (opts.user !== undefined) client.user = opts.user;
  if (opts.password !== undefined) client.pass = opts.password;
  if (opts.tls !== undefined) {
    // The client hands these to Node's tls.connect, which takes checkServerIdentity too.
    const tls: NonNullable<NodeConnectionOptions["tls"]> &
      Pick<ConnectionOptions, "checkServerIdentity"> = {};
    if (opts.tls.caFile !== undefined) {
      tls.ca = new TextDecoder().decode(await readSecretFile("TLS CA", opts.tls.caFile));
    }
    if (opts.tls.certFile !== undefined) {
      tls.cert = new TextDecoder().decode(
        await readSecretFile("TLS certificate", opts.tls.certFile),
      );
    }
    if (opts.tls.keyFile !== undefined) {
      tls.key = new TextDecoder().decode(await readSecretFile("TLS key", opts.tls.keyFile));
    }
    const check = identityCheck(opts.servers);
    if (check !== undefined) tls.checkServerIdentity = check;
    client.tls = tls;
  }
  return client;
}

/** The host of a server URL (`nats://user:pw@10.0.0.5:4222` -> `10.0.0.5`), brackets removed. */
function hostOf(url: string): string {
  const withScheme = /^[a-z]+:\/\//iu.test(url) ? url : `nats://${url}`;
  try {
    return new URL(withScheme).hostname.replace(/^\[(.*)\]$/u, "$1");
  } catch {
    return "";
  }
}

/**
 * A server-identity check for servers given by IP address (see the module comment):
 * where Node reports "localhost" for such a connection, the certificate must name one of
 * the configured addresses. Undefined when no server is given by IP address.
 */
function identityCheck(
  servers: readonly string[],
): ConnectionOptions["checkServerIdentity"] | undefined {
  const hosts = servers.map(hostOf);
  const addresses = hosts.filter((h) => isIP(h) !== 0);
  if (addresses.length === 0 || hosts.includes("localhost")) return undefined;
  return (hostname: string, cert: PeerCertificate) => {
    if (hostname !== "localhost") return checkServerIdentity(hostname, cert);
    const errors = addresses.map((address) => checkServerIdentity(address, cert));
    return errors.includes(undefined) ? undefined : errors[0];
  };
}

function isAuthError(err: unknown): boolean {
  const text = `${err instanceof Error ? `${err.name} ${err.message}` : String(err)}`.toLowerCase();
  return (
    text.includes("authorization") || text.includes("authentication") || text.includes("auth_")
  );
}

function errorText(err: unknown): string {
  return `${errorMessage(err)} ${errorMessage((err as { cause?: unknown })?.cause)}`.toLowerCase();
}

function isTlsError(err: unknown): boolean {
  return /tls|certificate|ssl|self[- ]signed|handshake/u.test(errorText(err));
}

/**
 * With TLS 1.3 the client finishes its handshake before the server has checked the
 * client certificate, so a rejected certificate often arrives as a reset connection, not
 * as a "bad certificate" alert. With a client certificate configured, a connection the
 * server drops while connecting is reported as the TLS failure it almost surely is, at
 * once, instead of being retried until the deadline as an unreachable server.
 */
function isDroppedWithClientCert(opts: NatsConnectionOptions, err: unknown): boolean {
  return (
    opts.tls?.certFile !== undefined &&
    /econnreset|epipe|socket hang up|connection closed|disconnect/u.test(errorText(err))
  );
}

const RETRY_CONNECT_MS = 250;

/**
 * Connects to NATS, retrying unreachable servers until `connectTimeoutMs`. Throws a
 * NatsConnectError naming the URL(s) and what to check; never a secret.
 */
export async function connectNats(opts: NatsConnectionOptions): Promise<NatsConnection> {
  const client = await clientOptions(opts);
  const where = opts.servers.map(redactUrl).join(", ");
  const deadline = Date.now() + opts.connectTimeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      return await connect({
        ...client,
        timeout: Math.max(remaining, 1),
        // The client writes to the socket whenever 32 KiB are pending (a hidden option):
        // 256 KiB batches a window of snapshots into fewer writes, about 15% more msgs/s.
        pendingLimit: 256 * 1024,
      } as NodeConnectionOptions);
    } catch (err) {
      const cause = errorMessage(err).trim();
      if (isAuthError(err)) {
        throw new NatsConnectError(
          `NATS at ${where} rejected the credentials (auth: ${authKind(opts)}): ${cause}; check the token, user/password, nkey seed or creds file given to elava`,
          { cause: err },
        );
      }
      if (isTlsError(err) || isDroppedWithClientCert(opts, err)) {
        const what = isTlsError(err)
          ? cause
          : `the server closed the connection during the TLS handshake (${cause}); it may have rejected the client certificate`;
        throw new NatsConnectError(
          `TLS with NATS at ${where} failed: ${what}; check --nats-tls-ca, --nats-tls-cert and --nats-tls-key and that the server's certificate names this host`,
          { cause: err },
        );
      }
      if (Date.now() + RETRY_CONNECT_MS >= deadline) {
        throw new NatsConnectError(
          `cannot connect to NATS at ${where} within ${opts.connectTimeoutMs} ms: ${cause}; check that nats-server is running there and the URL (--nats-url) is right`,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_CONNECT_MS));
    }
  }
}
