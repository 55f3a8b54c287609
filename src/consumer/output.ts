/**
 * Writing lines with backpressure. A command's stdout into a pipe buffers without bound
 * when it is written faster than read (`elava replay --json | less`), so the tools wait
 * for `drain` whenever the stream asks them to, and stop as soon as the reader has gone
 * away: a write on a closed pipe fails with EPIPE, and the command ends quietly (the
 * CLI's entry point turns that into the exit status of a closed pipe).
 */
import { once } from "node:events";

/** Where the tools write: a Writable (process.stdout), or a test buffer. */
export interface OutputTarget {
  write(chunk: string): unknown;
}

interface Drainable {
  once(event: "drain", listener: () => void): unknown;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  writableNeedDrain?: boolean;
  destroyed?: boolean;
}

function isDrainable(out: OutputTarget): out is OutputTarget & Drainable {
  return typeof (out as Partial<Drainable>).once === "function";
}

/** True when the target is a terminal (process.stdout on a TTY). */
export function isTerminal(out: OutputTarget): boolean {
  return (out as { isTTY?: boolean }).isTTY === true;
}

/** The width of the terminal the target is, or undefined. */
export function terminalColumns(out: OutputTarget): number | undefined {
  const c = (out as { columns?: number }).columns;
  return isTerminal(out) && typeof c === "number" && c > 0 ? c : undefined;
}

/** Writes lines, waiting for the target to drain; `closed` once its reader has gone. */
export class LineWriter {
  #closed = false;
  #lines = 0;

  constructor(
    private readonly out: OutputTarget,
    private readonly signal?: AbortSignal,
  ) {}

  /** True after the target failed or the command was told to stop. */
  get closed(): boolean {
    return (
      this.#closed ||
      this.signal?.aborted === true ||
      (isDrainable(this.out) && this.out.destroyed === true)
    );
  }

  /** Lines written. */
  get lines(): number {
    return this.#lines;
  }

  /** Writes one line (a newline is added); resolves when the target can take more. */
  async line(text: string): Promise<void> {
    if (this.closed) return;
    let accepted: unknown;
    try {
      accepted = this.out.write(`${text}\n`);
    } catch {
      this.#closed = true;
      return;
    }
    this.#lines++;
    if (accepted === false && isDrainable(this.out)) await this.#drain(this.out);
  }

  async #drain(out: OutputTarget & Drainable): Promise<void> {
    const abort = new AbortController();
    const stop = () => abort.abort();
    this.signal?.addEventListener("abort", stop, { once: true });
    const emitter = out as unknown as NodeJS.EventEmitter;
    // 'close' ends the wait when the reader goes away (EPIPE destroys the stream).
    const drained = once(emitter, "drain", { signal: abort.signal }).then(
      () => undefined,
      () => undefined,
    );
    const closed = once(emitter, "close", { signal: abort.signal }).then(
      () => {
        this.#closed = true;
      },
      () => undefined,
    );
    try {
      await Promise.race([drained, closed]);
    } finally {
      abort.abort();
      this.signal?.removeEventListener("abort", stop);
    }
  }
}
