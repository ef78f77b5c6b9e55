import { randomInt } from 'node:crypto';
import { Prevouts } from './prevouts.js';
import { DEFAULT_VIEW_LIMITS, VIEW_MAX_TXS, type EntryInfo, type Left, type LeftReason, type ViewLimits } from './types.js';
import { descendantsOf } from './graph.js';
import { NONE, TxStore } from './store.js';
import { GoneTxids } from './gone.js';

/**
 * What the mempool view holds and how a transaction leaves it (view.ts is how transactions and
 * blocks come): the store, where inputs' outputs are known, the totals, the txids that left; the
 * queries of the lines; removal with descendants, expiry, a fee once known.
 */
export class ViewState {
  readonly store: TxStore;
  /** Where inputs' outputs are known. */
  readonly prevouts: Prevouts;
  protected vsizeTotal = 0;
  protected bytesTotal = 0;
  private knownCount = 0;
  private knownVsize = 0;
  /** What left the view other than by a block: a late child of one is an orphan (gone.ts). */
  readonly gone = new GoneTxids();

  /** `offset`: which 4 bytes of a txid its table hashes, drawn per process (as TxidHistory does) unless given. */
  constructor(
    readonly limits: ViewLimits = DEFAULT_VIEW_LIMITS,
    offset: number = randomInt(0, 29),
    confirmedMax?: number,
  ) {
    // The slots for the bound at once (limits.maxTxs, and one more: add() evicts once past it).
    this.store = new TxStore(offset, Math.min(limits.maxTxs, VIEW_MAX_TXS) + 1, confirmedMax);
    this.prevouts = new Prevouts(this.store, confirmedMax);
  }

  get size(): number {
    return this.store.count;
  }
  get vsize(): number {
    return this.vsizeTotal;
  }
  /** The bound's estimate of what the transactions retain. */
  get bytes(): number {
    return this.bytesTotal;
  }
  /** Transactions with a known fee, and their vsize. */
  get known(): { count: number; vsize: number } {
    return { count: this.knownCount, vsize: this.knownVsize };
  }

  /** The held transactions, oldest first. */
  *entries(): Generator<EntryInfo> {
    for (let e = this.store.head; e !== NONE; e = this.store.next[e]) if (this.store.live(e)) yield this.info(e);
  }

  info(slot: number): EntryInfo {
    const s = this.store;
    const fee = s.fee[slot];
    return { txid: s.txidHex(slot), fee: Number.isNaN(fee) ? undefined : fee, time: s.time[slot], vsize: s.vsize[slot], inputs: s.nIn[slot] };
  }

  get(txid: Uint8Array): EntryInfo | undefined {
    const slot = this.store.find(txid);
    return this.store.live(slot) ? this.info(slot) : undefined;
  }

  /** Removes what is older than the age limit, with its descendants (Core's CTxMemPool::Expire); kept ones that old go too. */
  expire(now: number): Left[] {
    const s = this.store;
    const left: Left[] = [];
    while (s.head !== NONE && now - s.time[s.head] >= this.limits.maxAgeMs) {
      if (s.isKept(s.head)) s.remove(s.head);
      else this.removeTree(s.head, 'expiry', undefined, left);
    }
    return left;
  }

  /** Seconds since the oldest entry was seen; 0 when empty. Past the kept ones at the front (linear in them: a stats line's). */
  oldestAge(now: number): number {
    const s = this.store;
    let h = s.head;
    while (h !== NONE && !s.live(h)) h = s.next[h];
    return h === NONE ? 0 : Math.max(0, Math.round((now - s.time[h]) / 1000));
  }

  /**
   * Removes `root` and its descendants, appending a Left each to `left` (one by one: a peer's
   * made-up chain of 150,000 spread into push() exceeded the call stack's arguments).
   */
  protected removeTree(root: number, reason: LeftReason, by: string | undefined, left: Left[]): void {
    const tree = descendantsOf(this.store, root);
    const rootTxid = this.store.txidHex(root);
    tree.forEach((e, i) => {
      const entry = this.info(e);
      // Past our own bound, Core may well hold it still: its children are not orphans.
      if (reason !== 'size') this.gone.add(this.store.txid, e * 32);
      this.remove(e);
      left.push(i === 0 ? { entry, reason, by } : { entry, reason, by, ancestor: rootTxid });
    });
  }

  /** `unspent`: its SPENT entries have gone (TxStore.settle). */
  protected remove(e: number, unspent = false): void {
    if (!this.store.live(e)) return;
    this.leave(e);
    this.store.remove(e, unspent);
  }

  /** The view's totals without the transaction in `e`. */
  protected leave(e: number): void {
    const s = this.store;
    this.vsizeTotal -= s.vsize[e];
    this.bytesTotal -= s.bytes(e);
    if (!Number.isNaN(s.fee[e])) {
      this.knownCount--;
      this.knownVsize -= s.vsize[e];
    }
  }

  /** A held entry's fee, once every output it spends is known. */
  protected resolve(e: number): void {
    const s = this.store;
    const n = s.nIn[e];
    let inValue = 0;
    for (let i = 0; i < n; i++) {
      const [b, at] = s.inputTxidAt(e, i);
      const v = this.prevouts.valueOf(b, at, s.inputVout(e, i));
      if (v === undefined) return;
      inValue += v;
    }
    if (n === 0 || inValue < s.outValue[e]) return;
    this.setFee(e, inValue - s.outValue[e]);
  }

  protected setFee(e: number, fee: number): void {
    const s = this.store;
    if (!Number.isNaN(s.fee[e]) || !s.live(e)) return;
    s.fee[e] = fee;
    this.knownCount++;
    this.knownVsize += s.vsize[e];
  }}
