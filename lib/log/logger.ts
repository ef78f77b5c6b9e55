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

function metaText(meta: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'level' || k === 'message' || k === 'timestamp' || typeof k === 'symbol') continue;
    parts.push(`${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  }
  return parts.length ? ' ' + parts.join(' ') : '';
}

/** Logs go to stderr only: stdout belongs to the NDJSON stream. */
export function createLogger(opts: { level: LogLevel; format: LogFormat; stream?: NodeJS.WritableStream }): Logger {
  // The text line in one step (what timestamp() + printf() made, without their two passes and the
  // copy of every field): at 10,000 peers each dial logs two lines.
  const format =
    opts.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format((info) => {
          info[MESSAGE] = `${new Date().toISOString()} ${info.level} ${String(info.message)}${metaText(info)}`;
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
