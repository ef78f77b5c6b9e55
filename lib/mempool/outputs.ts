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
 * go (and an output a block spent goes at once: it cannot be spent again).
 * 250,000 outputs at ~140 bytes each (~35 MB) is ~30 mainnet blocks (~7,500 outputs each), about
 * five hours: most transactions spend outputs older than that, which only --rpc resolves.
 */
export const CONFIRMED_OUTPUTS_MAX = 250_000;
/** Outputs of one transaction kept at most (a larger one is kept without its outputs: its children's fees stay unknown). MAX_STANDARD_TX_WEIGHT / the 9 bytes × 4 of the smallest output. */
export const OUTPUTS_PER_TX_MAX = 400_000 / 36;

export function outputsOf(outputs: readonly TxOutput[]): Output[] | undefined {
  if (outputs.length > OUTPUTS_PER_TX_MAX) return undefined;
  const out = new Array<Output>(outputs.length);
  for (let i = 0; i < outputs.length; i++) out[i] = { value: Number(outputs[i].value), script: toHex(outputs[i].script) };
  return out;
}

export class ConfirmedOutputs {
  /** Outpoint key → output, oldest first. */
  private readonly map = new Map<string, Output>();

  constructor(readonly max: number = CONFIRMED_OUTPUTS_MAX) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): Output | undefined {
    return this.map.get(key);
  }

  add(key: string, output: Output): void {
    this.map.set(key, output);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  spent(key: string): void {
    this.map.delete(key);
  }
}
