/**
 * Structured logs: one JSON object per line on stdout (Lambda's JSON log format keeps them as is).
 * Fields named like secrets are dropped, never printed; bearer tokens never reach the logger.
 */
export type Level = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET = /token|secret|password|authorization|credential|cookie/i;
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET.test(k) && !/tokens$|Tokens$|^tokens|_tokens/.test(k)) continue;
    out[k] = v instanceof Error ? { name: v.name, message: v.message } : v;
  }
  return out;
}

export function createLogger(component: string, min: Level = "info", write: (line: string) => void = (l) => console.log(l)): Logger {
  const emit = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < ORDER[min]) return;
    write(JSON.stringify({ level, component, msg, ...redact(fields) }));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/** A logger that keeps lines in memory (tests, the CLI's quiet mode). */
export function memoryLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const l = createLogger("test", "debug", (line) => lines.push(JSON.parse(line)));
  return Object.assign(l, { lines });
}
