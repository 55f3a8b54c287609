/**
 * A figure of the bench suite: a measured value next to its target, with the verdict, and
 * the table `npm run bench` prints. Each bench produces figures; `run.ts` adds the machine
 * and writes them all to bench/results.json.
 */

/** Which side of the target passes. */
export type Direction = "at-least" | "at-most";

/** A target a figure is judged against. */
export interface Target {
  readonly direction: Direction;
  readonly value: number;
}

/** One measured value. */
export interface Figure {
  /** The bench it belongs to, e.g. `publish`. */
  readonly bench: string;
  /** What was measured, e.g. `end-to-end events/s`. */
  readonly name: string;
  readonly value: number;
  /** Unit shown after the value: `events/s`, `MiB`, `x`, `s`, `calls`. */
  readonly unit: string;
  /** Absent for figures shown for context (the raw baseline a ratio is made of). */
  readonly target?: Target;
  /** How it was measured, in a sentence (what is timed, what is excluded). */
  readonly note?: string;
}

/** A figure with its verdict. */
export interface JudgedFigure extends Figure {
  /** Absent when the figure has no target. */
  readonly pass?: boolean;
}

/** Whether a value meets a target. NaN (nothing measured) never does. */
export function meets(value: number, target: Target): boolean {
  if (Number.isNaN(value)) return false;
  return target.direction === "at-least" ? value >= target.value : value <= target.value;
}

/** Adds the verdict to a figure. */
export function judge(figure: Figure): JudgedFigure {
  return figure.target === undefined
    ? figure
    : { ...figure, pass: meets(figure.value, figure.target) };
}

/** A value for a table: integers with thousands separators, small values with 2 decimals. */
export function formatValue(value: number, unit: string): string {
  if (Number.isNaN(value)) return "n/a";
  const text =
    Math.abs(value) >= 100
      ? Math.round(value).toLocaleString("en-US")
      : value.toFixed(2).replace(/\.?0+$/u, "");
  return unit === "x" ? `${text}x` : `${text} ${unit}`;
}

/** The target in words: `>= 70,000 events/s`. */
export function formatTarget(target: Target | undefined, unit: string): string {
  if (target === undefined) return "";
  return `${target.direction === "at-least" ? ">=" : "<="} ${formatValue(target.value, unit)}`;
}

/** The result column: the verdict, or that nothing was measured (which does not pass). */
export function formatResult(f: JudgedFigure, fail = "FAIL"): string {
  if (f.pass === undefined) return "";
  if (Number.isNaN(f.value)) return "not measured";
  return f.pass ? "pass" : fail;
}

/** The plain-text table of figures, one row per figure, columns aligned. */
export function formatTable(figures: readonly JudgedFigure[]): string {
  const head = ["bench", "figure", "value", "target", "result"];
  const rows = figures.map((f) => [
    f.bench,
    f.name,
    formatValue(f.value, f.unit),
    formatTarget(f.target, f.unit),
    formatResult(f),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The same figures as a Markdown table (for README and docs/benchmarks.md). */
export function formatMarkdown(figures: readonly JudgedFigure[]): string {
  const rows = figures.map(
    (f) =>
      `| ${f.bench} | ${f.name} | ${formatValue(f.value, f.unit)} | ${formatTarget(f.target, f.unit)} | ${formatResult(f, "**FAIL**")} |`,
  );
  return [
    "| bench | figure | value | target | result |",
    "| --- | --- | ---: | --- | --- |",
    ...rows,
  ].join("\n");
}
