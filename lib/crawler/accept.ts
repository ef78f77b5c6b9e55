import type { Inventory } from './inventory.js';
import type { GetdataOutbox } from './outbox.js';

/**
 * Whether a delivered tx or block counts: only what we asked for, that is pending, asked of some
 * peer, and its getdata sent (not waiting in the outbox while our output is blocked). An item
 * pushed before we asked, announced or not, is ignored like any unsolicited one, and is fetched
 * when its turn comes: while stdout was blocked, a peer that announced and then pushed its
 * transactions had them all printed into an unbounded output buffer (issue 19).
 */
export function askedFor(inventory: Inventory, outbox: GetdataOutbox, ids: readonly Uint8Array[]): boolean {
  return ids.some((h) => inventory.isRequested(h) && !outbox.holds(h));
}
