/**
 * Announcers remembered per pending item as ready fallbacks, in announcement order with the id
 * kind each used (and a peer-side record each: its in-flight window and its announcement cap).
 * Every further announcer is only a bit in the item's `others` bitmap, by peer slot: counted,
 * deduplicated and still a fallback, at one bit each, where a Map entry here and a Set entry at the
 * peer cost ~100 bytes (840 pending txs × 10,000 announcers held ~800 MB; BENCHMARKS.md). Core's
 * TxRequestTracker (src/txrequest.cpp) keeps every announcement, bounded per peer by
 * MAX_PEER_TX_ANNOUNCEMENTS (net_processing.cpp); so do we in effect, through the bitmap. 64: a
 * fallback is needed only after a peer failed (notfound, the 60 s GETDATA_TX_INTERVAL, a drop),
 * so 64 ready ones cover an hour of timeouts before the bitmap is read; it also bounds the work of
 * one delivery (one release per remembered announcer, where a tx 10,000 peers announced cost
 * 10,000) and the memory per item (64 × ~100 bytes + peers / 8 bytes).
 */
export const MAX_FALLBACK_ANNOUNCERS = 64;

/** Limits of the inventory, with the Bitcoin Core figure each follows (net_processing.cpp). */
export interface InventoryLimits {
  /** MAX_PEER_TX_REQUEST_IN_FLIGHT: transactions asked of one peer at once. */
  readonly maxTxInFlightPerPeer: number;
  /** MAX_BLOCKS_IN_TRANSIT_PER_PEER. */
  readonly maxBlocksInFlightPerPeer: number;
  /** MAX_PEER_TX_ANNOUNCEMENTS: announcements remembered per peer; more are ignored. */
  readonly maxAnnouncementsPerPeer: number;
  /** GETDATA_TX_INTERVAL: time a peer has to deliver before the next announcer is asked. */
  readonly requestTimeoutMs: number;
  /** Ids remembered as already delivered, so an item is fetched and printed once. */
  readonly seenCapacity: number;
  /** MAX_FALLBACK_ANNOUNCERS (ours, not Core's): announcers remembered per pending item. */
  readonly maxFallbackAnnouncers: number;
}

export const DEFAULT_INVENTORY_LIMITS: InventoryLimits = {
  maxTxInFlightPerPeer: 100,
  maxBlocksInFlightPerPeer: 16,
  maxAnnouncementsPerPeer: 5_000,
  requestTimeoutMs: 60_000,
  // Two ids per transaction (txid and wtxid); 500,000 ids ≈ a full mainnet mempool, ~34 MB as
  // hashKey strings (measured; ~51 MB as hex).
  seenCapacity: 500_000,
  maxFallbackAnnouncers: MAX_FALLBACK_ANNOUNCERS,
};
