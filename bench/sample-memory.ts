/**
 * Streams a sample estate of 1,000,000 resources (or `--resources N`) through the sample
 * provider's `list`, partition by partition, as the scanner would, and prints the peak RSS
 * and heap at every tenth of the way and at the end, with the generation rate. Memory
 * must stay flat: the provider never holds more than a page and a few cell plans.
 *
 *   npx tsx bench/sample-memory.ts [--resources 1000000] [--seed 42] [--scan 1]
 */
import { parseArgs } from "node:util";
import { typesForRegion } from "../src/contract/resource-types.ts";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../src/providers/sample/index.ts";

const { values } = parseArgs({
  options: {
    resources: { type: "string", default: "1000000" },
    seed: { type: "string", default: String(DEFAULT_SAMPLE_OPTIONS.seed) },
    scan: { type: "string", default: "1" },
  },
});
const resources = Number(values.resources);
const provider = createSampleProvider({
  ...DEFAULT_SAMPLE_OPTIONS,
  resources,
  seed: Number(values.seed),
  scan: Number(values.scan),
});

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
let peakRss = 0;
let peakHeap = 0;
function sample(): void {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}

const signal = new AbortController().signal;
const startCpu = process.cpuUsage();
const startWall = performance.now();
let count = 0;
let pages = 0;
let nextReport = resources / 10;
for (const unit of await provider.units(signal)) {
  for (const resourceType of typesForRegion(unit.region)) {
    for await (const page of provider.list({ ...unit, resourceType }, signal)) {
      count += page.length;
      // memoryUsage() costs about as much as generating a page: look every tenth page.
      if (++pages % 10 === 0) sample();
      if (count >= nextReport) {
        console.log(
          `${String(count).padStart(9)} resources  rss ${mib(peakRss)}  heap ${mib(peakHeap)}`,
        );
        nextReport += resources / 10;
      }
    }
  }
}
sample();
const cpu = process.cpuUsage(startCpu);
const cpuMs = (cpu.user + cpu.system) / 1000;
const wallMs = performance.now() - startWall;
console.log(`streamed ${count} resources`);
console.log(`peak rss ${mib(peakRss)}, peak heap used ${mib(peakHeap)}`);
console.log(
  `generation: ${Math.round((count / cpuMs) * 1000)} resources per CPU second, ${Math.round((count / wallMs) * 1000)} per wall second (${(wallMs / 1000).toFixed(1)} s)`,
);
