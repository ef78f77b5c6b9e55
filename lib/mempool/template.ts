import { ANCESTORS_MAX, ancestorsOf } from './graph.js';
import { NONE, type TxStore } from './store.js';
import { ScoreHeap } from './heap.js';

/**
 * Feerate levels (sat/vB) of Jochen Hoenicke's mempool charts (https://jochen-hoenicke.de/queue/),
 * from his published source (github.com/jhoenicke/mempool, mempool_sql.py FEELIMIT; its first
 * level, 0.0001, is written 0 here). Bucket i holds feerates in [FEE_LEVELS[i], FEE_LEVELS[i+1]).
 */
export const FEE_LEVELS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 17, 20, 25, 30, 40, 50, 60, 70, 80, 100, 120, 140, 170, 200, 250, 300, 400, 500, 600, 700, 800, 1000, 1200, 1400, 1700,
  2000, 2500, 3000, 4000, 5000, 6000, 7000, 8000, 10000,
];

/** MAX_BLOCK_WEIGHT (consensus/consensus.h) less DEFAULT_BLOCK_RESERVED_WEIGHT (policy/policy.h, Core 29+: 8,000 for header, tx count and coinbase). */
export const TEMPLATE_WEIGHT = 4_000_000 - 8_000;
/**
 * Ancestor entries a template holds at most (each candidate's in-view ancestors, summed): its
 * arrays take ~20 bytes an entry (the ancestors, the descendants, the heap's re-scorings), so
 * ~40 MB at this bound. A mainnet mempool's chains are short (most transactions have none: 90,000
 * entries for 300,000 transactions with 30% in chains of up to three); a view a peer filled with
 * long chains could hold up to 64 a transaction (32 million at the view's bound). Past it there is
 * no template (the stats line leaves `next_block_feerate` out), rather than ~650 MB held for one.
 */
export const TEMPLATE_ANCESTRY_MAX = 2_000_000;
/** node/miner.cpp addPackageTxs: give up after this many packages in a row that do not fit, once the block is within BLOCK_FULL_ENOUGH_WEIGHT_DELTA of full. */
export const MAX_CONSECUTIVE_FAILURES = 1000;
export const BLOCK_FULL_ENOUGH_WEIGHT_DELTA = 4000;

export interface Histogram {
  /** Per level: transactions, and their vsize. */
  readonly count: number[];
  readonly vsize: number[];
}

export function feerateHistogram(s: TxStore): Histogram {
  const count = new Array<number>(FEE_LEVELS.length).fill(0);
  const vsize = new Array<number>(FEE_LEVELS.length).fill(0);
  for (let e = s.head; e !== NONE; e = s.next[e]) {
    if (!s.live(e)) continue; // a confirmed one kept for its outputs (TxStore.keep)
    const fee = s.fee[e];
    if (Number.isNaN(fee)) continue;
    const rate = fee / s.vsize[e];
    let lo = 0;
    let hi = FEE_LEVELS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (FEE_LEVELS[mid] <= rate) lo = mid;
      else hi = mid - 1;
    }
    count[lo]++;
    vsize[lo] += s.vsize[e];
  }
  return { count, vsize };
}

/** Whether the txid at `t[a..a+32]` is below the one at `t[b..]`, as Core's uint256 compares (memcmp of the internal bytes). */
export function txidBefore(t: Uint8Array, a: number, b: number): boolean {
  for (let k = 0; k < 32; k++) if (t[a + k] !== t[b + k]) return t[a + k] < t[b + k];
  return false;
}

/**
 * What a template chooses from: candidate c (in arrival order) is the transaction in slot[c], with
 * its package's sums (it and its in-view ancestors) and its ancestors' slots at
 * anc[ancAt[c]..ancAt[c + 1]); candOf[slot] is its candidate + 1 (0: not walked yet, -1: left out).
 */
interface Candidates {
  n: number;
  slot: Int32Array;
  fee: Float64Array;
  vsize: Float64Array;
  weight: Float64Array;
  ancAt: Int32Array;
  anc: Int32Array;
  candOf: Int32Array;
}

/**
 * The transactions with a known fee whose ancestors' fees are all known, at most ANCESTORS_MAX
 * ancestors, in one walk of the view. A transaction's ancestors are its parents' (candidates
 * already: they mostly arrived before it) with the parents: one look-up an input, not one an
 * ancestor's input (a chain of 25 costs 25 walks of one step, not 300). A parent that arrived after
 * its child is not walked yet: then the child's ancestors are walked from it (graph.ts).
 * Undefined past `ancestryMax` ancestor entries.
 */
