import { MAX_PAYLOAD_BYTES } from '../limits.js';
import { hasWitness, readTx, writeTx } from '../transaction.js';
import type { Codec } from './codec.js';

/**
 * A transaction is bounded only by the message size: a consensus-valid one may approach the
 * 4,000,000-unit block weight (MAX_BLOCK_WEIGHT), which as bytes is at most MAX_PROTOCOL_MESSAGE_LENGTH.
 */
export const MAX_TX_PAYLOAD = MAX_PAYLOAD_BYTES;

/** `tx`: one transaction, decoded by ../transaction.ts (which checks its segwit rules). */
export const txCodec: Codec<'tx'> = {
  command: 'tx',
  maxPayload: MAX_TX_PAYLOAD,
  decode: (r) => ({ command: 'tx', tx: readTx(r) }),
  encode(m, w) {
    writeTx(m.tx, w, hasWitness(m.tx));
  },
};
