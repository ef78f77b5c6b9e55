/**
 * One open-addressing table (linear probing, backward-shift deletion) for all the view looks up by
 * txid, so that what an add or a confirmation probes for one txid sits in one cache line:
 * - TX: a view transaction (txid → its slot);
 * - SPENT: an outpoint a view transaction spends ((txid, vout) → the spender's slot and input);
 * - CONF: a recent block's output ((txid, vout) → its position in the ring, outputs.ts).
 * An entry's key is its txid's 32-bit hash mixed with its group, vout >>> GROUP_BITS (a TX is in
 * group 0), and its home follows from the key: a transaction, the spenders of its first 8 outputs
 * and those outputs once confirmed share one home. A parent lookup, the conflict check of an input
 * and the recent-output lookup of it are one line, not three tables' three (the tables of 6 to 25
 * MB made each a cache and TLB miss, BENCHMARKS.md). A group holds at most 17 entries of one txid,
 * so a transaction with thousands of outputs spreads over its groups' homes and every probe stays
 * short.
 *
 * The hash is 32 bits of the txid at an offset drawn per process (a peer cannot aim at a home);
 * an entry whose hash, kind and vout match is checked against the whole txid by its owner (`Keys`),
 * where the txid is kept: a peer's made-up txid equal in the hashed bytes is told apart.
 */
export const TX = 1;
export const SPENT = 2;
export const CONF = 3;
/** Outputs of a txid whose entries share a home: 2^GROUP_BITS. */
export const GROUP_BITS = 3;

/** Who keeps the txids: does the entry (kind, payload, aux) name output `vout` of the txid at `q[at..at+32]` (the txid, for a TX). */
export interface Keys {
  same(kind: number, payload: number, aux: number, q: Uint8Array, at: number, vout: number): boolean;
}

/**
 * Int32s an entry takes: [key, kind << 30 | (vout & 7) << 27 | aux, payload], 12 bytes. The key is
 * the hash ^ a mix of the group, so the home of any entry follows from its first word (a move
 * needs it); the vout's low bits and the kind tell apart a txid's entries in one group before its
 * owner is asked.
 */
const W = 3;
/** A free table slot: its second word is 0 (an entry's kind is at least 1). */
const EMPTY = 0;
const MIN_SLOTS = 1024;
/** An input's index in its transaction: below 2^27 (a 4,000,000-byte message holds ~100,000 inputs at most). */
const AUX_MASK = (1 << 27) - 1;
const TAG_SHIFT = 27;
const NOBODY: Keys = { same: () => false };

/** The 32 bits at `at` of a txid (internal byte order). */
const hash32 = (b: Uint8Array, at: number): number => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);

export class TxidTable {
  private e = new Int32Array(MIN_SLOTS * W);
  private mask = MIN_SLOTS - 1;
  private shift = 32 - Math.log2(MIN_SLOTS);
  private slots = MIN_SLOTS;
  /** Entries of each kind (index TX, SPENT, CONF). */
  private readonly counts = [0, 0, 0, 0];
  size = 0;
  /** Keeps the txids of TX and SPENT entries (the store), and of CONF entries (the ring). */
  txs: Keys = NOBODY;
  outputs: Keys = NOBODY;
  /** What lookup() found (payloads, -1 for none). */
  foundTx = -1;
  foundSpent = -1;
  foundConf = -1;
  /** What settle() found: the table index of the SPENT entry it was asked to find, -1 if none. */
  foundSpentAt = -1;
  /** What findTx() saw when it found none: an entry spending one of the txid's first 8 outputs. */
  spenders = false;

  /** `offset`: which 4 bytes of a txid (0..28) are its hash. */
  constructor(readonly offset: number) {}

  /** The hash of the txid at `b[at..at+32]`. */
  hash(b: Uint8Array, at = 0): number {
    return hash32(b, at + this.offset);
  }

  count(kind: number): number {
    return this.counts[kind];
  }

  /** Bytes the table holds. */
  get bytes(): number {
    return this.slots * W * 4;
  }

