/**
 * The daemon's HTTP listener: `/healthz` (the process answers), `/readyz` (see
 * readiness.ts; 503 with the reasons when not ready) and `/metrics` (Prometheus text).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ElavaMetrics } from "./metrics.ts";
import type { Readiness } from "./readiness.ts";

/** A running listener. */
export interface HttpListener {
  /** The port listened on (useful when started on port 0 in tests). */
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the listener on `port` (all interfaces). */
export async function startHttp(
  port: number,
  host: string,
  readiness: Readiness,
  metrics: ElavaMetrics,
): Promise<HttpListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const state = readiness.check();
      res
        .writeHead(state.ready ? 200 : 503, { "content-type": "text/plain" })
        .end(state.ready ? "ready\n" : `not ready: ${state.reasons.join("; ")}\n`);
    } else if (path === "/metrics") {
      metrics.text().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text);
        },
        (err: unknown) => {
          res
            .writeHead(500, { "content-type": "text/plain" })
            .end(`metrics failed: ${String(err)}\n`);
        },
      );
    } else {
      res
        .writeHead(404, { "content-type": "text/plain" })
        .end("not found; try /healthz, /readyz or /metrics\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => {
      reject(
        new Error(
          `cannot listen on ${host}:${port} for /healthz, /readyz and /metrics: ${err.message}; choose another --http-port or 0 to turn the listener off`,
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
