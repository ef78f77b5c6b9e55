/**
 * `seen.time`, `first` and `last` are when the bytes were read from the socket, not when the
 * crawler got round to them. Real sockets: one chunk carries a `tx` and an `inv`; the event loop is
 * held busy while the `tx` is handled (as thousands of other peers' messages would hold it), so the
 * `inv` behind it in the same chunk is processed late; its time must still be the chunk's read time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, take, tap, toArray } from 'rxjs';
import { crawl, type CrawlEvent } from '../../lib/crawler/crawl.js';
import { DEFAULT_INVENTORY_LIMITS } from '../../lib/crawler/inventory.js';
import { silentLogger } from '../../lib/log/logger.js';
import { connectPeer, type SessionOptions } from '../../lib/peer/connect.js';
import type { TransportKind } from '../../lib/transport/transport.js';
import { CHAIN_PARAMS } from '../../lib/chain/params.js';
import { InvType } from '../../lib/wire/messages.js';
import { coreHandshake, REGTEST, scriptedPeer, type ScriptedPeer } from '../support/scripted-peer.js';
import { distinctTxs } from '../support/txs.js';

const session: SessionOptions = {
  network: REGTEST,
  handshakeTimeoutMs: 10_000,
  pingIntervalMs: 600_000,
  pingTimeoutMs: 10_000,
  userAgent: '/bitcrawl:test/',
  log: silentLogger,
};
/** How long the loop is held: long against a clock of 1 ms resolution, short for a test. */
const HOLD_MS = 40;

let peers: ScriptedPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
});

describe('timestamps are read times', () => {
  it.each<TransportKind>(['v1', 'v2'])('an inv behind a slow message in the same chunk keeps the chunk’s read time (%s)', async (kind) => {
    const [tx1, tx2] = distinctTxs(2);
    const p = await scriptedPeer(async (c) => {
      await coreHandshake(c);
      c.send({ command: 'inv', items: [{ type: InvType.WTX, hash: tx1.wtxid }] });
      await c.next('getdata');
      // One write: the crawler reads both messages in one chunk.
      c.sendRaw(Buffer.concat([c.transport.encode({ command: 'tx', tx: tx1 }), c.transport.encode({ command: 'inv', items: [{ type: InvType.WTX, hash: tx2.wtxid }] })]));
      await c.next('getdata');
      c.send({ command: 'tx', tx: tx2 });
      await c.closed;
    });
    peers.push(p);
    let heldUntil = 0;
    const events = crawl(
      [{ host: '127.0.0.1', port: p.port }],
      { reconnect: false, limits: DEFAULT_INVENTORY_LIMITS, chain: CHAIN_PARAMS.regtest },
      { log: silentLogger, connect: (t) => connectPeer(t.host, t.port, session, kind) },
    );
    const txs = await firstValueFrom(
      events.pipe(
        filter((e): e is Extract<CrawlEvent, { type: 'tx' }> => e.type === 'tx'),
        tap(() => {
          if (heldUntil !== 0) return;
          // The load: synchronous work in the middle of the chunk, before its inv is handled.
          const until = Date.now() + HOLD_MS;
          while (Date.now() < until);
          heldUntil = Date.now();
        }),
        take(2),
        toArray(),
      ),
    );
    const [first, second] = txs;
    expect(first.tx.txid).toEqual(tx1.txid);
    expect(second.tx.txid).toEqual(tx2.txid);
    // tx1 and the inv of tx2 came in one read: one time, from before the loop was held.
    expect(second.announcements.first.time).toBe(first.time);
    expect(second.announcements.first.time).toBeLessThan(heldUntil);
    expect(second.announcements.last.time).toBe(first.time);
  });
});
