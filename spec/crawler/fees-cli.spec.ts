/**
 * The mempool line's fee figures through the real `crawl` command with a scripted node: a block
 * creates the outputs four transactions spend (so every fee is known), a child pays for its parent
 * (CPFP); the line's histogram, next block feerate and projected blocks are checked against sums
 * made here from the transactions' vsizes and fees.
 */
import { describe, expect, it } from 'vitest';
import { toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import { FEE_LEVELS } from '../../lib/mempool/template.js';
import { mineBlock, REGTEST_GENESIS } from '../support/blocks.js';
import { coreHandshake } from '../support/scripted-peer.js';
import { crawlFixtures } from '../support/fixtures.js';
import { blockReply } from '../support/compact.js';
import { fundingTxid, mkTx } from '../support/mempool-txs.js';

const { listen, crawl } = crawlFixtures();
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

describe('the mempool line\'s fees', () => {
  it('gives the feerate histogram, the next block\'s lowest package feerate and the projected blocks of what it holds', async () => {
    const funding = mkTx({ ins: [[fundingTxid(1), 0]], outs: [100_000, 100_000, 100_000] });
    const a = mkTx({ ins: [[funding, 0]], outs: [99_000] }); // 1,000 sat
    const b = mkTx({ ins: [[funding, 1]], outs: [95_000] }); // 5,000
    const c = mkTx({ ins: [[funding, 2]], outs: [99_700] }); // 300
    const d = mkTx({ ins: [[a, 0]], outs: [79_000] }); // 20,000: pays for its parent A
    const txs = [a, b, c, d];
    const block = mineBlock([funding], { prevBlock: REGTEST_GENESIS.hash });
    let blockShown!: () => void;
    const shown = new Promise<void>((r) => (blockShown = r));
    const p = await listen(async (conn) => {
      await coreHandshake(conn);
      void shown.then(() => conn.send({ command: 'inv', items: txs.map((t) => ({ type: InvType.WTX, hash: t.wtxid })) }));
      for (;;) {
        const m = await conn.next();
        if (m.command === 'ping') conn.send({ command: 'pong', nonce: m.nonce });
        // A node whose tip is genesis has no headers to give; then it announces its new block.
        if (m.command === 'getheaders') {
          conn.send({ command: 'headers', headers: [] });
          conn.send({ command: 'headers', headers: [block.header] });
        }
        if (m.command !== 'getdata') continue;
        for (const item of m.items) {
          const reply = blockReply(item.type, block);
          if (reply) conn.send(reply);
          const t = txs.find((x) => toReversedHex(x.wtxid) === toReversedHex(item.hash));
          if (t) conn.send({ command: 'tx', tx: t });
        }
      }
    });
    const crawler = crawl('--peers', p.address, '--emit', 'tx,block', '--mempool-stats', '0.1');
    await crawler.waitLine((l) => l.event === 'block' && l.hash === toReversedHex(block.header.hash), 'the funding block');
    blockShown();
    const line = await crawler.waitLine((l) => l.event === 'mempool' && l.count === 4, 'a mempool line with the four');

    const vsize = txs.reduce((s, t) => s + t.vsize, 0);
    expect(line).toMatchObject({ vsize, known_fee_count: 4, known_fee_vsize: vsize });
    // Each transaction in the level of its own feerate.
    const want = FEE_LEVELS.map(() => [0, 0]);
    for (const [t, fee] of [[a, 1_000], [b, 5_000], [c, 300], [d, 20_000]] as const) {
      const level = FEE_LEVELS.findLastIndex((l) => l <= fee / t.vsize);
      want[level][0] += t.vsize;
      want[level][1]++;
    }
    expect(line.fee_histogram).toEqual(FEE_LEVELS.map((l, i) => [l, ...want[i]]));
    // One block holds all: A and D go in together at their package's feerate (above B's), then B, then C.
    const pkg = 21_000 / (a.vsize + d.vsize);
    const [rb, rc] = [5_000 / b.vsize, 300 / c.vsize];
    expect(pkg).toBeGreaterThan(rb);
    expect(line.next_block_feerate).toBe(r3(rc));
    // Ascending: C, B, A and D at the package's. Percentiles by count (10, 25 → C; 50 → B; 75, 90 → the package's); the middle of the weight is B's (C and B are half of it, or more).
    expect(c.weight + b.weight).toBeGreaterThanOrEqual((a.weight + d.weight + b.weight + c.weight) / 2);
    expect(line.projected_blocks).toEqual([{ n_tx: 4, vsize, total_fee: 26_300, median_feerate: r3(rb), feerate_range: [rc, rc, rc, rb, pkg, pkg, pkg].map(r3) }]);
  });
});
