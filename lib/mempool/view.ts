import type { DecodedTx } from '../wire/model.js';
import { toReversedHex } from '../wire/hex.js';
import type { Output } from './outputs.js';
import { NOTHING_ADDED, NOTHING_LEFT, TRUC_VERSION, type Added, type Confirmed, type KnownFee, type Left } from './types.js';
import { descendantsOf, packageFeerate, signalsInView } from './graph.js';
import { NONE } from './store.js';
import { GROUP_BITS } from './table.js';
import { PAIRWISE_MAX, isNull, shapeProblem, spendsTwice, spentBefore, valueProblem } from '../tx/check.js';
import { CONFIRM_AHEAD, warmAdd, warmBlock } from './warm.js';
import { ViewState } from './view-state.js';

export * from './types.js';

/** BIP 125: an input with nSequence below 0xfffffffe signals replaceability. */
const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;

/**
 * The crawler's mempool: every unconfirmed transaction it saw, kept as Core's mempool keeps them.
 * A transaction spending an outpoint another in the view spends replaces it and its descendants
 * (full RBF, Core 28+'s default: validation.cpp MemPoolAccept::PreChecks, mempoolfullrbf), and so
 * does a version 3 parent's second child its first (TRUC sibling eviction); a block removes the
 * transactions it confirms and those that conflict with them, with their descendants
 * (txmempool.cpp CTxMemPool::removeForBlock, removeConflicts), and one that leaves the chain gives
 * them back (unconfirm); what is two weeks old expires (CTxMemPool::Expire,
 * DEFAULT_MEMPOOL_EXPIRY_HOURS = 336). Here: how transactions and blocks come; view-state.ts: what
 * is held and how it leaves. Pure: time is passed in.
 */
export class MempoolView extends ViewState {
  /** Where each input's output is (Prevouts.src), as add() found them. */
  private srcs = new Int32Array(16);
  /** The view parents add() found, one per input that has one, in input order; how many. */
  private parents = new Int32Array(16);
  private nParents = 0;
  /** add()'s scratch: each output's value as a number. */
  private values = new Float64Array(16);
  /** What warm.ts read (kept: the reads are not optimized away). */
  warmed = 0;
  /** confirm()'s scratch: the slots of the next CONFIRM_AHEAD block transactions (warmBlock). */
  private readonly found = new Int32Array(CONFIRM_AHEAD);

