/**
 * Connecting to real nats-servers: no server, a server that starts late, and token,
 * user/password, nkey and TLS authentication, each with a right and a wrong credential.
 * No error or description may contain a secret.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  connectNats,
  describeConnection,
  type NatsConnectionOptions,
} from "../../src/publisher/connection.ts";
import { freePort, NatsServer } from "../support/nats-server.ts";

let dir: string;
const servers: NatsServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "elava-conn-"));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(config: string): Promise<NatsServer> {
  const server = await NatsServer.start({ config });
  servers.push(server);
  return server;
}

function options(
  server: { url: string },
  extra: Partial<NatsConnectionOptions>,
): NatsConnectionOptions {
  return {
    servers: [server.url],
    name: "conn-test",
    connectTimeoutMs: 3000,
    reconnect: "never",
    ...extra,
  };
}

/** Connects, checks the connection works, closes it. */
async function connectsWith(opts: NatsConnectionOptions): Promise<void> {
  const nc = await connectNats(opts);
  await nc.flush();
  await nc.close();
}

async function connectError(opts: NatsConnectionOptions): Promise<Error> {
  const err = await connectNats(opts).then(
    async (nc) => {
      await nc.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error("expected the connection to fail");
  return err;
}

describe("connectNats", () => {
  it("fails after the connect deadline with an error naming the URL when no server listens", async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const err = await connectError({ ...options({ url }, {}), connectTimeoutMs: 1000 });
    const elapsed = Date.now() - started;
    expect(err.name).toBe("NatsConnectError");
    expect(err.message).toContain(`cannot connect to NATS at ${url} within 1000 ms`);
    expect(err.message).toContain("--nats-url");
    expect(elapsed).toBeGreaterThanOrEqual(700);
  });

  it("keeps trying until a server that starts late is up", async () => {
    const port = await freePort();
    const connecting = connectNats({
      servers: [`nats://127.0.0.1:${port}`],
      name: "late",
      connectTimeoutMs: 10_000,
      reconnect: "never",
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    servers.push(await NatsServer.start({ port }));
    const nc = await connecting;
    expect(nc.info?.port).toBe(port);
    await nc.close();
  });

  it("authenticates with a token and rejects a wrong one without showing it", async () => {
    const server = await start('authorization { token: "tok-s3cret-right" }');
    await connectsWith(options(server, { token: "tok-s3cret-right" }));
    const err = await connectError(options(server, { token: "tok-s3cret-wrong" }));
    expect(err.message).toContain(`NATS at ${server.url} rejected the credentials (auth: token)`);
    expect(err.message).not.toContain("s3cret");
  });

  it("authenticates with user and password and rejects a wrong password without showing it", async () => {
    const server = await start('authorization { user: "elava", password: "pw-s3cret-right" }');
    await connectsWith(options(server, { user: "elava", password: "pw-s3cret-right" }));
    const opts = options(server, { user: "elava", password: "pw-s3cret-wrong" });
    const err = await connectError(opts);
    expect(err.message).toContain("rejected the credentials (auth: user/password)");
    expect(err.message).not.toContain("s3cret");
    expect(describeConnection(opts)).not.toContain("s3cret");
    expect(describeConnection(opts)).toContain("auth: user/password");
  });

  it("authenticates with an nkey seed file and rejects another key without showing the seed", async () => {
    const user = createUser();
    const other = createUser();
    const right = join(dir, "right.nk");
    const wrong = join(dir, "wrong.nk");
    await writeFile(right, user.getSeed());
    await writeFile(wrong, other.getSeed());
    const server = await start(`authorization { users: [ { nkey: "${user.getPublicKey()}" } ] }`);
    await connectsWith(options(server, { nkeySeedFile: right }));
    const err = await connectError(options(server, { nkeySeedFile: wrong }));
    expect(err.message).toContain("rejected the credentials (auth: nkey)");
    expect(err.message).not.toContain(new TextDecoder().decode(other.getSeed()));
    const missing = await connectError(options(server, { nkeySeedFile: join(dir, "absent.nk") }));
    expect(missing.message).toContain(
      `cannot read the nkey seed file ${join(dir, "absent.nk")}: ENOENT`,
    );
  });

  it("connects with TLS and a client certificate, and rejects a certificate of another CA", async () => {
    const tls = join(dir, "tls");
    const sh = (script: string) => execFileSync("sh", ["-c", script], { cwd: tls, stdio: "pipe" });
    execFileSync("mkdir", ["-p", tls]);
    const key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    sh(`openssl req -x509 ${key} -keyout ca.key -out ca.pem -days 1 -subj /CN=elava-test-ca`);
    sh(
      `openssl req -x509 ${key} -keyout other-ca.key -out other-ca.pem -days 1 -subj /CN=other-ca`,
    );
    sh("printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > san.ext");
    sh(`openssl req ${key} -keyout server.key -out server.csr -subj /CN=localhost`);
    sh(
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile san.ext",
    );
    for (const [name, ca] of [
      ["client", "ca"],
      ["rogue", "other-ca"],
    ]) {
      sh(`openssl req ${key} -keyout ${name}.key -out ${name}.csr -subj /CN=${name}`);
      sh(
        `openssl x509 -req -in ${name}.csr -CA ${ca}.pem -CAkey ${ca}.key -CAcreateserial -out ${name}.pem -days 1`,
      );
    }
    const server = await start(
      `tls { cert_file: "${tls}/server.pem", key_file: "${tls}/server.key", ca_file: "${tls}/ca.pem", verify: true, timeout: 2 }`,
    );
    const right = options(server, {
      tls: { caFile: `${tls}/ca.pem`, certFile: `${tls}/client.pem`, keyFile: `${tls}/client.key` },
    });
    await connectsWith(right);
    expect(describeConnection(right)).toContain("tls: custom CA + client certificate");

    const err = await connectError(
      options(server, {
        tls: { caFile: `${tls}/ca.pem`, certFile: `${tls}/rogue.pem`, keyFile: `${tls}/rogue.key` },
      }),
    );
    expect(err.name).toBe("NatsConnectError");
    expect(err.message).toContain(server.url);
    expect(err.message).not.toContain("PRIVATE KEY");
    expect(err.message).toContain(`TLS with NATS at ${server.url} failed`);
    // TLS 1.3 may report the rejection as an alert or as the connection being dropped.
    expect(err.message).toMatch(/bad certificate|may have rejected the client certificate/);
    const untrusted = await connectError(
      options(server, { tls: { caFile: `${tls}/other-ca.pem` } }),
    );
    expect(untrusted.message).toContain(`TLS with NATS at ${server.url} failed`);
  });
  it("checks the certificate of a server given by IP address against that address", async () => {
    const tls = join(dir, "tls-ip");
    const sh = (script: string) => execFileSync("sh", ["-c", script], { cwd: tls, stdio: "pipe" });
    execFileSync("mkdir", ["-p", tls]);
    const key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    sh(`openssl req -x509 ${key} -keyout ca.key -out ca.pem -days 1 -subj /CN=elava-test-ca`);
    for (const [name, san] of [
      ["by-address", "IP:127.0.0.1"],
      ["by-name", "DNS:localhost"],
    ]) {
      sh(`printf 'subjectAltName=${san}' > ${name}.ext`);
      sh(`openssl req ${key} -keyout ${name}.key -out ${name}.csr -subj /CN=${name}`);
      sh(
        `openssl x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ${name}.pem -days 1 -extfile ${name}.ext`,
      );
    }
    const serve = (name: string) =>
      start(`tls { cert_file: "${tls}/${name}.pem", key_file: "${tls}/${name}.key", timeout: 2 }`);
    const byAddress = await serve("by-address");
    await connectsWith(options(byAddress, { tls: { caFile: `${tls}/ca.pem` } }));

    // A certificate for "localhost" does not vouch for 127.0.0.1.
    const byName = await serve("by-name");
    const err = await connectError(options(byName, { tls: { caFile: `${tls}/ca.pem` } }));
    expect(err.message).toContain(`TLS with NATS at ${byName.url} failed`);
    expect(err.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/u);
  });
});

describe("describeConnection", () => {
  it("names servers, auth kind and TLS without credentials, even those in a URL", () => {
    const text = describeConnection({
      servers: ["nats://alice:pw-s3cret@nats-1:4222", "nats://nats-2:4222"],
      name: "elava",
      token: "tok-s3cret",
      connectTimeoutMs: 1000,
      reconnect: "forever",
    });
    expect(text).toBe(
      'nats://alice:<redacted>@nats-1:4222,nats://nats-2:4222 as "elava" (auth: token, tls: off, reconnect: forever)',
    );
  });
});
