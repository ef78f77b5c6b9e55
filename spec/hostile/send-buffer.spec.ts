/** A peer that does not read what it makes us send: what we queue for it is bounded, then it is dropped. */
import { describe, expect, it } from 'vitest';
import { toReversedHex } from '../../lib/wire/hex.js';
import { crawlFixtures } from '../support/fixtures.js';
import { coreHandshake, servingPeer, type ScriptedConnection } from '../support/scripted-peer.js';
import { distinctTxs } from '../support/txs.js';
import { MB, peakRssBytes, rssBytes } from '../support/memory.js';

const fx = crawlFixtures();

/** Pings sent by the peer that reads nothing, at most (each one asks a 32-byte pong of us). */
const FLOOD_BYTES = 64 * MB;
/**
 * RELIABILITY.md: what a peer that does not read may add to the crawler's resident memory. It
 * queues at most SEND_PAUSE_BYTES (1 MB) for it, plus what one read chunk answers; the rest is
 * the garbage of the pings read before that (the old code reached 1.6 GB on 109 MB of pings).
 */
const NON_READER_RSS_BOUND = 64 * MB;

/** After the handshake and one pong, reads nothing and sends pings until the crawler hangs up. */
function nonReader(handshaken: () => void): (c: ScriptedConnection) => Promise<void> {
  return async (c) => {
    await coreHandshake(c);
    const ping = await c.next('ping');
    c.send({ command: 'pong', nonce: ping.nonce });
    c.socket.pause();
    handshaken();
    const one = c.transport.encode({ command: 'ping', nonce: 5n });
    const block = Buffer.concat(Array.from({ length: 2048 }, () => one));
    let closed = false;
    void c.closed.then(() => (closed = true));
    for (let sent = 0; sent < FLOOD_BYTES && !closed; sent += block.length) {
      if (c.socket.write(block)) continue;
      await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.closed]);
    }
  };
}

describe('a peer that does not read', () => {
  it('costs at most the send buffer bound, is dropped with send-buffer, and the others go on', async () => {
    let handshaken!: () => void;
    const ready = new Promise<void>((r) => (handshaken = r));
    const bad = await fx.listen(nonReader(handshaken));
    const txs = distinctTxs(3);
    const good = await fx.listen(servingPeer(txs).script);
    const c = fx.crawl('--peers', `${bad.address},${good.address}`, '--transport', 'v1', '--emit', 'tx,peer', '--no-reconnect', '--ping-timeout', '3');
    await ready;
    const before = rssBytes(c.child.pid!);
    const down = await c.waitLine((l) => l.event === 'peer' && l.state === 'down' && l.peer === bad.address, 'the non-reader dropped', 30_000);
    const peak = peakRssBytes(c.child.pid!);
    expect(down.reason).toBe('send-buffer');
    expect(peak - before).toBeLessThan(NON_READER_RSS_BOUND);
    for (const t of txs) await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(t.txid), 'good tx');
    expect(c.child.exitCode).toBe(null);
  }, 90_000);
});
