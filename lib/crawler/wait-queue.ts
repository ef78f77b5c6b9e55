/** A node of a WaitQueue: kept by whoever may need to take its value out of the middle. */
export interface WaitNode<T> {
  readonly value: T;
  prev: WaitNode<T> | undefined;
  next: WaitNode<T> | undefined;
}

/**
 * A FIFO that also takes a value out of the middle, each in O(1): a doubly linked list whose
 * nodes the caller keeps. An array's shift() copies what follows once the array is large, and
 * a queue that keeps stale values to skip later grows with what a peer sends (issue 19: 394,000
 * stale entries after a 15 s flood, then a minute of shift()s).
 */
export class WaitQueue<T> {
  private head: WaitNode<T> | undefined;
  private tail: WaitNode<T> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get first(): T | undefined {
    return this.head?.value;
  }

  /** Every value, first to last: O(size), for tests. */
  values(): T[] {
    const out: T[] = [];
    for (let n = this.head; n !== undefined; n = n.next) out.push(n.value);
    return out;
  }

  push(value: T): WaitNode<T> {
    const node: WaitNode<T> = { value, prev: this.tail, next: undefined };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.count++;
    return node;
  }

  unshift(value: T): WaitNode<T> {
    const node: WaitNode<T> = { value, prev: undefined, next: this.head };
    if (this.head) this.head.prev = node;
    else this.tail = node;
    this.head = node;
    this.count++;
    return node;
  }

  /** `node` must be one of this queue's, not yet removed. */
  remove(node: WaitNode<T>): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = undefined;
    this.count--;
  }
}
