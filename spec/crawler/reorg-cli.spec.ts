/**
 * Issue 22, competing blocks, through the real `crawl` command with a scripted node: the crawler
 * sends `sendheaders` (BIP 130) once its getheaders is answered short; blocks announced by headers
 * are fetched; a second block at the tip's height is printed with `stale: true`; the branch that
 * then grows longer gives one `reorg` line; every block is printed once. The mempool view follows
 * the best chain through reorgs, as Core's mempool does: a block that leaves gives its transactions
 * back, a branch's blocks that came stale confirm theirs when it wins.
 */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../lib/wire/model.js';
import { hashKey, toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import { headersAfter, mineBlock, mineChain } from '../support/blocks.js';
import { coreHandshake, type ScriptedConnection } from '../support/scripted-peer.js';
import { blockReply } from '../support/compact.js';
import { crawlFixtures } from '../support/fixtures.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';
import { isCoinbase } from '../../lib/tx/pow.js';
import type { JsonLine } from '../support/crawl-process.js';

const { listen, crawl } = crawlFixtures();

describe('competing blocks announced by headers', () => {
  it('sends sendheaders after the headers sync, prints a competitor stale, then one reorg line, each block once', async () => {
    const base = mineChain(20);
    const tip = base[19];
    const on = (parent: Block, height: number, salt: number) => mineBlock([], { prevBlock: parent.header.hash, time: parent.header.time + 600 + salt, height });
    const a1 = on(tip, 21, 1);
    const b1 = on(tip, 21, 2);
    const b2 = on(b1, 22, 0);
    const all = new Map([...base, a1, b1, b2].map((b) => [hashKey(b.header.hash), b]));
    const received: string[] = [];
    let conn: ScriptedConnection | undefined;
    let sendheaders: () => void = () => {};
    const gotSendheaders = new Promise<void>((r) => (sendheaders = r));
    const p = await listen(async (c) => {
      conn = c;
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        received.push(m.command);
        if (m.command === 'sendheaders') sendheaders();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'getheaders') c.send({ command: 'headers', headers: headersAfter(base.map((b) => b.header), m.locator) });
        if (m.command !== 'getdata') continue;
        for (const item of m.items) {
          const reply = blockReply(item.type, all.get(hashKey(item.hash)) as Block);
          if (reply) c.send(reply);
        }
      }
    });
    const c = crawl('--peers', p.address, '--emit', 'block,reorg');
    await gotSendheaders;
    // BIP 130: after the headers sync (Core: MaybeSendSendHeaders), not before our getheaders was answered.
    expect(received.indexOf('getheaders')).toBeLessThan(received.indexOf('sendheaders'));
    const line = (hash: Block) => (l: Record<string, unknown>) => l.event === 'block' && l.hash === toReversedHex(hash.header.hash);

    conn?.send({ command: 'headers', headers: [a1.header] });
    expect(await c.waitLine(line(a1), 'A1')).not.toHaveProperty('stale');
    conn?.send({ command: 'headers', headers: [b1.header] });
    expect(await c.waitLine(line(b1), 'B1, a competitor at the same height')).toMatchObject({ height: 21, stale: true });
    conn?.send({ command: 'headers', headers: [b2.header] });
    const reorg = await c.waitLine((l) => l.event === 'reorg', 'the reorg');
    expect(reorg).toMatchObject({
      old_tip: toReversedHex(a1.header.hash),
      old_height: 21,
      new_tip: toReversedHex(b2.header.hash),
      new_height: 22,
      fork: toReversedHex(tip.header.hash),
      fork_height: 20,
      depth: 1,
      seen: { peer: p.address },
    });
    expect(await c.waitLine(line(b2), 'B2')).not.toHaveProperty('stale');
    // Announced again (as a node does after it reorganizes): nothing new is printed.
    conn?.send({ command: 'headers', headers: [b1.header, b2.header] });
    const b3 = on(b2, 23, 0);
    all.set(hashKey(b3.header.hash), b3);
    conn?.send({ command: 'headers', headers: [b3.header] });
    await c.waitLine(line(b3), 'B3');
    expect(c.lines.all.filter((l) => l.event === 'block').map((l) => l.hash)).toEqual([a1, b1, b2, b3].map((b) => toReversedHex(b.header.hash)));
    expect(c.lines.all.filter((l) => l.event === 'reorg')).toHaveLength(1);
  });
});

