/** What crawl and merge share to reach the bus: the connection options, the stream, log-safe URLs. */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '../log/logger.js';

/** Between attempts to connect (the client's reconnectTimeWait, and ours before the first connection). */
export const RECONNECT_WAIT_MS = 1_000;
/** Every subject we publish on: bitcrawl.<network>.<event>. */
export const SUBJECTS = 'bitcrawl.>';

/** Credentials in a URL (`nats://user:pass@host`, `//token@host`) replaced by `***`, in a URL or in any message. */
export function redact(text: string): string {
  return text.replace(/\/\/[^/\s@]*@/g, '//***@');
}

/**
 * The client's connection options for `--nats URL[,URL…]`. The client ignores the scheme, so a
 * tls:// URL alone would send CONNECT (and any credentials) in the clear to a server that offers no
 * TLS: with any tls:// URL, TLS is required of every server (`tls: {}`: the client refuses a server
 * whose INFO does not offer TLS before it sends anything, and checks the server's certificate).
 */
export function connectOptions(url: string): { servers: string[]; tls?: Record<string, never> } {
  const servers = url.split(',');
  return servers.some((s) => /^tls:\/\//i.test(s)) ? { servers, tls: {} } : { servers };
}

export interface StreamLimits {
  readonly stream: string;
  readonly maxAgeS: number;
  readonly maxBytes: number;
}

/** The stream on `bitcrawl.>`, created with these limits if missing (an existing one is used as it is). */
export async function ensureStream(jsm: JetStreamManager, limits: StreamLimits, log: Logger): Promise<void> {
  try {
    await jsm.streams.info(limits.stream);
    return;
  } catch {
    // Not there yet (or not readable: then creating it says why).
  }
  await jsm.streams.add({ name: limits.stream, subjects: [SUBJECTS], max_age: limits.maxAgeS * 1e9, max_bytes: limits.maxBytes });
  log.info('nats stream created', { stream: limits.stream, subjects: SUBJECTS, max_age_s: limits.maxAgeS, max_bytes: limits.maxBytes });
}
