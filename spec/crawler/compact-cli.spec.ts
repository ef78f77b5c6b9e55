/**
 * Compact blocks (BIP 152) through the real `crawl` command, against scripted peers on loopback:
 * sendcmpct after the handshake, a cmpctblock rebuilt with none or some transactions missing,
 * a short id collision falling back to the whole block, and hostile blocktxn.
 */
import { describe, expect, it } from 'vitest';
import { isCoinbase } from '../../lib/tx/pow.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import { InvType, type Message, type MessageOf } from '../../lib/wire/messages.js';
import type { Block, DecodedTx } from '../../lib/wire/model.js';
import { mineBlock, REGTEST_GENESIS } from '../support/blocks.js';
import { compactOf } from '../support/compact.js';
import { crawlFixtures } from '../support/fixtures.js';
import { series } from '../support/prometheus.js';
import { coreHandshake, type ScriptedConnection } from '../support/scripted-peer.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';

const { listen, crawl } = crawlFixtures();
const ALL = distinctTxs(5, typicalTxs().filter((t) => !isCoinbase(t)));
const TXS = ALL.slice(0, 4);
/** Never announced: a block holding it cannot be rebuilt from what peers sent. */
const UNANNOUNCED = ALL[4];
const BLOCK = mineBlock(TXS, { prevBlock: REGTEST_GENESIS.hash });

interface NodeScript {
  /** Announced and served at once. */
  readonly txs: readonly DecodedTx[];
  /** Sent once the test releases (after the crawler printed the transactions). */
  readonly then: (c: ScriptedConnection) => void;
  readonly getblocktxn?: (m: MessageOf<'getblocktxn'>, c: ScriptedConnection) => void;
  readonly block?: Block;
  /** Its answer to a getdata for a compact block (MSG_CMPCT_BLOCK), if any. */
  readonly cmpct?: (c: ScriptedConnection) => void;
  /** Every message the crawler sent after the handshake. */
  readonly seen?: (m: Message) => void;
}

/** A node at genesis, as Core after its handshake: serves what it announced, answers getheaders with none. */
function node(s: NodeScript, released: Promise<void>): (c: ScriptedConnection) => Promise<void> {
  return async (c) => {
    await coreHandshake(c);
    if (s.txs.length > 0) c.send({ command: 'inv', items: s.txs.map((t) => ({ type: InvType.WTX, hash: t.wtxid })) });
    void released.then(() => s.then(c));
    for (;;) {
      const m = await c.next();
      s.seen?.(m);
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getheaders') c.send({ command: 'headers', headers: [] });
      if (m.command === 'getblocktxn') s.getblocktxn?.(m, c);
      if (m.command !== 'getdata') continue;
      for (const item of m.items) {
        const t = s.txs.find((x) => toReversedHex(x.wtxid) === toReversedHex(item.hash));
        if (t) c.send({ command: 'tx', tx: t });
        if (item.type === InvType.WITNESS_BLOCK && s.block) c.send({ command: 'block', block: s.block });
        if (item.type === InvType.CMPCT_BLOCK) s.cmpct?.(c);
      }
    }
  };
}

