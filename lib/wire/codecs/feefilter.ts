import type { Codec } from './codec.js';

/** BIP 133 feefilter: one CAmount (i64), a feerate in satoshis per 1,000 virtual bytes. */
export const FEEFILTER_PAYLOAD_BYTES = 8;

export const feefilterCodec: Codec<'feefilter'> = {
  command: 'feefilter',
  maxPayload: FEEFILTER_PAYLOAD_BYTES,
  decode: (r) => ({ command: 'feefilter', feerate: r.i64le('feerate') }),
  encode(m, w) {
    w.i64le(m.feerate);
  },
};
