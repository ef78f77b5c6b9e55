import { DEFAULT_CONNECT_TIMEOUT_MS } from '../net/reach.js';

/** One connection's deadlines and intervals (milliseconds): the crawl options' `peer` sub-tree, spread into SessionOptions (connect.ts). */
export interface PeerTimings {
  /** How long a TCP connect may take (Core's -timeout), apart from the handshake's deadline. */
  readonly connectTimeoutMs: number;
  /** version → verack, at most. */
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  /** A ping unanswered this long drops the peer. */
  readonly pingTimeoutMs: number;
}

/** The defaults, each with the Bitcoin Core figure it follows (the CLI's table shows them in seconds). */
export const DEFAULT_PEER_TIMINGS: PeerTimings = {
  /** netbase.h DEFAULT_CONNECT_TIMEOUT: 5 s. */
  connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  /** net.h DEFAULT_PEER_CONNECT_TIMEOUT: 60 s for the version handshake. */
  handshakeTimeoutMs: 60_000,
  /** net_processing.cpp PING_INTERVAL: 2 minutes. */
  pingIntervalMs: 120_000,
  /** Core waits TIMEOUT_INTERVAL (20 min) for a pong; a crawler wants dead peers gone sooner. */
  pingTimeoutMs: 60_000,
};
