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
/**
 * What one entry costs beside its serialized bytes: the key string (16 UTF-16 units), the map
 * entry, the typed array and its ArrayBuffer. Measured (spec/crawler/tx-store-memory.spec.ts):
 * retained memory stays within 1.25× MAX_TX_STORE_BYTES with this figure.
 */
export const TX_STORE_ENTRY_OVERHEAD_BYTES = 500;
/** Bytes of the wtxid at the start of an entry. */
const WTXID_BYTES = 32;

/** One stored transaction: its wtxid (internal byte order) then its serialization (with witness), in one array. */
export type StoredTx = Uint8Array;

/** The wtxid of a stored entry (a view). */
export function storedWtxid(e: StoredTx): Uint8Array {
  return e.subarray(0, WTXID_BYTES);
}

/** The serialized transaction of a stored entry (a view). */
export function storedRaw(e: StoredTx): Uint8Array {
  return e.subarray(WTXID_BYTES);
}

/**
 * Transactions by wtxid, bounded in bytes, in arrival order. Only the serialized bytes are kept,
 * with the wtxid, in one array (a decoded transaction costs several times its size in objects);
 * the few that a block uses are decoded again when it is rebuilt.
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
    const entry = new Uint8Array(WTXID_BYTES + tx.raw.length);
    entry.set(tx.wtxid);
    entry.set(tx.raw, WTXID_BYTES);
    this.txs.set(key, entry);
    this.used += cost(entry);
    if (this.used <= this.maxBytes) return;
    for (const [k, old] of this.txs) {
      this.txs.delete(k);
      this.used -= cost(old);
      if (this.used <= this.maxBytes) break;
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
  return e.length - WTXID_BYTES + TX_STORE_ENTRY_OVERHEAD_BYTES;
}
