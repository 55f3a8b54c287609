/**
 * Starts a real nats-server for a test: JetStream on, a random free port, a temporary
 * store directory. Tests can stop, SIGKILL, freeze (SIGSTOP) and restart it on the same
 * port and store, or give it extra configuration (auth, TLS, max_payload). `NatsCluster`
 * starts several as one JetStream cluster on loopback, routes on 127.0.0.1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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
  /** The server's name (`server_name`; a JetStream cluster needs one per node). */
  readonly name?: string;
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
    /** `server_name`, when given. */
    readonly name: string | undefined,
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
        ...(options.name !== undefined ? [`server_name: ${options.name}`] : []),
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: "${storeDir}" }`,
        options.config ?? "",
      ].join("\n"),
    );
    const server = new NatsServer(port, storeDir, configFile, options.name);
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

  /**
   * Freezes the process (SIGSTOP): connections stay open and nothing answers. Resolves
   * once the kernel reports it stopped: the signal is asynchronous, and a server still
   * running for a moment would answer what the test sends next.
   */
  async pause(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined) return;
    child.kill("SIGSTOP");
    const deadline = Date.now() + 5_000;
    for (;;) {
      const stat = await readFile(`/proc/${child.pid}/stat`, "utf8").catch(() => "");
      // The state is the first field after the command name, which is in parentheses.
      if (/^[Tt]/u.test(stat.slice(stat.lastIndexOf(")") + 2))) return;
      if (Date.now() > deadline) throw new Error("nats-server did not stop within 5 s of SIGSTOP");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
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

/** Options of a cluster. */
export interface NatsClusterOptions {
  /** Nodes; 3 when absent. */
  readonly size?: number;
  /** Extra configuration of every node. */
  readonly config?: string;
}

/**
 * A JetStream cluster on loopback: `size` nodes named `n0`, `n1`, ..., each with a client
 * port, a route port on 127.0.0.1 and its own store, routed to every other node. Nodes can
 * be killed, frozen and restarted one by one, keeping their ports and stores.
 */
export class NatsCluster {
  private constructor(readonly nodes: readonly NatsServer[]) {}

  /** Starts every node and waits until JetStream answers (a meta leader is elected). */
  static async start(options: NatsClusterOptions = {}): Promise<NatsCluster> {
    const size = options.size ?? 3;
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) routePorts.push(await freePort());
    const name = `elava-test-${routePorts[0]}`;
    const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(", ");
    const nodes = await Promise.all(
      routePorts.map((routePort, i) =>
        NatsServer.start({
          name: `n${i}`,
          config: [
            `cluster { name: ${name}, listen: 127.0.0.1:${routePort}, routes: [${routes}] }`,
            options.config ?? "",
          ].join("\n"),
        }),
      ),
    );
    const cluster = new NatsCluster(nodes);
    await cluster.#jetStreamReady();
    return cluster;
  }

  /** Every node's client URL. */
  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  /** The node named `name` (`n0`, ...). */
  node(name: string): NatsServer {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no node ${name} in the cluster`);
    return node;
  }

  /** The node that leads `stream` now, asked through `nc`. */
  async leaderOf(nc: NatsConnection, stream: string): Promise<NatsServer> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const reply = await nc
        .request(`$JS.API.STREAM.INFO.${stream}`, "", { timeout: 2_000 })
        .catch(() => undefined);
      const leader = (reply?.json() as { cluster?: { leader?: string } } | undefined)?.cluster
        ?.leader;
      if (leader !== undefined && leader !== "") return this.node(leader);
      if (Date.now() > deadline) throw new Error(`stream ${stream} has no leader after 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Stops every node and removes their stores. */
  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.dispose()));
  }

  async #jetStreamReady(): Promise<void> {
    const nc = await connect({ servers: this.urls });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const reply = await nc
          .request("$JS.API.INFO", "", { timeout: 2_000 })
          .catch(() => undefined);
        const info = reply?.json() as { error?: unknown } | undefined;
        if (info !== undefined && info.error === undefined) return;
        if (Date.now() > deadline) throw new Error("the cluster's JetStream did not start in 30 s");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await nc.close();
    }
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
