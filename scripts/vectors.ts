/** The vectors (spec/fixtures/vectors), read once for benchmarks and the fuzzer. */
import { readVectors } from '../spec/fixtures/vectors.js';

export { readVectors as readNdjson };

export interface TxVector {
  readonly hex: string;
  readonly txid: string;
  readonly wtxid: string;
  readonly size: number;
  readonly segwit: boolean;
}

/** Transactions of typical size (DESIGN: up to 2 kB), as the benchmarks use them. */
export function typicalTransactions(maxBytes = 2_000): TxVector[] {
  return readVectors<TxVector>('transactions.ndjson').filter((t) => t.size <= maxBytes);
}
