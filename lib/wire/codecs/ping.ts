import type { Codec, FamilyCodec } from './codec.js';

/** A ping or pong is its u64 nonce alone (BIP 31). */
export const PING_PAYLOAD_BYTES = 8;

/**
 * BIP 31 ping/pong. Peers at or below BIP0031_VERSION (60000) sent empty pings; Core still
 * accepts those from them, but it disconnects everything below 31800 and no such peer is left
 * in practice, so the nonce is required here.
 */
function nonceCodec<C extends 'ping' | 'pong'>(command: C): FamilyCodec<C, { readonly nonce: bigint }> {
  return {
    command,
    maxPayload: PING_PAYLOAD_BYTES,
    decode: (r) => ({ command, nonce: r.u64le('nonce') }),
    encode(m, w) {
      w.u64le(m.nonce);
    },
  };
}

export const pingCodec: Codec<'ping'> = nonceCodec('ping');
export const pongCodec: Codec<'pong'> = nonceCodec('pong');
