import { NONE, type TxStore } from './store.js';

/** `root` and every view transaction descending from it (slots), root first, each once (linear in their outputs). */
export function descendantsOf(s: TxStore, root: number): number[] {
  const out: number[] = [root];
  const seen = new Set<number>(out);
  for (let at = 0; at < out.length; at++) {
    const e = out[at];
    const n = s.nOut[e];
    for (let i = 0; i < n; i++) {
      const child = s.childAt(e, i);
      if (child !== NONE && !seen.has(child)) {
        seen.add(child);
        out.push(child);
      }
    }
  }
  return out;
}

/**
 * Ancestors walked at most: Core 31's mempool holds no cluster above DEFAULT_CLUSTER_LIMIT = 64
 * transactions (policy/policy.h, kernel/mempool_limits.h cluster_count; before it, 25 ancestors,
 * DEFAULT_ANCESTOR_LIMIT), so a real chain fits; a longer one (a peer's made-up chain) is not
 * walked past it, and every walk stays O(64) whatever the view holds.
 */
export const ANCESTORS_MAX = 64;

/**
 * Every view transaction `e` descends from (not `e`), each once, in the order found (breadth
 * first); undefined past `limit` of them. The result is also the walk's queue, and whether a
 * parent was found already is a scan of it: at most `limit` (64) entries, so a walk is bounded
 * whatever the view holds, and a chain's short walk allocates one array, not a Set besides.
 * `parents[0..nParents)`, if given: `e`'s view parents, one per input that has one, in input
 * order (what add() found for its inputs: not looked up again).
 */
export function ancestorsOf(s: TxStore, e: number, limit = ANCESTORS_MAX, parents?: Int32Array, nParents = 0): number[] | undefined {
  const out: number[] = [];
  let at = -1;
  if (parents !== undefined) {
    // `e`'s parents, as its inputs' look-ups found them (in input order, the walk's own order).
    for (let i = 0; i < nParents; i++) if (!out.includes(parents[i]) && out.push(parents[i]) > limit) return undefined;
    at = 0;
  }
  for (; at < out.length; at++) {
    const q = at < 0 ? e : out[at];
    // Most transactions spend confirmed outputs only: their inputs' lookups (each a cache miss) are skipped.
    if (!s.mayHaveParents(q)) continue;
    const n = s.nIn[q];
    let found = false;
    for (let i = 0; i < n; i++) {
      const parent = s.parentOf(q, i);
      if (parent === NONE) continue;
      found = true;
      if (parent === e || out.includes(parent)) continue;
      if (out.push(parent) > limit) return undefined;
    }
    if (!found) s.setParents(q, false);
  }
  return out;
}

/** BIP 125 as Core's mempool reads it (policy/rbf.cpp IsRBFOptIn): it or an unconfirmed ancestor in the view signals. */
export function signalsInView(s: TxStore, e: number): boolean {
  return s.signals(e) || (ancestorsOf(s, e) ?? []).some((a) => s.signals(a));
}

/** Fee over vsize of `e` (whose fee is `fee`) with its view ancestors; undefined with none, past the walk's limit, or with an ancestor's fee unknown. `parents`: `e`'s view parents if known (ancestorsOf). */
export function packageFeerate(s: TxStore, e: number, fee: number, parents?: Int32Array, nParents = 0): number | undefined {
  const anc = ancestorsOf(s, e, ANCESTORS_MAX, parents, nParents);
  if (anc === undefined || anc.length === 0) return undefined;
  let fees = fee;
  let vsize = s.vsize[e];
  for (const a of anc) {
    fees += s.fee[a];
    vsize += s.vsize[a];
  }
  // An unknown fee is NaN: so is the sum.
  return Number.isNaN(fees) ? undefined : fees / vsize;
}
