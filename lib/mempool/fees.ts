import type { DecodedTx } from '../wire/model.js';
import { KeyMaker } from './keys.js';
import { outputAt, type Output } from './outputs.js';
import { ancestorsOf } from './graph.js';
import type { MempoolView } from './view.js';

/** What a tx line says of its fee once every input is known. */
export interface KnownFee {
  readonly fee: number;
  readonly prevouts: readonly Output[];
  readonly effectiveFeerate?: number;
}

/** The inputs of `tx` whose spent output the view does not know (not a view transaction's, not a recent block's). */
export function missingInputs(view: MempoolView, tx: DecodedTx): number[] {
  const out: number[] = [];
  tx.inputs.forEach((input, i) => {
    const parentKey = view.keys.tx(input.prevTxid);
    const k = KeyMaker.outpoint(parentKey, input.prevIndex);
    if (outputAt(view.entries.get(parentKey)?.outputs, input.prevIndex) === undefined && view.confirmedOutputs.get(k) === undefined) out.push(i);
  });
  return out;
}

/** An output learned elsewhere (Core's RPC): kept with the recent blocks' outputs. */
export function learnOutput(view: MempoolView, prevTxid: Uint8Array, index: number, output: Output): void {
  view.confirmedOutputs.add(KeyMaker.outpoint(view.keys.tx(prevTxid), index), output);
}

/** The fee of a held `tx` from what the view knows now (recording it in the view); undefined while an input is unknown. */
export function knownFee(view: MempoolView, tx: DecodedTx): KnownFee | undefined {
  const entry = view.get(tx.txid);
  if (entry === undefined || tx.inputs.length === 0) return undefined;
  const prevouts: Output[] = [];
  let inValue = 0;
  for (const input of tx.inputs) {
    const parentKey = view.keys.tx(input.prevTxid);
    const o = outputAt(view.entries.get(parentKey)?.outputs, input.prevIndex) ?? view.confirmedOutputs.get(KeyMaker.outpoint(parentKey, input.prevIndex));
    if (o === undefined) return undefined;
    prevouts.push(o);
    inValue += o.value;
  }
  if (inValue < entry.outValue) return undefined;
  const fee = inValue - entry.outValue;
  view.setFee(entry, fee);
  const anc = ancestorsOf(view, entry);
  if (anc === undefined || anc.length === 0 || anc.some((a) => a.fee === undefined)) return { fee, prevouts };
  return { fee, prevouts, effectiveFeerate: anc.reduce((s, a) => s + (a.fee ?? 0), fee) / anc.reduce((s, a) => s + a.vsize, entry.vsize) };
}
