/** Header sync and the new-block gate (lib/crawler/headers.ts), as a pure state machine over a real header tree. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CHAIN_PARAMS } from '../../lib/chain/params.js';
import { HeaderTree } from '../../lib/chain/tree.js';
import { HeaderSync, MAX_NEW_BLOCK_DEPTH, MAX_NUM_UNCONNECTING_HEADERS_MSGS, MAX_PARKED_BLOCKS, SENDHEADERS_VERSION, reorgSummary, type ChainAction } from '../../lib/crawler/headers.js';
import { hashKey, toReversedHex } from '../../lib/wire/hex.js';
import { MAX_HEADERS } from '../../lib/wire/limits.js';
import type { Block, BlockHeader } from '../../lib/wire/model.js';
import { mineBlock, mineChain, mineHeader, REGTEST_GENESIS } from '../support/blocks.js';

const T = 1_800_000_000_000; // ms
const kinds = (as: readonly ChainAction[]) => as.map((a) => a.type);

function fresh(): HeaderSync {
  const s = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest));
  s.ready('A', T);
  return s;
}

describe('HeaderSync', () => {
  it('asks its first peer for headers from the anchor, and asks again while full batches come back', () => {
    const s = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest));
    const first = s.ready('A', T);
    expect(first).toEqual([{ type: 'getheaders', peer: 'A', locator: [REGTEST_GENESIS.hash] }]);
    const headers: BlockHeader[] = [];
    let prev = REGTEST_GENESIS;
    for (let i = 0; i < MAX_HEADERS; i++) headers.push((prev = mineHeader(prev, { time: prev.time + 1 })));
    const next = s.headers('A', headers, T);
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ type: 'getheaders', peer: 'A' });
    expect(toReversedHex((next[0] as { locator: Uint8Array[] }).locator[0])).toBe(toReversedHex(headers.at(-1)!.hash));
    expect(s.tree.best.height).toBe(MAX_HEADERS);
    // A short batch ends it; those headers are the chain so far, not blocks to fetch: now announcements by headers (BIP 130).
    expect(s.headers('A', [mineHeader(prev, { time: prev.time + 1 })], T)).toEqual([{ type: 'sendheaders', peer: 'A' }]);
  });

  it('fetches the blocks a caught-up peer announces by header, and prints them; a block deeper than the limit is a replay', () => {
    const s = fresh();
    const chain = mineChain(30);
    s.headers('A', chain.slice(0, 29).map((b) => b.header), T);
    const ann = s.headers('A', [chain[29].header], T);
    expect(ann).toEqual([{ type: 'fetch', peer: 'A', hashes: [chain[29].header.hash] }]);
    expect(s.block('A', chain[29], T)).toMatchObject([{ type: 'block', height: 30 }]);
    expect(s.block('A', chain[29 - MAX_NEW_BLOCK_DEPTH], T)).toMatchObject([{ type: 'block' }]);
    expect(s.block('A', chain[28 - MAX_NEW_BLOCK_DEPTH], T)).toMatchObject([{ type: 'ignored', why: expect.stringMatching(/replay/) as string }]);
  });

  it('parks a block whose parent is unknown, asks for headers, and prints it once they connect it', () => {
    const s = fresh();
    const chain = mineChain(3);
    s.headers('A', [], T); // caught up at genesis
    const got = s.block('A', chain[2], T + 5);
    expect(kinds(got)).toEqual(['getheaders']);
    expect(s.parkedCount).toBe(1);
    const out = s.headers('A', chain.slice(0, 2).map((b) => b.header), T + 10);
    expect(out.filter((a) => a.type === 'block')).toMatchObject([{ peer: 'A', time: T + 5, height: 3 }]);
    expect(s.parkedCount).toBe(0);
  });

  it('never prints a block on a parent nobody has, and keeps at most MAX_PARKED_BLOCKS waiting', () => {
    const s = fresh();
    for (let i = 0; i < MAX_PARKED_BLOCKS + 5; i++) {
      const forged = mineBlock([], { prevBlock: new Uint8Array(32).fill(i + 1), height: 5 });
      expect(kinds(s.block('A', forged, T + i))).not.toContain('block');
    }
    expect(s.parkedCount).toBe(MAX_PARKED_BLOCKS);
    expect(kinds(s.headers('A', mineChain(4).map((b) => b.header), T + 100))).not.toContain('block');
  });

  it('drops a peer for headers that break the rules or do not follow each other', () => {
    const s = fresh();
    const chain = mineChain(3).map((b) => b.header);
    expect(s.headers('A', [chain[0], chain[2]], T)).toEqual([{ type: 'drop', peer: 'A', message: 'non-continuous headers sequence' }]);
    expect(s.headers('A', [chain[0], mineHeader(chain[0], { bits: 0x2000ffff })], T)).toMatchObject([{ type: 'drop', message: expect.stringMatching(/bad-diffbits/) as string }]);
  });

  it('answers unconnecting announcements with getheaders, and drops the peer after MAX_NUM_UNCONNECTING_HEADERS_MSGS', () => {
    const s = fresh();
    const orphan = mineHeader({ ...REGTEST_GENESIS, hash: new Uint8Array(32).fill(9) });
    for (let i = 1; i < MAX_NUM_UNCONNECTING_HEADERS_MSGS; i++) expect(kinds(s.headers('A', [orphan], T + i))).toEqual(['getheaders']);
    expect(kinds(s.headers('A', [orphan], T))).toEqual(['drop']);
  });

  it('sends no second getheaders to a peer within HEADERS_RESPONSE_TIME of an unanswered one', () => {
    const s = fresh(); // one is outstanding from ready()
    expect(s.announced('A', [new Uint8Array(32).fill(3)], T + 1_000)).toEqual([]);
    expect(kinds(s.announced('A', [new Uint8Array(32).fill(3)], T + 121_000))).toEqual(['getheaders']);
  });
});

describe('HeaderSync, a full batch it cannot take whole', () => {
  it('asks for no more after a header it had to leave out (time-too-new): no getheaders loop', () => {
    const s = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest));
    s.ready('A', T);
    const headers: BlockHeader[] = [];
    let prev = REGTEST_GENESIS;
    for (let i = 0; i < MAX_HEADERS; i++) headers.push((prev = mineHeader(prev, { time: i === 1500 ? T / 1000 + 3 * 3600 : prev.time + 1 })));
    const out = s.headers('A', headers, T);
    expect(kinds(out)).toEqual(['ignored']);
    expect(out[0]).toMatchObject({ why: 'time-too-new' });
    expect(s.tree.best.height).toBe(1500);
  });
});

describe('HeaderSync, choosing whom to sync from', () => {
  it('syncs from one peer while behind, and moves to a new peer once the first leaves a getheaders unanswered for 2 minutes', () => {
    const s = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest)); // genesis is from 2011: behind
    expect(kinds(s.ready('A', T))).toEqual(['getheaders']);
    expect(s.ready('B', T + 1_000)).toEqual([]);
    expect(s.ready('C', T + 121_000)).toMatchObject([{ type: 'getheaders', peer: 'C' }]);
  });
});

describe('HeaderSync, sendheaders (BIP 130)', () => {
  it('asks a peer for headers announcements once its headers caught up with ours, once, and only a peer that knows the message', () => {
    const s = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest));
    s.ready('A', T);
    const full: BlockHeader[] = [];
    let prev = REGTEST_GENESIS;
    for (let i = 0; i < MAX_HEADERS; i++) full.push((prev = mineHeader(prev, { time: prev.time + 1 })));
    expect(kinds(s.headers('A', full, T))).toEqual(['getheaders']); // still syncing: no announcements yet
    expect(s.headers('A', [], T)).toEqual([{ type: 'sendheaders', peer: 'A' }]);
    expect(s.headers('A', [], T)).toEqual([]);
    s.ready('old', T, SENDHEADERS_VERSION - 1);
    expect(kinds(s.headers('old', [], T))).not.toContain('sendheaders');
  });
});

describe('HeaderSync, once our best header is recent', () => {
  it('asks every peer it had not asked for headers, once (Core fetches headers from everyone then)', () => {
    const s = new HeaderSync(new HeaderTree(CHAIN_PARAMS.regtest));
    expect(kinds(s.ready('A', T))).toEqual(['getheaders']);
    expect(s.ready('B', T)).toEqual([]); // behind: one sync peer at a time
    const recent = mineHeader(REGTEST_GENESIS, { time: T / 1000 - 60 });
    expect(s.headers('A', [recent], T)).toEqual([{ type: 'sendheaders', peer: 'A' }, { type: 'getheaders', peer: 'B', locator: [recent.hash, REGTEST_GENESIS.hash] }]);
    expect(kinds(s.headers('A', [], T))).toEqual([]);
  });
});

describe('HeaderSync, competing blocks', () => {
  /** A caught-up sync on `base` (block i at height i+1). */
  function onChain(base: readonly Block[]): HeaderSync {
    const s = fresh();
    s.headers('A', base.map((b) => b.header), T);
    return s;
  }
  const child = (parent: Block, height: number, salt: number): Block =>
    mineBlock([], { prevBlock: parent.header.hash, time: parent.header.time + 600 + salt, height });

  it('prints two blocks at one height, each once, the second stale; a longer branch is a reorg of the disconnected depth', () => {
    const base = mineChain(5);
    const s = onChain(base);
    const a1 = child(base[4], 6, 1);
    const b1 = child(base[4], 6, 2);
    const b2 = child(b1, 7, 0);
    expect(s.headers('A', [a1.header], T)).toEqual([{ type: 'fetch', peer: 'A', hashes: [a1.header.hash] }]);
    expect(s.block('A', a1, T)).toMatchObject([{ type: 'block', height: 6, stale: false }]);
    // The competitor is fetched too, and printed stale: equal work, the first seen keeps the tip (Core's nSequenceId).
    expect(s.headers('A', [b1.header], T + 1)).toEqual([{ type: 'fetch', peer: 'A', hashes: [b1.header.hash] }]);
    expect(s.block('A', b1, T + 1)).toMatchObject([{ type: 'block', height: 6, stale: true }]);
    const moved = s.headers('A', [b2.header], T + 2);
    expect(moved).toHaveLength(2);
    expect(moved[0]).toMatchObject({ type: 'reorg', peer: 'A', time: T + 2, reorg: { depth: 1, oldTip: { height: 6 }, newTip: { height: 7 }, fork: { height: 5 } } });
    const r = moved[0] as Extract<ChainAction, { type: 'reorg' }>;
    expect(reorgSummary(r)).toEqual({
      peer: 'A',
      time: T + 2,
      oldTip: { hash: toReversedHex(a1.header.hash), height: 6 },
      newTip: { hash: toReversedHex(b2.header.hash), height: 7 },
      fork: { hash: toReversedHex(base[4].header.hash), height: 5 },
      depth: 1,
    });
    // Its ancestors' keys, parent first, as far as the tree keeps them: where the mempool view finds the fork.
    const key = (b: Block) => hashKey(b.header.hash);
    expect(s.block('A', b2, T + 3)).toMatchObject([{ type: 'block', height: 7, stale: false, ancestors: [key(b1), ...base.map(key).reverse(), hashKey(REGTEST_GENESIS.hash)] }]);
  });

  it('gives a block MAX_NEW_BLOCK_DEPTH + 1 ancestors at most', () => {
    const base = mineChain(MAX_NEW_BLOCK_DEPTH + 10);
    const s = onChain(base);
    const next = child(base.at(-1)!, base.length + 1, 0);
    const [printed] = s.block('A', next, T) as Extract<ChainAction, { type: 'block' }>[];
    expect(printed.ancestors).toEqual(base.slice(-(MAX_NEW_BLOCK_DEPTH + 1)).map((b) => hashKey(b.header.hash)).reverse());
  });

  it('a reorg found from a block (no headers first) is reported before the block, which is then not stale', () => {
    const base = mineChain(3);
    const s = onChain(base);
    const a1 = child(base[2], 4, 1);
    const b1 = child(base[2], 4, 2);
    const b2 = child(b1, 5, 0);
    s.block('A', a1, T);
    s.block('B', b1, T);
    expect(s.block('B', b2, T)).toMatchObject([{ type: 'reorg', peer: 'B', reorg: { depth: 1 } }, { type: 'block', stale: false, height: 5 }]);
  });

  it('a competitor forked deeper than MAX_NEW_BLOCK_DEPTH below the tip is not printed, nor fetched', () => {
    const base = mineChain(MAX_NEW_BLOCK_DEPTH + 5);
    const s = onChain(base);
    const deep = child(base[2], 4, 9); // forks at height 3, the tip is at 15
    expect(s.headers('A', [deep.header], T)).toEqual([]);
    expect(s.block('A', deep, T)).toMatchObject([{ type: 'ignored', why: expect.stringMatching(/forked more than/) as string }]);
  });

  it('property: random trees of blocks delivered in any order (the peer answering getheaders with the block’s ancestry): each block is printed at most once, each reorg’s depth is the fork distance', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 14 }), fc.array(fc.nat()), (parents, order) => {
        const blocks: Block[] = [];
        const parentOf: number[] = []; // 0: genesis, else 1 + the parent's index
        const height = (i: number): number => (i === 0 ? 0 : 1 + height(parentOf[i - 1]));
        parents.forEach((p, i) => {
          const pi = p % (i + 1);
          parentOf.push(pi);
          const prev = pi === 0 ? REGTEST_GENESIS : blocks[pi - 1].header;
          blocks.push(mineBlock([], { prevBlock: prev.hash, time: REGTEST_GENESIS.time + 600 * (i + 1), height: height(i + 1) }));
        });
        const index = new Map(blocks.map((b, i) => [toReversedHex(b.header.hash), i + 1]));
        const ancestors = (i: number): number[] => (i === 0 ? [0] : [i, ...ancestors(parentOf[i - 1])]);
        const s = fresh();
        s.headers('A', [], T);
        const printed = new Map<string, number>();
        const check = (actions: readonly ChainAction[]): void => {
          for (const a of actions) {
            if (a.type === 'block') {
              const h = toReversedHex(a.block.header.hash);
              printed.set(h, (printed.get(h) ?? 0) + 1);
            } else if (a.type === 'reorg') {
              const r = reorgSummary(a);
              const oldI = index.get(r.oldTip.hash) as number;
              const shared = ancestors(index.get(r.newTip.hash) as number);
              const fork = ancestors(oldI).find((x) => shared.includes(x)) as number;
              expect(r.depth).toBe(height(oldI) - height(fork));
            } else if (a.type === 'getheaders') {
              // The peer has every block: it answers with the ancestry of every block delivered so far.
              const known = [...new Set(blocks.flatMap((_, i) => ancestors(i + 1)))].filter((x) => x > 0).sort((x, y) => height(x) - height(y));
              for (const x of known) check(s.headers('A', [blocks[x - 1].header], T));
            }
          }
        };
        const left = blocks.map((_, i) => i);
        for (let k = 0; left.length > 0; k++) {
          const [i] = left.splice((order[k] ?? 0) % left.length, 1);
          const got = s.block('A', blocks[i], T + k);
          // A block's verdict comes last: stale is whether it is off the best chain as it is printed.
          const verdict = got.at(-1);
          if (verdict?.type === 'block') expect(verdict.stale).toBe(!s.tree.isOnBestChain(verdict.block.header.hash));
          check(got);
        }
        for (const n of printed.values()) expect(n).toBe(1);
      }),
      { numRuns: 40 },
    );
  });
});
