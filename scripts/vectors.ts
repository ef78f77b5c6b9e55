/** The shared vectors, read once for benchmarks and the fuzzer. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VECTORS_DIR = fileURLToPath(new URL('../../shared/vectors/', import.meta.url));

export interface TxVector {
  readonly hex: string;
  readonly txid: string;
  readonly wtxid: string;
  readonly size: number;
  readonly segwit: boolean;
}

export function readNdjson<T>(name: string): T[] {
  return readFileSync(VECTORS_DIR + name, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Transactions of typical size (DESIGN: up to 2 kB), as the benchmarks use them. */
export function typicalTransactions(maxBytes = 2_000): TxVector[] {
  return readNdjson<TxVector>('transactions.ndjson').filter((t) => t.size <= maxBytes);
}
