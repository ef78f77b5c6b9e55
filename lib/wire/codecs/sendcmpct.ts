import type { Codec } from './codec.js';

/** BIP 152 sendcmpct: bool high-bandwidth announce + u64 compact block version. */
export const SENDCMPCT_PAYLOAD_BYTES = 1 + 8;

export const sendcmpctCodec: Codec<'sendcmpct'> = {
  command: 'sendcmpct',
  maxPayload: SENDCMPCT_PAYLOAD_BYTES,
  decode: (r) => ({ command: 'sendcmpct', announce: r.bool('announce'), version: r.u64le('compact version') }),
  encode(m, w) {
    w.bool(m.announce).u64le(m.version);
  },
};