  /**
   * A relayed transaction, as Core's AcceptToMemoryPool takes one. Undefined if refused:
   * - what Core refuses whatever its context (MemPoolAccept::PreChecks: CheckTransaction, then no
   *   coinbase; a peer's made-up transaction spending an outpoint 20,000 times, held, piled its
   *   entries into one home of the table). Checked in this function's own passes over the inputs
   *   and outputs, with the parts of lib/tx/check.ts: a pass of its own before them cost ~650
   *   instructions an arrival more (each value converted twice more; BENCHMARKS.md, "Checks and settles in one pass");
   * - held already, or confirmed by a recent block (kept: TxStore.keep);
   * - spending a transaction that left the view (an orphan to Core, gone.ts).
   */
  add(tx: DecodedTx, time: number): Added | undefined {
    const s = this.store;
    if (shapeProblem(tx) !== undefined) return undefined;
    this.warmed = (this.warmed + warmAdd(s, tx)) & 0xffff;
    if (s.find(tx.txid) !== NONE) return undefined;
    // A child seen before it (its outputs' spenders, looked up below) only if its home holds one,
    // or past its first 8 outputs (another home).
    const children = s.table.spenders || tx.outputs.length > 1 << GROUP_BITS;
    const n = tx.inputs.length;
    let inValue = 0;
    let allKnown = n > 0;
    let signals = false;
    let conflicts: number[] | undefined;
    let viewParent = false;
    let trucParent = NONE;
    let orphan = false;
    const truc = tx.version === TRUC_VERSION;
    if (this.srcs.length < n) {
      this.srcs = new Int32Array(n * 2);
      this.parents = new Int32Array(n * 2);
    }
    this.nParents = 0;
    if (n > PAIRWISE_MAX && spendsTwice(tx.inputs)) return undefined;
    for (let i = 0; i < n; i++) {
      const input = tx.inputs[i];
      // CheckTransaction's: a null outpoint (a coinbase's: refused as one; bad-txns-prevout-null), an outpoint spent twice.
      if (isNull(input) || (n <= PAIRWISE_MAX && spentBefore(tx.inputs, i))) return undefined;
      if (input.sequence <= MAX_BIP125_RBF_SEQUENCE) signals = true;
      const v = this.prevouts.valueOf(input.prevTxid, 0, input.prevIndex);
      const { foundTx: parent, foundSpent: other } = s.table;
      if (s.live(parent)) {
        viewParent = true;
        this.parents[this.nParents++] = parent;
      }
      if (truc && s.isTruc(parent)) trucParent = parent;
      else if (parent === NONE && s.table.foundConf < 0 && this.gone.has(input.prevTxid, 0)) orphan = true;
      if (v === undefined) allKnown = false;
      else if (allKnown) {
        inValue += v;
        this.srcs[i] = this.prevouts.src;
      }
      // Listed as found (a scan for duplicates here was quadratic in a peer's 20,000 inputs): see the loop below.
      if (other !== NONE) (conflicts ??= []).push(other);
    }
    if (orphan) return undefined;
    // TRUC (BIP 431): a version 3 parent in the view has one child at most; another evicts it, a
    // replacement (sibling eviction: policy/truc_policy.cpp SingleTRUCChecks, MemPoolAccept::PreChecks).
    if (trucParent !== NONE) conflicts = this.siblings(trucParent, conflicts);
    const nOut = tx.outputs.length;
    if (this.values.length < nOut) this.values = new Float64Array(nOut * 2);
    let outValue = 0;
    for (let i = 0; i < nOut; i++) {
      const o = tx.outputs[i];
      const v = Number(o.value);
      outValue += v;
      if (valueProblem(o.value, v, outValue) !== undefined) return undefined;
      this.values[i] = v;
    }
    const fee = allKnown && inValue >= outValue ? inValue - outValue : undefined;
    // Nothing allocated for the common arrival (no conflict, no eviction, fee unknown): NOTHING_LEFT, NOTHING_ADDED.
    let left: Left[] | undefined;
    if (conflicts !== undefined) {
      const replaced: Left[] = [];
      left = replaced;
      const by = toReversedHex(tx.txid);
      for (const c of conflicts) {
        // Listed twice (two inputs spending one's outputs, a TRUC sibling that is a conflict too), or gone with an earlier one's descendants: it has left already.
        if (!s.live(c)) continue;
        const tree = descendantsOf(s, c);
        const signaled = tree.map((e) => signalsInView(s, e));
        const cTxid = s.txidHex(c);
        tree.forEach((e, i) => {
          const entry = this.info(e);
          this.gone.add(s.txid, e * 32);
          this.remove(e);
          replaced.push({ entry, reason: 'replaced', by, byFee: fee, rbfSignaled: signaled[i], ancestor: i === 0 ? undefined : cTxid });
        });
      }
    }
    const slot = s.add(tx, this.values, time, signals, outValue, viewParent);
    this.vsizeTotal += tx.vsize;
    this.bytesTotal += s.bytes(slot);
    if (fee !== undefined) this.setFee(slot, fee);
    // A child seen before this parent: its fee is known now (its line went out without it).
    for (let i = 0; children && i < s.nOut[slot]; i++) {
      const child = s.childAt(slot, i);
      if (child === NONE) continue;
      s.setParents(child, true);
      if (Number.isNaN(s.fee[child])) this.resolve(child);
    }
    // The oldest first; a kept one (confirmed, for its outputs) ahead of it simply goes.
    while (s.count > this.limits.maxTxs || this.bytesTotal > this.limits.maxBytes) {
      if (s.isKept(s.head)) s.remove(s.head);
      else this.removeTree(s.head, 'size', undefined, (left ??= []));
    }
    if (fee === undefined || !s.live(slot)) return left === undefined ? NOTHING_ADDED : { left };
    // Replaced or evicted transactions' slots may have been reused: then the prevouts are looked up again.
    const known = this.known_(tx, slot, fee, left === undefined, viewParent);
    if (known === undefined) return left === undefined ? NOTHING_ADDED : { left };
    return { left: left ?? NOTHING_LEFT, known };
  }

  /** `conflicts` and the view children of the TRUC transaction in `parent` (its outputs' spenders). */
  private siblings(parent: number, conflicts: number[] | undefined): number[] | undefined {
    const s = this.store;
    for (let v = 0; v < s.nOut[parent]; v++) {
      const child = s.childAt(parent, v);
      if (s.live(child)) (conflicts ??= []).push(child);
    }
    return conflicts;
  }

  /** The fee of a held `tx` from what the view knows now (recording it); undefined while an input is unknown. */
  knownFee(tx: DecodedTx): KnownFee | undefined {
    const slot = this.store.find(tx.txid);
    if (!this.store.live(slot)) return undefined;
    if (Number.isNaN(this.store.fee[slot])) this.resolve(slot);
    const fee = this.store.fee[slot];
    return Number.isNaN(fee) ? undefined : this.known_(tx, slot, fee, false, true);
  }

  /** `srcsValid`: this.srcs holds where each input's output is, and this.parents the view parents (add() found them all and nothing left since). */
  private known_(tx: DecodedTx, slot: number, fee: number, srcsValid: boolean, viewParent: boolean): KnownFee | undefined {
    const prevouts = this.prevouts.of(tx, srcsValid ? this.srcs : undefined);
    // Unknown: a parent it replaced along with its own conflict (Core would refuse it).
    if (prevouts === undefined) return undefined;
    if (!viewParent) return { fee, prevouts };
    const effectiveFeerate = packageFeerate(this.store, slot, fee, srcsValid ? this.parents : undefined, this.nParents);
    return effectiveFeerate === undefined ? { fee, prevouts } : { fee, prevouts, effectiveFeerate };
  }