function released(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

const sent = (c: { received: readonly Message[] }[], command: string): Message[] => c.flatMap((x) => x.received.filter((m) => m.command === command));

/** The types of the block items the crawler asked for, in order. */
const blockRequests = (seen: readonly Message[]): number[] =>
  seen.flatMap((m) => (m.command === 'getdata' ? m.items.map((i) => i.type).filter((t) => t === InvType.WITNESS_BLOCK || t === InvType.CMPCT_BLOCK) : []));

/** Announces `headers` by headers (BIP 130), as Core announces a new block to a low-bandwidth peer. */
const announce = (...headers: Block[]) => (c: ScriptedConnection) => c.send({ command: 'headers', headers: headers.map((b) => b.header) });

describe('compact blocks (BIP 152)', () => {
  it('sends sendcmpct(false, 2) after the handshake, rebuilds a cmpctblock from the transactions it was sent without a getdata for the block, then asks that peer for high-bandwidth mode', async () => {
    const r = released();
    const conns: ScriptedConnection[] = [];
    const hb = released();
    const seen = (m: Message): void => (m.command === 'sendcmpct' && m.announce ? hb.release() : undefined);
    const p = await listen(async (c) => {
      conns.push(c);
      await node({ txs: TXS, then: (x) => x.send(compactOf(BLOCK)), seen }, r.promise)(c);
    });
    const c = crawl('--peers', p.address, '--emit', 'tx,block');
    await c.waitLine(() => c.txLines().length >= TXS.length, 'tx lines');
    expect(sent(conns, 'sendcmpct')[0]).toEqual({ command: 'sendcmpct', announce: false, version: 2n });
    r.release();
    const line = await c.waitLine((l) => l.event === 'block', 'block line');
    expect(line).toMatchObject({ hash: toReversedHex(BLOCK.header.hash), height: 1, tx_count: 5, merkle_ok: true, compact: { missing: 0 }, seen: { peer: p.address, first: { peer: p.address } } });
    expect(typeof (line.compact as { ms: number }).ms).toBe('number');
    expect(sent(conns, 'getdata').flatMap((m) => (m.command === 'getdata' ? m.items : [])).filter((i) => i.type === InvType.WITNESS_BLOCK)).toEqual([]);
    expect(sent(conns, 'getblocktxn')).toEqual([]);
    // The peer delivered a new block first and offered version 2: high-bandwidth mode is asked of it.
    await hb.promise;
    expect(sent(conns, 'sendcmpct')[1]).toEqual({ command: 'sendcmpct', announce: true, version: 2n });
  });

  it('asks getblocktxn for the transactions it lacks and prints the block with compact.missing', async () => {
    const r = released();
    const asked: number[][] = [];
    const p = await listen(
      node(
        {
          txs: TXS.slice(0, 2),
          then: (x) => x.send(compactOf(BLOCK)),
          getblocktxn: (m, x) => {
            asked.push([...m.indexes]);
            x.send({ command: 'blocktxn', hash: BLOCK.header.hash, txs: m.indexes.map((i) => BLOCK.txs[i]) });
          },
        },
        r.promise,
      ),
    );
    const c = crawl('--peers', p.address, '--emit', 'tx,block');
    await c.waitLine(() => c.txLines().length >= 2, 'two tx lines');
    r.release();
    const line = await c.waitLine((l) => l.event === 'block', 'block line');
    expect(asked).toEqual([[3, 4]]);
    expect(line).toMatchObject({ hash: toReversedHex(BLOCK.header.hash), compact: { missing: 2 }, merkle_ok: true });
  });

  it('falls back to the whole block when short ids collide within the block, and prints it with compact: false', async () => {
    const r = released();
    const m = compactOf(BLOCK);
    const collide: Message = { ...m, shortIds: [m.shortIds[0], m.shortIds[0], ...m.shortIds.slice(2)] };
    const p = await listen(node({ txs: TXS, then: (x) => x.send(collide), block: BLOCK }, r.promise));
    const c = crawl('--peers', p.address, '--emit', 'tx,block');
    await c.waitLine(() => c.txLines().length >= TXS.length, 'tx lines');
    r.release();
    const line = await c.waitLine((l) => l.event === 'block', 'block line');
    expect(line).toMatchObject({ hash: toReversedHex(BLOCK.header.hash), compact: false, seen: { first: { peer: p.address } } });
    await c.waitLog(/short id collision/);
  });

  it('ignores a blocktxn it did not ask for, and drops a peer whose blocktxn does not match what it asked', async () => {
    const r = released();
    const other = mineBlock([UNANNOUNCED], { prevBlock: REGTEST_GENESIS.hash, time: 1_700_000_100 });
    const honest = await listen(
      node({ txs: TXS, then: (x) => x.send({ command: 'blocktxn', hash: other.header.hash, txs: [TXS[0]] }), getblocktxn: () => {} }, r.promise),
    );
    const liar = await listen(
      node({ txs: [], then: (x) => x.send(compactOf(other)), getblocktxn: (_m, x) => x.send({ command: 'blocktxn', hash: other.header.hash, txs: [] }) }, r.promise),
    );
    const c = crawl('--peers', `${honest.address},${liar.address}`, '--emit', 'tx,block,peer');
    await c.waitLine(() => c.txLines().length >= TXS.length, 'tx lines');
    await c.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === liar.address, 'liar up');
    r.release();
    const down = await c.waitLine((l) => l.event === 'peer' && l.state === 'down', 'a peer down');
    expect(down).toMatchObject({ peer: liar.address, reason: 'invalid-block' });
    expect(down.message).toMatch(/blocktxn with 0 transactions for 1 asked/);
    await c.waitLog(/blocktxn for \w+, which we did not ask it for/);
    expect(c.lines.all.filter((l) => l.event === 'peer' && l.state === 'down' && l.peer === honest.address)).toEqual([]);
  });
});

