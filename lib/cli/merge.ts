/** `crawl merge`: several vantages' lines → one propagation line per transaction and block. */
import { NETWORKS, NETWORK_NAMES } from '../wire/network.js';
import { createLogger, LOG_LEVELS } from '../log/logger.js';
import type { Io } from '../output/io.js';
import { UsageError } from '../crawler/options.js';
import type { BusOptions } from '../merge/bus.js';
import { mergeBus, mergeFiles } from '../merge/run.js';
import { MAX_SECONDS } from './crawl.js';
import { natsUrl, streamLimits } from './nats.js';
import type { Args } from './parse.js';

/** `--since`: "all", or a time Date.parse reads (ISO 8601), not in the future. */
export function sinceOf(text: string | undefined, now = Date.now()): number | 'all' | undefined {
  if (text === undefined) return undefined;
  if (text === 'all') return 'all';
  const t = Date.parse(text);
  if (!Number.isFinite(t) || t > now) throw new UsageError(`--since takes "all" or a past time such as 2026-12-01T20:00:00Z, not "${text}"`);
  return t;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The checked flags of a bus merge (pure: throws UsageError for a bad value). */
export function busOptions(args: Args): BusOptions {
  const url = natsUrl(args.str('nats'));
  if (url === undefined) throw new UsageError('crawl merge needs --nats URL or NDJSON files to read');
  const window = args.num('window');
  if (window === undefined || !Number.isFinite(window) || window <= 0 || window > MAX_SECONDS) {
    throw new UsageError(`--window takes a number of seconds above 0 up to ${MAX_SECONDS}, not "${String(window)}"`);
  }
  const durable = args.str('durable');
  if (durable !== undefined && !NAME.test(durable)) throw new UsageError(`--durable takes letters, digits, - and _ (at most 64), not "${durable}"`);
  return {
    url,
    network: NETWORKS[args.choice('network', NETWORK_NAMES)].name,
    ...streamLimits(args),
    windowMs: Math.round(window * 1000),
    ...(durable === undefined ? {} : { durable }),
    since: sinceOf(args.str('since')),
  };
}

export function mergeCommand(args: Args, io: Io): Promise<number> {
  const files = args.positionals;
  if (files.length > 0 && args.given('nats')) throw new UsageError('crawl merge reads either NDJSON files or --nats, not both');
  const opts = files.length > 0 ? undefined : busOptions(args);
  const log = createLogger({ level: args.choice('log-level', LOG_LEVELS), format: args.choice('log-format', ['text', 'json'] as const) });
  return opts === undefined ? mergeFiles(files, io, log) : mergeBus(opts, io, log);
}
