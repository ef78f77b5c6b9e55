/**
 * The crawler's view of the mempool: transactions it has seen and no block has confirmed yet.
 * Pure (time is passed in) and bounded: past its capacity the oldest entries go, and entries
 * older than the age limit expire, as Core's own mempool expires them.
 */
export interface MempoolLimits {
  /** Entries kept at most; ~150 bytes each. */
  readonly capacity: number;
  /** DEFAULT_MEMPOOL_EXPIRY_HOURS (kernel/mempool_options.h): 336 h = two weeks. */
  readonly maxAgeMs: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = { capacity: 500_000, maxAgeMs: 336 * 3600 * 1000 };

export interface MempoolStats {
  readonly count: number;
  readonly vsize: number;
  /** Seconds since the oldest entry was seen; 0 when empty. */
  readonly oldestAge: number;
}

interface Entry {
  readonly vsize: number;
  readonly time: number;
}

export class MempoolView {
  /** txid (hex) → entry, in the order seen: the first entry is the oldest. */
  private readonly entries = new Map<string, Entry>();
  private totalVsize = 0;

  constructor(readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  has(txid: string): boolean {
    return this.entries.has(txid);
  }

  add(txid: string, vsize: number, time: number): void {
    if (this.entries.has(txid)) return;
    this.entries.set(txid, { vsize, time });
    this.totalVsize += vsize;
    while (this.entries.size > this.limits.capacity) this.removeOldest();
  }

  /** A block confirmed these: returns how many of them were in the view. */
  confirm(txids: readonly string[]): number {
    let found = 0;
    for (const txid of txids) {
      const e = this.entries.get(txid);
      if (!e) continue;
      found++;
      this.entries.delete(txid);
      this.totalVsize -= e.vsize;
    }
    return found;
  }

  expire(now: number): void {
    for (const [, e] of this.entries) {
      if (now - e.time < this.limits.maxAgeMs) break;
      this.removeOldest();
    }
  }

  stats(now: number): MempoolStats {
    this.expire(now);
    const oldest = this.entries.values().next();
    return {
      count: this.entries.size,
      vsize: this.totalVsize,
      oldestAge: oldest.done ? 0 : Math.max(0, Math.round((now - oldest.value.time) / 1000)),
    };
  }

  private removeOldest(): void {
    const first = this.entries.entries().next();
    if (first.done) return;
    this.entries.delete(first.value[0]);
    this.totalVsize -= first.value[1].vsize;
  }
}
