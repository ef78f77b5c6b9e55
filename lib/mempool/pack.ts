import type { DecodedTx } from '../wire/model.js';
import { copyBytes } from './arena.js';

/**
 * What the store packs of a transaction in its arena range (store.ts): per input its outpoint
 * (32-byte txid, 4-byte index); then, if its outputs are kept, per output its value (float64),
 * then the end of each script, then the scripts.
 */
export function packedLength(tx: DecodedTx, keepOutputs: boolean): number {
  let len = tx.inputs.length * 36;
  if (keepOutputs) {
    len += tx.outputs.length * 12;
    for (const o of tx.outputs) len += o.script.length;
  }
  return len;
}

/** Packs `tx` at `a[o..]` (`dv` a DataView of `a`'s buffer). */
export function pack(tx: DecodedTx, values: Float64Array, keepOutputs: boolean, a: Uint8Array, dv: DataView, o: number): void {
  for (const input of tx.inputs) {
    copyBytes(input.prevTxid, a, o);
    dv.setUint32(o + 32, input.prevIndex >>> 0, true);
    o += 36;
  }
  if (!keepOutputs) return;
  const nOut = tx.outputs.length;
  let end = 0;
  let at = o + nOut * 12;
  for (let i = 0; i < nOut; i++) {
    const out = tx.outputs[i];
    dv.setFloat64(o + i * 8, values[i], true);
    end += out.script.length;
    dv.setUint32(o + nOut * 8 + i * 4, end, true);
    at = copyBytes(out.script, a, at);
  }
}
