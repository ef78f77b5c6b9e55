/**
 * The next block's template (template.ts) pops its candidates from this heap: a max-heap of
 * (score, candidate) pairs in typed arrays made for `capacity` pairs: a higher score
 * first, and of equal scores the lower `key`, then the one `before` says (for equal keys), so the
 * template does not depend on how the heap was built. Stale pairs are skipped by the reader.
 */
export class ScoreHeap {
  private readonly score: Float64Array;
  private readonly item: Int32Array;
  size = 0;

  constructor(
    capacity: number,
    /** Per candidate: what orders equal scores first (a txid's first 4 bytes: no read of the txid itself, at a random slot, for most ties). */
    private readonly key: Uint32Array,
    /** Of two candidates of equal score and key, whether `a` goes first. */
    private readonly before: (a: number, b: number) => boolean,
  ) {
    this.score = new Float64Array(capacity);
    this.item = new Int32Array(capacity);
  }

  /** Whether the pair at `i` goes above the pair (score, item). */
  private above(i: number, score: number, item: number): boolean {
    if (this.score[i] !== score) return this.score[i] > score;
    const a = this.item[i];
    if (a === item) return false;
    return this.key[a] !== this.key[item] ? this.key[a] < this.key[item] : this.before(a, item);
  }

  /** Adds a pair without ordering; order() them all once after. */
  append(score: number, item: number): void {
    this.score[this.size] = score;
    this.item[this.size++] = item;
  }

  /** Orders the appended pairs (bottom-up, linear). */
  order(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.sift(i, this.score[i], this.item[i]);
  }

  push(score: number, item: number): void {
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.above(p, score, item)) break;
      this.score[i] = this.score[p];
      this.item[i] = this.item[p];
      i = p;
    }
    this.score[i] = score;
    this.item[i] = item;
  }

  topScore(): number {
    return this.score[0];
  }

  /** The top pair's item, removed (topScore() first for its score). */
  pop(): number {
    const top = this.item[0];
    const n = --this.size;
    if (n > 0) this.sift(0, this.score[n], this.item[n]);
    return top;
  }

  /** Places (score, item) at `i` or below, moving the higher child up each step. */
  private sift(i: number, score: number, item: number): void {
    const n = this.size;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.above(c + 1, this.score[c], this.item[c])) c++;
      if (!this.above(c, score, item)) break;
      this.score[i] = this.score[c];
      this.item[i] = this.item[c];
      i = c;
    }
    this.score[i] = score;
    this.item[i] = item;
  }
}
