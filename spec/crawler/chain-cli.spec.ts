/**
 * Issue 19, item 4, through the real `crawl` command: a block is printed only when its header
 * connects to the header tree near its best tip. A block with a made-up parent (the forged
 * powLimit signet block) and an old block served again (mainnet 713,126 replayed) are not; the
 * new block after them is. A peer whose headers break the rules is dropped.
 */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../lib/wire/model.js';
import { hashKey, toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import { headersAfter, mineBlock, mineChain, mineHeader } from '../support/blocks.js';
import { coreHandshake, scriptedPeer, type ScriptedConnection } from '../support/scripted-peer.js';
import { CrawlProcess } from '../support/crawl-process.js';
import { readVectors, type BlockVector } from '../support/vectors.js';
import { decodeBlock } from '../../lib/wire/block.js';
import { fromHex } from '../../lib/wire/hex.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { crawlFixtures } from '../support/fixtures.js';
import { blockReply } from '../support/compact.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';
import { isCoinbase } from '../../lib/tx/pow.js';

const { listen, crawl } = crawlFixtures();

/**
 * A node with `chain` whose first `visible` blocks it has: answers getheaders from them and
 * getdata from `blocks` (and `txs`), pings with pongs. Returns a handle to show more blocks.
 */
function chainPeer(chain: readonly Block[], visible: number, blocks: readonly Block[], txs = distinctTxs(0)) {
  const byHash = new Map([...chain, ...blocks].map((b) => [hashKey(b.header.hash), b]));
  const served: string[] = [];
  let conn: ScriptedConnection | undefined;
  let onServed: ((hash: string) => void) | undefined;
  const script = async (c: ScriptedConnection): Promise<void> => {
    conn = c;
    await coreHandshake(c);
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getheaders') c.send({ command: 'headers', headers: headersAfter(chain.slice(0, visible).map((b) => b.header), m.locator) });
      if (m.command !== 'getdata') continue;
      for (const item of m.items) {
        const b = byHash.get(hashKey(item.hash));
        const reply = b && blockReply(item.type, b);
        if (b && reply) {
          c.send(reply);
          served.push(toReversedHex(b.header.hash));
          onServed?.(toReversedHex(b.header.hash));
        }
        const t = txs.find((x) => hashKey(x.wtxid) === hashKey(item.hash));
        if (t) c.send({ command: 'tx', tx: t });
      }
    }
  };
  return {
    script,
    served,
    send: (m: Parameters<ScriptedConnection['send']>[0]) => conn?.send(m),
    /** The node mines: it now has `n` blocks. */
    show: (n: number) => (visible = n),
    whenServed: (hash: string) => new Promise<void>((r) => (served.includes(hash) ? r() : (onServed = (h) => h === hash && r()))),
  };
}

describe('only blocks that connect to the header chain near its tip are printed', () => {
  it('prints neither a forged block on a made-up parent nor a replayed old one; the new block after them is printed', async () => {
    const [t] = distinctTxs(1, typicalTxs().filter((x) => !isCoinbase(x)));
    const chain = mineChain(21);
    // Valid proof of work and merkle root, confirming t, on a parent nobody has (the signet forgery).
    const forged = mineBlock([t], { prevBlock: new Uint8Array(32).fill(0x5a), time: 1_700_020_000, height: 21 });
    const old = chain[2]; // height 3, 17 below the tip: a replay
    const peer = chainPeer(chain, 20, [forged], [t]);
    const p = await listen(peer.script);
    const c = crawl('--peers', p.address, '--emit', 'tx,block,peer', '--mempool-stats', '0.2');
    await c.waitLine((l) => l.event === 'peer' && l.state === 'up', 'peer up');
    peer.send({ command: 'inv', items: [{ type: InvType.WTX, hash: t.wtxid }] });
    await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(t.txid), 'tx line');
    peer.send({ command: 'inv', items: [{ type: InvType.BLOCK, hash: forged.header.hash }] });
    peer.send({ command: 'inv', items: [{ type: InvType.BLOCK, hash: old.header.hash }] });
    await peer.whenServed(toReversedHex(forged.header.hash));
    await peer.whenServed(toReversedHex(old.header.hash));
    // The node mines block 21 and announces it by its header (BIP 130 style).
    peer.show(21);
    peer.send({ command: 'headers', headers: [chain[20].header] });
    const line = await c.waitLine((l) => l.event === 'block', 'the new block');
    expect(line).toMatchObject({ hash: toReversedHex(chain[20].header.hash), height: 21, seen_txs: 0 });
    // The forged and the old block came first on the same connection: they were handled, and not printed.
    expect(c.lines.all.filter((l) => l.event === 'block').map((l) => l.hash)).toEqual([toReversedHex(chain[20].header.hash)]);
    // The forged block confirmed nothing: t is still in the mempool view.
    const after = await c.waitLine((l) => l.event === 'mempool' && (l.time as number) > (line.seen as { time: number }).time, 'mempool after the block');
    expect(after.count).toBe(1);
  });

  it('drops a peer whose headers break the difficulty rule, with invalid-header', async () => {
    const chain = mineChain(5);
    // Block 6 claims harder bits than regtest's fixed ones: Core's bad-diffbits.
    const bad = mineHeader(chain[4].header, { bits: 0x2000ffff });
    const p = await listen(async (c) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'getheaders') c.send({ command: 'headers', headers: [...chain.map((b) => b.header), bad] });
      }
    });
    const c = crawl('--peers', p.address, '--emit', 'peer', '--no-reconnect');
    const down = await c.waitLine((l) => l.event === 'peer' && l.state === 'down', 'peer dropped');
    expect(down.reason).toBe('invalid-header');
    expect(String(down.message)).toMatch(/bad-diffbits/);
  });

  it('does not print real mainnet block 713,126 served again on --network mainnet', async () => {
    const vector = readVectors<BlockVector>('blocks.ndjson').find((v) => v.height === 713_126 && v.network === 'mainnet')!;
    const block = decodeBlock(fromHex(vector.hex));
    expect(toReversedHex(block.header.hash)).toBe(vector.hash);
    const p = await scriptedPeer(
      async (c) => {
        await coreHandshake(c);
        c.send({ command: 'inv', items: [{ type: InvType.BLOCK, hash: block.header.hash }] });
        for (;;) {
          const m = await c.next();
          if (m.command === 'getheaders') c.send({ command: 'headers', headers: [] });
          if (m.command === 'getdata' && m.items.some((i) => i.type === InvType.WITNESS_BLOCK)) {
            c.send({ command: 'block', block });
            // Our ping's pong comes after the block was handled; then we leave, and the crawler prints that.
            c.send({ command: 'ping', nonce: 713_126n });
          }
          if (m.command === 'pong' && m.nonce === 713_126n) return c.close();
        }
      },
      '127.0.0.1',
      NETWORKS.mainnet.magic,
    );
    const c = new CrawlProcess(['--network', 'mainnet', '--peers', p.address, '--emit', 'block,peer', '--no-reconnect']);
    try {
      await c.waitLine((l) => l.event === 'peer' && l.state === 'down', 'the peer leaves after the block', 30_000);
      expect(c.lines.all.filter((l) => l.event === 'block')).toEqual([]);
    } finally {
      await c.stop('SIGKILL');
      await p.close();
    }
  });
});
