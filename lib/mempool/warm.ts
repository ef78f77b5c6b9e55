import type { DecodedTx } from '../wire/model.js';
import { OVERWRITTEN_WARM_MAX, type ConfirmedOutputs } from './outputs.js';
import { GROUP_BITS, type TxidTable } from './table.js';
import type { TxStore } from './store.js';

/**
 * Reading ahead. A probe of the view's table (tens of MB) is a cache and TLB miss, ~150-200 ns
 * (`npm run bench:machine`), and probes that follow one another in the code wait for their misses
 * one after another. These read first the table lines a transaction's add or confirmation will
 * probe, so that the misses overlap and the probes find their lines cached, in two steps: the
 * homes are computed (reading the transactions, which are cached), then read in one short loop
 * (TxidTable.touchAll). Interleaved, each read came after ~100 instructions of walking the
 * transaction's objects and hashing, so that only two or three of a block's ~32 could be in the
 * processor's window at once (inferred, this VM has no counters: a confirmed transaction's
 * read-ahead cost ~0.75 µs that way, ~0.55 in two steps, BENCHMARKS.md). A txid's entries for its first 8 outputs share a line (table.ts): one
 * read covers a parent lookup, the input's conflict check and its recent-output lookup. Each
 * returns a bit of what it read, which the caller keeps so that the reads are not optimized away.
 */

/** Inputs and outputs of a transaction whose lines are read (more would evict the first before they are used). */
const WARM_MAX = 8;
/** How many transactions ahead confirm() reads (enough for their misses to be done). */
export const CONFIRM_AHEAD = 8;

/** Homes one transaction adds at most: its txid's groups, two per input, and the ring entries its outputs overwrite. */
const HOMES_PER_TX = WARM_MAX + 2 * WARM_MAX + OVERWRITTEN_WARM_MAX;
/** The homes to read (one thread: each function fills it and reads it before returning); warmBlock's first call reads two batches. */
const homes = new Int32Array(2 * CONFIRM_AHEAD * HOMES_PER_TX);

/**
 * Into `homes[n..]`, the lines of `tx`'s txid (its entry, its outputs' spenders and recent
 * outputs, one per 8 outputs) and of its inputs' outpoints (their transaction, spender and recent
 * output; the txid's own too when the vout is in another group): what adding it probes, and what
 * finding it in a block and removing it (or its inputs' spenders, and the recent outputs it spends)
 * does. Returns the new `n`.
 */
function txHomes(t: TxidTable, tx: DecodedTx, n: number): number {
  const h = t.hash(tx.txid);
  homes[n++] = t.homeIndex(h, 0);
  for (let v = 1 << GROUP_BITS; v < tx.outputs.length && v < WARM_MAX << GROUP_BITS; v += 1 << GROUP_BITS) homes[n++] = t.homeIndex(h, v);
  const inputs = tx.inputs;
  for (let i = 0; i < inputs.length && i < WARM_MAX; i++) {
    const p = t.hash(inputs[i].prevTxid);
    homes[n++] = t.homeIndex(p, 0);
    if (inputs[i].prevIndex >>> GROUP_BITS !== 0) homes[n++] = t.homeIndex(p, inputs[i].prevIndex);
  }
  return n;
}

/** What add(`tx`) probes. */
export function warmAdd(s: TxStore, tx: DecodedTx): number {
  return s.table.touchAll(homes, txHomes(s.table, tx, 0));
}

/**
 * Before confirm() handles `txs[i..i + CONFIRM_AHEAD)`, in two stages: the table lines of the next
 * CONFIRM_AHEAD transactions (and of the ring entries their outputs will overwrite), and the packed
 * inputs (what remove() reads) of these, their slots found in lines read one batch before (into
 * `found`, for confirm() to use).
 */
export function warmBlock(s: TxStore, o: ConfirmedOutputs, txs: readonly DecodedTx[], i: number, found: Int32Array): number {
  const end = Math.min(txs.length, i + 2 * CONFIRM_AHEAD);
  let n = 0;
  let outs = 0;
  for (let k = i; k < end; k++) {
    if (k >= i + CONFIRM_AHEAD || i === 0) n = txHomes(s.table, txs[k], n);
    if (k >= i + CONFIRM_AHEAD) n = o.overwrittenHomes(outs, txs[k].outputs.length, homes, n);
    outs += txs[k].outputs.length;
  }
  let x = s.table.touchAll(homes, n);
  for (let k = i; k < end && k < i + CONFIRM_AHEAD; k++) {
    found[k - i] = s.find(txs[k].txid);
    x += s.touchSlot(found[k - i]);
  }
  return x & 0xffff;
}
