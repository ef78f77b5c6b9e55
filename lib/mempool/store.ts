import type { DecodedTx } from '../wire/model.js';
import { hexAt, reversedHexAt } from '../wire/hex.js';
import { Arena, copyBytes, local, type LiveRanges } from './arena.js';
import { pack, packedLength } from './pack.js';
import { TxidTable, TX, SPENT } from './table.js';
import { CONFIRMED_OUTPUTS_MAX, OUTPUTS_PER_TX_MAX, spentMark, type Output } from './outputs.js';
import { KeptQueue } from './kept.js';
import { TRUC_VERSION } from './types.js';
import { NONE, SLOT_FIXED_BYTES, Slab } from './slab.js';

export { NONE } from './slab.js';

const LIVE = 1;
const SIGNALS = 2;
const OUTPUTS = 4;
/** An input's transaction may be in the view (set when one was or arrived after; cleared by a walk that found none). */
const PARENTS = 8;
/** Confirmed, kept for its outputs (not LIVE: not in the view). */
const KEPT = 16;
/** Of version TRUC_VERSION (BIP 431): one unconfirmed child at most. */
const TRUC = 32;

/**
 * The view's transactions in typed arrays, a slot each (slab.ts: struct of arrays, slots reused
 * through a free list, in arrival order), indexed in the view's table (table.ts): txid → slot (TX)
 * and spent outpoint → (spender slot, input) (SPENT). What varies in length is packed (pack.ts) in
 * a byte arena (arena.ts), a range a slot. No object, string or hex per transaction: nothing for
 * the GC to trace.
 *
 * A confirmed transaction stays where it is, KEPT (keep()), for its outputs' sake: its TX entry
 * finds them for a child's fee as a recent block's outputs would be (outputs.ts, where it was a
 * copy), a spent one marked (markSpent(): its value kept, for a reorg to restore). Kept ones go
 * first in first out past their bounds (kept.ts), and first when a slot is wanted; they stay in
 * the arrival order (the arena's compactions walk it), where the view skips them.
 */
export class TxStore extends Slab {
  private readonly arena = new Arena();
  /** The arena's live ranges in arrival order (= arena order), for its compactions. */
  private readonly ranges: LiveRanges = (move) => {
    for (let e = this.head; e !== NONE; e = this.next[e]) this.dataOff[e] = move(this.dataOff[e], this.dataLen[e]);
  };
  /** Transactions in the view (LIVE; KEPT ones are not). */
  count = 0;
  /** Kept transactions, in the order they were kept, and their totals. */
  readonly kept: KeptQueue;
  /** The view's one table: this store's TX and SPENT entries, and the recent outputs' CONF entries (outputs.ts). */
  readonly table: TxidTable;

  /**
   * `offset`: which 4 bytes of a txid (0..28) its table hashes, drawn per process: a peer cannot aim at a home.
   * `capacity`: slots made at once (the view's bound, Slab).
   */
  constructor(
    offset: number,
    capacity = 0,
    /** Outputs of kept transactions at most. */
    keptMax = CONFIRMED_OUTPUTS_MAX,
  ) {
    super(capacity);
    this.kept = new KeptQueue(keptMax);
    this.table = new TxidTable(offset);
    this.table.txs = this;
  }

  /** The arena's compactions so far. */
  get compactions(): number {
    return this.arena.compactions;
  }

  /** Bytes the store holds now: slab, arena, table (what the bound's estimate stands for). */
  get heldBytes(): number {
    return this.vsize.length * SLOT_FIXED_BYTES + this.arena.size + this.table.bytes;
  }

  /** Keys: a TX entry's txid is in `txid`, a SPENT entry's outpoint in its spender's packed input. */
  same(kind: number, slot: number, input: number, q: Uint8Array, a: number, vout: number): boolean {
    let t: Uint8Array = this.txid;
    let b = slot * 32;
    if (kind === SPENT) {
      const at = this.dataOff[slot] + input * 36;
      t = this.arena.buf(at);
      b = local(at);
      if (this.arena.view(at).getUint32(b + 32, true) !== vout >>> 0) return false;
    }
    // Four bytes a test: a quarter of the branches of a byte loop.
    for (let k = 0; k < 32; k += 4) if (((t[b + k] ^ q[a + k]) | (t[b + k + 1] ^ q[a + k + 1]) | (t[b + k + 2] ^ q[a + k + 2]) | (t[b + k + 3] ^ q[a + k + 3])) !== 0) return false;
    return true;
  }

  /** Reads the packed inputs of the transaction in `slot` (what remove() reads); nothing for NONE. */
  touchSlot(slot: number): number {
    return slot === NONE ? 0 : this.arena.buf(this.dataOff[slot])[local(this.dataOff[slot])] & 1;
  }

