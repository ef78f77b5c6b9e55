/** Competing tips (lib/chain/tips.ts): fork depth below the best tip, and reorgs as Core counts them. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CHAIN_PARAMS } from '../../lib/chain/params.js';
import { HeaderTree, type HeaderNode } from '../../lib/chain/tree.js';
import { forkDepth, reorgFrom } from '../../lib/chain/tips.js';
import { hashKey } from '../../lib/wire/hex.js';
import type { BlockHeader } from '../../lib/wire/model.js';
import { mineHeader, REGTEST_GENESIS } from '../support/blocks.js';

const NOW = 1_800_000_000;

/** Headers on `prev`, each a different one (salt) ten minutes on. */
function branch(prev: BlockHeader, n: number, salt: number): BlockHeader[] {
  const out: BlockHeader[] = [];
  for (let i = 0; i < n; i++) out.push((prev = mineHeader(prev, { time: prev.time + 600, merkleRoot: new Uint8Array(32).fill(salt) })));
  return out;
}

function node(tree: HeaderTree, h: BlockHeader): HeaderNode {
  return tree.get(h.hash) as HeaderNode;
}

describe('forkDepth', () => {
  it('is the depth below the best tip for the best chain, the fork point’s depth off it, undefined past the limit', () => {
    const tree = new HeaderTree(CHAIN_PARAMS.regtest);
    const main = branch(REGTEST_GENESIS, 20, 1);
    for (const h of main) tree.add(h, NOW);
    const side = branch(main[14], 2, 2); // forks at height 15, five below the tip
    for (const h of side) tree.add(h, NOW);
    expect(forkDepth(tree, node(tree, main[19]), 10)).toBe(0);
    expect(forkDepth(tree, node(tree, main[12]), 10)).toBe(7);
    expect(forkDepth(tree, node(tree, side[1]), 10)).toBe(5);
    expect(forkDepth(tree, node(tree, side[1]), 4)).toBeUndefined();
    expect(forkDepth(tree, node(tree, main[5]), 10)).toBeUndefined();
  });
});

describe('reorgFrom', () => {
  it('says nothing while the best tip only grows, and the disconnected count when it moves to another branch', () => {
    const tree = new HeaderTree(CHAIN_PARAMS.regtest);
    const main = branch(REGTEST_GENESIS, 5, 1);
    for (const h of main) {
      const before = tree.best;
      tree.add(h, NOW);
      expect(reorgFrom(tree, before)).toBeUndefined();
    }
    const side = branch(main[2], 3, 2); // heights 4, 5, 6: the third overtakes
    const seen = side.map((h) => {
      const before = tree.best;
      tree.add(h, NOW);
      return reorgFrom(tree, before);
    });
    expect(seen.slice(0, 2)).toEqual([undefined, undefined]); // less work, then equal work: the first seen wins
    expect(seen[2]).toMatchObject({ depth: 2, oldTip: { height: 5 }, newTip: { height: 6 }, fork: { height: 3 } });
  });

  it('property: over random trees added in any order, each reorg’s depth is the old tip’s distance to the fork, and the old tip is off the new best chain', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 24 }), fc.array(fc.nat()), (parents, order) => {
        // Header i's parent is genesis or an earlier header (parents[i] mod i+1); times rise with i.
        const headers: BlockHeader[] = [];
        const parentOf: number[] = [];
        parents.forEach((p, i) => {
          const pi = p % (i + 1);
          const prev = pi === 0 ? REGTEST_GENESIS : headers[pi - 1];
          parentOf.push(pi);
          headers.push(mineHeader(prev, { time: REGTEST_GENESIS.time + 600 * (i + 1), merkleRoot: new Uint8Array(32).fill(i) }));
        });
        const height = (i: number): number => (i === 0 ? 0 : 1 + height(parentOf[i - 1]));
        const index = new Map(headers.map((h, i) => [hashKey(h.hash), i + 1]));
        const ancestors = (i: number): number[] => (i === 0 ? [0] : [i, ...ancestors(parentOf[i - 1])]);
        // Any arrival order that keeps parents first (a header without its parent is refused).
        const pending = headers.map((_, i) => i + 1);
        const tree = new HeaderTree(CHAIN_PARAMS.regtest);
        let k = 0;
        while (pending.length > 0) {
          const ready = pending.filter((i) => parentOf[i - 1] === 0 || tree.get(headers[parentOf[i - 1] - 1].hash) !== undefined);
          const pick = ready[(order[k++] ?? 0) % ready.length];
          pending.splice(pending.indexOf(pick), 1);
          const before = tree.best;
          tree.add(headers[pick - 1], NOW);
          const r = reorgFrom(tree, before);
          if (r === undefined) continue;
          const oldI = index.get(r.oldTip.key) as number;
          const newI = index.get(r.newTip.key) as number;
          const shared = ancestors(newI);
          const fork = ancestors(oldI).find((a) => shared.includes(a)) as number;
          expect(r.depth).toBe(height(oldI) - height(fork));
          expect(r.depth).toBeGreaterThan(0);
          expect(tree.isOnBestChain(r.oldTip.header.hash)).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });
});
