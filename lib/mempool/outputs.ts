import { hexAt, toHex } from '../wire/hex.js';
import { CONF, type TxidTable } from './table.js';
import { copyBytes } from './arena.js';

/** An output as the lines print it: its value and scriptPubKey (hex). */
export interface Output {
  /** Satoshis. Exact: a valid value is at most 2.1 × 10^15 < 2^53. */
  readonly value: number;
  readonly script: string;
}

/**
 * Outputs of confirmed transactions the view did not hold, from the blocks received since start
 * (and what --rpc told), kept so that the fee of a transaction spending them is known: a ring of
 * the CONFIRMED_OUTPUTS_MAX most recent (the oldest overwritten). An output a block spent is
 * marked (spentMark), not let go: if that block leaves the chain, it is unspent again
 * (restore(), as Core's DisconnectTip restores the coins a block spent from its undo data); one
 * with a script over INLINE_SCRIPT bytes goes at once, its room with it. Those of transactions the
 * view held stay in their slots (store.ts keep(), within as many outputs). Coinbases' are here
 * too, though spendable only 100 blocks on. 250,000 outputs is ~30 mainnet blocks (~7,500
 * outputs each), about five hours: most transactions spend outputs older than that, which only
 * --rpc resolves.
 */
export const CONFIRMED_OUTPUTS_MAX = 250_000;
/** Ring entries overwrittenHomes() reads ahead for one transaction's outputs (more would evict the first before they are used). */
export const OVERWRITTEN_WARM_MAX = 4;
/** Outputs of one transaction kept at most (a larger one is kept without its outputs: its children's fees stay unknown). MAX_STANDARD_TX_WEIGHT / the 9 bytes × 4 of the smallest output. */
export const OUTPUTS_PER_TX_MAX = Math.floor(400_000 / 36);

/**
 * A spent output's value, marked: −1 − value (values are whole and non-negative, so a mark is
 * negative), and back again (the same function): a reorg restores what a block spent. Kept
 * transactions' outputs (store.ts) are marked so too.
 */
export const spentMark = (value: number): number => -1 - value;

/** Script bytes kept inline (P2TR and P2WSH are 34, P2PKH 25); a longer script is kept aside. */
const INLINE_SCRIPT = 34;
/**
 * Bytes of the scripts kept aside at most (non-standard ones up to 10,000 bytes, MAX_SCRIPT_SIZE):
 * four blocks of nothing but outputs (a block holds 1 MB of them: 4,000,000 weight units, 4 a
 * byte). Past it, an output with a long script is not kept: a child's fee stays unknown.
 */
export const LONG_SCRIPT_BYTES_MAX = 4_000_000;
const SCRIPT_SLOT = INLINE_SCRIPT + 1;
const LONG = 255;
/** OP_RETURN: an output no transaction can spend, so never kept. */
const OP_RETURN = 0x6a;

export class ConfirmedOutputs {
  // Grown by doubling up to `max`, then a ring.
  private txids = new Uint8Array(0);
  private vouts = new Int32Array(0);
  private values = new Float64Array(0);
  /** Per position: the script's length, then its bytes (LONG: in `long`). */
  private scripts = new Uint8Array(0);
  private readonly long = new Map<number, Uint8Array>();
  private longBytes = 0;
  private next = 0;

  /** `table`: the view's (table.ts), where the outputs are indexed as CONF entries. */
  constructor(
    private readonly table: TxidTable,
    readonly max: number = CONFIRMED_OUTPUTS_MAX,
  ) {
    table.outputs = this;
  }

  get size(): number {
    return this.table.count(CONF);
  }

  /** Keys: is the output at ring position `pos` output `vout` of the txid at `q[a..]`. */
  same(_kind: number, pos: number, _aux: number, q: Uint8Array, a: number, vout: number): boolean {
    if (this.vouts[pos] !== (vout | 0)) return false;
    const t = this.txids;
    const b = pos * 32;
    for (let k = 0; k < 32; k++) if (t[b + k] !== q[a + k]) return false;
    return true;
  }

