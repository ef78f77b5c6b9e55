/** Blocks, the mempool view and announcement telemetry, through the real `crawl` command. */
import { describe, expect, it } from 'vitest';
import { decodeBlock, encodeBlock, merkleRoot, writeBlockHeader } from '../../lib/tx/block.js';
import type { Block, DecodedTx } from '../../lib/tx/types.js';
import { sha256d } from '../../lib/wire/hash.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import { ByteWriter } from '../../lib/wire/writer.js';
import { coreHandshake, servingPeer } from '../helpers/scripted-peer.js';
import { crawlFixtures } from '../helpers/fixtures.js';
import { distinctTxs } from '../helpers/txs.js';


/** A block of these transactions with a correct merkle root (proof of work is not checked). */
function makeBlock(txs: readonly DecodedTx[]): Block {
  const header = { version: 0x20000000, prevBlock: new Uint8Array(32).fill(7), merkleRoot: merkleRoot(txs.map((t) => t.txid)), time: 1_700_000_000, bits: 0x207fffff, nonce: 1 };
  const w = new ByteWriter(80);
  writeBlockHeader({ ...header, hash: new Uint8Array(32) }, w);
  const draft: Block = { header: { ...header, hash: sha256d(w.finish()) }, txs, raw: new Uint8Array(0), size: 0, strippedSize: 0, weight: 0 };
  return decodeBlock(encodeBlock(draft));
}

const { listen, crawl } = crawlFixtures();

describe('blocks and the mempool view', () => {
  it('fetches a block announced by headers, reports it, and drops its transactions from the mempool view', async () => {
    const txs = distinctTxs(4);
    const block = makeBlock(txs); // txs[0] plays the coinbase; txs[1..3] are announced first
    const getdataTypes: number[] = [];
    // The block is announced only once the crawler has shown the three transactions pending.
    let release!: () => void;
    const pendingShown = new Promise<void>((r) => (release = r));
    const p = await listen(async (c) => {
      await coreHandshake(c);
      c.send({ command: 'inv', items: txs.slice(1).map((t) => ({ type: InvType.WTX, hash: t.wtxid })) });
      let served = 0;
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command !== 'getdata') continue;
        for (const item of m.items) {
          getdataTypes.push(item.type);
          if (item.type === InvType.WITNESS_BLOCK) c.send({ command: 'block', block });
          const t = txs.find((x) => toReversedHex(x.wtxid) === toReversedHex(item.hash));
          if (t) c.send({ command: 'tx', tx: t });
          if (t && ++served === 3) void pendingShown.then(() => c.send({ command: 'headers', headers: [block.header] }));
        }
      }
    });
    const c = crawl('--peers', p.address, '--emit', 'tx,block', '--mempool-stats', '0.1');
    const before = await c.waitLine((l) => l.event === 'mempool' && l.count === 3, 'mempool with 3 txs');
    expect(before.vsize).toBe(txs.slice(1).reduce((a, t) => a + t.vsize, 0));
    release();
    const line = await c.waitLine((l) => l.event === 'block', 'block line');
    expect(line).toMatchObject({
      hash: toReversedHex(block.header.hash),
      prev_hash: '07'.repeat(32),
      tx_count: 4,
      merkle_ok: true,
      seen_txs: 3,
      size: block.size,
      weight: block.weight,
      txids: txs.map((t) => toReversedHex(t.txid)),
      seen: { peer: p.address },
    });
    expect(getdataTypes).toContain(InvType.WITNESS_BLOCK);
    const after = await c.waitLine((l) => l.event === 'mempool' && l.count === 0 && (l.time as number) > (line.seen as { time: number }).time, 'empty mempool');
    expect(after.vsize).toBe(0);
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
