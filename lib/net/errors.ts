/** Why a dial failed before any Bitcoin byte was exchanged (lib/peer turns it into a PeerError of the same reason). */
export type DialFailure =
  /** The peer (or the proxy on its behalf) could not be reached. */
  | 'connect-failed'
  /** ECONNREFUSED: the host is up, nothing listens on the port. */
  | 'refused'
  /** No connection within the network's connect timeout (lib/net/reach.ts). */
  | 'connect-timeout'
  /** The SOCKS5 proxy or the I2P SAM bridge failed, refused us, or broke its protocol. */
  | 'proxy-failed'
  /** EMFILE/ENFILE: out of file descriptors, our limit rather than the peer's. */
  | 'no-descriptors';

export class DialError extends Error {
  override readonly name = 'DialError';
  constructor(
    readonly reason: DialFailure,
    message: string,
    /** The proxy's own code (a SOCKS5 reply, a SAM RESULT), when it gave one. */
    readonly code?: number | string,
  ) {
    super(message);
  }
}
