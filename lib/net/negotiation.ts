/**
 * What a proxy handshake (SOCKS5, I2P SAM) looks like to the socket glue: a pure state machine
 * that says what to send first, then takes the proxy's bytes as they come and answers with what to
 * send next, until it is done. Everything the proxy sent after its last reply belongs to the peer
 * behind it and comes back as `rest`. A refusal is thrown as a ProxyError.
 */
export interface Negotiation<T> {
  /** The first bytes to send. */
  start(): Uint8Array;
  /** The proxy's next bytes; throws a ProxyError when it refuses or breaks the protocol. */
  receive(chunk: Uint8Array): NegotiationStep<T>;
}

export interface NegotiationStep<T> {
  /** Bytes to send now (the next request). */
  readonly send?: Uint8Array;
  /** The handshake is over: its result, and the bytes that followed it (the peer's). */
  readonly done?: { readonly value: T; readonly rest: Uint8Array };
}

/**
 * Why a proxy refused. `peer` means the proxy is fine but could not reach the peer (SOCKS5
 * "host unreachable", SAM CANT_REACH_PEER); `proxy` means the proxy itself failed or misbehaved.
 */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  constructor(
    message: string,
    readonly blame: 'proxy' | 'peer' = 'proxy',
    /** The SOCKS5 reply code or SAM RESULT, when the proxy gave one. */
    readonly code?: number | string,
  ) {
    super(message);
  }
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
