/**
 * Option values through `bin/elava`: every wrong one exits 2 before anything is done,
 * naming the setting, what is wrong and how to write it; values that start with a dash
 * reach the setting's own check instead of the argument parser's "ambiguous".
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useNatsServer } from "../support/nats-server.ts";
import { runCli } from "./run-cli.ts";

const nats = useNatsServer();

/** The message of the one error line a failed command wrote. */
function errorOf(r: { stderr: string; logs: Array<Record<string, unknown>> }): string {
  const line = r.logs.find((l) => l.level === "error");
  return typeof line?.msg === "string" ? line.msg : r.stderr;
}

describe("values that start with a dash", () => {
  it("get the setting's own error, as --opt -5 and as --opt=-5", async () => {
    const runs = await Promise.all([
      runCli(["scan", "--provider", "sample", "--sample-resources", "-5"]),
      runCli(["scan", "--provider", "sample", "--sample-resources=-5"]),
      runCli(["run", "--interval", "-5m"]),
      runCli(["run", "--interval=-5m"]),
      runCli(["config", "--concurrency", "-1"]),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toContain("ambiguous");
    }
    const [resources, resourcesEq, interval, intervalEq, concurrency] = runs.map(errorOf);
    const wantResources =
      'invalid sample.resources: --sample-resources "-5" is not a whole number from 1 to 10000000; set it like --sample-resources 3000';
    expect(resources).toBe(wantResources);
    expect(resourcesEq).toBe(wantResources);
    const wantInterval =
      'invalid interval: --interval "-5m" is not a duration of at least 1s (it is negative); set it like --interval 15m';
    expect(interval).toBe(wantInterval);
    expect(intervalEq).toBe(wantInterval);
    expect(concurrency).toContain("from 1 to 256");
  });

  it("are accepted where the setting takes them (-1: unlimited stream bytes)", async () => {
    const r = await runCli(["config", "--stream-max-bytes", "-1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/stream\.max_bytes\s+unlimited\s+\(flag --stream-max-bytes\)/u);
  });

  it("a flag left without its value says so in one line, and how to give a value with a dash", async () => {
    const [missing, dashed] = await Promise.all([
      runCli(["config", "--interval"]),
      runCli(["config", "--nats-name", "-x"]),
    ]);
    expect(missing.code).toBe(2);
    expect(errorOf(missing).split("\n")[0]).toBe("elava config: --interval needs a value");
    expect(dashed.code).toBe(2);
    expect(errorOf(dashed)).toContain("give the value as --nats-name=VALUE");
  });
});

describe("explicitly empty values", () => {
  it("are errors saying what leaving the setting out means, from a flag or the config file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "elava-options-"));
    const yaml = join(dir, "empty.yaml");
    await writeFile(yaml, "aws:\n  regions: []\n");
    const [regions, types, roles, user, file] = await Promise.all([
      runCli(["config", "--regions", ""]),
      runCli(["config", "--types", " , "]),
      runCli(["config", "--assume-role", ""]),
      runCli(["config", "--nats-user", ""]),
      runCli(["config", "--config", yaml]),
    ]);
    for (const r of [regions, types, roles, user, file]) expect(r.code, r.stderr).toBe(2);
    expect(errorOf(regions)).toBe(
      'invalid aws.regions: --regions "" is not a list of AWS region names (it is empty; to scan every region enabled for each account, leave the setting out); set it like --regions us-east-1,eu-west-1',
    );
    expect(errorOf(types)).toContain("to scan every type, leave the setting out");
    expect(errorOf(roles)).toContain("to scan only the ambient credentials' account");
    expect(errorOf(user)).toContain('--nats-user "" is not a non-empty value');
    expect(errorOf(file)).toContain(`aws.regions: "" in ${yaml}`);
  });
});

describe("NATS URLs", () => {
  it("must be nats:// or tls:// with a host and a valid port", async () => {
    const [scheme, ws, port] = await Promise.all([
      runCli(["config", "--nats-url", "htp://nats.example:4222"]),
      runCli(["tail", "--nats-url", "ws://nats.example:8080"]),
      runCli(["config"], { NATS_URL: "nats://nats.example:70000" }),
    ]);
    for (const r of [scheme, ws, port]) expect(r.code, r.stderr).toBe(2);
    expect(errorOf(scheme)).toBe(
      'invalid nats.servers: --nats-url "htp://nats.example:4222" is not a list of NATS URLs: "htp://nats.example:4222" has the scheme "htp"; use nats:// (or tls:// to require TLS); set it like --nats-url nats://nats.example:4222',
    );
    expect(errorOf(ws)).toContain("is a websocket URL");
    expect(errorOf(port)).toContain('NATS_URL="nats://nats.example:70000"');
    expect(errorOf(port)).toContain('has the port "70000"');
  });

  it("tls:// requires TLS: a server without it is refused rather than used in clear text", async () => {
    const plain = `tls://127.0.0.1:${nats.server.port}`;
    const [clear, tls] = await Promise.all([
      runCli(["stream", "--nats-url", nats.server.url]),
      runCli(["stream", "--nats-url", plain]),
    ]);
    expect(clear.code, clear.stderr).toBe(0);
    expect(tls.code).toBe(2);
    expect(errorOf(tls)).toContain(`TLS with NATS at ${plain} failed`);
  });
});

describe("settings that cannot work together or at all", () => {
  it("exit 2 before connecting, naming both settings", async () => {
    // The NATS URL points nowhere: reaching it would be a different error.
    const nowhere = ["--provider", "sample", "--nats-url", "nats://127.0.0.1:1"];
    const runs = await Promise.all([
      runCli(["scan", ...nowhere, "--publish-ack-timeout", "2m"]),
      runCli(["scan", ...nowhere, "--stream-max-age", "1m"]),
      runCli(["run", ...nowhere, "--interval", "30d"]),
      runCli(["scan", ...nowhere, "--sample-churn", "0x1"]),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toContain("cannot connect");
    }
    const [ack, maxAge, interval, churn] = runs.map(errorOf);
    expect(ack).toContain(
      "invalid publish.ack_timeout: 2m is longer than publish.deadline (1m), so no publish would be retried",
    );
    expect(maxAge).toContain(
      "invalid stream.duplicate_window: 2m is longer than stream.max_age (1m), which JetStream refuses",
    );
    expect(interval).toContain("is not a duration of at most 24d");
    expect(churn).toContain("is not a number from 0 to 1");
  });

  it("a setting of the provider not selected is named in a warning", async () => {
    const r = await runCli(["config", "--provider", "sample", "--regions", "us-east-1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.logs.find((l) => l.level === "warn")?.msg).toBe(
      "aws.regions is ignored: the provider is sample",
    );
  });
});
