import type { DecodedTx } from '../wire/model.js';
import type { ConfirmedOutputs } from './outputs.js';
import { GROUP_BITS, type TxidTable } from './table.js';
import type { TxStore } from './store.js';

/**
 * Reading ahead. A probe of the view's table (tens of MB) is a cache and TLB miss, ~100-200 ns,
 * and probes that follow one another in the code wait for their misses one after another. These
 * read first, in a row, the table lines a transaction's add or confirmation will probe
 * (TxidTable.touch), so that the misses overlap and the probes find their lines cached. A txid's
 * entries for its first 8 outputs share a line (table.ts): one touch covers a parent lookup, the
 * input's conflict check and its recent-output lookup. Each returns a small sum of what it read,
 * which the caller keeps so that the reads are not optimized away.
 */

/** Inputs and outputs of a transaction whose lines are read (more would evict the first before they are used). */
export const WARM_MAX = 8;
/** How many transactions ahead confirm() reads (enough for their misses to be done). */
export const CONFIRM_AHEAD = 8;

/** The line of output `vout` of the txid at `b[at..]`, and of the txid itself if `vout` is in another group. */
function touchOutpoint(t: TxidTable, b: Uint8Array, vout: number): number {
  const h = t.hash(b);
  return vout >>> GROUP_BITS === 0 ? t.touch(h, 0) : t.touch(h, 0) + t.touch(h, vout);
}

/** The lines of a txid's own entry and its outputs' (one per 8 outputs, up to WARM_MAX). */
function touchTxid(t: TxidTable, b: Uint8Array, nOut: number): number {
  const h = t.hash(b);
  let x = t.touch(h, 0);
  for (let v = 1 << GROUP_BITS; v < nOut && v < WARM_MAX << GROUP_BITS; v += 1 << GROUP_BITS) x += t.touch(h, v);
  return x;
}

/**
 * The lines of `tx`'s txid (its entry, its outputs' spenders and recent outputs) and of its inputs'
 * outpoints (their transaction, spender and recent output): what adding it probes, and what finding
 * it in a block and removing it (or its inputs' spenders, and the recent outputs it spends) does.
 */
function touchTx(t: TxidTable, tx: DecodedTx): number {
  let x = touchTxid(t, tx.txid, tx.outputs.length);
  for (let i = 0; i < tx.inputs.length && i < WARM_MAX; i++) x += touchOutpoint(t, tx.inputs[i].prevTxid, tx.inputs[i].prevIndex);
  return x;
}

/** What add(`tx`) probes. */
export function warmAdd(s: TxStore, tx: DecodedTx): number {
  return touchTx(s.table, tx) & 0xffff;
}

/**
 * Before confirm() handles `txs[i..i + CONFIRM_AHEAD)`, in two stages, each in a row so that
 * their misses overlap: the table lines of the next CONFIRM_AHEAD transactions (and of the ring
 * entries their outputs will overwrite), and the packed inputs (what remove() reads) of these,
 * their slots found in lines read one batch before (into `found`, for confirm() to use).
 */
export function warmBlock(s: TxStore, o: ConfirmedOutputs, txs: readonly DecodedTx[], i: number, found: Int32Array): number {
  let x = 0;
  const end = Math.min(txs.length, i + 2 * CONFIRM_AHEAD);
  let outs = 0;
  for (let k = i; k < end; k++) {
    if (k >= i + CONFIRM_AHEAD || i === 0) x += touchTx(s.table, txs[k]);
    if (k >= i + CONFIRM_AHEAD) x += o.touchOverwritten(outs, txs[k].outputs.length);
    outs += txs[k].outputs.length;
  }
  for (let k = i; k < end && k < i + CONFIRM_AHEAD; k++) {
    found[k - i] = s.find(txs[k].txid);
    x += s.touchSlot(found[k - i]);
  }
  return x & 0xffff;
}
