import { toHex } from '../wire/hex.js';
import type { TxOutput } from '../wire/model.js';

/** An output as the view keeps it: its value and scriptPubKey (hex, as the lines print it). */
export interface Output {
  /** Satoshis. Exact: a valid value is at most 2.1 × 10^15 < 2^53. */
  readonly value: number;
  readonly script: string;
}

/**
 * Outputs of confirmed transactions, from the blocks received since start, kept so that the fee
 * of a transaction spending them is known. Most recent kept: past CONFIRMED_OUTPUTS_MAX the oldest
 * half go (and an output a block spent goes at once: it cannot be spent again).
 * 250,000 outputs at ~140 bytes each (~35 MB) is ~30 mainnet blocks (~7,500 outputs each), about
 * five hours: most transactions spend outputs older than that, which only --rpc resolves.
 */
export const CONFIRMED_OUTPUTS_MAX = 250_000;
/** Outputs of one transaction kept at most (a larger one is kept without its outputs: its children's fees stay unknown). MAX_STANDARD_TX_WEIGHT / the 9 bytes × 4 of the smallest output. */
export const OUTPUTS_PER_TX_MAX = 400_000 / 36;

/**
 * A view transaction's outputs, packed: their values, and their scripts' hex joined by spaces (one
 * string a transaction instead of an object and a string an output: ~60 bytes less an output).
 */
export interface PackedOutputs {
  readonly values: readonly number[];
  readonly scripts: string;
}

export function packOutputs(outputs: readonly TxOutput[]): PackedOutputs | undefined {
  if (outputs.length > OUTPUTS_PER_TX_MAX) return undefined;
  const values = new Array<number>(outputs.length);
  let scripts = '';
  for (let i = 0; i < outputs.length; i++) {
    values[i] = Number(outputs[i].value);
    scripts += i === 0 ? toHex(outputs[i].script) : ' ' + toHex(outputs[i].script);
  }
  return { values, scripts };
}

/** Output `index` of packed outputs, if there is one. */
export function outputAt(p: PackedOutputs | undefined, index: number): Output | undefined {
  if (p === undefined || index >= p.values.length) return undefined;
  let start = 0;
  for (let i = 0; i < index; i++) start = p.scripts.indexOf(' ', start) + 1;
  const end = p.scripts.indexOf(' ', start);
  return { value: p.values[index], script: p.scripts.slice(start, end < 0 ? p.scripts.length : end) };
}

/**
 * Two generations of Maps: outputs go into the young one; when it holds half the bound, the old one
 * is dropped and the young one becomes old. O(1) a call: a Map used as a queue (delete the first,
 * read `keys().next()`) walks the holes deletions leave at its front, O(n) a call until V8 compacts
 * it (bench:mempool measured 1.1 s a block that way).
 */
export class ConfirmedOutputs {
  private young = new Map<string, Output>();
  private old = new Map<string, Output>();

  constructor(readonly max: number = CONFIRMED_OUTPUTS_MAX) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: string): Output | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  add(key: string, output: Output): void {
    if (this.young.size >= this.max / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, output);
  }

  spent(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }
}
