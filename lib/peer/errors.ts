import { V2Error } from '../transport/errors.js';
import { FramingError } from '../wire/errors.js';
import { DialError } from '../net/errors.js';

/** Why a peer was dropped. Each reason is a log field, a `peer` line field and a metric label. */
export type DropReason =
  /** The TCP connection could not be made (unreachable host or network, reset, …). */
  | 'connect-failed'
  /** ECONNREFUSED: the host is up, nothing listens on the port. */
  | 'refused'
  /** The TCP connection did not complete within --connect-timeout (Core's -timeout). */
  | 'connect-timeout'
  /** EMFILE/ENFILE: we ran out of file descriptors; our limit, not the peer's fault. */
  | 'no-descriptors'
  /** The SOCKS5 proxy or I2P SAM bridge failed or refused us (lib/net/open.ts); the peer is not to blame. */
  | 'proxy-failed'
  | 'closed'
  | 'framing'
  /** A BIP 324 attempt that failed before the peer's version packet (auto tries v1 next). */
  | 'v2-handshake'
  /** It broke a limit Core disconnects for, or spent its budget of bad messages. */
  | 'misbehaving'
  /** It served a block that is not valid (proof of work, merkle root, witness commitment). */
  | 'invalid-block'
  /** Its headers break Core's header rules (proof of work, difficulty, time) or never connect (lib/crawler/headers.ts). */
  | 'invalid-header'
  | 'handshake-timeout'
  | 'obsolete-version'
  /** Its first message had another network's magic: it is not redialled (the message says which --network). */
  | 'wrong-network'
  | 'self-connection'
  | 'ping-timeout'
  /** It did not read what it made us send: over MAX_SEND_BUFFER_BYTES queued, or not drained within the ping timeout past SEND_PAUSE_BYTES (lib/peer/send-buffer.ts). */
  | 'send-buffer'
  /** Our own bug, met while handling this peer: it costs this peer, never the process. */
  | 'internal'
  | 'shutdown'
  /** Census mode: the per-visit deadline passed before the handshake was done. */
  | 'visit-timeout'
  /** Census mode: the visit is over (version and RTT recorded, addresses asked for). */
  | 'visited';

/** Ends one peer's stream; never the pool's. */
export class PeerError extends Error {
  override readonly name = 'PeerError';
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Any error ending a peer's stream, as a PeerError: a broken byte stream (v1 or v2) is `framing`, a socket's
 * error (it has an errno code) `closed`, anything else a bug of ours, `internal`.
 */
export function asPeerError(err: unknown): PeerError {
  if (err instanceof PeerError) return err;
  if (err instanceof DialError) return new PeerError(err.reason, err.message);
  if (err instanceof FramingError || err instanceof V2Error) return new PeerError('framing', `${err.reason}: ${err.message}`);
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code) return new PeerError('closed', `${e.code}: ${e.message}`);
  return new PeerError('internal', `internal error: ${err instanceof Error ? err.message : String(err)}`);
}
