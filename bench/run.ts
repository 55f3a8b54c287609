/**
 * `npm run bench`: every speed and memory target of the project, measured the same way
 * each time, printed as a table and written to bench/results.json with the machine.
 *
 *   npm run bench                      # all benches (15 to 25 minutes on 2 cores)
 *   npm run bench -- --only publish    # one or more: publish, memory, replay, scan, cluster
 *
 * How each figure is measured, and what it means: docs/benchmarks.md.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { SETTINGS } from "../src/config/settings.ts";
import { benchCluster } from "./cluster.ts";
import { type Figure, formatMarkdown, formatTable, type JudgedFigure, judge } from "./figures.ts";
import { describeMachine, formatMachine, type Machine } from "./machine.ts";
import { benchMemoryReplay } from "./memory-replay.ts";
import { benchPublish } from "./publish.ts";
import { benchScanConcurrency } from "./scan-concurrency.ts";

/** What bench/results.json holds. */
export interface BenchResults {
  readonly date: string;
  readonly machine: Machine;
  readonly seconds: number;
  readonly figures: readonly (JudgedFigure & { readonly machine: Machine })[];
  readonly errors: readonly { readonly bench: string; readonly error: string }[];
}

const BENCHES = ["publish", "memory", "replay", "scan", "cluster"] as const;
type BenchName = (typeof BENCHES)[number];

const { values } = parseArgs({
  options: {
    only: { type: "string", multiple: true },
    resources: { type: "string", default: "300000" },
    rounds: { type: "string", default: "2" },
    "large-resources": { type: "string", default: "1000000" },
    "cluster-resources": { type: "string", default: "100000" },
    out: { type: "string", default: new URL("results.json", import.meta.url).pathname },
  },
});
const only = new Set<string>(values.only ?? BENCHES);
for (const name of only) {
  if (!(BENCHES as readonly string[]).includes(name)) {
    throw new Error(`unknown bench "${name}"; choose from ${BENCHES.join(", ")}`);
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const machine = describeMachine();
log(`machine: ${formatMachine(machine)}`);
const started = performance.now();
const figures: Figure[] = [];
const errors: { bench: string; error: string }[] = [];

const benches: Record<BenchName, () => Promise<Figure[]>> = {
  publish: () =>
    benchPublish({
      resources: Number(values.resources),
      rounds: Number(values.rounds),
      log,
    }),
  // The replay bench reads the stream the memory bench's scan published (see memory-replay.ts).
  memory: () =>
    benchMemoryReplay({
      resources: Number(values["large-resources"]),
      replay: only.has("replay"),
      log,
    }),
  replay: async () =>
    only.has("memory")
      ? []
      : benchMemoryReplay({
          resources: Number(values["large-resources"]),
          replay: true,
          log,
        }),
  scan: () =>
    benchScanConcurrency({ delayMs: 50, defaultConcurrency: SETTINGS.concurrency.default, log }),
  cluster: () => benchCluster({ resources: Number(values["cluster-resources"]), log }),
};

for (const name of BENCHES) {
  if (!only.has(name)) continue;
  try {
    figures.push(...(await benches[name]()));
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`bench ${name} failed: ${error}`);
    errors.push({ bench: name, error });
  }
}

const judged = figures.map(judge);
const results: BenchResults = {
  date: new Date().toISOString(),
  machine,
  seconds: (performance.now() - started) / 1000,
  figures: judged.map((f) => ({ ...f, machine })),
  errors,
};
await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
  `\n${formatTable(judged)}\n\n${results.date.slice(0, 10)} on ${formatMachine(machine)}; ${results.seconds.toFixed(0)} s in all\nwritten to ${values.out}\n\nMarkdown:\n\n${formatMarkdown(judged)}\n`,
);
process.exitCode = errors.length > 0 || judged.some((f) => f.pass === false) ? 1 : 0;
