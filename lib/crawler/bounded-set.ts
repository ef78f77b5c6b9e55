/**
 * Drops the oldest entries past `capacity`, a sixteenth of it at once: a Map keeps deleted entries
 * as holes until it rehashes, so finding the oldest after each single delete costs a walk over
 * every hole (measured: 27 µs an address at 200,000 learned, against 3 µs in batches).
 */
export function evictOldest<K>(m: Map<K, unknown> | Set<K>, capacity: number): void {
  let excess = m.size - capacity + (capacity >> 4);
  for (const k of m.keys()) {
    if (excess-- <= 0) break;
    m.delete(k);
  }
}

/** A set that forgets its oldest entries past a capacity (a sixteenth at once, see evictOldest), so memory stays bounded. */
export class BoundedSet<T> {
  private readonly items = new Set<T>();
  constructor(readonly capacity: number) {}

  has(v: T): boolean {
    return this.items.has(v);
  }

  add(v: T): void {
    if (this.items.has(v)) return;
    this.items.add(v);
    if (this.items.size > this.capacity) evictOldest(this.items, this.capacity);
  }

  get size(): number {
    return this.items.size;
  }
}
