/** The NATS flags crawl and merge share: the server URL and the stream's name and limits. */
import { hostname } from 'node:os';
import { UsageError } from '../crawler/options.js';
import type { NatsOptions, StreamLimits } from '../output/nats.js';
import { redact } from '../output/nats-connect.js';
import type { Args } from './parse.js';

/** Stream and vantage names: what NATS allows in a name, and what reads well in a line. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** --nats-buffer at most: lines of ~2 kB each, within the sink's byte bound. */
export const MAX_NATS_BUFFER = 1_000_000;

/** `--nats`: one or more nats://host:port (or host:port), comma-separated; undefined when not given. */
export function natsUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  for (const p of parts) {
    let ok = false;
    try {
      const u = new URL(p.includes('://') ? p : `nats://${p}`);
      ok = ['nats:', 'tls:'].includes(u.protocol) && u.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--nats takes nats://host:port or tls://host:port (comma-separated for several), not "${redact(p)}"`);
  }
  return parts.join(',');
}

function whole(name: string, v: number | undefined, min: number, max: number): number {
  if (v === undefined || !Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not "${String(v)}"`);
  return v;
}

export function streamLimits(args: Args): StreamLimits {
  const stream = args.str('nats-stream') ?? '';
  if (!NAME.test(stream)) throw new UsageError(`--nats-stream takes letters, digits, - and _ (at most 64), not "${stream}"`);
  return {
    stream,
    maxAgeS: whole('nats-max-age', args.num('nats-max-age'), 1, 10 * 365 * 86_400),
    maxBytes: whole('nats-max-bytes', args.num('nats-max-bytes'), 1024 * 1024, Number.MAX_SAFE_INTEGER),
  };
}

/** The crawl's NATS options, or undefined without --nats. */
export function natsOptions(args: Args): NatsOptions | undefined {
  const url = natsUrl(args.str('nats'));
  if (url === undefined) {
    if (!args.bool('stdout')) throw new UsageError('--no-stdout needs --nats: the lines would go nowhere');
    return undefined;
  }
  const vantage = args.str('vantage') ?? hostname().split('.')[0];
  if (!NAME.test(vantage)) throw new UsageError(`--vantage takes letters, digits, - and _ (at most 64), not "${vantage}"`);
  return { url, vantage, buffer: whole('nats-buffer', args.num('nats-buffer'), 1, MAX_NATS_BUFFER), ...streamLimits(args) };
}
