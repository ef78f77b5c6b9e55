import { KeyMaker } from './keys.js';

/** What the graph walks need of the view. */
export interface GraphEntry {
  readonly txid: string;
  readonly key: string;
  readonly spends: readonly string[];
  readonly outCount: number;
  readonly signals: boolean;
}

export interface Graph<E extends GraphEntry = GraphEntry> {
  readonly entries: ReadonlyMap<string, E>;
  readonly spentBy: ReadonlyMap<string, E>;
}

/** `root` and every view transaction descending from it, root first, each once (linear in their inputs and outputs). */
export function descendantsOf<E extends GraphEntry>(g: Graph<E>, root: E): E[] {
  const out: E[] = [root];
  const seen = new Set<E>(out);
  for (let at = 0; at < out.length; at++) {
    const e = out[at];
    for (let i = 0; i < e.outCount; i++) {
      const child = g.spentBy.get(KeyMaker.outpoint(e.key, i));
      if (child !== undefined && !seen.has(child)) {
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

/** Every view transaction `e` descends from (not `e`), each once; undefined past `limit` of them. */
export function ancestorsOf<E extends GraphEntry>(g: Graph<E>, e: E, limit = ANCESTORS_MAX): E[] | undefined {
  const out: E[] = [];
  const seen = new Set<E>([e]);
  const queue: E[] = [e];
  for (let at = 0; at < queue.length; at++) {
    for (const k of queue[at].spends) {
      const parent = g.entries.get(KeyMaker.txOf(k));
      if (parent === undefined || seen.has(parent)) continue;
      seen.add(parent);
      if (out.push(parent) > limit) return undefined;
      queue.push(parent);
    }
  }
  return out;
}

/** BIP 125 as Core's mempool reads it (policy/rbf.cpp IsRBFOptIn): it or an unconfirmed ancestor in the view signals. */
export function signalsInView<E extends GraphEntry>(g: Graph<E>, e: E): boolean {
  return e.signals || (ancestorsOf(g, e) ?? []).some((a) => a.signals);
}
