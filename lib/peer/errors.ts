/** Why a peer was dropped. Each reason is a log field, a `peer` line field and a metric label. */
export type DropReason =
  | 'connect-failed'
  | 'closed'
  | 'framing'
  | 'decode'
  | 'handshake-timeout'
  | 'obsolete-version'
  | 'self-connection'
  | 'ping-timeout'
  | 'shutdown'
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

/** Any error ending a peer's stream, as a PeerError (sockets raise plain Errors). */
export function asPeerError(err: unknown): PeerError {
  if (err instanceof PeerError) return err;
  const e = err as NodeJS.ErrnoException;
  return new PeerError('closed', e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? err));
}