  /** The inputs of `tx` whose spent output the view does not know (not a view transaction's, not a recent block's). */
  missingInputs(tx: DecodedTx): number[] {
    return this.prevouts.missing(tx);
  }

  /** An output learned elsewhere (Core's RPC): kept with the recent blocks' outputs. */
  learnOutput(prevTxid: Uint8Array, index: number, output: Output): void {
    this.prevouts.learn(prevTxid, index, output);
  }

  /**
   * A block's transactions, coinbase first: what it confirmed, what conflicted, what we never saw.
   * One pass in block order (a parent before its child): a transaction the view held leaves it; one
   * it did not evicts the view's spenders of its outpoints; then its inputs' recent outputs are
   * spent and its own come: one the view held stays in its slot, kept (TxStore.keep), the others
   * are copied (outputs.ts). (A valid block spends an outpoint once, so whether a conflict is found
   * before or after the held transactions further on leave changes nothing.)
   */
  confirm(txs: readonly DecodedTx[]): Confirmed {
    const s = this.store;
    const confirmed: { index: number; time: number }[] = [];
    const unseen: number[] = [];
    const left: Left[] = [];
    let x = this.warmed; // the lines of the transactions ahead read first (warm.ts)
    for (let i = 0; i < txs.length; i++) {
      if (i % CONFIRM_AHEAD === 0) x = (x + warmBlock(s, this.prevouts.ring, txs, i, this.found)) & 0xffff;
      const tx = txs[i];
      // Found by warmBlock; a conflict's descendants may have left since (their slots are not reused before the block is done).
      let e = this.found[i % CONFIRM_AHEAD];
      if (e !== NONE && !s.live(e)) e = NONE;
      if (e !== NONE) confirmed.push({ index: i, time: s.time[e] });
      else if (i > 0) unseen.push(i);
      if (i === 0) {
        if (e !== NONE) this.remove(e);
        // Its outputs too: spendable once mature (100 blocks: past the ring on mainnet, within it on a quiet regtest or signet).
        this.prevouts.confirmed(tx);
        continue;
      }
      let by: string | undefined;
      for (let k = 0; k < tx.inputs.length; k++) {
        const input = tx.inputs[k];
        // One scan of the outpoint's entries: what it spends, and its own SPENT entry (let go) or another spender.
        s.settle(input.prevTxid, 0, input.prevIndex, e, k);
        this.prevouts.spendSettled(input.prevIndex);
        // The view held it: it was its outpoints' one spender (add() removes conflicts first).
        if (e !== NONE) continue;
        const other = s.table.foundSpent;
        if (other < 0) continue;
        by ??= toReversedHex(tx.txid);
        this.removeTree(other, 'conflict', by, left);
      }
      if (e !== NONE && s.keepsOutputs(e) && s.nOut[e] > 0) {
        this.leave(e);
        s.keep(e, true);
        continue;
      }
      if (e !== NONE) this.remove(e, true);
      else this.gone.forget(tx.txid, 0);
      this.prevouts.confirmed(tx);
    }
    this.warmed = x;
    return { confirmed, unseen, left };
  }

  /**
   * A block left the best chain (a reorg): its transactions but the coinbase come back, in block
   * order, as Core's mempool takes a disconnected block's back (validation.cpp
   * MaybeUpdateMempoolForReorg: earliest block first, so the caller gives the oldest first), after
   * the outputs they spent are unspent again (DisconnectTip). One the view kept for its outputs
   * comes back with its first-seen time and its fee; any other as seen at `time` (Core's entry time
   * for them all). A conflict in the view is replaced, as add() does. Returns how many came back,
   * and what left.
   */
  unconfirm(txs: readonly DecodedTx[], time: number): { returned: number; left: Left[] } {
    const s = this.store;
    const left: Left[] = [];
    let returned = 0;
    // What the block spent is unspent again (Core's DisconnectTip, from its undo data), so that the
    // fee of what comes back, or of what spends those outputs next, is known.
    for (let i = 1; i < txs.length; i++) for (const input of txs[i].inputs) this.prevouts.restore(input.prevTxid, input.prevIndex);
    for (let i = 1; i < txs.length; i++) {
      const tx = txs[i];
      const e = s.find(tx.txid);
      // Held already: relayed again since it was confirmed (and its kept slot let go).
      if (s.live(e)) continue;
      const kept = s.isKept(e);
      const fee = kept ? s.fee[e] : NaN;
      const seen = kept ? s.time[e] : time;
      if (kept) s.remove(e);
      const added = this.add(tx, seen);
      if (added === undefined) continue;
      returned++;
      for (const l of added.left) left.push(l);
      const slot = s.find(tx.txid);
      if (!Number.isNaN(fee)) this.setFee(slot, fee);
    }
    return { returned, left };
  }


}
