/**
 * Bench 2, memory, and bench 3, replay, on one stream: publishing a million resources is
 * the slow part, so it is done once. The memory bench is that publish: `elava scan
 * --provider sample --sample-resources 1000000` as a child process, run each way Elava
 * ships (`memoryVariants`), its peak RSS read from /proc. The replay bench then rebuilds the
 * inventory from that stream and compares its rate with a raw drain of the same messages
 * (`measureReplay`).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as ReplayModule from "../src/consumer/replay.ts";
import type { Figure } from "./figures.ts";
import { measurePeakRss } from "./peak-rss.ts";
import { openBenchSession } from "./session.ts";
import { buildDist, parseScanSummary } from "./shipped-scan.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Options of the memory and replay benches. */
export interface MemoryReplayOptions {
  /** Sample resources scanned by the child, 1,000,000 for the figures. */
  resources: number;
  /** Run the memory bench (the child scan). The replay bench needs it for its stream. */
  replay: boolean;
  log: (line: string) => void;
}

/** A way of running the scan whose memory is measured. */
export interface MemoryVariant {
  readonly label: string;
  /** `compiled`: node dist/cli/main.js with no flags; `bin`: bin/elava executed itself. */
  readonly cli: "compiled" | "bin";
  readonly nodeOptions: string;
  /** Measured for comparison only (Node's defaults): no target applies. */
  readonly comparison?: boolean;
}

/** The file the Kubernetes deployment's settings are read from. */
export interface MemorySources {
  readonly manifest: string;
}

/** The NODE_OPTIONS the Kubernetes manifest sets, if any. */
export function manifestNodeOptions(manifest: string): string | undefined {
  return /name:\s*NODE_OPTIONS\s*\n\s*value:\s*"?([^"\n]+)"?/u.exec(manifest)?.[1]?.trim();
}

/**
 * V8 sizes its heap lazily: with no flags, a scan whose live data is a few MiB still grows
 * to many times that in garbage before collecting. So the figure is taken the way Elava
 * ships: bin/elava executed itself, which picks the command's heap flags (the image runs
 * it as its entrypoint), plus the Kubernetes manifest's NODE_OPTIONS when it sets any.
 * Node's defaults are measured too, for comparison only: no shipped way of running Elava
 * uses them, so that row carries no target.
 */
export function memoryVariants(sources: MemorySources = readSources()): MemoryVariant[] {
  const variants: MemoryVariant[] = [
    { label: "Node defaults (comparison)", cli: "compiled", nodeOptions: "", comparison: true },
    { label: "bin/elava as shipped (also the image's entrypoint)", cli: "bin", nodeOptions: "" },
  ];
  const deployed = manifestNodeOptions(sources.manifest);
  if (deployed !== undefined) {
    variants.push({
      label: `deployment.yaml, NODE_OPTIONS ${deployed}`,
      cli: "bin",
      nodeOptions: deployed,
    });
  }
  return variants;
}

function readSources(): MemorySources {
  const read = (path: string) => {
    try {
      return readFileSync(`${ROOT}${path}`, "utf8");
    } catch {
      return "";
    }
  };
  return { manifest: read("deploy/kubernetes/deployment.yaml") };
}

/**
 * Replay as users run it: the compiled module (`bin/elava replay` runs `dist/`), built by
 * the memory bench just before; the sources through tsx only when there is no build. Under
 * tsx every function carries a `__name` wrapper, about 4% of replay's CPU and nothing of
 * the drain's.
 */
async function replayModule(): Promise<typeof ReplayModule> {
  const compiled = `${ROOT}dist/consumer/replay.js`;
  if (existsSync(compiled))
    return (await import(pathToFileURL(compiled).href)) as typeof ReplayModule;
  return import("../src/consumer/replay.ts");
}

/** The compiled CLI, built first; undefined when the build fails. */
function compiledCli(log: (line: string) => void): string | undefined {
  const failed = buildDist();
  if (failed !== undefined)
    log(`memory: npm run build failed; only bin/elava is measured:\n${failed}`);
  const compiled = `${ROOT}dist/cli/main.js`;
  return existsSync(compiled) ? compiled : undefined;
}

/** The command of a variant: node with the compiled CLI, or bin/elava run as a program. */
function variantCommand(
  variant: MemoryVariant,
  compiled: string | undefined,
): { command: string; args: string[]; what: string } | undefined {
  if (variant.cli === "bin") {
    return { command: `${ROOT}bin/elava`, args: [], what: "bin/elava" };
  }
  if (compiled === undefined) return undefined;
  return { command: process.execPath, args: [compiled], what: "node dist/cli/main.js" };
}

