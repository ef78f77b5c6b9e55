/** A set that forgets its oldest entries past a capacity, so memory stays bounded. */
export class BoundedSet<T> {
  private readonly items = new Set<T>();
  constructor(readonly capacity: number) {}

  has(v: T): boolean {
    return this.items.has(v);
  }

  add(v: T): void {
    if (this.items.has(v)) return;
    this.items.add(v);
    if (this.items.size > this.capacity) this.items.delete(this.items.values().next().value as T);
  }

  get size(): number {
    return this.items.size;
  }
}
