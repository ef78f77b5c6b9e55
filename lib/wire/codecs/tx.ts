import { readTx, writeTx } from '../../tx/transaction.js';
import type { Transaction } from '../../tx/types.js';
import { MAX_PAYLOAD_BYTES } from '../limits.js';
import type { Codec } from './codec.js';

/**
 * A transaction is bounded only by the message size: a consensus-valid one may approach the
 * 4,000,000-unit block weight (MAX_BLOCK_WEIGHT), which as bytes is at most MAX_PROTOCOL_MESSAGE_LENGTH.
 */
export const MAX_TX_PAYLOAD = MAX_PAYLOAD_BYTES;

/** Core serializes a transaction with witness data when any input has some (CTransaction::HasWitness). */
function hasWitness(tx: Transaction): boolean {
  return tx.inputs.some((input) => input.witness.length > 0);
}

/** `tx`: one transaction, decoded by lib/tx (which checks its segwit rules). */
export const txCodec: Codec<'tx'> = {
  command: 'tx',
  maxPayload: MAX_TX_PAYLOAD,
  decode: (r) => ({ command: 'tx', tx: readTx(r) }),
  encode(m, w) {
    writeTx(m.tx, w, hasWitness(m.tx));
  },
};
