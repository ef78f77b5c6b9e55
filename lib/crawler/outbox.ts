import { asapScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { InvItem } from '../wire/messages.js';
import { hashKey } from '../wire/hex.js';
import type { PeerId, Request } from './inventory.js';

/** MAX_GETDATA_SZ (net_processing.cpp): items per getdata, as Core sends them. */
export const MAX_GETDATA_ITEMS = 1_000;

/**
 * The getdata outbox. Requests are gathered per peer and sent once the current burst of messages
 * (one socket chunk holds many) has been routed: one getdata per burst, not one per delivered tx.
 * While held (our stdout is blocked) nothing goes out, so no peer sends us what we could not print;
 * at most the inventory's in-flight window per peer waits here.
 */
export class GetdataOutbox {
  private readonly queued = new Map<PeerId, InvItem[]>();
  /** The hash of every item queued (as hashKey): a delivery of one of them was not asked for yet. */
  private readonly keys = new Set<string>();
  private pending: Subscription | undefined;
  private held = false;

  constructor(
    /** Sends one getdata; the caller makes a failure that peer's error. */
    private readonly sendTo: (peer: PeerId, items: InvItem[]) => void,
    private readonly scheduler: SchedulerLike = asapScheduler,
  ) {}

  /** Items waiting to go out, over all peers. */
  get size(): number {
    let n = 0;
    for (const items of this.queued.values()) n += items.length;
    return n;
  }

  add(requests: readonly Request[]): void {
    if (requests.length === 0) return;
    for (const r of requests) {
      for (const item of r.items) this.keys.add(hashKey(item.hash));
      const items = this.queued.get(r.peer);
      // One by one: a getdata's 50,000 items spread into push() would take 400 KB of the call stack.
      if (items) for (const item of r.items) items.push(item);
      else this.queued.set(r.peer, [...r.items]);
    }
    this.schedule();
  }

  /** Stop sending (our output is blocked). */
  hold(): void {
    this.held = true;
  }

  /** Send again, starting with what waited. */
  release(): void {
    this.held = false;
    this.schedule();
  }

  /** Its getdata waits here, not sent: the peer has not been asked for it (yet). */
  holds(hash: Uint8Array): boolean {
    return this.keys.size > 0 && this.keys.has(hashKey(hash));
  }

  /** A peer went away: what waited for it is the inventory's to hand on, not ours to send. */
  forget(peer: PeerId): void {
    for (const item of this.queued.get(peer) ?? []) this.keys.delete(hashKey(item.hash));
    this.queued.delete(peer);
  }

  close(): void {
    this.pending?.unsubscribe();
    this.queued.clear();
    this.keys.clear();
  }

  private schedule(): void {
    if (this.held || this.queued.size === 0) return;
    this.pending ??= this.scheduler.schedule(() => this.flush());
  }

  private flush(): void {
    this.pending = undefined;
    if (this.held) return;
    for (const [peer, items] of this.queued) {
      this.queued.delete(peer);
      for (const item of items) this.keys.delete(hashKey(item.hash));
      for (let i = 0; i < items.length; i += MAX_GETDATA_ITEMS) this.sendTo(peer, items.slice(i, i + MAX_GETDATA_ITEMS));
    }
  }
}
