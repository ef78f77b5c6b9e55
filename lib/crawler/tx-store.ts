import { hashKey } from '../wire/hex.js';
import type { DecodedTx } from '../wire/model.js';

/**
 * The recent transactions a compact block is rebuilt from: Core looks each short id up in its
 * mempool and in vExtraTxnForCompact (net_processing.cpp, `-blockreconstructionextratxn`,
 * DEFAULT_BLOCK_RECONSTRUCTION_EXTRA_TXN = 100); a crawler has no mempool of its own, so it keeps
 * what its peers delivered, up to MAX_TX_STORE_BYTES, the oldest leaving first. 64 MiB: a fifth
 * of Core's default `-maxmempool` (300 MB of its in-memory usage, which is ~3× the serialized
 * size), so ~ 20 MB of serialized transactions, hours of mainnet traffic: far more than sits
 * unconfirmed between two blocks.
 */
export const MAX_TX_STORE_BYTES = 64 * 1024 * 1024;
/** What one entry costs beside its bytes: the key string, the map entry, the wtxid (measured order of magnitude). */
export const TX_STORE_ENTRY_OVERHEAD_BYTES = 200;

/** One stored transaction: its wtxid (internal byte order) and its serialization (with witness). */
export interface StoredTx {
  readonly wtxid: Uint8Array;
  readonly raw: Uint8Array;
}

/**
 * Transactions by wtxid, bounded in bytes, in arrival order. Only the serialized bytes are kept
 * (a decoded transaction costs several times its size in objects); the few that a block uses are
 * decoded again when it is rebuilt.
 */
export class TxStore {
  private readonly txs = new Map<string, StoredTx>();
  private used = 0;

  constructor(private readonly maxBytes = MAX_TX_STORE_BYTES) {}

  get size(): number {
    return this.txs.size;
  }

  get bytes(): number {
    return this.used;
  }

  add(tx: DecodedTx): void {
    const key = hashKey(tx.wtxid);
    if (this.txs.has(key)) return;
    // A copy: the decoded tx's bytes may be a view into a larger message (a block, a blocktxn).
    const entry = { wtxid: tx.wtxid.slice(), raw: tx.raw.slice() };
    this.txs.set(key, entry);
    this.used += cost(entry);
    for (const [k, old] of this.txs) {
      if (this.used <= this.maxBytes) break;
      this.txs.delete(k);
      this.used -= cost(old);
    }
  }

  /** A block's transactions are confirmed: they will not be in the next one. */
  remove(wtxids: readonly Uint8Array[]): void {
    for (const w of wtxids) {
      const key = hashKey(w);
      const old = this.txs.get(key);
      if (old === undefined) continue;
      this.txs.delete(key);
      this.used -= cost(old);
    }
  }

  values(): IterableIterator<StoredTx> {
    return this.txs.values();
  }
}

function cost(e: StoredTx): number {
  return e.raw.length + TX_STORE_ENTRY_OVERHEAD_BYTES;
}
