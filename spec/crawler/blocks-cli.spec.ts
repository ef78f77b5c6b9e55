/** Blocks, the mempool view and announcement telemetry, through the real `crawl` command. */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../lib/wire/model.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import { encodeTx, decodeTx } from '../../lib/wire/transaction.js';
import { decodeBlock, encodeBlock } from '../../lib/wire/block.js';
import { mineBlock, REGTEST_GENESIS, withHeader } from '../support/blocks.js';
import { blockReply } from '../support/compact.js';
import { coreHandshake, servingPeer } from '../support/scripted-peer.js';
import { crawlFixtures } from '../support/fixtures.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';
import { isCoinbase } from '../../lib/tx/pow.js';

/** Transactions a block may hold after its coinbase. */
const spends = () => typicalTxs().filter((t) => !isCoinbase(t));


const { listen, crawl } = crawlFixtures();

describe('blocks and the mempool view', () => {
  it('fetches a block announced by headers as a compact block, rebuilds and reports it, and drops its transactions from the mempool view', async () => {
    const txs = distinctTxs(3, spends());
    // A coinbase, then the three transactions announced first; on genesis, so that its header connects.
    const block = mineBlock(txs, { prevBlock: REGTEST_GENESIS.hash });
    const getdataTypes: number[] = [];
    // The block is announced only once the crawler has shown the three transactions pending.
    let release!: () => void;
    const pendingShown = new Promise<void>((r) => (release = r));
    const p = await listen(async (c) => {
      await coreHandshake(c);
      c.send({ command: 'inv', items: txs.map((t) => ({ type: InvType.WTX, hash: t.wtxid })) });
      let served = 0;
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        // A node whose tip is genesis has no headers to give.
        if (m.command === 'getheaders') c.send({ command: 'headers', headers: [] });
        if (m.command !== 'getdata') continue;
        for (const item of m.items) {
          getdataTypes.push(item.type);
          const reply = blockReply(item.type, block, 'coinbase');
          if (reply) c.send(reply);
          const t = txs.find((x) => toReversedHex(x.wtxid) === toReversedHex(item.hash));
          if (t) c.send({ command: 'tx', tx: t });
          if (t && ++served === 3) void pendingShown.then(() => c.send({ command: 'headers', headers: [block.header] }));
        }
      }
    });
    const c = crawl('--peers', p.address, '--emit', 'tx,block', '--mempool-stats', '0.1');
    const before = await c.waitLine((l) => l.event === 'mempool' && l.count === 3, 'mempool with 3 txs');
    expect(before.vsize).toBe(txs.reduce((a, t) => a + t.vsize, 0));
    release();
    const line = await c.waitLine((l) => l.event === 'block', 'block line');
    expect(line).toMatchObject({
      hash: toReversedHex(block.header.hash),
      prev_hash: toReversedHex(REGTEST_GENESIS.hash),
      height: 1,
      tx_count: 4,
      merkle_ok: true,
      seen_txs: 3,
      size: block.size,
      weight: block.weight,
      txids: block.txs.map((t) => toReversedHex(t.txid)),
      seen: { peer: p.address },
    });
    // A lone new block from a peer that offered compact blocks: asked as one (Core's
    // HeadersDirectFetchBlocks), rebuilt from the three transactions it holds, never fetched whole.
    expect(line.compact).toMatchObject({ missing: 0 });
    expect(getdataTypes).toContain(InvType.CMPCT_BLOCK);
    expect(getdataTypes).not.toContain(InvType.WITNESS_BLOCK);
    const after = await c.waitLine((l) => l.event === 'mempool' && l.count === 0 && (l.time as number) > (line.seen as { time: number }).time, 'empty mempool');
    expect(after.vsize).toBe(0);
  });

  it('drops a peer that serves a block without valid proof of work, merkle root or witness commitment, and prints none', async () => {
    const txs = distinctTxs(2, spends());
    const good = mineBlock(txs);
    // Another nonce: the header no longer meets its target (one try in two would; grind a miss).
    let badNonce = good;
    for (let n = good.header.nonce + 1; ; n++) {
      badNonce = withHeader(good, { nonce: n });
      if (badNonce.header.hash[31] >= 0x80) break;
    }
    const bad: Array<{ name: string; block: Block; why: RegExp }> = [
      { name: 'another nonce', block: badNonce, why: /high-hash/ },
      // A target above regtest's powLimit (0x7fff…): bits 0x2100ffff.
      { name: 'bits above powLimit', block: withHeader(good, { bits: 0x2100ffff }), why: /high-hash/ },
      // A transaction changed after the header was made: the merkle root no longer matches.
      {
        name: 'a changed transaction',
        block: decodeBlock(encodeBlock({ ...good, txs: [good.txs[0], good.txs[1], decodeTx(encodeTx({ ...good.txs[2], locktime: good.txs[2].locktime + 1 }))] })),
        why: /bad-txnmrklroot/,
      },
    ];
    const servers = await Promise.all(
      bad.map((b) =>
        listen(async (c) => {
          await coreHandshake(c);
          c.send({ command: 'inv', items: txs.map((t) => ({ type: InvType.WTX, hash: t.wtxid })) });
          c.send({ command: 'inv', items: [{ type: InvType.BLOCK, hash: b.block.header.hash }] });
          for (;;) {
            const m = await c.next('getdata');
            for (const item of m.items) {
              if (item.type === InvType.WITNESS_BLOCK) c.send({ command: 'block', block: b.block });
              const t = txs.find((x) => toReversedHex(x.wtxid) === toReversedHex(item.hash));
              if (t) c.send({ command: 'tx', tx: t });
            }
          }
        }),
      ),
    );
    // A quiet peer keeps the crawler running once the bad ones are gone.
    const quiet = await listen(async (c) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next('ping');
        c.send({ command: 'pong', nonce: m.nonce });
      }
    });
    const all = [...servers, quiet].map((p) => p.address).join(',');
    const c = crawl('--peers', all, '--emit', 'tx,block,peer', '--no-reconnect', '--mempool-stats', '0.2');
    for (const [i, b] of bad.entries()) {
      const down = await c.waitLine((l) => l.event === 'peer' && l.state === 'down' && l.peer === servers[i].address, `${b.name} dropped`);
      expect({ name: b.name, reason: down.reason }).toEqual({ name: b.name, reason: 'invalid-block' });
      expect(String(down.message)).toMatch(b.why);
    }
    // Nothing printed as a block, and the mempool view still holds both transactions.
    const dropsDone = Date.now() / 1000;
    const stats = await c.waitLine((l) => l.event === 'mempool' && (l.time as number) > dropsDone, 'mempool line after the drops');
    expect(stats.count).toBe(2);
    expect(c.lines.all.filter((l) => l.event === 'block')).toEqual([]);
  });

  it('records who announced a transaction first and how many peers announced it before it arrived', async () => {
    const txs = distinctTxs(1);
    let aAsked!: () => void;
    let bAnnounced!: () => void;
    const asked = new Promise<void>((r) => (aAsked = r));
    const announced = new Promise<void>((r) => (bAnnounced = r));
    // A announces first and delivers only after B has announced too.
    const a = servingPeer(txs, { onAsked: () => (aAsked(), announced) });
    const b = servingPeer(txs, { announceAfter: asked, onAnnounced: bAnnounced });
    const pa = await listen(a.script);
    const pb = await listen(b.script);
    const c = crawl('--peers', `${pa.address},${pb.address}`);
    const line = await c.waitLine((l) => l.event === 'tx', 'tx');
    const seen = line.seen as { peer: string; time: number; first: { peer: string; time: number }; last: { peer: string; time: number }; peers: number };
    expect(seen.peer).toBe(pa.address);
    expect(seen.first.peer).toBe(pa.address);
    expect(seen.last.peer).toBe(pb.address);
    expect(seen.peers).toBe(2);
    expect(seen.first.time).toBeLessThanOrEqual(seen.last.time);
    expect(seen.last.time).toBeLessThanOrEqual(seen.time);
  });
});
