/**
 * A small structured logger: one JSON object per line (`time`, `level`, `msg`, then the
 * fields), written to stderr so that stdout stays for a command's own output. On a
 * terminal the same line is written for a person: `12:00:01 info msg key=value ...`. Fields are
 * plain values chosen by the caller; nothing here reads configuration, and no caller puts
 * a secret in a line. Text that quotes what a library or a server said can still carry
 * credentials it was given (a URL's `user:password@`, an NKey seed), so every string of a
 * line, message and fields alike, passes through `redactText` on its way out.
 */
import { redactText } from "../util/redact.ts";

/** Log levels, least severe first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Extra fields of a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Writes structured log lines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Where log lines go: anything with `write`. */
export interface LineSink {
  write(chunk: string): unknown;
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return redactText(value.message);
  if (typeof value === "string") return redactText(value);
  return value;
}

/** How lines are written: JSON for machines, text for a person at a terminal. */
export type LogFormat = "json" | "text";

function textLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  let line = `${time.toISOString().slice(11, 19)} ${level} ${redactText(msg)}`;
  for (const [k, v] of Object.entries(fields)) {
    const text = typeof v === "string" ? redactText(v) : JSON.stringify(v, jsonSafe);
    line += ` ${k}=${/\s/u.test(text) ? JSON.stringify(text) : text}`;
  }
  return line;
}

/** A logger writing lines at `level` or above to `sink`. */
export function createLogger(
  sink: LineSink,
  level: LogLevel = "info",
  base: LogFields = {},
  now: () => Date = () => new Date(),
  format: LogFormat = "json",
): Logger {
  const min = RANK[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const all = { ...base, ...fields };
    sink.write(
      format === "text"
        ? `${textLine(now(), lvl, msg, all)}\n`
        : `${JSON.stringify({ time: now().toISOString(), level: lvl, msg, ...all }, jsonSafe)}\n`,
    );
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(sink, level, { ...base, ...fields }, now, format),
  };
}

/** What a process warning carries: Node's `Error` with an optional code (`DEP0040`). */
type ProcessWarning = Error & { readonly code?: string };

/**
 * Routes the process's warnings (a library's deprecation notice, for instance) into the
 * structured log in place of Node's plain-text printer, so that stderr stays one log line
 * per event. Node prints warnings from a listener of its own, which this removes.
 */
export function logProcessWarnings(logger: Logger, emitter: NodeJS.EventEmitter = process): void {
  emitter.removeAllListeners("warning");
  emitter.on("warning", (warning: ProcessWarning) => {
    logger.warn(warning.message, {
      warning: warning.name,
      ...(warning.code === undefined ? {} : { code: warning.code }),
    });
  });
}
