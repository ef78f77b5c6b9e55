import type { DecodedTx } from '../wire/model.js';
import type { ConfirmedOutputs } from './outputs.js';
import type { TxStore } from './store.js';

/**
 * Reading ahead. A probe of the view's indexes (tables of 6 to 25 MB) is a cache and TLB miss,
 * ~100-200 ns, and probes that follow one another in the code wait for their misses one after
 * another. These read first, in a row, the index lines a transaction's add or confirmation will
 * probe (HashIndex.touch), so that the misses overlap and the probes find their lines cached
 * (BENCHMARKS.md: ~2.0 → ~1.3 µs of probes an add). Each returns a small sum of what it read, which
 * the caller keeps so that the reads are not optimized away.
 */

/** Inputs and outputs of a transaction whose lines are read (more would evict the first before they are used). */
export const WARM_MAX = 8;
/** How many transactions ahead confirm() reads (enough for their misses to be done). */
export const CONFIRM_AHEAD = 8;

/** What add(`tx`) probes: its txid; per input its parent's txid, the outpoint, the recent-outputs entry; per output its spender. */
export function warmAdd(s: TxStore, o: ConfirmedOutputs, tx: DecodedTx): number {
  let x = s.touchTxid(tx.txid);
  for (let i = 0; i < tx.inputs.length && i < WARM_MAX; i++) {
    const p = tx.inputs[i];
    x += s.touchTxid(p.prevTxid) + s.touchSpent(p.prevTxid, p.prevIndex) + o.touch(p.prevTxid, p.prevIndex);
  }
  for (let i = 0; i < tx.outputs.length && i < WARM_MAX; i++) x += s.touchSpent(tx.txid, i);
  return x & 0xffff;
}

/** What finding `tx` and removing it (or its inputs' spenders) probe: its txid, its outpoints. */
function warmRemove(s: TxStore, tx: DecodedTx): number {
  let x = s.touchTxid(tx.txid);
  for (let i = 0; i < tx.inputs.length && i < WARM_MAX; i++) x += s.touchSpent(tx.inputs[i].prevTxid, tx.inputs[i].prevIndex);
  return x;
}

/**
 * Before confirm()'s first pass handles `txs[i]`, in two stages: the index lines of the
 * transaction 2 × CONFIRM_AHEAD further, and the packed inputs (what remove() reads) of the one
 * CONFIRM_AHEAD further, its slot found in lines read by then.
 */
export function warmConfirmed(s: TxStore, txs: readonly DecodedTx[], i: number): number {
  let x = 0;
  if (i === 0) {
    for (let k = 0; k < txs.length && k < 2 * CONFIRM_AHEAD; k++) x += warmRemove(s, txs[k]);
    for (let k = 0; k < txs.length && k < CONFIRM_AHEAD; k++) x += s.touchSlot(s.find(txs[k].txid));
  }
  if (i + 2 * CONFIRM_AHEAD < txs.length) x += warmRemove(s, txs[i + 2 * CONFIRM_AHEAD]);
  if (i + CONFIRM_AHEAD < txs.length) x += s.touchSlot(s.find(txs[i + CONFIRM_AHEAD].txid));
  return x & 0xffff;
}

/** What confirm()'s second pass probes for `tx`: the recent outputs it spends and adds; its outpoints' spenders unless the view held it. */
function warmSpentOne(s: TxStore, o: ConfirmedOutputs, tx: DecodedTx, held: boolean): number {
  let x = 0;
  for (let i = 0; i < tx.inputs.length && i < WARM_MAX; i++) x += o.touch(tx.inputs[i].prevTxid, tx.inputs[i].prevIndex);
  for (let i = 0; i < tx.outputs.length && i < WARM_MAX; i++) x += o.touch(tx.txid, i);
  return held ? x : x + warmRemove(s, tx);
}

/** Before confirm()'s second pass handles `txs[i]` (i ≥ 1): the transaction CONFIRM_AHEAD further, and the ring entries its outputs will overwrite a few transactions from now. */
export function warmSpent(s: TxStore, o: ConfirmedOutputs, txs: readonly DecodedTx[], held: Uint8Array, i: number): number {
  let x = o.touchOverwritten(2 * CONFIRM_AHEAD, txs[i].outputs.length);
  if (i === 1) for (let k = 1; k < txs.length && k <= CONFIRM_AHEAD; k++) x += warmSpentOne(s, o, txs[k], held[k] === 1);
  if (i + CONFIRM_AHEAD < txs.length) x += warmSpentOne(s, o, txs[i + CONFIRM_AHEAD], held[i + CONFIRM_AHEAD] === 1);
  return x & 0xffff;
}
