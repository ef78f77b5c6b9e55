/**
 * The logger (winston, to stderr). It has no Bitcoin in it and every layer may log, so lib/log is
 * the lowest layer, under lib/wire: it imports nothing of ours (spec/layers.spec.ts).
 */
import winston from 'winston';

/** Where winston's transports read the finished line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

export type LogFormat = 'text' | 'json';
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  isDebug(): boolean;
}

/**
 * Characters a terminal or a log viewer may act on rather than show, in anything a peer chose (a
 * user agent, a reject reason): C0 controls (ESC starts a terminal escape, CR and LF forge lines),
 * DEL, C1 controls (U+009B is a one-character CSI), the line and paragraph separators U+2028/2029,
 * and the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E/200F,
 * U+202A–202E, U+2066–2069: "Trojan Source", CVE-2021-42574) that reorder what the reader sees.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above
const UNSAFE_OR_SPACE = /[\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** `s` with every UNSAFE character written as its JSON escape (`\u001b`): inert, and still valid inside a JSON string. */
export function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function metaText(meta: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'level' || k === 'message' || k === 'timestamp' || typeof k === 'symbol') continue;
    // A bare value only when nothing in it needs quoting or escaping; JSON.stringify escapes the C0
    // controls, escapeUnsafe the rest.
    parts.push(`${k}=${typeof v === 'string' && !UNSAFE_OR_SPACE.test(v) ? v : escapeUnsafe(JSON.stringify(v) ?? String(v))}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

/** Logs go to stderr only: stdout belongs to the NDJSON stream. */
export function createLogger(opts: { level: LogLevel; format: LogFormat; stream?: NodeJS.WritableStream }): Logger {
  // The text line in one step (what timestamp() + printf() made, without their two passes and the
  // copy of every field): at 10,000 peers each dial logs two lines.
  const format =
    opts.format === 'json'
      ? winston.format.combine(
          winston.format.timestamp(),
          winston.format.json(),
          // JSON escapes C0 controls but not DEL, C1, U+2028/2029 or the bidi controls.
          winston.format((info) => {
            const line = info[MESSAGE];
            if (typeof line === 'string') info[MESSAGE] = escapeUnsafe(line);
            return info;
          })(),
        )
      : winston.format((info) => {
          info[MESSAGE] = `${new Date().toISOString()} ${info.level} ${escapeUnsafe(String(info.message))}${metaText(info)}`;
          return info;
        })();
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] });
  const logger = winston.createLogger({ level: opts.level, levels: winston.config.npm.levels, format, transports: [transport] });
  return {
    error: (m, meta) => logger.error(m, meta),
    warn: (m, meta) => logger.warn(m, meta),
    info: (m, meta) => logger.info(m, meta),
    debug: (m, meta) => logger.debug(m, meta),
    isDebug: () => logger.isDebugEnabled(),
  };
}

/** A logger that drops everything (library use and tests that do not look at logs). */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  isDebug: () => false,
};