  /** Ring position of output `vout` of the txid at `txid[at..at+32]`; -1 if not held. */
  position(txid: Uint8Array, at: number, vout: number): number {
    const i = this.table.find(this.table.hash(txid, at), CONF, vout, txid, at);
    return i < 0 ? -1 : this.table.payload(i);
  }

  /**
   * Into `idx[n..]`, the table homes (TxidTable.homeIndex) of the entries of the `count` outputs (at
   * most OVERWRITTEN_WARM_MAX) add() overwrites `ahead` outputs from now; returns the new `n`.
   */
  overwrittenHomes(ahead: number, count: number, idx: Int32Array, n: number): number {
    for (let k = 0; k < count && k < OVERWRITTEN_WARM_MAX; k++) {
      const pos = (this.next + ahead + k) % this.max;
      if (pos < this.vouts.length && this.vouts[pos] >= 0) idx[n++] = this.table.homeIndex(this.table.hash(this.txids, pos * 32), this.vouts[pos]);
    }
    return n;
  }

  /** The value of the output at `pos`; undefined once a block spent it. */
  value(pos: number): number | undefined {
    const v = this.values[pos];
    return v < 0 ? undefined : v;
  }

  output(pos: number): Output {
    const o = pos * SCRIPT_SLOT;
    const len = this.scripts[o];
    const script = len === LONG ? toHex(this.long.get(pos) ?? new Uint8Array(0)) : hexAt(this.scripts, o + 1, o + 1 + len);
    return { value: this.values[pos], script };
  }

  add(txid: Uint8Array, vout: number, value: number, script: Uint8Array): void {
    if (script.length > 0 && script[0] === OP_RETURN) return;
    const pos = this.next;
    if (pos === this.vouts.length) this.grow();
    if (this.vouts[pos] >= 0) this.drop(pos);
    if (script.length > INLINE_SCRIPT && this.longBytes + script.length > LONG_SCRIPT_BYTES_MAX) return;
    copyBytes(txid, this.txids, pos * 32);
    this.vouts[pos] = vout;
    // Already held (a block seen twice): the new position stays free.
    if (!this.table.insert(this.table.hash(txid), CONF, vout, pos, 0, txid, 0)) {
      this.vouts[pos] = -1;
      return;
    }
    this.next = (pos + 1) % this.max;
    this.values[pos] = value;
    const o = pos * SCRIPT_SLOT;
    if (script.length <= INLINE_SCRIPT) {
      this.scripts[o] = script.length;
      copyBytes(script, this.scripts, o + 1);
    } else {
      this.scripts[o] = LONG;
      this.long.set(pos, script.slice());
      this.longBytes += script.length;
    }
  }

  private grow(): void {
    const cap = Math.min(this.max, Math.max(1024, this.vouts.length * 2));
    const txids = new Uint8Array(cap * 32);
    txids.set(this.txids);
    this.txids = txids;
    const vouts = new Int32Array(cap).fill(-1);
    vouts.set(this.vouts);
    this.vouts = vouts;
    const values = new Float64Array(cap);
    values.set(this.values);
    this.values = values;
    const scripts = new Uint8Array(cap * SCRIPT_SLOT);
    scripts.set(this.scripts);
    this.scripts = scripts;
  }

  /** A block spent the output at ring position `pos` (TxStore.settle found it): marked (spentMark); one with a long script goes (its bytes count against LONG_SCRIPT_BYTES_MAX: a reorg cannot give it back). */
  spentAt(pos: number): void {
    if (this.scripts[pos * SCRIPT_SLOT] === LONG) this.drop(pos);
    else if (this.values[pos] >= 0) this.values[pos] = spentMark(this.values[pos]);
  }

  /** The block that spent it left the chain: unspent again. */
  restore(txid: Uint8Array, vout: number): void {
    const pos = this.position(txid, 0, vout);
    if (pos >= 0 && this.values[pos] < 0) this.values[pos] = spentMark(this.values[pos]);
  }

  private drop(pos: number): void {
    this.table.remove(this.table.hash(this.txids, pos * 32), CONF, this.vouts[pos], pos);
    this.vouts[pos] = -1;
    if (this.scripts[pos * SCRIPT_SLOT] === LONG) {
      this.longBytes -= this.long.get(pos)?.length ?? 0;
      this.long.delete(pos);
    }
  }
}
