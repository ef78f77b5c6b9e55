import type { DecodedTx } from '../wire/model.js';
import { ConfirmedOutputs, type Output } from './outputs.js';
import { NONE, type TxStore } from './store.js';

/**
 * Where the output an input spends is known: in a transaction of the view, in a kept one (a block
 * confirmed it, it stays in its slot: TxStore.keep), or among the other recent blocks' outputs
 * (the ring, outputs.ts); and what a block spends of them.
 */
export class Prevouts {
  /** Where the last valueOf() found its output: a slot (in the view or kept), or -2 - a ring position. */
  src = NONE;
  /** The recent blocks' outputs of transactions the view did not keep, and --rpc's. */
  readonly ring: ConfirmedOutputs;

  constructor(
    private readonly store: TxStore,
    ringMax?: number,
  ) {
    this.ring = new ConfirmedOutputs(store.table, ringMax);
  }

  /**
   * The value of output `vout` of the txid at `b[at..]`, where it is into `src`; undefined if
   * unknown. One scan of one line (table.ts): the caller reads the outpoint's spender there too.
   */
  valueOf(b: Uint8Array, at: number, vout: number): number | undefined {
    const s = this.store;
    s.lookup(b, at, vout);
    const { foundTx: parent, foundConf: pos } = s.table;
    const v = parent === NONE ? undefined : s.outputValue(parent, vout);
    this.src = v !== undefined ? parent : -2 - pos;
    return v ?? (pos < 0 ? undefined : this.ring.value(pos));
  }

  /**
   * The outputs `tx`'s inputs spend, as the lines print them; undefined if one is unknown. `srcs`:
   * where each is (add() found them all, and nothing left since), else they are looked up.
   */
  of(tx: DecodedTx, srcs: Int32Array | undefined): Output[] | undefined {
    const out: Output[] = [];
    for (let i = 0; i < tx.inputs.length; i++) {
      const input = tx.inputs[i];
      if (srcs !== undefined) out.push(this.output(srcs[i], input.prevIndex));
      else if (this.valueOf(input.prevTxid, 0, input.prevIndex) !== undefined) out.push(this.output(this.src, input.prevIndex));
      else return undefined;
    }
    return out;
  }

  /** The inputs of `tx` whose spent output is not known. */
  missing(tx: DecodedTx): number[] {
    const out: number[] = [];
    for (let i = 0; i < tx.inputs.length; i++) if (this.valueOf(tx.inputs[i].prevTxid, 0, tx.inputs[i].prevIndex) === undefined) out.push(i);
    return out;
  }

  /** The output valueOf() found at `src`, as the lines print it. */
  output(src: number, vout: number): Output {
    return src >= 0 ? this.store.output(src, vout) : this.ring.output(-2 - src);
  }

  /** A block spent output `vout` of what TxStore.settle() found: marked, a kept transaction's or a recent output. */
  spendSettled(vout: number): void {
    const { foundTx: kept, foundConf: pos } = this.store.table;
    if (this.store.isKept(kept)) this.store.markSpent(kept, vout, true);
    if (pos >= 0) this.ring.spentAt(pos);
  }

  /** The block that spent output `vout` of the txid left the chain: unspent again, kept or in the ring (if still there). */
  restore(txid: Uint8Array, vout: number): void {
    const kept = this.store.find(txid);
    if (this.store.isKept(kept)) this.store.markSpent(kept, vout, false);
    this.ring.restore(txid, vout);
  }

  /** The outputs of a block's transaction the view did not keep, copied into the ring. */
  confirmed(tx: DecodedTx): void {
    for (let j = 0; j < tx.outputs.length; j++) this.ring.add(tx.txid, j, Number(tx.outputs[j].value), tx.outputs[j].script);
  }

  /** An output learned elsewhere (Core's RPC). */
  learn(prevTxid: Uint8Array, index: number, output: Output): void {
    this.ring.add(prevTxid, index, output.value, Buffer.from(output.script, 'hex'));
  }
}
