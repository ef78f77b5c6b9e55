import type { Output } from './outputs.js';

/** The mempool view's bounds, and what it says of its transactions (lib/mempool/view.ts). */
export interface ViewLimits {
  /** Transactions held at most: a mainnet peak is ~300,000. */
  readonly maxTxs: number;
  /** Retained bytes at most, as the store estimates them (slab.ts bytes(); BENCHMARKS.md measures the estimate). */
  readonly maxBytes: number;
  /** DEFAULT_MEMPOOL_EXPIRY_HOURS (kernel/mempool_options.h): 336 h. */
  readonly maxAgeMs: number;
}

export const VIEW_MAX_TXS = 500_000;
/** Core's DEFAULT_MAX_MEMPOOL_SIZE_MB is 300 MB of its own (larger) entries; ours are ~400 bytes each for 2-in 2-out transactions (BENCHMARKS.md), so VIEW_MAX_TXS binds first for those. */
export const VIEW_MAX_BYTES = 256 * 1024 * 1024;
export const MEMPOOL_EXPIRY_MS = 336 * 3_600_000;
/** BIP 431 (policy/truc_policy.h TRUC_VERSION): a version 3 transaction's unconfirmed parent or child is one at most. */
export const TRUC_VERSION = 3;
export const DEFAULT_VIEW_LIMITS: ViewLimits = { maxTxs: VIEW_MAX_TXS, maxBytes: VIEW_MAX_BYTES, maxAgeMs: MEMPOOL_EXPIRY_MS };

/** What the lines say of a view transaction (made when it leaves, or asked for). */
export interface EntryInfo {
  readonly txid: string;
  /** Satoshis, when every input's value is known. */
  readonly fee: number | undefined;
  /** When first seen (ms). */
  readonly time: number;
  readonly vsize: number;
  readonly inputs: number;
}

export type LeftReason = 'replaced' | 'conflict' | 'expiry' | 'size';

/** A transaction that left the view other than by confirmation. */
export interface Left {
  readonly entry: EntryInfo;
  readonly reason: LeftReason;
  /** The replacing or conflicting confirmed transaction. */
  readonly by?: string;
  readonly byFee?: number;
  /** For a descendant: the transaction whose replacement or conflict took it along. */
  readonly ancestor?: string;
  /** Replaced: it or an unconfirmed ancestor in the view signalled BIP 125. */
  readonly rbfSignaled?: boolean;
}

/** What a tx line says of its fee once every input is known. */
export interface KnownFee {
  readonly fee: number;
  /** What each input spends. */
  readonly prevouts: readonly Output[];
  /** Ancestor package feerate (sat/vB), for a child whose in-view ancestors' fees are all known. */
  readonly effectiveFeerate?: number;
}

export interface Added {
  /** Its fee, when every input is known. */
  readonly known?: KnownFee;
  /** Replaced (and their descendants), then any the bound evicted. */
  readonly left: readonly Left[];
}

export interface Confirmed {
  /** The block's transactions the view held: their index in the block and when first seen (ms). */
  readonly confirmed: readonly { readonly index: number; readonly time: number }[];
  /** Indexes in the block of non-coinbase transactions the view did not hold. */
  readonly unseen: readonly number[];
  /** Conflicts with the block, and their descendants. */
  readonly left: readonly Left[];
}

/** add()'s result for the common arrival (no conflict, no eviction, fee unknown): shared, so that nothing is allocated for it. */
export const NOTHING_LEFT: readonly Left[] = Object.freeze([]);
export const NOTHING_ADDED: Added = Object.freeze({ left: NOTHING_LEFT });
