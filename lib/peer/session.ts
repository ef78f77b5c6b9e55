import { randomFillSync } from 'node:crypto';
import type { Message } from '../wire/messages.js';
import type { PeerError } from './errors.js';
import type { PeerInfo } from './handshake.js';

export type { PeerInfo } from './handshake.js';

/** How the crawler talks back to one connected peer. */
export interface PeerLink {
  send(msg: Message): void;
  /** Ends this peer's stream with `err` (and closes its socket): a bug or a misdeed costs this peer only. */
  fail(err: PeerError): void;
  close(): void;
}

/**
 * `at` (ms since the epoch) is when the bytes that completed the message (or the handshake) were
 * read from the socket, not when they were processed: a busy event loop delays the processing of
 * a chunk's later messages, never their time. Absent where there is no socket (virtual-time tests):
 * the crawl then uses its scheduler's clock.
 */
export type SessionEvent =
  | { readonly type: 'ready'; readonly info: PeerInfo; readonly link: PeerLink; readonly at?: number }
  | { readonly type: 'message'; readonly msg: Message; readonly at?: number }
  | { readonly type: 'rtt'; readonly ms: number };

export type Send = (msg: Message) => void;

/** Random bytes drawn for nonces at a time: one randomFillSync per 512 nonces, not a randomBytes call each (a version and a ping per peer; 2.6% of the crawler's handshake time at 10,000 peers). */
const NONCE_POOL_BYTES = 4096;
const noncePool = Buffer.alloc(NONCE_POOL_BYTES);
let noncesUsed = NONCE_POOL_BYTES;

/** A fresh 64-bit nonce from the CSPRNG. */
export function randomNonce(): bigint {
  if (noncesUsed === NONCE_POOL_BYTES) {
    randomFillSync(noncePool);
    noncesUsed = 0;
  }
  const nonce = noncePool.readBigUInt64LE(noncesUsed);
  noncesUsed += 8;
  return nonce;
}

/** Runs `fn` later, returning how to cancel it. */
export type Later = (fn: () => void) => () => void;

/**
 * Runs `fn` once the sockets' pending reads are done: after the event loop's next poll phase
 * (setImmediate runs in the check phase, which follows it). Node runs expired timers BEFORE it
 * polls, so after the process was blocked (a long task, a stopped machine) every deadline that
 * passed meanwhile fires while the bytes that meet it still sit unread in the socket buffers: a
 * pong that came in time would count as none (issue 19). A deadline decides only after this.
 */
export const afterPendingReads: Later = (fn) => {
  const id = setImmediate(fn);
  return () => clearImmediate(id);
};

/** At once: for virtual time (a TestScheduler), where there are no sockets and nothing is pending. */
export const atOnce: Later = (fn) => {
  fn();
  return () => {};
};