describe('compact blocks asked for (BIP 152 low-bandwidth mode, as Core\'s HeadersDirectFetchBlocks)', () => {
  it('asks a lone new block announced by headers as a compact block, then getblocktxn for what it lacks; never the whole block', async () => {
    const r = released();
    const seen: Message[] = [];
    const asked: number[][] = [];
    const p = await listen(
      node(
        {
          txs: TXS.slice(0, 2),
          then: announce(BLOCK),
          cmpct: (x) => x.send(compactOf(BLOCK)),
          getblocktxn: (m, x) => {
            asked.push([...m.indexes]);
            x.send({ command: 'blocktxn', hash: BLOCK.header.hash, txs: m.indexes.map((i) => BLOCK.txs[i]) });
          },
          seen: (m) => seen.push(m),
        },
        r.promise,
      ),
    );
    const c = crawl('--peers', p.address, '--emit', 'tx,block', '--metrics-port', '0');
    const url = (await c.waitLog(/metrics url=/)).match(/url=(\S+)/)![1];
    await c.waitLine(() => c.txLines().length >= 2, 'two tx lines');
    r.release();
    const line = await c.waitLine((l) => l.event === 'block', 'block line');
    expect(line).toMatchObject({ hash: toReversedHex(BLOCK.header.hash), compact: { missing: 2 }, merkle_ok: true, seen: { peer: p.address, first: { peer: p.address } } });
    expect(asked).toEqual([[3, 4]]);
    expect(blockRequests(seen)).toEqual([InvType.CMPCT_BLOCK]);
    // And in the metrics: one block, rebuilt, two transactions asked for.
    const text = await (await fetch(url)).text();
    expect(series(text, 'bitcrawl_blocks_total')).toBe(1);
    expect(series(text, 'bitcrawl_blocks_rebuilt_total')).toBe(1);
    expect(series(text, 'bitcrawl_compact_block_missing_transactions_sum')).toBe(2);
    expect(series(text, 'bitcrawl_compact_block_missing_transactions_bucket{le="1"}')).toBe(0);
    expect(series(text, 'bitcrawl_compact_block_seconds_count')).toBe(1);
  });

  const m = compactOf(BLOCK);
  const collide: Message = { ...m, shortIds: [m.shortIds[0], m.shortIds[0], ...m.shortIds.slice(2)] };
  it.each([
    ['sent does not rebuild (a short id collision)', (x: ScriptedConnection) => x.send(collide), []],
    ['was not sent within --request-timeout', undefined, ['--request-timeout', '1']],
  ])('asks the same peer for the whole block when the compact block it was asked for %s', async (_what, cmpct, args) => {
    const r = released();
    const seen: Message[] = [];
    const p = await listen(node({ txs: TXS, then: announce(BLOCK), cmpct, block: BLOCK, seen: (x) => seen.push(x) }, r.promise));
    const c = crawl('--peers', p.address, '--emit', 'tx,block', ...args);
    await c.waitLine(() => c.txLines().length >= TXS.length, 'tx lines');
    r.release();
    const line = await c.waitLine((l) => l.event === 'block', 'block line');
    expect(line).toMatchObject({ hash: toReversedHex(BLOCK.header.hash), compact: false, seen: { peer: p.address } });
    expect(blockRequests(seen)).toEqual([InvType.CMPCT_BLOCK, InvType.WITNESS_BLOCK]);
  });

  it('asks whole blocks when one headers message announces two (not a lone new block)', async () => {
    const seen: Message[] = [];
    const next = mineBlock([UNANNOUNCED], { prevBlock: BLOCK.header.hash, time: BLOCK.header.time + 600 });
    const byHash = new Map([BLOCK, next].map((b) => [toReversedHex(b.header.hash), b]));
    const p = await listen(async (c) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        seen.push(m);
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        // A node at genesis has no headers to give; then it announces two new blocks at once.
        if (m.command === 'getheaders') {
          c.send({ command: 'headers', headers: [] });
          announce(BLOCK, next)(c);
        }
        if (m.command !== 'getdata') continue;
        for (const item of m.items) {
          const b = byHash.get(toReversedHex(item.hash));
          if (b && item.type === InvType.WITNESS_BLOCK) c.send({ command: 'block', block: b });
        }
      }
    });
    const c = crawl('--peers', p.address, '--emit', 'block');
    await c.waitLine(() => c.lines.all.filter((l) => l.event === 'block').length === 2, 'two block lines');
    expect(c.lines.all.filter((l) => l.event === 'block').map((l) => l.compact)).toEqual([false, false]);
    expect(blockRequests(seen)).toEqual([InvType.WITNESS_BLOCK, InvType.WITNESS_BLOCK]);
  });
});
