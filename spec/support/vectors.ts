/**
 * The vectors (spec/fixtures/vectors, copied from the project's shared vectors with their
 * provenance README): real transactions and blocks with independently verified ids, and BIP 324's
 * own CSVs. Everything the tests and scripts read lives inside the repository. One reader and one
 * shape per file, for the tests, the benchmarks and the fuzzer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NetworkName } from '../../lib/wire/network.js';

export const VECTORS_DIR = fileURLToPath(new URL('../fixtures/vectors/', import.meta.url));

/** One NDJSON file of the vectors, parsed line by line. */
export function readVectors<T>(name: string): T[] {
  return readFileSync(VECTORS_DIR + name, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** A transaction of transactions.ndjson: the fields most readers use (the file has more: its README). */
export interface TxVector {
  readonly hex: string;
  readonly txid: string;
  readonly wtxid: string;
  readonly size: number;
  readonly vsize: number;
  readonly weight: number;
  readonly segwit: boolean;
  readonly network: 'mainnet' | 'testnet' | 'unknown';
  readonly desc?: string;
}

/** A block of blocks.ndjson: the fields most readers use (the file has more: its README). */
export interface BlockVector {
  readonly hex: string;
  readonly hash: string;
  readonly height: number | null;
  readonly txCount: number;
  readonly network: NetworkName | 'unknown';
  readonly desc?: string;
}

/** A transaction of typical size (DESIGN: up to 2 kB), as the benchmarks and most tests use them. */
export const TYPICAL_TX_BYTES = 2_000;

/** The vectors' transactions of at most `maxBytes`. */
export function typicalTxVectors(maxBytes = TYPICAL_TX_BYTES): TxVector[] {
  return readVectors<TxVector>('transactions.ndjson').filter((t) => t.size <= maxBytes);
}
