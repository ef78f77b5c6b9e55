import type { TxInput } from '../wire/model.js';
import { hashKey } from '../wire/hex.js';

/** Inputs compared pairwise up to this many (one comparison for the common two); a Set of their outpoints past it. */
const PAIRWISE_MAX = 8;

/**
 * Whether two of `inputs` spend one outpoint: consensus-invalid (Core's CheckTransaction,
 * consensus/tx_check.cpp, bad-txns-inputs-duplicate), so never in Core's mempool, only a peer's
 * made-up transaction. Linear in the inputs: a 4 MB message holds ~100,000.
 */
export function spendsTwice(inputs: readonly TxInput[]): boolean {
  const n = inputs.length;
  if (n <= PAIRWISE_MAX) {
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (inputs[i].prevIndex === inputs[j].prevIndex && sameTxid(inputs[i].prevTxid, inputs[j].prevTxid)) return true;
    return false;
  }
  const seen = new Set<string>();
  for (const input of inputs) {
    const key = `${hashKey(input.prevTxid)}${input.prevIndex}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

function sameTxid(a: Uint8Array, b: Uint8Array): boolean {
  for (let k = 0; k < 32; k++) if (a[k] !== b[k]) return false;
  return true;
}
