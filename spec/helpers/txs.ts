/** Real transactions from the vectors (spec/fixtures/vectors), made distinct where a test needs many. */
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { fromHex } from '../../lib/wire/hex.js';
import { readVectors } from '../fixtures/vectors.js';

export interface TxVector {
  readonly hex: string;
  readonly txid: string;
  readonly wtxid: string;
  readonly size: number;
  readonly vsize: number;
  readonly weight: number;
  readonly segwit: boolean;
}

export const TX_VECTORS: readonly TxVector[] = readVectors<TxVector>('transactions.ndjson');

/** The vectors' transactions of typical size (≤ 2 kB). */
export function typicalTxs(): DecodedTx[] {
  return TX_VECTORS.filter((v) => v.size <= 2_000).map((v) => decodeTx(fromHex(v.hex)));
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
