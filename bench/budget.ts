/**
 * The CPU per event of a scan's parts, each measured alone, in a process of its own with
 * the heap flags given (bench 1 runs it with the shipped flags and with Node's defaults):
 *
 *   node <flags> --import tsx bench/budget.ts <resources>
 *
 * prints one JSON line: microseconds of this process's CPU (`process.cpuUsage()`, every
 * thread, so each part includes the garbage collection it causes) per resource to
 * generate the sample scan of `resources` resources (the CLI's defaults, partition by
 * partition as the provider lists it), to generate and encode it (`encodeSnapshot`), and
 * to hash 2,000 of its encoded snapshots again (SHA-256, the part of encoding the
 * content hash costs). Encoding alone is the difference of the first two. Each pass runs twice and the
 * second is kept: the first compiles the code.
 */
import { execFileSync } from "node:child_process";
import { hash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { encodeSnapshot, type ScanContext } from "../src/contract/encode.ts";
import { newScanId } from "../src/contract/ids.ts";
import { createSampleProvider, DEFAULT_SAMPLE_OPTIONS } from "../src/providers/sample/index.ts";
import { planPartitions } from "../src/scanner/scanner.ts";

/** Encoded snapshots kept to hash again: few enough not to change the heap's behaviour. */
const HASHED = 2000;

/** Microseconds of CPU per resource of each part. */
export interface PartsBudget {
  readonly resources: number;
  readonly generateUs: number;
  readonly generateEncodeUs: number;
  readonly sha256Us: number;
}

async function pass(resources: number, encode: boolean, keep: number, kept: Uint8Array[]) {
  const provider = createSampleProvider({ ...DEFAULT_SAMPLE_OPTIONS, resources });
  const signal = new AbortController().signal;
  const startedAt = new Date();
  const scan: ScanContext = {
    scanId: newScanId(startedAt),
    scanStartedAt: startedAt,
    prefix: "elava",
  };
  let n = 0;
  const cpu = process.cpuUsage();
  for (const { key } of planPartitions(await provider.units(signal))) {
    for await (const page of provider.list(key, signal)) {
      const observedAt = new Date();
      for (const r of page) {
        n += 1;
        if (!encode) continue;
        const s = encodeSnapshot(scan, key, r, observedAt);
        if (kept.length < keep) kept.push(s.data);
      }
    }
  }
  const used = process.cpuUsage(cpu);
  return { n, micros: (used.user + used.system) / n };
}

/** Measures the parts (see the module comment). */
export async function measureParts(resources: number): Promise<PartsBudget> {
  const kept: Uint8Array[] = [];
  await pass(resources, false, 0, kept);
  const generate = await pass(resources, false, 0, kept);
  await pass(resources, true, 0, kept);
  const both = await pass(resources, true, HASHED, kept);
  const cpu = process.cpuUsage();
  for (let round = 0; round < 50; round++) for (const d of kept) hash("sha256", d, "hex");
  const used = process.cpuUsage(cpu);
  return {
    resources: generate.n,
    generateUs: generate.micros,
    generateEncodeUs: both.micros,
    sha256Us: (used.user + used.system) / (kept.length * 50),
  };
}

/** The V8 flags bin/elava gives `scan` (its `scan | run)` case), read from the launcher's text. */
export function launcherScanFlags(launcher: string): string[] {
  const m = /^\s*scan \| run\)\s*\n\s*heap ([^\n]+)\n/mu.exec(launcher);
  if (m?.[1] === undefined) throw new Error("bin/elava has no `scan | run)` case with heap flags");
  return m[1].trim().split(/\s+/u);
}

/** Runs this file as a child with `flags` (and no NODE_OPTIONS) and returns its parts. */
export function measurePartsChild(flags: readonly string[], resources: number): PartsBudget {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const out = execFileSync(
    process.execPath,
    [...flags, "--import", "tsx", fileURLToPath(import.meta.url), String(resources)],
    { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(out.trim().split("\n").at(-1) ?? "") as PartsBudget;
}

/** The launcher's flags for `scan`, from bin/elava. */
export function shippedScanFlags(): string[] {
  return launcherScanFlags(
    readFileSync(fileURLToPath(new URL("../bin/elava", import.meta.url)), "utf8"),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const resources = Number(process.argv[2] ?? "100000");
  process.stdout.write(`${JSON.stringify(await measureParts(resources))}\n`);
}
