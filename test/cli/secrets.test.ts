/**
 * Secrets through `bin/elava`: credentials written into a NATS URL (flag, environment,
 * config file), the NATS password and token, the AWS external id. Each test plants a
 * recognisable secret and looks for it in everything the process writes: `config` in text
 * and JSON, warnings, error messages, log lines, and the daemon's /metrics.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, NatsServer } from "../support/nats-server.ts";
import { CliProcess, runCli } from "./run-cli.ts";

const PASSWORD = "pw-Zq8-s3cret";
let auth: NatsServer;
let dir: string;
beforeAll(async () => {
  auth = await NatsServer.start({
    config: `authorization { user: alice, password: "${PASSWORD}" }`,
  });
  dir = await mkdtemp(join(tmpdir(), "elava-secrets-"));
});
afterAll(async () => {
  await auth.dispose();
});

/** Everything a run wrote. */
const everything = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

describe("credentials in a NATS URL", () => {
  it("are used as user and password, shown redacted by `config` (text and JSON), with a warning about ps for the flag", async () => {
    const url = `nats://alice:${PASSWORD}@nats.example:4222`;
    const [text, json] = await Promise.all([
      runCli(["config", "--nats-url", url]),
      runCli(["config", "--json", "--nats-url", url]),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(everything(text)).not.toContain(PASSWORD);
    expect(text.stdout).toMatch(
      /nats\.servers\s+nats:\/\/nats\.example:4222\s+\(flag --nats-url\)/,
    );
    expect(text.stdout).toMatch(/nats\.user\s+alice\s+\(flag --nats-url\)/);
    expect(text.stdout).toMatch(/nats\.password\s+<redacted>\s+\(flag --nats-url\)/);
    expect(text.stderr).toContain("visible to every user of this machine (ps)");
    expect(json.code, json.stderr).toBe(0);
    expect(everything(json)).not.toContain(PASSWORD);
    expect(JSON.parse(json.stdout)).toMatchObject({
      "nats.servers": "nats://nats.example:4222",
      "nats.user": "alice",
      "nats.password": "<redacted>",
    });
  });

  it("from NATS_URL (a token) and from the config file are redacted too, without a warning", async () => {
    const token = "tok-Hh4-s3cret";
    const file = join(dir, "servers.yaml");
    await writeFile(
      file,
      `nats:\n  servers:\n    - nats://alice:${PASSWORD}@a.example:4222\n    - nats://alice:${PASSWORD}@b.example:4222\n`,
    );
    const [env, yaml] = await Promise.all([
      runCli(["config", "--json"], { NATS_URL: `nats://${token}@n.example:4222` }),
      runCli(["config", "--config", file]),
    ]);
    expect(env.code, env.stderr).toBe(0);
    expect(everything(env)).not.toContain(token);
    expect(JSON.parse(env.stdout)).toMatchObject({
      "nats.servers": "nats://n.example:4222",
      "nats.token": "<redacted>",
    });
    expect(env.stderr).toBe("");
    expect(yaml.code, yaml.stderr).toBe(0);
    expect(everything(yaml)).not.toContain(PASSWORD);
    expect(yaml.stdout).toMatch(
      /nats\.servers\s+nats:\/\/a\.example:4222,nats:\/\/b\.example:4222/,
    );
    expect(yaml.stdout).toMatch(/nats\.password\s+<redacted>\s+\(file .*servers\.yaml\)/);
  });

  it("never appear in a configuration error", async () => {
    const yaml = join(dir, "broken.yaml");
    // The parser quotes the offending line: here, the one with the password.
    await writeFile(yaml, `nats:\n  servers: nats://alice:${PASSWORD}@h:4222 x: y\n`);
    const [scheme, port, twoIdentities, both, broken] = await Promise.all([
      runCli(["config", "--nats-url", `htp://alice:${PASSWORD}@h:4222`]),
      runCli(["config", "--nats-url", `nats://alice:${PASSWORD}@h:99999`]),
      runCli(["config"], {
        NATS_URL: `nats://alice:${PASSWORD}@a:4222,nats://bob:${PASSWORD}x@b:4222`,
      }),
      runCli(["config", "--nats-url", `nats://alice:${PASSWORD}@h:4222`], {
        NATS_TOKEN: "other",
      }),
      runCli(["config", "--config", yaml]),
    ]);
    for (const r of [scheme, port, twoIdentities, both, broken]) {
      expect(r.code, r.stderr).toBe(2);
      expect(everything(r)).not.toContain(PASSWORD);
    }
    expect(scheme.stderr).toContain('\\"htp://alice:<redacted>@h:4222\\" has the scheme \\"htp\\"');
    expect(port.stderr).toContain('has the port \\"99999\\"');
    expect(twoIdentities.stderr).toContain("carry different credentials");
    expect(both.stderr).toContain("keep exactly one");
    expect(broken.stderr).toContain("is not valid YAML");
    expect(broken.stderr).toContain("line 2, column 12");
  });

  it("let scan connect to a server that requires them, and reach no log line; a wrong password is refused unseen", async () => {
    const good = `nats://alice:${PASSWORD}@127.0.0.1:${auth.port}`;
    const wrong = "pw-wrong-Kk2";
    const [ok, refused] = await Promise.all([
      runCli(["scan", "--provider", "sample", "--sample-resources", "200"], { NATS_URL: good }),
      runCli(["stream"], {
        NATS_URL: `nats://alice:${wrong}@127.0.0.1:${auth.port}`,
      }),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(everything(ok)).not.toContain(PASSWORD);
    const connected = ok.logs.find((l) => l.msg === "connected to NATS");
    expect(connected?.nats).toContain("auth: user/password");
    expect(connected?.nats).toContain(`nats://127.0.0.1:${auth.port}`);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("rejected the credentials (auth: user/password)");
    expect(everything(refused)).not.toContain(wrong);
  });

  it("stay out of the daemon's logs and /metrics", async () => {
    const port = await freePort();
    const daemon = new CliProcess(
      ["run", "--provider", "sample", "--sample-resources", "200", "--http-port", String(port)],
      { NATS_URL: `nats://alice:${PASSWORD}@127.0.0.1:${auth.port}` },
    );
    try {
      await daemon.waitFor("the first scan", () => daemon.stderr.includes('"scan finished"'));
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^elava_nats_connected 1/mu);
      expect(metrics).not.toContain(PASSWORD);
    } finally {
      daemon.child.kill("SIGTERM");
      await daemon.exited;
    }
    expect(everything(daemon)).not.toContain(PASSWORD);
  });
});

describe("the AWS external id", () => {
  it("is a secret: refused as a flag, read from the environment or a file, shown redacted", async () => {
    const secret = "ext-Pp7-s3cret";
    const file = join(dir, "external-id");
    await writeFile(file, `${secret}\n`);
    const role = ["--assume-role", "arn:aws:iam::210987654321:role/elava-scan"];
    const [flag, env, fromFile] = await Promise.all([
      runCli(["config", ...role, "--external-id", secret]),
      runCli(["config", "--json", ...role], { ELAVA_EXTERNAL_ID: secret }),
      runCli(["config", ...role, "--external-id-file", file]),
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--external-id is not accepted");
    expect(flag.stderr).toContain("ELAVA_EXTERNAL_ID");
    expect(flag.stderr).toContain("--external-id-file FILE");
    expect(everything(flag)).not.toContain(secret);
    expect(env.code, env.stderr).toBe(0);
    expect(JSON.parse(env.stdout)["aws.external_id"]).toBe("<redacted>");
    expect(everything(env)).not.toContain(secret);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(/aws\.external_id\s+<redacted>\s+\(file .*external-id\)/);
    expect(everything(fromFile)).not.toContain(secret);
  });

  it("refuses --nats-password and --nats-token the same way, naming where they go", async () => {
    const [password, token] = await Promise.all([
      runCli(["scan", "--nats-password=hunter2"]),
      runCli(["tail", "--nats-token", "hunter2"]),
    ]);
    expect(password.code).toBe(2);
    expect(password.stderr).toContain("--nats-password is not accepted");
    expect(password.stderr).toContain("NATS_PASSWORD");
    expect(password.stderr).toContain("--nats-password-file FILE");
    expect(token.code).toBe(2);
    expect(token.stderr).toContain("--nats-token is not accepted");
    for (const r of [password, token]) expect(everything(r)).not.toContain("hunter2");
  });
});
