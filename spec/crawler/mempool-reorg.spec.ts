/** The mempool monitor through reorgs and made-up chains, without sockets: what a reorg may cost, whatever the blocks a peer makes (regtest's proof of work is free), and a chain leaving whole. */
import { describe, expect, it } from 'vitest';
import { MempoolMonitor, REORG_BUDGET_MAX, type ReorgDone } from '../../lib/crawler/mempool.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { hashKey, toReversedHex } from '../../lib/wire/hex.js';
import type { Block, DecodedTx } from '../../lib/wire/model.js';
import { mineBlock } from '../support/blocks.js';
import { fundingTxid, mkTx } from '../support/mempool-txs.js';
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';

/** A ~3.9 MB block on `parent` (a witness that size: 1 weight unit a byte), or a small one. */
const BIG = 3_900_000;

function block(parent: Block | undefined, height: number, big: boolean, salt: number): Block {
  const tx = decodeTx(
    encodeTx({
      version: 2,
      inputs: [{ prevTxid: fundingTxid(height * 1000 + salt), prevIndex: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [new Uint8Array(BIG)] }],
      outputs: [{ value: 1n, script: Uint8Array.of(0x51) }],
      locktime: 0,
    }),
  );
  return mineBlock(big ? [tx] : [mkTx({ ins: [[fundingTxid(height * 1000 + salt), 1]], outs: [1] })], { prevBlock: parent?.header.hash ?? new Uint8Array(32).fill(9), time: 1_700_000_000 + height * 600 + salt, height });
}

describe('MempoolMonitor through reorgs', () => {
  it('follows flip-flops between two branches until their moves pass the budget: reorgs cost at most REORG_BUDGET_MAX and twice what arrived', () => {
    const m = new MempoolMonitor({ emit: new Set(), network: NETWORKS.regtest, raw: false }, () => {});
    const received: Block[] = [];
    const reorgs: ReorgDone[] = [];
    const key = (b: Block) => hashKey(b.header.hash);
    const ancestors = (b: Block, branch: Block[]) => [...branch.slice(0, branch.indexOf(b)).reverse(), g].map(key);
    const best = (b: Block, branch: Block[]): void => {
      received.push(b);
      const r = m.block(b, ancestors(b, branch), toReversedHex(b.header.hash), undefined, 0, 'p', received.length);
      if (r.reorg) reorgs.push(r.reorg);
    };
    const g = block(undefined, 0, false, 0);
    best(g, [g]);
    // X: two big blocks (7.8 MB). Y: small ones. Each flip is one small block, and moves X's two.
    const x = [block(g, 1, true, 1)];
    x.push(block(x[0], 2, true, 1));
    for (const b of x) best(b, x);
    const y = [block(g, 1, false, 2)];
    received.push(y[0]);
    m.staleBlock(y[0], toReversedHex(y[0].header.hash), undefined, 0, 'p');
    for (let flip = 0; flip < 10; flip++) {
      const branch = flip % 2 === 0 ? y : x;
      branch.push(block(branch.at(-1)!, branch.length + 1, false, flip % 2 === 0 ? 2 : 1));
      best(branch.at(-1)!, branch);
    }
    expect(reorgs).toHaveLength(10);
    const followed = reorgs.filter((r) => !r.skipped);
    // 40 MB at first: five flips of 7.8 MB; then only what small blocks bring, not enough for another.
    expect(followed).toHaveLength(5);
    expect(reorgs.slice(5).every((r) => r.skipped)).toBe(true);
    const arrived = received.reduce((n, b) => n + b.raw.length, 0);
    expect(followed.length * 2 * BIG).toBeLessThanOrEqual(REORG_BUDGET_MAX + 2 * arrived);
    // The first gave X's two transactions back (the coinbases stay out).
    expect(followed[0]).toMatchObject({ disconnected: 2, returned: 2, lost: 0, joined: 1 });
    // Skipped: nothing came back, nothing joined; the view stays as the last followed one left it.
    expect(reorgs[5]).toMatchObject({ returned: 0, joined: 0, skipped: true });
  });
});

describe('MempoolMonitor and a made-up chain', () => {
  it('prints an evicted line for each of a 150,000-transaction chain when a block double-spends its root, and goes on (a spread of them once threw)', () => {
    const LONG = 150_000;
    const lines: string[] = [];
    const m = new MempoolMonitor({ emit: new Set(['evicted']), network: NETWORKS.regtest, raw: false }, (l) => lines.push(l));
    const chain: DecodedTx[] = [mkTx({ ins: [[fundingTxid(1), 0]], outs: [100_000_000] })];
    for (let i = 1; i < LONG; i++) chain.push(mkTx({ ins: [[chain[i - 1], 0]], outs: [100_000_000 - i] }));
    chain.forEach((t, i) => m.tx(t, i, () => {}));
    expect(m.size).toBe(LONG);
    const g = mineBlock([], { prevBlock: new Uint8Array(32).fill(9), time: 1_700_000_000, height: 0 });
    m.block(g, [], toReversedHex(g.header.hash), 0, g.header.time, 'p', LONG);
    const spend = mkTx({ ins: [[fundingTxid(1), 0]], outs: [1], tag: 9 });
    const b = mineBlock([spend], { prevBlock: g.header.hash, time: 1_700_000_600, height: 1 });
    const r = m.block(b, [hashKey(g.header.hash)], toReversedHex(b.header.hash), 1, b.header.time, 'p', LONG + 1);
    expect(r).toMatchObject({ seen: 0, unseen: 1 });
    expect(lines).toHaveLength(LONG);
    expect(lines.every((l) => (JSON.parse(l) as { event: string; reason: string; by: string }).reason === 'conflict')).toBe(true);
    expect(m.size).toBe(0);
    m.tx(mkTx({ ins: [[fundingTxid(2), 0]], outs: [1] }), LONG + 2, () => {});
    expect(m.size).toBe(1);
  });
});
