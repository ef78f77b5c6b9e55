import type { DecodedTx } from '../wire/model.js';
import { toReversedHex } from '../wire/hex.js';
import { KeyMaker } from './keys.js';
import { ConfirmedOutputs, outputAt, packOutputs, type Output, type PackedOutputs } from './outputs.js';
import { ancestorsOf, descendantsOf, signalsInView, type Graph } from './graph.js';

/**
 * The crawler's mempool: every unconfirmed transaction it saw, kept as Core's mempool keeps them.
 * A transaction spending an outpoint another in the view spends replaces it and its descendants
 * (full RBF, Core 28+'s default: validation.cpp MemPoolAccept::PreChecks, mempoolfullrbf); a block
 * removes the transactions it confirms and those that conflict with them, with their descendants
 * (txmempool.cpp CTxMemPool::removeForBlock, removeConflicts); what is two weeks old expires
 * (CTxMemPool::Expire, DEFAULT_MEMPOOL_EXPIRY_HOURS = 336). Pure: time is passed in.
 */
export interface ViewLimits {
  /** Transactions held at most: a mainnet peak is ~300,000. */
  readonly maxTxs: number;
  /** Retained bytes at most, as ViewEntry.bytes estimates them (BENCHMARKS.md measures the estimate). */
  readonly maxBytes: number;
  /** DEFAULT_MEMPOOL_EXPIRY_HOURS (kernel/mempool_options.h): 336 h. */
  readonly maxAgeMs: number;
}

export const VIEW_MAX_TXS = 500_000;
/** Core's DEFAULT_MAX_MEMPOOL_SIZE_MB is 300 MB of its own (larger) entries; ours are ~500 bytes each. */
export const VIEW_MAX_BYTES = 256 * 1024 * 1024;
export const MEMPOOL_EXPIRY_MS = 336 * 3_600_000;
export const DEFAULT_VIEW_LIMITS: ViewLimits = { maxTxs: VIEW_MAX_TXS, maxBytes: VIEW_MAX_BYTES, maxAgeMs: MEMPOOL_EXPIRY_MS };

/** Estimated bytes an entry retains: the object, its txid, keys and map slots (with the maps' slack); per input; per output (plus its scripts' hex). Calibrated by npm run bench:mempool: ~800 bytes each for 2-in 2-out transactions. */
const ENTRY_BYTES = 470;
const INPUT_BYTES = 64;
const OUTPUT_BYTES = 56;

/** BIP 125: an input with nSequence below 0xfffffffe signals replaceability. */
const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;

export interface ViewEntry {
  readonly txid: string;
  readonly key: string;
  /** Outpoint keys of what it spends. */
  readonly spends: readonly string[];
  /** Its outputs; undefined past OUTPUTS_PER_TX_MAX. */
  readonly outputs: PackedOutputs | undefined;
  readonly outCount: number;
  readonly outValue: number;
  readonly vsize: number;
  readonly weight: number;
  /** When first seen (ms). */
  readonly time: number;
  /** BIP 125 signal of its own inputs. */
  readonly signals: boolean;
  /** Satoshis, when every input's value is known. */
  fee: number | undefined;
  readonly bytes: number;
}

export type LeftReason = 'replaced' | 'conflict' | 'expiry' | 'size';

/** A transaction that left the view other than by confirmation. */
export interface Left {
  readonly entry: ViewEntry;
  readonly reason: LeftReason;
  /** The replacing or conflicting confirmed transaction. */
  readonly by?: string;
  readonly byFee?: number;
  /** For a descendant: the transaction whose replacement or conflict took it along. */
  readonly ancestor?: string;
  /** Replaced: it or an unconfirmed ancestor in the view signalled BIP 125. */
  readonly rbfSignaled?: boolean;
}

export interface Added {
  readonly entry: ViewEntry;
  /** What each input spends, when every one is known. */
  readonly prevouts?: readonly Output[];
  /** Ancestor package feerate (sat/vB), for a child whose in-view ancestors' fees are all known. */
  readonly effectiveFeerate?: number;
  /** Replaced (and their descendants), then any the bound evicted. */
  readonly left: readonly Left[];
}

export interface Confirmed {
  readonly confirmed: readonly ViewEntry[];
  /** Indexes in the block of non-coinbase transactions the view did not hold. */
  readonly unseen: readonly number[];
  /** Conflicts with the block, and their descendants. */
  readonly left: readonly Left[];
}

