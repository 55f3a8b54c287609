import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { streamSettingsOf } from "../../src/cli/session.ts";
import { configObject, describeConfig, loadConfig } from "../../src/config/load.ts";
import { STREAM_DEFAULTS } from "../../src/contract/stream-defaults.ts";
import { ConfigError } from "../../src/errors.ts";
import { DEFAULT_SAMPLE_OPTIONS } from "../../src/providers/sample/index.ts";
import { DEFAULT_PUBLISHER_OPTIONS } from "../../src/publisher/publisher.ts";
import { DEFAULT_STREAM_SETTINGS } from "../../src/publisher/stream.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "elava-config-"));
});

async function yamlFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function configError(input: Parameters<typeof loadConfig>[0]): Promise<string> {
  try {
    await loadConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig precedence", () => {
  it("uses defaults when nothing is set", async () => {
    const c = await loadConfig({ flags: {}, env: {}, cwd: dir });
    expect(c.values.interval).toBe(15 * 60_000);
    expect(c.values.streamName).toBe("ELAVA");
    expect(c.values.natsServers.map((s) => s.url)).toEqual(["nats://127.0.0.1:4222"]);
    expect(c.values.shard).toEqual({ index: 0, count: 1 });
    expect(c.sources.interval.kind).toBe("default");
  });

  it("takes flags over environment over file", async () => {
    const file = await yamlFile(
      "precedence.yaml",
      "interval: 1h\nscan:\n  concurrency: 3\nstream:\n  name: FROMFILE\n  max_bytes: 1GiB\nnats:\n  servers: [nats://a:4222, nats://b:4222]\n",
    );
    const c = await loadConfig({
      flags: { interval: "90s" },
      env: { ELAVA_INTERVAL: "2h", ELAVA_CONCURRENCY: "5", ELAVA_CONFIG: file },
      cwd: dir,
    });
    expect(c.values.interval).toBe(90_000);
    expect(c.sources.interval).toEqual({ kind: "flag", name: "--interval" });
    expect(c.values.concurrency).toBe(5);
    expect(c.sources.concurrency).toEqual({ kind: "env", name: "ELAVA_CONCURRENCY" });
    expect(c.values.streamName).toBe("FROMFILE");
    expect(c.values.streamMaxBytes).toBe(2 ** 30);
    expect(c.sources.streamName).toEqual({ kind: "file", name: file });
    expect(c.values.natsServers.map((s) => s.url)).toEqual(["nats://a:4222", "nats://b:4222"]);
  });

  it("reads NATS_URL and an explicit --config over ELAVA_CONFIG", async () => {
    const file = await yamlFile("explicit.yaml", "provider: sample\n");
    const c = await loadConfig({
      flags: {},
      env: { NATS_URL: "nats://x:4222,nats://y:4222", ELAVA_CONFIG: "/nonexistent.yaml" },
      configFile: file,
      cwd: dir,
    });
    expect(c.values.natsServers.map((s) => s.url)).toEqual(["nats://x:4222", "nats://y:4222"]);
    expect(c.values.provider).toBe("sample");
  });

  it("reads the token from a file and never prints it", async () => {
    const tokenFile = await yamlFile("token", "s3cr3t-token-value\n");
    const c = await loadConfig({ flags: { "nats-token-file": tokenFile }, env: {}, cwd: dir });
    expect(c.values.natsToken).toBe("s3cr3t-token-value");
    const printed = `${describeConfig(c).join("\n")}\n${JSON.stringify(configObject(c))}`;
    expect(printed).not.toContain("s3cr3t-token-value");
    expect(printed).toContain("<redacted>");
  });

  it("redacts a password from the environment", async () => {
    const c = await loadConfig({
      flags: {},
      env: { NATS_USER: "elava", NATS_PASSWORD: "hunter2-pw" },
      cwd: dir,
    });
    expect(c.values.natsPassword).toBe("hunter2-pw");
    expect(describeConfig(c).join("\n")).not.toContain("hunter2-pw");
    expect(describeConfig(c).join("\n")).toMatch(
      /nats\.password\s+<redacted>\s+\(env NATS_PASSWORD\)/,
    );
  });
});

