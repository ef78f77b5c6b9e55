/** Header sync and the new-block gate (lib/crawler/headers.ts), as a pure state machine over a real header tree. */
import { describe, expect, it } from 'vitest';
import { CHAIN_PARAMS } from '../../lib/chain/params.js';
import { HeaderTree } from '../../lib/chain/tree.js';
import { HeaderSync, MAX_NEW_BLOCK_DEPTH, MAX_NUM_UNCONNECTING_HEADERS_MSGS, MAX_PARKED_BLOCKS, type ChainAction } from '../../lib/crawler/headers.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import { MAX_HEADERS } from '../../lib/wire/limits.js';
import type { BlockHeader } from '../../lib/wire/model.js';
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
    // A short batch ends it; those headers are the chain so far, not blocks to fetch.
    expect(s.headers('A', [mineHeader(prev, { time: prev.time + 1 })], T)).toEqual([]);
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
