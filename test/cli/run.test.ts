import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, NatsServer } from "../support/nats-server.ts";
import { CliProcess } from "./run-cli.ts";

let nats: NatsServer;
beforeAll(async () => {
  nats = await NatsServer.start();
});
afterAll(async () => {
  await nats.dispose();
});

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** Waits until GET `path` satisfies `ok`. */
async function until(
  daemon: CliProcess,
  port: number,
  path: string,
  ok: (r: { status: number; body: string }) => boolean,
  ms = 20_000,
): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await get(port, path).catch(() => ({ status: 0, body: "" }));
    if (ok(r)) return r;
    if (Date.now() > deadline) {
      throw new Error(
        `GET ${path} never became as expected; last ${r.status} ${r.body.slice(0, 500)}\n${daemon.stderr.slice(-3000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function scansOk(metrics: string): number {
  const m = /^elava_scans_total\{result="ok"\} (\d+)/m.exec(metrics);
  return Number(m?.[1] ?? 0);
}

describe("elava run", () => {
  it("scans twice on a short interval, serves metrics, and follows NATS in /readyz", async () => {
    const port = await freePort();
    const daemon = new CliProcess([
      "run",
      "--provider",
      "sample",
      "--sample-resources",
      "300",
      "--nats-url",
      nats.url,
      "--interval",
      "1s",
      "--http-port",
      String(port),
      "--nats-connect-timeout",
      "2s",
    ]);
    try {
      const metrics = await until(daemon, port, "/metrics", (r) => scansOk(r.body) >= 2);
      const scanIds = daemon
        .logs()
        .filter((l) => l.msg === "scan finished")
        .map((l) => l.scan_id);
      expect(new Set(scanIds).size).toBeGreaterThanOrEqual(2);
      expect(metrics.body).toMatch(/^elava_resources\{resource_type="vpc"\} [1-9]/m);
      expect(metrics.body).toMatch(
        /^elava_partitions_total\{resource_type="subnet",status="OK",reason=""\} [1-9]/m,
      );
      expect(metrics.body).toMatch(/^elava_last_scan_partitions\{status="OK",reason=""\} [1-9]/m);
      expect(metrics.body).toMatch(/^elava_publish_latency_seconds_count [1-9]/m);
      expect(metrics.body).toMatch(/^elava_scan_duration_seconds_count [2-9]/m);
      expect(metrics.body).toMatch(/^elava_aws_api_calls_total\{operation="sample:list"\} [1-9]/m);
      expect(metrics.body).toContain("elava_aws_throttles_total");
      expect(metrics.body).toMatch(/^elava_nats_connected 1/m);

      expect((await get(port, "/healthz")).status).toBe(200);
      expect((await get(port, "/readyz")).status).toBe(200);

      await nats.kill();
      const down = await until(daemon, port, "/readyz", (r) => r.status === 503);
      expect(down.body).toContain("not connected to NATS");
      expect((await get(port, "/healthz")).status).toBe(200);

      await nats.restart();
      await until(daemon, port, "/readyz", (r) => r.status === 200);

      const stoppedAt = Date.now();
      daemon.child.kill("SIGTERM");
      expect(await daemon.exited, daemon.stderr.slice(-2000)).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      expect(daemon.logs().some((l) => l.msg === "stopping")).toBe(true);
    } finally {
      daemon.child.kill("SIGKILL");
    }
  });

  it("without AWS credentials counts every failed scan and keeps no scan running", async () => {
    const port = await freePort();
    const home = await mkdtemp(join(tmpdir(), "elava-home-"));
    const daemon = new CliProcess(
      [
        "run",
        "--provider",
        "aws",
        "--regions",
        "us-east-1",
        "--nats-url",
        nats.url,
        "--interval",
        "1s",
        "--http-port",
        String(port),
      ],
      { HOME: home, AWS_EC2_METADATA_DISABLED: "true" },
    );
    try {
      const failed = (m: string) =>
        Number(/^elava_scans_total\{result="failed"\} (\d+)/mu.exec(m)?.[1] ?? 0);
      const metrics = await until(daemon, port, "/metrics", (r) => failed(r.body) >= 2);
      // Between scans: nothing runs, and the last (failed) scan has an end time.
      const between = await until(daemon, port, "/metrics", (r) =>
        /^elava_scan_running 0$/mu.test(r.body),
      );
      expect(between.body).toMatch(/^elava_last_scan_finished_timestamp_seconds [1-9]/mu);
      expect(metrics.body).not.toMatch(/^elava_scans_total\{result="ok"\}/mu);
      const errors = daemon.logs().filter((l) => l.msg === "scan failed before its partitions ran");
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(String(errors[0]?.error)).toContain("credentials");
      expect(daemon.stderr).not.toContain("EventTarget");
    } finally {
      daemon.child.kill("SIGKILL");
    }
  });

  it("answers /healthz while a scan runs", async () => {
    const port = await freePort();
    const daemon = new CliProcess([
      "run",
      "--provider",
      "sample",
      "--sample-resources",
      "300000",
      "--nats-url",
      nats.url,
      "--stream",
      "HEALTH",
      "--subject-prefix",
      "health",
      "--interval",
      "1h",
      "--http-port",
      String(port),
    ]);
    try {
      await until(daemon, port, "/metrics", (r) => /^elava_scan_running 1$/mu.test(r.body));
      let answered = 0;
      for (let i = 0; i < 20; i++) {
        // Generous: a scan that held the event loop for seconds would not answer at all.
        const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
          signal: AbortSignal.timeout(5_000),
        });
        expect(res.status).toBe(200);
        answered += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The scan was still running after the last answer.
      expect((await get(port, "/metrics")).body).toMatch(/^elava_scan_running 1$/mu);
      expect(answered).toBe(20);
    } finally {
      daemon.child.kill("SIGKILL");
    }
  });
  it("ends a scan whose NATS dies, and scans again at the next interval once it is back", async () => {
    const server = await NatsServer.start();
    const port = await freePort();
    const daemon = new CliProcess([
      "run",
      "--provider",
      "sample",
      "--sample-resources",
      "80000",
      "--nats-url",
      server.url,
      "--interval",
      "2s",
      "--publish-deadline",
      "2s",
      "--publish-ack-timeout",
      "500ms",
      "--http-port",
      String(port),
    ]);
    try {
      await daemon.waitFor("a finished partition", () =>
        daemon.stderr.includes('"partition scanned"'),
      );
      await server.kill();
      const count = (m: string, result: string) =>
        Number(
          new RegExp(`^elava_scans_total\\{result="${result}"\\} (\\d+)`, "mu").exec(m)?.[1] ?? 0,
        );
      await until(daemon, port, "/metrics", (r) => count(r.body, "failed") >= 1);
      await daemon.waitFor("the failed scan's summary", () =>
        daemon.stderr.includes('"scan ended: JetStream unavailable"'),
      );
      const ended = daemon.logs().find((l) => l.msg === "scan ended: JetStream unavailable");
      expect(String(ended?.error)).toContain("JetStream is unavailable");
      expect(daemon.child.exitCode).toBeNull();
      await server.restart();
      await until(daemon, port, "/metrics", (r) => count(r.body, "ok") >= 1, 60_000);
    } finally {
      daemon.child.kill("SIGKILL");
      await server.dispose();
    }
  });
});
