/** Real transactions from the vectors (spec/fixtures/vectors), made distinct where a test needs many. */
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { fromHex } from '../../lib/wire/hex.js';
import { readVectors, TYPICAL_TX_BYTES, type TxVector } from './vectors.js';

export const TX_VECTORS: readonly TxVector[] = readVectors<TxVector>('transactions.ndjson');

/** The vectors' transactions of typical size (≤ TYPICAL_TX_BYTES), decoded. */
export function typicalTxs(): DecodedTx[] {
  return TX_VECTORS.filter((v) => v.size <= TYPICAL_TX_BYTES).map((v) => decodeTx(fromHex(v.hex)));
}

export function segwitTxs(): DecodedTx[] {
  return typicalTxs().filter((t) => t.segwit);
}

/** n distinct real-shaped transactions: the vectors with their locktime rewritten. */
export function distinctTxs(n: number, from: readonly DecodedTx[] = typicalTxs()): DecodedTx[] {
  const out: DecodedTx[] = [];
  for (let i = 0; i < n; i++) out.push(decodeTx(encodeTx({ ...from[i % from.length], locktime: 500_000_000 + i })));
  return out;
}