export class MempoolView implements Graph {
  readonly entries = new Map<string, ViewEntry>();
  /** Outpoint key → the view transaction spending it. */
  readonly spentBy = new Map<string, ViewEntry>();
  readonly confirmedOutputs: ConfirmedOutputs;
  private vsizeTotal = 0;
  private bytesTotal = 0;
  private knownCount = 0;
  private knownVsize = 0;

  constructor(
    readonly limits: ViewLimits = DEFAULT_VIEW_LIMITS,
    readonly keys = new KeyMaker(),
    confirmedMax?: number,
  ) {
    this.confirmedOutputs = new ConfirmedOutputs(confirmedMax);
  }

  get size(): number {
    return this.entries.size;
  }
  get vsize(): number {
    return this.vsizeTotal;
  }
  get bytes(): number {
    return this.bytesTotal;
  }
  /** Transactions with a known fee, and their vsize. */
  get known(): { count: number; vsize: number } {
    return { count: this.knownCount, vsize: this.knownVsize };
  }

  get(txid: Uint8Array): ViewEntry | undefined {
    return this.entries.get(this.keys.tx(txid));
  }

  /** A relayed transaction; undefined if the view holds it already. */
  add(tx: DecodedTx, time: number): Added | undefined {
    const key = this.keys.tx(tx.txid);
    if (this.entries.has(key)) return undefined;
    const n = tx.inputs.length;
    const spends = new Array<string>(n);
    const prevouts: Output[] = [];
    let inValue = 0;
    let viewParent = false;
    let allKnown = true;
    let signals = false;
    const conflicts: ViewEntry[] = [];
    for (let i = 0; i < n; i++) {
      const input = tx.inputs[i];
      if (input.sequence <= MAX_BIP125_RBF_SEQUENCE) signals = true;
      const parentKey = this.keys.tx(input.prevTxid);
      const k = KeyMaker.outpoint(parentKey, input.prevIndex);
      spends[i] = k;
      const parent = this.entries.get(parentKey);
      if (parent !== undefined) viewParent = true;
      const o = allKnown ? (outputAt(parent?.outputs, input.prevIndex) ?? this.confirmedOutputs.get(k)) : undefined;
      if (o === undefined) allKnown = false;
      else {
        prevouts.push(o);
        inValue += o.value;
      }
      const other = this.spentBy.get(k);
      if (other !== undefined && !conflicts.includes(other)) conflicts.push(other);
    }
    const outputs = packOutputs(tx.outputs);
    let outValue = 0;
    for (const o of tx.outputs) outValue += Number(o.value);
    const fee = allKnown && n > 0 && inValue >= outValue ? inValue - outValue : undefined;
    const bytes = ENTRY_BYTES + n * INPUT_BYTES + (outputs ? tx.outputs.length * OUTPUT_BYTES + outputs.scripts.length : 0);
    const entry: ViewEntry = { txid: toReversedHex(tx.txid), key, spends, outputs, outCount: tx.outputs.length, outValue, vsize: tx.vsize, weight: tx.weight, time, signals, fee, bytes };
    const left: Left[] = [];
    for (const c of conflicts) {
      if (this.entries.get(c.key) !== c) continue;
      const tree = descendantsOf(this, c);
      const signaled = tree.map((e) => signalsInView(this, e));
      tree.forEach((e, i) => {
        this.remove(e);
        left.push({ entry: e, reason: 'replaced', by: entry.txid, byFee: fee, rbfSignaled: signaled[i], ancestor: i === 0 ? undefined : c.txid });
      });
    }
    this.insert(entry);
    // A child seen before this parent: its fee is known now (its line went out without it).
    for (let i = 0; i < entry.outCount && outputs; i++) {
      const child = this.spentBy.get(KeyMaker.outpoint(key, i));
      if (child !== undefined && child.fee === undefined) this.resolve(child);
    }
    while (this.entries.size > this.limits.maxTxs || this.bytesTotal > this.limits.maxBytes) {
      const oldest = this.entries.values().next().value as ViewEntry;
      left.push(...this.removeTree(oldest, 'size'));
    }
    const result: { entry: ViewEntry; left: Left[]; prevouts?: Output[]; effectiveFeerate?: number } = { entry, left };
    if (fee !== undefined) {
      result.prevouts = prevouts;
      const anc = viewParent ? ancestorsOf(this, entry) : [];
      if (anc !== undefined && anc.length > 0 && anc.every((a) => a.fee !== undefined)) {
        result.effectiveFeerate = anc.reduce((s, a) => s + (a.fee ?? 0), fee) / anc.reduce((s, a) => s + a.vsize, entry.vsize);
      }
    }
    return result;
  }