function candidates(s: TxStore, ancestryMax: number): Candidates | undefined {
  const n0 = s.count;
  const c: Candidates = { n: 0, slot: new Int32Array(n0), fee: new Float64Array(n0), vsize: new Float64Array(n0), weight: new Float64Array(n0), ancAt: new Int32Array(n0 + 1), anc: new Int32Array(1024), candOf: new Int32Array(s.vsize.length) };
  const { candOf } = c;
  // Per slot: the last walk (its stamp) that counted it among a transaction's ancestors.
  const seen = new Int32Array(s.vsize.length);
  let stamp = 0;
  // This transaction's ancestors so far: at most ANCESTORS_MAX before a parent's are added, one and ANCESTORS_MAX more after.
  const found = new Int32Array(2 * ANCESTORS_MAX + 1);
  let ancs = 0;
  for (let e = s.head; e !== NONE; e = s.next[e]) {
    if (!s.live(e)) continue; // a confirmed one kept for its outputs (TxStore.keep)
    let f = s.fee[e];
    let ok = !Number.isNaN(f);
    let count = 0;
    if (ok && s.nIn[e] > 0 && s.mayHaveParents(e)) {
      stamp++;
      let parents = false;
      let later = false;
      for (let i = 0; i < s.nIn[e] && ok && !later; i++) {
        const p = s.parentOf(e, i);
        if (p === NONE) continue;
        parents = true;
        if (seen[p] === stamp) continue;
        const cp = candOf[p];
        if (cp < 0) ok = false;
        else if (cp === 0) later = true;
        else {
          seen[p] = stamp;
          found[count++] = p;
          for (let k = c.ancAt[cp - 1]; k < c.ancAt[cp]; k++) {
            const a = c.anc[k];
            if (seen[a] !== stamp) {
              seen[a] = stamp;
              found[count++] = a;
            }
          }
          ok = count <= ANCESTORS_MAX;
        }
      }
      if (!parents) s.setParents(e, false);
      if (ok && later) {
        const all = ancestorsOf(s, e);
        if (all === undefined) ok = false;
        else {
          found.set(all);
          count = all.length;
        }
      }
    }
    let v = s.vsize[e];
    let w = s.weight[e];
    for (let k = 0; k < count; k++) {
      const a = found[k];
      f += s.fee[a];
      v += s.vsize[a];
      w += s.weight[a];
    }
    // An unknown fee is NaN: so is the sum.
    if (!ok || Number.isNaN(f)) {
      candOf[e] = -1;
      continue;
    }
    if (ancs + count > ancestryMax) return undefined;
    if (ancs + count > c.anc.length) {
      const grown = new Int32Array(Math.max(c.anc.length * 2, ancs + count));
      grown.set(c.anc);
      c.anc = grown;
    }
    for (let k = 0; k < count; k++) c.anc[ancs++] = found[k];
    const k = c.n++;
    c.slot[k] = e;
    c.fee[k] = f;
    c.vsize[k] = v;
    c.weight[k] = w;
    candOf[e] = c.n;
    c.ancAt[c.n] = ancs;
  }
  return c;
}

/**
 * What the assembler chose (assemble()): candidate c (candidates()) is the transaction in slot[c];
 * it went into block[c] (-1: in none) at rate[c], the package feerate its package went in with
 * (mempool.space's "effective fee rate" of a transaction in a projected block).
 */
export interface Assembly {
  readonly n: number;
  readonly slot: Int32Array;
  readonly block: Int32Array;
  readonly rate: Float64Array;
}

/**
 * Blocks built one after another as Core's BlockAssembler (node/miner.cpp addPackageTxs) builds
 * one, over the transactions with a known fee whose in-view ancestors' fees are all known: the
 * package (a transaction with its not yet included ancestors) of highest ancestor feerate first,
 * until `maxWeight`; once a package is in, each of its transactions' descendants is scored again
 * without it (Core's mapModifiedTx, filled by UpdatePackagesForAdded), so a child whose parent
 * went in competes with its own feerate. Of equal scores the smaller txid goes first (txmempool.h
 * CompareTxMemPoolEntryByAncestorFee: `GetHash() <`, the bytes in their internal order). A block
 * is done when no package is left, or after MAX_CONSECUTIVE_FAILURES packages in a row that did
 * not fit once it is within BLOCK_FULL_ENOUGH_WEIGHT_DELTA of full (Core's stop); the packages
 * that did not fit go into the next block's choice, as mempool.space's projected blocks take
 * them. A block that takes nothing ends them (every package left is heavier than a block).
 * Undefined past `ancestryMax` ancestor entries. Core 31 takes the chunks of its cluster
 * linearizations instead of ancestor packages: it differs where children together pay for a
 * parent none of them pays for alone (README, the `mempool` line).
 *
 * It runs for every `--mempool-stats` line, while the crawler waits: one walk of the view
 * (candidates()); candidates, their ancestors and descendants in typed arrays (no Map, Set or
 * array per candidate); the heap ordered at once, then popped (a re-scoring pushes a pair: at most
 * one per candidate and ancestor; a package that did not fit is pushed again for the next block,
 * once it was popped). At most `blocks` pops a candidate and one an ancestor entry: linear in the
 * candidates' ancestors. Most blocks end at Core's stop, a few pops past full; one whose room left
 * is above BLOCK_FULL_ENOUGH_WEIGHT_DELTA while every package left is heavier pops them all (a view
 * of large transactions only, and so of few). `npm run bench:template` (BENCHMARKS.md, "The next
 * block's feerate", "The next 8 blocks").
 */