describe('the mempool view through reorgs', () => {
  it('gives back the transactions of blocks that leave the chain, and confirms those of a winning branch\'s stale blocks, both ways', async () => {
    const base = mineChain(20);
    const [t1, t2] = distinctTxs(2, typicalTxs().filter((x) => !isCoinbase(x)));
    const on = (parent: Block, txs: typeof t1[], height: number, salt: number) => mineBlock(txs, { prevBlock: parent.header.hash, time: parent.header.time + 600 + salt, height });
    // A: a1 confirms t1. B: b1, b2 (empty) win; b3 confirms t1. A again: a2 (t2), a3, a4 win back.
    const a1 = on(base[19], [t1], 21, 1);
    const b1 = on(base[19], [], 21, 2);
    const b2 = on(b1, [], 22, 0);
    const b3 = on(b2, [t1], 23, 0);
    const a2 = on(a1, [t2], 22, 3);
    const a3 = on(a2, [], 23, 3);
    const a4 = on(a3, [], 24, 3);
    const all = new Map([...base, a1, b1, b2, b3, a2, a3, a4].map((b) => [hashKey(b.header.hash), b]));
    let conn: ScriptedConnection | undefined;
    let synced: () => void = () => {};
    const gotSendheaders = new Promise<void>((r) => (synced = r));
    const p = await listen(async (c) => {
      conn = c;
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        if (m.command === 'sendheaders') synced();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'getheaders') c.send({ command: 'headers', headers: headersAfter(base.map((b) => b.header), m.locator) });
        if (m.command !== 'getdata') continue;
        for (const item of m.items) {
          const reply = blockReply(item.type, all.get(hashKey(item.hash)) as Block);
          if (reply) c.send(reply);
          const t = [t1, t2].find((x) => hashKey(x.wtxid) === hashKey(item.hash));
          if (t) c.send({ command: 'tx', tx: t });
        }
      }
    });
    const c = crawl('--peers', p.address, '--emit', 'tx,block,reorg,confirmed', '--mempool-stats', '0.1');
    await gotSendheaders;
    const hex = (b: Block) => toReversedHex(b.header.hash);
    const blockLine = (b: Block) => c.waitLine((l) => l.event === 'block' && l.hash === hex(b), hex(b));
    /** The view's count in the first mempool line after `line`. */
    const countAfter = async (line: JsonLine): Promise<unknown> => (await c.lines.wait((l) => l.event === 'mempool', 15_000, 'a mempool line', c.lines.all.indexOf(line) + 1)).count;
    const confirmedIn = (t: typeof t1, b: Block) => c.lines.all.filter((l) => l.event === 'confirmed' && l.txid === toReversedHex(t.txid) && l.block === hex(b));

    conn?.send({ command: 'inv', items: [t1, t2].map((t) => ({ type: InvType.WTX, hash: t.wtxid })) });
    for (const t of [t1, t2]) await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(t.txid), 'tx line');
    conn?.send({ command: 'headers', headers: [a1.header] });
    expect(await countAfter(await blockLine(a1))).toBe(1);
    expect(confirmedIn(t1, a1)).toHaveLength(1);
    conn?.send({ command: 'headers', headers: [b1.header] });
    expect(await countAfter(await blockLine(b1))).toBe(1);
    // B wins: a1 leaves, t1 comes back.
    conn?.send({ command: 'headers', headers: [b2.header] });
    expect(await countAfter(await blockLine(b2))).toBe(2);
    await c.waitLog(/mempool_reorg=\{"disconnected":1,"returned":1,"lost":0,"joined":1\}/);
    conn?.send({ command: 'headers', headers: [b3.header] });
    expect(await countAfter(await blockLine(b3))).toBe(1);
    expect(confirmedIn(t1, b3)).toHaveLength(1);
    // A wins back: b3, b2, b1 leave (t1 comes back), a1 and a2 (stale until now) join: t1 and t2 confirmed in them.
    for (const b of [a2, a3]) {
      conn?.send({ command: 'headers', headers: [b.header] });
      expect((await blockLine(b)).stale).toBe(true);
    }
    conn?.send({ command: 'headers', headers: [a4.header] });
    expect(await countAfter(await blockLine(a4))).toBe(0);
    expect(confirmedIn(t1, a1)).toHaveLength(2);
    expect(confirmedIn(t2, a2)).toHaveLength(1);
    expect(c.lines.all.filter((l) => l.event === 'reorg')).toHaveLength(2);
  });
});