describe("loadConfig validation", () => {
  it("names the flag, the bad value and an example of a duration", async () => {
    const msg = await configError({ flags: { interval: "15x" }, env: {}, cwd: dir });
    expect(msg).toContain("invalid interval");
    expect(msg).toContain('--interval "15x"');
    expect(msg).toContain("--interval 15m");
  });

  it("names the environment variable", async () => {
    const msg = await configError({ flags: {}, env: { ELAVA_STREAM_REPLICAS: "9" }, cwd: dir });
    expect(msg).toContain('ELAVA_STREAM_REPLICAS="9"');
    expect(msg).toContain("from 1 to 5");
  });

  it("names the key and file", async () => {
    const file = await yamlFile("bad.yaml", "stream:\n  max_age: soon\n");
    const msg = await configError({ flags: {}, env: {}, configFile: file, cwd: dir });
    expect(msg).toContain("invalid stream.max_age");
    expect(msg).toContain(file);
    expect(msg).toContain("stream.max_age: 7d");
  });

  it("rejects an unknown key in the file, listing the section's keys", async () => {
    const file = await yamlFile("unknown.yaml", "stream:\n  maxage: 1d\n");
    const msg = await configError({ flags: {}, env: {}, configFile: file, cwd: dir });
    expect(msg).toContain('unknown key "stream.maxage"');
    expect(msg).toContain("stream.max_age");
  });

  it("suggests the full key of a setting given at the wrong level", async () => {
    const file = await yamlFile("level.yaml", "concurrency: 3\n");
    const msg = await configError({ flags: {}, env: {}, configFile: file, cwd: dir });
    expect(msg).toContain('did you mean "scan.concurrency"?');
  });

  it("rejects a missing config file", async () => {
    const msg = await configError({ flags: {}, env: {}, configFile: "nope.yaml", cwd: dir });
    expect(msg).toContain(join(dir, "nope.yaml"));
  });

  it.each([
    [{ shard: "3/3" }, "invalid scan.shard"],
    [{ types: "ec2_instance,ec2" }, '"ec2" is not one of'],
    [{ "assume-role": "arn:aws:iam::123:role/x" }, "IAM role ARNs"],
    [{ "sample-churn": "2" }, "from 0 to 1"],
    [{ "nats-tls-cert": "/etc/hostname" }, "needs its key"],
    [{ "stream-duplicate-window": "10s" }, "shorter than publish.deadline"],
    [{ "nats-creds": "/nonexistent/elava.creds" }, "cannot read /nonexistent/elava.creds"],
  ])("rejects %j", async (flags, expected) => {
    expect(await configError({ flags, env: {}, cwd: dir })).toContain(expected);
  });

  it("rejects an external id without a role to assume it for", async () => {
    const msg = await configError({ flags: {}, env: { ELAVA_EXTERNAL_ID: "abc" }, cwd: dir });
    expect(msg).toContain("--assume-role");
  });

  it("never echoes a bad secret", async () => {
    const file = await yamlFile(
      "secret.yaml",
      "nats:\n  user: u\n  password: topsecret\n  token: tok\n",
    );
    const msg = await configError({ flags: {}, env: {}, configFile: file, cwd: dir });
    expect(msg).toContain("keep exactly one");
    expect(msg).not.toContain("topsecret");
  });
});

describe("defaults", () => {
  it("are the defaults of the stream contract, the publisher and the sample provider", async () => {
    const config = await loadConfig({ flags: {}, env: {}, cwd: dir });
    const v = config.values;
    expect(streamSettingsOf(config)).toEqual(STREAM_DEFAULTS);
    expect(DEFAULT_STREAM_SETTINGS).toEqual(STREAM_DEFAULTS);
    expect({
      window: v.publishWindow,
      ackTimeoutMs: v.publishAckTimeout,
      publishDeadlineMs: v.publishDeadline,
    }).toEqual({
      window: DEFAULT_PUBLISHER_OPTIONS.window,
      ackTimeoutMs: DEFAULT_PUBLISHER_OPTIONS.ackTimeoutMs,
      publishDeadlineMs: DEFAULT_PUBLISHER_OPTIONS.publishDeadlineMs,
    });
    expect({
      resources: v.sampleResources,
      seed: v.sampleSeed,
      scan: v.sampleScan,
      churn: v.sampleChurn,
    }).toEqual(DEFAULT_SAMPLE_OPTIONS);
  });
});

describe("the config module", () => {
  it("imports no publisher, provider or CLI code (its defaults come from src/contract/)", async () => {
    const dirOfConfig = join(import.meta.dirname, "../../src/config");
    for (const file of await readdir(dirOfConfig)) {
      const text = await readFile(join(dirOfConfig, file), "utf8");
      const imports = [...text.matchAll(/from "(\.\.\/[^"]+)"/gu)].map((m) => m[1] ?? "");
      expect(
        imports.filter((i) => !/^\.\.\/(contract|util)\/|^\.\.\/errors\.ts$/u.test(i)),
        file,
      ).toEqual([]);
    }
  });
});

describe("the shipped Kubernetes ConfigMap", () => {
  it("holds a valid configuration", async () => {
    const manifest = parseYaml(
      await readFile(join(import.meta.dirname, "../../deploy/kubernetes/configmap.yaml"), "utf8"),
    ) as { data: Record<string, string> };
    const file = await yamlFile("configmap-elava.yaml", manifest.data["elava.yaml"] ?? "");
    // The creds file is mounted from a Secret in the pod; here a flag points at a stand-in.
    const creds = await yamlFile("elava.creds", "stand-in\n");
    const c = await loadConfig({
      flags: { "nats-creds": creds },
      env: {},
      configFile: file,
      cwd: dir,
    });
    expect(c.values.provider).toBe("aws");
    expect(c.sources.streamReplicas).toEqual({ kind: "file", name: file });
  });
});