/** Replay at least this share of the raw drain's rate (issue 14; it was 0.5 before). */
const REPLAY_TARGET = 0.8;

/** Runs the memory bench and, when asked, the replay bench on its stream. */
export async function benchMemoryReplay(options: MemoryReplayOptions): Promise<Figure[]> {
  const { resources, log } = options;
  const session = await openBenchSession("memory-replay");
  try {
    const compiled = compiledCli(log);
    const figures: Figure[] = [];
    let published = Number.NaN;
    for (const variant of memoryVariants()) {
      const cli = variantCommand(variant, compiled);
      if (cli === undefined) continue;
      // Each scan starts from an empty stream; the last one's stream is what replay reads.
      await session.resetStream();
      log(
        `memory: ${cli.what} scan --provider sample --sample-resources ${resources} with ${variant.label}`,
      );
      const run = await measurePeakRss(
        cli.command,
        [
          ...cli.args,
          "scan",
          "--provider",
          "sample",
          "--sample-resources",
          String(resources),
          "--nats-url",
          session.server.url,
        ],
        {
          env: { ...process.env, ELAVA_NODE: process.execPath, NODE_OPTIONS: variant.nodeOptions },
        },
      );
      if (run.exitCode !== 0) {
        throw new Error(
          `elava scan (${variant.label}) exited with ${run.exitCode ?? run.signal}; its last lines:\n${run.stderrTail.join("\n")}`,
        );
      }
      published = parseScanSummary(run.stderrTail)?.published ?? Number.NaN;
      log(
        `memory: peak RSS ${(run.peakKiB / 1024).toFixed(1)} MiB, ${published} snapshots in ${run.seconds.toFixed(1)} s (${run.samples} samples)`,
      );
      figures.push(
        {
          bench: "2 memory",
          name: `peak RSS, ${resources.toLocaleString("en-US")}-resource scan, ${variant.label}`,
          value: run.peakKiB / 1024,
          unit: "MiB",
          ...(variant.comparison ? {} : { target: { direction: "at-most", value: 128 } as const }),
          note: `${cli.what} scan --provider sample --sample-resources ${resources}, NODE_OPTIONS="${variant.nodeOptions}"; VmHWM of the child from /proc, polled every 50 ms; ${published} snapshots published to a real nats-server`,
        },
        {
          bench: "2 memory",
          name: `  that scan's events/s, ${variant.label}`,
          value: published / run.seconds,
          unit: "events/s",
          note: "published snapshots / wall time of the whole child process, startup included",
        },
      );
    }
    if (!options.replay) return figures;

    log("replay: raw drain, then replay, of the same stream (LastPerSubject over elava.>)");
    const { measureReplay } = await replayModule();
    let m: Awaited<ReturnType<typeof measureReplay>>;
    try {
      m = await measureReplay(session.nc, {
        stream: session.stream.name,
        prefix: session.stream.subjectPrefix,
      });
    } catch (err) {
      // The memory figures stand on their own: keep them, and say why replay has none.
      const why = (err as Error).message;
      log(`replay: not measured: ${why}`);
      return [
        ...figures,
        {
          bench: "3 replay",
          name: "replay / raw drain",
          value: Number.NaN,
          unit: "x",
          target: { direction: "at-least", value: REPLAY_TARGET },
          note: `not measured: ${why}`,
        },
      ];
    }
    log(
      `replay: drain ${Math.round(m.drain.rate)} msgs/s (${m.drain.seconds.toFixed(1)} s), replay ${Math.round(m.replay.rate)} msgs/s (${m.replay.seconds.toFixed(1)} s), ${m.replay.resources} resources`,
    );
    if (m.replay.resources !== published) {
      throw new Error(
        `replay found ${m.replay.resources} resources but the scan published ${published}: the inventory is wrong, so its rate means nothing`,
      );
    }
    return [
      ...figures,
      {
        bench: "3 replay",
        name: "raw drain msgs/s (drainRaw)",
        value: m.drain.rate,
        unit: "msgs/s",
        note: `${m.drain.messages} messages (snapshots + markers), ordered consumer, LastPerSubject`,
      },
      {
        bench: "3 replay",
        name: "inventory rebuild msgs/s (replay)",
        value: m.replay.rate,
        unit: "msgs/s",
        note: `${m.replay.resources} resources rebuilt from the same stream`,
      },
      {
        bench: "3 replay",
        name: "replay / raw drain",
        value: m.ratio,
        unit: "x",
        target: { direction: "at-least", value: REPLAY_TARGET },
      },
    ];
  } finally {
    await session.close();
  }
}
