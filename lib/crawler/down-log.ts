/**
 * What a person reads when a peer goes down: "peer dropped" only for a peer that was up; "could
 * not connect" or "no handshake" for one that never came up; a node of another network named as
 * such. A configured peer that keeps failing is logged once, then at growing intervals (its 2nd,
 * 4th, 8th… failure, with the backoff), not at every retry. Pure: the caller writes the lines.
 */
import type { DropReason } from '../peer/errors.js';
import type { PeerId } from './inventory.js';
import { redialDelay } from '../pool/keep-peer.js';
import { evictOldest } from './bounded-set.js';

/**
 * Peers whose failures are remembered, at most (the most recently failed ones): a peer forgotten
 * here is logged as if it failed for the first time. Every distinct failed dial used to keep ~132
 * bytes for good; peers gossiping closed addresses drove thousands of such dials a second. The
 * address book's order (ADDRESS_BOOK_CAPACITY): a failure older than that many others says little.
 */
export const MAX_DOWN_LOG_PEERS = 65_536;

export interface DownNote {
  readonly level: 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

/** Reasons that mean no TCP connection was made. */
export const NOT_CONNECTED: ReadonlySet<DropReason> = new Set<DropReason>(['refused', 'connect-failed', 'connect-timeout', 'no-descriptors']);

const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;

export class DownLog {
  /**
   * Failed attempts in a row since the peer was last up (its drop counted: backoff counts it too),
   * and whether this run of failures has been logged at info; latest failure last, at most MAX_DOWN_LOG_PEERS.
   */
  private readonly failures = new Map<PeerId, { n: number; logged: boolean }>();

  /**
   * `redialled(peer)`: whether the crawl dials this peer again (configured, with --reconnect).
   * `configured(peer)`: whether the user named it (--peers): its failing to come up is a warning,
   * visible at --log-level warn, where a learned address failing is routine (info).
   */
  constructor(
    private readonly redialled: (peer: PeerId) => boolean,
    private readonly configured: (peer: PeerId) => boolean = redialled,
  ) {}

  up(peer: PeerId): void {
    this.failures.delete(peer);
  }

  /** How many peers' failures are remembered. */
  get size(): number {
    return this.failures.size;
  }

  /** Records a failure, as the latest (a Map keeps insertion order: the oldest go first). */
  private record(peer: PeerId, n: number, logged: boolean): void {
    this.failures.delete(peer);
    this.failures.set(peer, { n, logged });
    if (this.failures.size > MAX_DOWN_LOG_PEERS) evictOldest(this.failures, MAX_DOWN_LOG_PEERS);
  }

  down(peer: PeerId, reason: DropReason, detail: string, wasUp: boolean): DownNote {
    if (reason === 'visited') return { level: 'debug', message: 'peer visited', meta: { peer } };
    if (reason === 'wrong-network') {
      this.up(peer);
      return { level: 'warn', message: `${detail}; not dialling it again`, meta: { peer } };
    }
    if (wasUp) {
      this.record(peer, 1, false);
      return { level: 'info', message: 'peer dropped', meta: { peer, reason, detail } };
    }
    const last = this.failures.get(peer);
    const n = (last?.n ?? 0) + 1;
    const what = NOT_CONNECTED.has(reason) ? 'could not connect' : 'no handshake';
    const redial = this.redialled(peer);
    const meta: Record<string, unknown> = { peer, reason, detail };
    if (redial) Object.assign(meta, { failures: n, next_try_s: redialDelay(n) / 1000 });
    // The first failure (or the first since a drop), then the 2nd, 4th, 8th…: growing intervals.
    const info = last?.logged !== true || (redial && isPowerOfTwo(n));
    this.record(peer, n, true);
    if (info) return { level: this.configured(peer) ? 'warn' : 'info', message: redial && n > 1 ? `${what}, still redialling` : what, meta };
    return { level: 'debug', message: what, meta };
  }
}