  /** The slot of the txid at `b[at..at+32]`; NONE if not held (then table.spenders: whether a transaction spending one of its first 8 outputs may be). */
  find(b: Uint8Array, at = 0): number {
    const slot = this.table.findTx(this.table.hash(b, at), b, at);
    return slot < 0 ? NONE : slot;
  }

  /** The slot spending output `vout` of the transaction in `slot`; NONE if none. */
  childAt(slot: number, vout: number): number {
    const i = this.table.find(this.table.hash(this.txid, slot * 32), SPENT, vout, this.txid, slot * 32);
    return i < 0 ? NONE : this.table.payload(i);
  }

  /** The view slot of the transaction input `i` spends; NONE if not in the view (not held, or kept). */
  parentOf(slot: number, i: number): number {
    const at = this.dataOff[slot] + i * 36;
    const p = this.find(this.arena.buf(at), local(at));
    return p !== NONE && (this.flags[p] & LIVE) !== 0 ? p : NONE;
  }

  /** The output index input `i` spends. */
  inputVout(slot: number, i: number): number {
    const at = this.dataOff[slot] + i * 36;
    return this.arena.view(at).getUint32(local(at) + 32, true);
  }

  /** The arena and offset of input `i`'s spent txid (valid until the next add). */
  inputTxidAt(slot: number, i: number): [Uint8Array, number] {
    const at = this.dataOff[slot] + i * 36;
    return [this.arena.buf(at), local(at)];
  }

  /** A view transaction of version 3 (TRUC). */
  isTruc(slot: number): boolean {
    return slot >= 0 && (this.flags[slot] & (LIVE | TRUC)) === (LIVE | TRUC);
  }

  signals(slot: number): boolean {
    return (this.flags[slot] & SIGNALS) !== 0;
  }

  /** False when no input's transaction is in the view (an ancestor walk need not look them up). */
  mayHaveParents(slot: number): boolean {
    return (this.flags[slot] & PARENTS) !== 0;
  }

  /** A parent of the transaction in `slot` arrived, or a walk found it has none. */
  setParents(slot: number, parents: boolean): void {
    this.flags[slot] = parents ? this.flags[slot] | PARENTS : this.flags[slot] & ~PARENTS;
  }

  /**
   * A block's input, spending output `vout` of the txid at `b[at..at+32]`: its kept transaction
   * and recent output looked up (table.foundTx, foundConf) in one scan, which lets go the input's
   * SPENT entry if the view held its transaction (`spender`, input `input`), or finds another
   * spender (table.foundSpent) if not.
   */
  settle(b: Uint8Array, at: number, vout: number, spender: number, input: number): void {
    const t = this.table;
    t.settle(t.hash(b, at), vout, b, at, spender, input);
    if (t.foundSpentAt >= 0) t.removeAt(t.foundSpentAt, SPENT);
  }

  /** Looks up output `vout` of the txid at `b[at..at+32]` at once as a view transaction, a spent outpoint and a recent output (TxidTable.lookup: table.foundTx, foundSpent, foundConf). */
  lookup(b: Uint8Array, at: number, vout: number): void {
    this.table.lookup(this.table.hash(b, at), vout, b, at);
  }

  /** Value of output `i`; undefined past its outputs, where they were not kept, or once spent (kept ones). */
  outputValue(slot: number, i: number): number | undefined {
    if ((this.flags[slot] & OUTPUTS) === 0 || i >= this.nOut[slot]) return undefined;
    const at = this.dataOff[slot];
    const v = this.arena.view(at).getFloat64(local(at) + this.nIn[slot] * 36 + i * 8, true);
    return v < 0 ? undefined : v;
  }

  /** Whether the transaction's outputs are kept (not for one of more than OUTPUTS_PER_TX_MAX). */
  keepsOutputs(slot: number): boolean {
    return (this.flags[slot] & OUTPUTS) !== 0;
  }

  isKept(slot: number): boolean {
    return slot >= 0 && (this.flags[slot] & KEPT) !== 0;
  }

  /**
   * The view's transaction in `slot` was confirmed: it leaves the view (its spent outpoints' entries
   * go, unless `unspent`: settle() let each go) and stays for its outputs (the caller knows
   * keepsOutputs). The oldest kept go past the bounds.
   */
  keep(slot: number, unspent = false): void {
    if (!unspent) this.unspend(slot);
    this.flags[slot] = KEPT | OUTPUTS;
    this.count--;
    const q = this.kept;
    if (q.full) this.dropOldestKept();
    q.push(slot, this.nOut[slot], this.dataLen[slot]);
    while (q.over && this.dropOldestKept());
  }

