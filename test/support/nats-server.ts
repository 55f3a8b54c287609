/**
 * Starts a real nats-server for a test: JetStream on, a random free port, a temporary
 * store directory. Tests can stop, SIGKILL and restart it on the same port and store, or
 * give it extra configuration (auth, TLS, max_payload).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll } from "vitest";

export interface NatsServerOptions {
  /** Extra nats-server configuration file text (e.g. `authorization { token: "s3cret" }`). */
  readonly config?: string;
  /** Port to listen on; a free one when absent. */
  readonly port?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      if (address === null || typeof address === "string") {
        reject(new Error("no port"));
        return;
      }
      srv.close(() => resolve(address.port));
    });
  });
}

export class NatsServer {
  #child: ChildProcess | undefined;
  #log = "";

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    readonly configFile: string,
  ) {}

  /** Starts a server; remember to `await server.stop()` (or `dispose()`) after the test. */
  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const dir = await mkdtemp(join(tmpdir(), "elava-nats-"));
    const port = options.port ?? (await freePort());
    const configFile = join(dir, "nats.conf");
    const storeDir = join(dir, "store");
    await writeFile(
      configFile,
      [
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: "${storeDir}" }`,
        options.config ?? "",
      ].join("\n"),
    );
    const server = new NatsServer(port, storeDir, configFile);
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The process id while the server runs (the bench reads its CPU time). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** What the server printed so far (for failing assertions). */
  get log(): string {
    return this.#log;
  }

  /** Starts the process (again), on the same port and store, and waits until it is ready. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error("nats-server is already running");
    const child = spawn("nats-server", ["-c", this.configFile], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    // The log holds earlier runs too: only this run's "ready" counts.
    const from = this.#log.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`nats-server did not become ready in 15s:\n${this.#log}`));
      }, 15_000);
      const onData = (chunk: Buffer) => {
        this.#log += chunk.toString();
        if (this.#log.includes("Server is ready", from)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start nats-server (is it installed?): ${err.message}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        this.#child = undefined;
        reject(
          new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${this.#log}`),
        );
      });
    });
  }

  /** Kills the process with SIGKILL (a crash), keeping port and store for `restart()`. */
  async kill(): Promise<void> {
    await this.#signal("SIGKILL");
  }

  /** Freezes the process (SIGSTOP): connections stay open and nothing answers. */
  pause(): void {
    this.#child?.kill("SIGSTOP");
  }

  /** Lets a paused process run again (SIGCONT). */
  resume(): void {
    this.#child?.kill("SIGCONT");
  }

  /** Stops the process gracefully, keeping port and store for `restart()`. */
  async stop(): Promise<void> {
    await this.#signal("SIGTERM");
  }

  /** Stops the server and removes its store. */
  async dispose(): Promise<void> {
    await this.#signal("SIGKILL");
    await rm(join(this.storeDir, ".."), { recursive: true, force: true });
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    child.removeAllListeners("exit");
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill(signal);
      // A paused server handles SIGTERM only once it runs again.
      if (signal !== "SIGKILL") child.kill("SIGCONT");
    });
  }
}

/** A server and a client connection shared by the tests of one file. */
export interface SharedNats {
  readonly server: NatsServer;
  readonly nc: NatsConnection;
}

/**
 * Starts one nats-server and connects to it before the file's tests, and stops both after
 * them. Call it at the top level of a test file; read `.nc` and `.server` inside tests.
 */
export function useNatsServer(options: NatsServerOptions = {}): SharedNats {
  let server: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    server = await NatsServer.start(options);
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("useNatsServer: the server starts in beforeAll");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get nc() {
      return started(nc);
    },
  };
}
