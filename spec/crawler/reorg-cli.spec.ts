/**
 * Issue 22, competing blocks, through the real `crawl` command with a scripted node: the crawler
 * sends `sendheaders` (BIP 130) once its getheaders is answered short; blocks announced by headers
 * are fetched; a second block at the tip's height is printed with `stale: true`; the branch that
 * then grows longer gives one `reorg` line; every block is printed once.
 */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../lib/wire/model.js';
import { hashKey, toReversedHex } from '../../lib/wire/hex.js';
import { InvType } from '../../lib/wire/messages.js';
import { headersAfter, mineBlock, mineChain } from '../support/blocks.js';
import { coreHandshake, type ScriptedConnection } from '../support/scripted-peer.js';
import { crawlFixtures } from '../support/fixtures.js';

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
        if (m.command === 'getdata') for (const item of m.items) if (item.type === InvType.WITNESS_BLOCK) c.send({ command: 'block', block: all.get(hashKey(item.hash)) as Block });
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