  /**
   * A block spent output `vout` of the kept transaction in `slot` (`spent`: marked, spentMark in
   * outputs.ts, its value kept), or that block left the chain (unspent again, as Core's
   * DisconnectTip restores it from its undo data).
   */
  markSpent(slot: number, vout: number, spent: boolean): void {
    if ((this.flags[slot] & KEPT) === 0 || vout >= this.nOut[slot]) return;
    const at = this.dataOff[slot];
    const dv = this.arena.view(at);
    const o = local(at) + this.nIn[slot] * 36 + vout * 8;
    const v = dv.getFloat64(o, true);
    if ((v < 0) !== spent) dv.setFloat64(o, spentMark(v), true);
  }

  /**
   * The oldest kept transaction goes; false if there is none. An entry of the queue whose slot left
   * meanwhile is skipped; one whose slot left and was kept again since takes it early (a cache's
   * loss, no more).
   */
  private dropOldestKept(): boolean {
    for (let slot = this.kept.shift(); slot >= 0; slot = this.kept.shift()) {
      if ((this.flags[slot] & KEPT) === 0) continue;
      this.remove(slot);
      return true;
    }
    return false;
  }

  /** Output `i` as the lines print it (the caller knows outputValue is defined). */
  output(slot: number, i: number): Output {
    const n = this.nOut[slot];
    const at = this.dataOff[slot];
    const dv = this.arena.view(at);
    const ends = local(at) + this.nIn[slot] * 36 + n * 8;
    const scripts = ends + n * 4;
    const start = i === 0 ? 0 : dv.getUint32(ends + (i - 1) * 4, true);
    return { value: this.outputValue(slot, i) ?? 0, script: hexAt(this.arena.buf(at), scripts + start, scripts + dv.getUint32(ends + i * 4, true)) };
  }

  /** The txid as the lines print it (byte-reversed hex). */
  txidHex(slot: number): string {
    return reversedHexAt(this.txid, slot * 32, 32);
  }

  /** Holds `tx` (the caller knows it is not held), at the end of the arrival order; its fee unknown. `parents`: an input's transaction is in the view. */
  add(tx: DecodedTx, values: Float64Array, time: number, signals: boolean, outValue: number, parents: boolean): number {
    // Kept transactions take the slots the view does not need: the oldest goes before the slots grow.
    if (this.full && this.kept.count > 0) this.dropOldestKept();
    const nIn = tx.inputs.length;
    const nOut = tx.outputs.length;
    const keep = nOut <= OUTPUTS_PER_TX_MAX;
    const len = packedLength(tx, keep);
    const slot = this.alloc();
    const off = this.arena.take(len, this.ranges);
    this.dataOff[slot] = off;
    this.dataLen[slot] = len;
    pack(tx, values, keep, this.arena.buf(off), this.arena.view(off), local(off));
    copyBytes(tx.txid, this.txid, slot * 32);
    this.vsize[slot] = tx.vsize;
    this.weight[slot] = tx.weight;
    this.time[slot] = time;
    this.fee[slot] = NaN;
    this.outValue[slot] = outValue;
    this.nIn[slot] = nIn;
    this.nOut[slot] = nOut;
    this.flags[slot] = LIVE | (signals ? SIGNALS : 0) | (keep ? OUTPUTS : 0) | (parents ? PARENTS : 0) | (tx.version === TRUC_VERSION ? TRUC : 0);
    // In the arrival order (which a compaction in take() above walks) once its range is set.
    this.append(slot);
    this.count++;
    const t = this.table;
    // Neither held (the caller knows): no probe first. (The view refuses two inputs spending one
    // outpoint, lib/tx/check.ts: they would be two entries of one key, each removed with its input.)
    t.add(t.hash(tx.txid), TX, 0, slot, 0);
    for (let i = 0; i < nIn; i++) t.add(t.hash(tx.inputs[i].prevTxid), SPENT, tx.inputs[i].prevIndex, slot, i);
    return slot;
  }

  /** Its spent outpoints' entries go. */
  private unspend(slot: number): void {
    const off = this.dataOff[slot];
    const a = this.arena.buf(off);
    const dv = this.arena.view(off);
    const t = this.table;
    for (let i = 0, o = local(off); i < this.nIn[slot]; i++, o += 36) t.remove(t.hash(a, o), SPENT, dv.getUint32(o + 32, true), slot, i);
  }

  /** Lets the transaction in `slot` (in the view, or kept) go: out of the table and the arrival order, its slot free (`unspent`: its SPENT entries have gone, settle()). */
  remove(slot: number, unspent = false): void {
    const f = this.flags[slot];
    if ((f & LIVE) !== 0) {
      if (!unspent) this.unspend(slot);
      this.count--;
    } else if ((f & KEPT) !== 0) this.kept.left(this.nOut[slot], this.dataLen[slot]);
    else return;
    const t = this.table;
    t.remove(t.hash(this.txid, slot * 32), TX, 0, slot);
    this.arena.free(this.dataOff[slot], this.dataLen[slot]);
    this.release(slot);
  }

  live(slot: number): boolean {
    return slot >= 0 && (this.flags[slot] & LIVE) !== 0;
  }
}
