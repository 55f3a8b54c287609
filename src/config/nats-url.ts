/**
 * NATS server URLs as the configuration takes them (`--nats-url`, `NATS_URL`,
 * `nats.servers`): checked here, because the NATS client for Node accepts almost anything
 * (it drops the scheme, so `htp://host` connects to `host`) and ignores credentials written
 * into a URL (`nats://user:password@host` connects without them and the server refuses
 * the connection). Elava therefore takes the credentials out of the URLs and hands them to
 * the client as the user and password, or the token, that they are (the convention of the
 * other NATS clients and the `nats` CLI); the URLs it keeps carry no secret.
 */

/** Credentials written into a URL. */
export type UrlCredentials =
  | { readonly kind: "user"; readonly user: string; readonly password: string }
  | { readonly kind: "token"; readonly token: string };

/** A checked server URL: what to connect to, and the credentials it carried. */
export interface NatsUrl {
  /** `nats://host:port` or `tls://host:port`, without credentials. */
  readonly url: string;
  /** `tls://`: the connection must use TLS. */
  readonly tls: boolean;
  readonly credentials?: UrlCredentials;
}

/** The outcome of checking one URL: the URL, or what is wrong with it. */
export type NatsUrlCheck = { ok: true; value: NatsUrl } | { ok: false; problem: string };

const SCHEMES = ["nats", "tls"];

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Checks one server URL: scheme `nats` or `tls`, a host, a port from 1 to 65535 when
 * given, nothing after the port. `problem` never contains the URL's credentials.
 */
export function checkNatsUrl(text: string): NatsUrlCheck {
  const bad = (problem: string): NatsUrlCheck => ({ ok: false, problem });
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/su.exec(text);
  if (m === null) return bad("has no scheme; write nats://HOST:PORT (or tls:// for TLS)");
  const scheme = (m[1] ?? "").toLowerCase();
  const rest = m[2] ?? "";
  if (scheme === "ws" || scheme === "wss") {
    return bad(
      `is a websocket URL (${scheme}://), which Elava's NATS client (Node, over TCP) cannot use; give the server's client port, nats://HOST:4222`,
    );
  }
  if (!SCHEMES.includes(scheme)) {
    return bad(`has the scheme "${scheme}"; use nats:// (or tls:// to require TLS)`);
  }
  const end = rest.search(/[/?#]/u);
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (end >= 0 && rest.slice(end) !== "/") {
    return bad("has a path, query or fragment after the port; a NATS URL ends at the port");
  }
  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  const hp = /^(\[[^\]]*\]|[^:[\]]*)(?::(.*))?$/u.exec(hostPort);
  const host = hp?.[1] ?? "";
  const port = hp?.[2];
  if (hp === null || host === "" || host === "[]") {
    return bad("has no host; write nats://HOST:PORT");
  }
  if (
    port !== undefined &&
    !(/^\d{1,5}$/u.test(port) && Number(port) >= 1 && Number(port) <= 65_535)
  ) {
    return bad(`has the port "${port}"; a port is a number from 1 to 65535 (NATS listens on 4222)`);
  }
  const url = `${scheme}://${host}${port === undefined ? "" : `:${port}`}`;
  try {
    new URL(url);
  } catch {
    return bad(`has the host "${host}", which is not a host name or IP address`);
  }
  let credentials: UrlCredentials | undefined;
  if (userinfo !== undefined && userinfo !== "") {
    const colon = userinfo.indexOf(":");
    credentials =
      colon < 0
        ? { kind: "token", token: decode(userinfo) }
        : {
            kind: "user",
            user: decode(userinfo.slice(0, colon)),
            password: decode(userinfo.slice(colon + 1)),
          };
  }
  return {
    ok: true,
    value: { url, tls: scheme === "tls", ...(credentials === undefined ? {} : { credentials }) },
  };
}

/** Whether two URLs carry the same credentials. */
export function sameCredentials(a: UrlCredentials, b: UrlCredentials): boolean {
  return a.kind === "token"
    ? b.kind === "token" && a.token === b.token
    : b.kind === "user" && a.user === b.user && a.password === b.password;
}
