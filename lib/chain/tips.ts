/**
 * Competing tips of the header tree (pure): how far below the best tip a header's branch leaves
 * the best chain, and what changed when the best tip moved to another branch (a reorg, as Core's
 * `getchaintips` and its "reorg depth" count it). Every walk here is bounded by the depth it looks
 * at, and that by the tree's own bound (tree.ts MAX_TREE_HEADERS).
 */
import type { HeaderNode, HeaderTree } from './tree.js';

/** The best tip moved to another branch: the old tip is no longer on the best chain. */
export interface Reorg {
  readonly oldTip: HeaderNode;
  readonly newTip: HeaderNode;
  /** The last header both chains share (LastCommonAncestor), if still kept. */
  readonly fork: HeaderNode | undefined;
  /**
   * Headers disconnected from the old best chain: old tip's height − the fork's height (Core's
   * validation.cpp ActivateBestChainStep disconnects these; getchaintips' `branchlen` of the old
   * tip). At least 1; when the fork is past what the tree keeps, a lower bound: the old branch's
   * kept length.
   */
  readonly depth: number;
}

/**
 * How far below the best tip `node`'s branch leaves the best chain: 0 for the tip itself, d for a
 * best-chain header d below it, and for a header off the best chain the depth of its fork point.
 * Undefined when that is deeper than `limit` (the walk stops there) or not kept.
 */
export function forkDepth(tree: HeaderTree, node: HeaderNode, limit: number): number | undefined {
  const best = tree.best;
  const floor = best.height - limit;
  // The fork is at or below the header itself: a header deeper than the limit is done at once.
  if (node.height < floor) return undefined;
  let x: HeaderNode | undefined = node;
  let y: HeaderNode | undefined = best;
  while (x !== undefined && x.height > y.height) x = tree.parent(x);
  while (y !== undefined && x !== undefined && y.height > x.height) y = tree.parent(y);
  while (x !== undefined && y !== undefined && x.key !== y.key) {
    if (x.height <= floor) return undefined;
    x = tree.parent(x);
    y = tree.parent(y);
  }
  if (x === undefined || y === undefined || x.height < floor) return undefined;
  return best.height - x.height;
}

/**
 * What moving the best tip from `oldTip` to the tree's best meant: undefined when the best tip
 * did not move or only grew (`oldTip` is an ancestor of the new tip), else a Reorg. Work: the
 * two branches' lengths down to the fork.
 */
export function reorgFrom(tree: HeaderTree, oldTip: HeaderNode): Reorg | undefined {
  const newTip = tree.best;
  if (newTip.key === oldTip.key) return undefined;
  if (tree.ancestor(newTip, oldTip.height)?.key === oldTip.key) return undefined;
  const fork = tree.forkPoint(oldTip, newTip);
  if (fork !== undefined) return { oldTip, newTip, fork, depth: oldTip.height - fork.height };
  // No kept header is on both chains: the whole kept old branch was disconnected.
  let depth = 0;
  for (let n: HeaderNode | undefined = oldTip; n !== undefined; n = tree.parent(n)) depth++;
  return { oldTip, newTip, fork: undefined, depth };
}