export function assemble(s: TxStore, blocks: number, maxWeight = TEMPLATE_WEIGHT, ancestryMax = TEMPLATE_ANCESTRY_MAX): Assembly | undefined {
  const found = candidates(s, ancestryMax);
  if (found === undefined) return undefined;
  const { n, slot, fee, vsize, weight, ancAt, anc, candOf } = found;
  const ancs = ancAt[n];
  // Descendants: candidate a's at desc[descAt[a]..descAt[a + 1]), in arrival order (every ancestor
  // of a candidate is one: its own ancestors are among the candidate's). Counted, summed to each
  // range's end, then filled from the ends down (which leaves each at its range's start).
  const descAt = new Int32Array(n + 1);
  for (let k = 0; k < ancs; k++) descAt[candOf[anc[k]] - 1]++;
  for (let a = 1; a <= n; a++) descAt[a] += descAt[a - 1];
  const desc = new Int32Array(ancs);
  for (let c = n - 1; c >= 0; c--) for (let k = ancAt[c]; k < ancAt[c + 1]; k++) desc[--descAt[candOf[anc[k]] - 1]] = c;
  const txid = s.txid;
  // A txid's first 4 bytes, the first compared (memcmp's order), as one number.
  const key = new Uint32Array(n);
  for (let c = 0; c < n; c++) {
    const at = slot[c] * 32;
    key[c] = ((txid[at] << 24) | (txid[at + 1] << 16) | (txid[at + 2] << 8) | txid[at + 3]) >>> 0;
  }
  // Every push but the first n follows a pop (a package pushed again) or is a re-scoring (one per ancestor entry).
  const heap = new ScoreHeap(n + ancs, key, (a, b) => txidBefore(txid, slot[a] * 32, slot[b] * 32));
  for (let c = 0; c < n; c++) heap.append(fee[c] / vsize[c], c);
  heap.order();
  const block = new Int32Array(n).fill(-1);
  const rate = new Float64Array(n);
  // The packages that did not fit in this block (each once: skipped[c] is the block + 1).
  const skipped = new Int32Array(n);
  const later = new Int32Array(n);
  let nLater = 0;
  let b = 0;
  let blockWeight = 0;
  let failures = 0;
  for (;;) {
    if (heap.size === 0 || (failures > MAX_CONSECUTIVE_FAILURES && blockWeight > maxWeight - BLOCK_FULL_ENOUGH_WEIGHT_DELTA)) {
      // This block is done: the next one chooses from what is left, those that did not fit among it.
      if (b === blocks - 1 || (heap.size === 0 && nLater === 0) || blockWeight === 0) break;
      b++;
      blockWeight = 0;
      failures = 0;
      for (let k = 0; k < nLater; k++) if (block[later[k]] < 0) heap.push(fee[later[k]] / vsize[later[k]], later[k]);
      nLater = 0;
      continue;
    }
    const score = heap.topScore();
    const c = heap.pop();
    // Stale: already in, or scored again since this pair was pushed.
    if (block[c] >= 0 || score !== fee[c] / vsize[c]) continue;
    if (blockWeight + weight[c] > maxWeight) {
      failures++;
      if (skipped[c] !== b + 1) {
        skipped[c] = b + 1;
        later[nLater++] = c;
      }
      continue;
    }
    failures = 0;
    blockWeight += weight[c];
    for (let k = ancAt[c] - 1; k < ancAt[c + 1]; k++) {
      // The package: c itself (k = ancAt[c] - 1), then its ancestors.
      const p = k < ancAt[c] ? c : candOf[anc[k]] - 1;
      if (block[p] >= 0) continue;
      block[p] = b;
      rate[p] = score;
      // UpdatePackagesForAdded: p's descendants lose it from their packages.
      const e = slot[p];
      for (let j = descAt[p]; j < descAt[p + 1]; j++) {
        const d = desc[j];
        if (block[d] >= 0) continue;
        fee[d] -= s.fee[e];
        vsize[d] -= s.vsize[e];
        weight[d] -= s.weight[e];
        heap.push(fee[d] / vsize[d], d);
      }
    }
  }
  return { n, slot, block, rate };
}

/**
 * The lowest package feerate a next block would include (assemble()'s first block, Core's
 * BlockAssembler); undefined when nothing is included, or past `ancestryMax` ancestor entries.
 * `maxWeight`: the block's room (tests make both small).
 */
export function nextBlockMinFeerate(s: TxStore, maxWeight = TEMPLATE_WEIGHT, ancestryMax = TEMPLATE_ANCESTRY_MAX): number | undefined {
  const a = assemble(s, 1, maxWeight, ancestryMax);
  if (a === undefined) return undefined;
  let lowest: number | undefined;
  for (let c = 0; c < a.n; c++) if (a.block[c] === 0) lowest = lowest === undefined ? a.rate[c] : Math.min(lowest, a.rate[c]);
  return lowest;
}