  /** The key of the entries of output `vout` of a txid hashed `h` (of the txid itself for vout 0). */
  private key(h: number, vout: number): number {
    return h ^ Math.imul(vout >>> GROUP_BITS, 0x85ebca6b);
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** Where in the entries a probe for (h, vout) starts: what touchAll() reads (warm.ts). */
  homeIndex(h: number, vout: number): number {
    return this.home(this.key(h, vout)) * W;
  }

  /**
   * Reads the entries at `idx[0..n)` (homeIndex()es), in a loop of a few instructions a read, and
   * returns a bit of what it read (a small integer: no number is boxed). The reads do not wait on
   * one another and the loop is short, so all their misses are in flight at once (warm.ts).
   */
  touchAll(idx: Int32Array, n: number): number {
    const e = this.e;
    let x = 0;
    for (let k = 0; k < n; k++) x ^= e[idx[k]];
    return x & 1;
  }

  /** The table slot of the entry (kind, vout) for the txid at `q[at..]` (hash `h`); -1 if none. */
  find(h: number, kind: number, vout: number, q: Uint8Array, at: number): number {
    const e = this.e;
    const key = this.key(h, vout);
    const tag = (kind << 3) | (vout & 7);
    for (let i = this.home(key); ; i = (i + 1) & this.mask) {
      const t = e[i * W + 1];
      if (t === EMPTY) return -1;
      if (e[i * W] === key && t >>> TAG_SHIFT === tag && (kind === CONF ? this.outputs : this.txs).same(kind, e[i * W + 2], t & AUX_MASK, q, at, vout)) return i;
    }
  }

  /**
   * What an input's outpoint (output `vout` of the txid at `q[at..]`, hashed `h`) finds, in one
   * scan of its home when `vout` is in the first group: the payloads of its transaction's TX entry,
   * and of the outpoint's SPENT and CONF entries, in foundTx, foundSpent, foundConf (-1 if none).
   */
  lookup(h: number, vout: number, q: Uint8Array, at: number): void {
    this.settle(h, vout, q, at, -1, 0);
  }

  /**
   * lookup(), for an input of a block's transaction: `spender` ≥ 0 if the view held that
   * transaction (its slot; `input`, the input's index), whose own SPENT entry the scan finds
   * (foundSpentAt, a table index: told by payload and aux, no txid compared) instead of another
   * spender.
   */
  settle(h: number, vout: number, q: Uint8Array, at: number, spender: number, input: number): void {
    this.foundTx = -1;
    this.foundSpent = -1;
    this.foundConf = -1;
    this.foundSpentAt = -1;
    const key = this.key(h, vout);
    this.scan(h, TX << 3, key === h ? vout & 7 : -1, vout, q, at, spender, input);
    if (key !== h) this.scan(key, -1, vout & 7, vout, q, at, spender, input);
  }

  /** The entries with this key: a TX if `txTag` ≥ 0, SPENT and CONF of `vout` if `low` ≥ 0 (the SPENT one of (`spender`, `input`) if `spender` ≥ 0). */
  private scan(key: number, txTag: number, low: number, vout: number, q: Uint8Array, at: number, spender: number, input: number): void {
    const e = this.e;
    const spent = low < 0 ? -1 : (SPENT << 3) | low;
    const conf = low < 0 ? -1 : (CONF << 3) | low;
    for (let i = this.home(key); ; i = (i + 1) & this.mask) {
      const t = e[i * W + 1];
      if (t === EMPTY) return;
      if (e[i * W] !== key) continue;
      const tag = t >>> TAG_SHIFT;
      const p = e[i * W + 2];
      if (tag === txTag) {
        if (this.foundTx < 0 && this.txs.same(TX, p, 0, q, at, 0)) this.foundTx = p;
      } else if (tag === spent) {
        if (spender >= 0) {
          if (p === spender && (t & AUX_MASK) === input) this.foundSpentAt = i;
        } else if (this.foundSpent < 0 && this.txs.same(SPENT, p, t & AUX_MASK, q, at, vout)) this.foundSpent = p;
      } else if (tag === conf) {
        if (this.foundConf < 0 && this.outputs.same(CONF, p, 0, q, at, vout)) this.foundConf = p;
      }
    }
  }

  /**
   * The payload of the TX entry of the txid at `q[at..]` (hashed `h`), -1 if none; then `spenders`
   * says whether an entry in its home spends one of its first 8 outputs (a hint: no txid compared).
   */
  findTx(h: number, q: Uint8Array, at: number): number {
    const e = this.e;
    const txTag = TX << 3;
    this.spenders = false;
    for (let i = this.home(h); ; i = (i + 1) & this.mask) {
      const t = e[i * W + 1];
      if (t === EMPTY) return -1;
      if (e[i * W] !== h) continue;
      const tag = t >>> TAG_SHIFT;
      if (tag >>> 3 === SPENT) this.spenders = true;
      else if (tag === txTag && this.txs.same(TX, e[i * W + 2], 0, q, at, 0)) return e[i * W + 2];
    }
  }

  /** The payload of the entry in table slot `i`. */
  payload(i: number): number {
    return this.e[i * W + 2];
  }

  aux(i: number): number {
    return this.e[i * W + 1] & AUX_MASK;
  }

  /** Adds an entry unless one (kind, vout) for this txid is held; false then (nothing added). */
  insert(h: number, kind: number, vout: number, payload: number, aux: number, q: Uint8Array, at: number): boolean {
    if (this.find(h, kind, vout, q, at) >= 0) return false;
    this.add(h, kind, vout, payload, aux);
    return true;
  }

  /** Adds an entry the caller knows is not held (or may be held twice: a spent outpoint's, for two inputs of one invalid transaction, each removed apart). */
  add(h: number, kind: number, vout: number, payload: number, aux: number): void {
    if ((this.size + 1) * 4 > this.slots * 3) this.resize(this.slots * 2);
    const e = this.e;
    const key = this.key(h, vout);
    let i = this.home(key);
    while (e[i * W + 1] !== EMPTY) i = (i + 1) & this.mask;
    e[i * W] = key;
    e[i * W + 1] = (((kind << 3) | (vout & 7)) << TAG_SHIFT) | aux;
    e[i * W + 2] = payload;
    this.size++;
    this.counts[kind]++;
  }

  /** Removes the entry (kind, vout) with this hash and payload (and aux); false if there is none. */
  remove(h: number, kind: number, vout: number, payload: number, aux = 0): boolean {
    const e = this.e;
    const key = this.key(h, vout);
    const tag = (((kind << 3) | (vout & 7)) << TAG_SHIFT) | aux;
    let i = this.home(key);
    for (; ; i = (i + 1) & this.mask) {
      const t = e[i * W + 1];
      if (t === EMPTY) return false;
      if (t === tag && e[i * W + 2] === payload && e[i * W] === key) break;
    }
    this.removeAt(i, kind);
    return true;
  }

  /** Removes the entry (of `kind`) at table index `i` (settle()'s foundSpentAt). */
  removeAt(i: number, kind: number): void {
    const e = this.e;
    // Backward shift: move up each following entry whose home does not lie in (i, j].
    for (let j = (i + 1) & this.mask; e[j * W + 1] !== EMPTY; j = (j + 1) & this.mask) {
      const k = this.home(e[j * W]);
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      e[i * W] = e[j * W];
      e[i * W + 1] = e[j * W + 1];
      e[i * W + 2] = e[j * W + 2];
      i = j;
    }
    e[i * W + 1] = EMPTY;
    this.size--;
    this.counts[kind]--;
    if (this.size * 8 < this.slots && this.slots > MIN_SLOTS) this.resize(this.slots / 2);
  }

  /** The longest run of held slots (a probe reads at most that many): how well homes spread. Linear in the table. */
  longestRun(): number {
    let longest = 0;
    let run = 0;
    // Twice round, so that a run across the table's end counts whole.
    for (let k = 0; k < 2 * this.slots; k++) {
      run = this.e[(k & this.mask) * W + 1] === EMPTY ? 0 : run + 1;
      longest = Math.max(longest, Math.min(run, this.slots));
    }
    return longest;
  }

  private resize(slots: number): void {
    const old = this.e;
    const e = new Int32Array(slots * W);
    this.e = e;
    this.slots = slots;
    this.mask = slots - 1;
    this.shift = 32 - Math.log2(slots);
    for (let j = 0; j < old.length; j += W) {
      if (old[j + 1] === EMPTY) continue;
      let i = this.home(old[j]);
      while (e[i * W + 1] !== EMPTY) i = (i + 1) & this.mask;
      e[i * W] = old[j];
      e[i * W + 1] = old[j + 1];
      e[i * W + 2] = old[j + 2];
    }
  }
}