  /** A block's transactions, coinbase first: what it confirmed, what conflicted, what we never saw. */
  confirm(txs: readonly DecodedTx[]): Confirmed {
    const confirmed: ViewEntry[] = [];
    const unseen: number[] = [];
    const left: Left[] = [];
    const keys = txs.map((t) => this.keys.tx(t.txid));
    const held: (ViewEntry | undefined)[] = keys.map((k) => this.entries.get(k));
    for (let i = 0; i < txs.length; i++) {
      const e = held[i];
      if (e !== undefined) {
        this.remove(e);
        confirmed.push(e);
      } else if (i > 0) unseen.push(i);
    }
    for (let i = 1; i < txs.length; i++) {
      const tx = txs[i];
      let by: string | undefined;
      for (const input of tx.inputs) {
        const k = KeyMaker.outpoint(this.keys.tx(input.prevTxid), input.prevIndex);
        this.confirmedOutputs.spent(k);
        const other = this.spentBy.get(k);
        if (other === undefined) continue;
        by ??= toReversedHex(tx.txid);
        left.push(...this.removeTree(other, 'conflict', by));
      }
      const outputs = held[i]?.outputs ?? packOutputs(tx.outputs);
      for (let j = 0; outputs && j < outputs.values.length; j++) {
        const o = outputAt(outputs, j);
        if (o) this.confirmedOutputs.add(KeyMaker.outpoint(keys[i], j), o);
      }
    }
    return { confirmed, unseen, left };
  }

  /** Removes what is older than the age limit, with its descendants (Core's CTxMemPool::Expire). */
  expire(now: number): Left[] {
    const left: Left[] = [];
    for (const e of this.entries.values()) {
      if (now - e.time < this.limits.maxAgeMs) break;
      left.push(...this.removeTree(e, 'expiry'));
    }
    return left;
  }

  /** Seconds since the oldest entry was seen; 0 when empty. */
  oldestAge(now: number): number {
    const oldest = this.entries.values().next();
    return oldest.done ? 0 : Math.max(0, Math.round((now - oldest.value.time) / 1000));
  }

  private removeTree(root: ViewEntry, reason: LeftReason, by?: string): Left[] {
    const tree = descendantsOf(this, root);
    const left: Left[] = [];
    tree.forEach((e, i) => {
      this.remove(e);
      left.push(i === 0 ? { entry: e, reason, by } : { entry: e, reason, by, ancestor: root.txid });
    });
    return left;
  }

  private insert(e: ViewEntry): void {
    this.entries.set(e.key, e);
    for (const k of e.spends) this.spentBy.set(k, e);
    this.vsizeTotal += e.vsize;
    this.bytesTotal += e.bytes;
    if (e.fee !== undefined) {
      this.knownCount++;
      this.knownVsize += e.vsize;
    }
  }

  private remove(e: ViewEntry): void {
    if (this.entries.get(e.key) !== e) return;
    this.entries.delete(e.key);
    for (const k of e.spends) if (this.spentBy.get(k) === e) this.spentBy.delete(k);
    this.vsizeTotal -= e.vsize;
    this.bytesTotal -= e.bytes;
    if (e.fee !== undefined) {
      this.knownCount--;
      this.knownVsize -= e.vsize;
    }
  }

  /** A held entry's fee, once every output it spends is known. */
  private resolve(e: ViewEntry): void {
    let inValue = 0;
    for (const k of e.spends) {
      const index = k.charCodeAt(4) | (k.charCodeAt(5) << 16);
      const o = outputAt(this.entries.get(KeyMaker.txOf(k))?.outputs, index) ?? this.confirmedOutputs.get(k);
      if (o === undefined) return;
      inValue += o.value;
    }
    if (e.spends.length === 0 || inValue < e.outValue) return;
    this.setFee(e, inValue - e.outValue);
  }

  /** A held entry's fee, learned after it arrived. */
  setFee(e: ViewEntry, fee: number): void {
    if (e.fee !== undefined || this.entries.get(e.key) !== e) return;
    e.fee = fee;
    this.knownCount++;
    this.knownVsize += e.vsize;
  }
}
