/** Hostile protocol state and floods: dropped where a deadline passes, ignored where Core ignores. */
import { describe, expect, it } from 'vitest';
import { toReversedHex } from '../../lib/wire/hex.js';
import { InvType, type InvItem, type TimedNetAddr } from '../../lib/wire/messages.js';
import { crawlFixtures } from '../support/fixtures.js';
import { coreHandshake, versionOf, type ScriptedConnection } from '../support/scripted-peer.js';
import { distinctTxs } from '../support/txs.js';
import { withBadPeers } from './harness.js';

const fx = crawlFixtures();
/**
 * Some of these peers speak before the crawler does, in v1 (as bcoin does): against a v2 attempt
 * that is a failed handshake and a v1 redial (spec/peer/v2.spec.ts). Here the crawler speaks v1.
 */
const V1 = ['--transport', 'v1'];

/** Resolves once the crawler has handled everything we sent before (two ping round trips). */
async function settled(c: ScriptedConnection): Promise<void> {
  for (const nonce of [0xa1n, 0xa2n]) {
    c.send({ command: 'ping', nonce });
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'pong' && m.nonce === nonce) break;
    }
  }
}

const hashOf = (n: number): Uint8Array => {
  const h = new Uint8Array(32);
  new DataView(h.buffer).setUint32(0, n + 1);
  h[31] = 0xee;
  return h;
};

describe('hostile protocol state', () => {
  it('ignores what Core ignores, and stays connected', async () => {
    const [unsolicited, announced, delivered] = distinctTxs(30).slice(20);
    await withBadPeers(fx, [
      {
        // Core: "non-version message before version handshake": ignored, the peer kept.
        name: 'messages before the handshake',
        act: async (c) => {
          c.send({ command: 'inv', items: [{ type: InvType.TX, hash: hashOf(1) }] });
          c.send({ command: 'verack' }); // verack before version: ignored likewise
          await coreHandshake(c);
          await settled(c);
          expect(c.received.filter((m) => m.command === 'getdata')).toHaveLength(0);
        },
        expect: 'kept',
      },
      {
        // Core: "redundant version message": ignored.
        name: 'version twice',
        act: async (c) => {
          await coreHandshake(c);
          c.send(versionOf(70016));
          await settled(c);
        },
        expect: 'kept',
      },
      {
        // Core processes unsolicited transactions; a crawler prints only what it asked for.
        name: 'unsolicited tx and block',
        act: async (c) => {
          await coreHandshake(c);
          c.send({ command: 'tx', tx: unsolicited });
          await settled(c);
        },
        expect: 'kept',
      },
      {
        name: 'a tx whose ids match nothing asked',
        act: async (c) => {
          await coreHandshake(c);
          c.send({ command: 'inv', items: [{ type: InvType.WTX, hash: announced.wtxid }] });
          await c.next('getdata');
          c.send({ command: 'tx', tx: delivered });
          await settled(c);
        },
        expect: 'kept',
      },
    ], V1).then(({ lines }) => {
      const printed = lines.filter((l) => l.event === 'tx').map((l) => l.txid);
      for (const t of [unsolicited, delivered]) expect(printed).not.toContain(toReversedHex(t.txid));
    });
  });

  it('drops a peer that never sends version, and one that never answers pings', async () => {
    await withBadPeers(
      fx,
      [
        { name: 'no version ever', act: async (c) => void (await c.next('version')), expect: 'handshake-timeout' },
        {
          name: 'ping never answered',
          act: async (c) => {
            await coreHandshake(c);
            await c.closed;
          },
          expect: 'ping-timeout',
        },
      ],
      [...V1, '--handshake-timeout', '1', '--ping-interval', '0.5', '--ping-timeout', '1'],
    );
  });
});

describe('floods', () => {
  it('keeps its requests, announcements and memory bounded, and the peer connected', async () => {
    let asked: InvItem[] = [];
    let repeatedAsks = 0;
    const flood = distinctTxs(2_000);
    await withBadPeers(fx, [
      {
        // 50,000 unique announcements (MAX_INV_SZ) that are never served: at most 100 in flight.
        name: 'inv far beyond the in-flight cap',
        act: async (c) => {
          await coreHandshake(c);
          c.send({ command: 'inv', items: Array.from({ length: 50_000 }, (_, i) => ({ type: InvType.TX, hash: hashOf(i) })) });
          await settled(c);
          asked = c.received.filter((m) => m.command === 'getdata').flatMap((m) => (m.command === 'getdata' ? m.items : []));
        },
        expect: 'kept',
      },
      {
        name: 'the same inv a hundred times',
        act: async (c) => {
          await coreHandshake(c);
          for (let i = 0; i < 100; i++) c.send({ command: 'inv', items: [{ type: InvType.TX, hash: hashOf(7_777_777) }] });
          await settled(c);
          repeatedAsks = c.received.filter((m) => m.command === 'getdata').length;
        },
        expect: 'kept',
      },
      {
        // It includes the good peer's own transactions, sent first and unasked: they must still be
        // fetched and printed once the good peer announces them.
        name: 'a flood of 2,000 unsolicited transactions',
        act: async (c) => {
          await coreHandshake(c);
          for (const tx of flood) c.send({ command: 'tx', tx });
          await settled(c);
        },
        expect: 'kept',
      },
      {
        // Core answers getaddr once with up to 1,000; more per message is refused (decode).
        name: 'addr floods of 1,000 entries',
        act: async (c) => {
          await coreHandshake(c);
          for (let m = 0; m < 10; m++) {
            const addrs: TimedNetAddr[] = Array.from({ length: 1_000 }, (_, i) => ({
              time: 1_700_000_000,
              services: 1n,
              ip: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, m, i >> 8, i & 0xff),
              port: 8333,
            }));
            c.send({ command: 'addr', addrs });
          }
          await settled(c);
        },
        expect: 'kept',
      },
    ], V1).then(({ lines }) => {
      const printed = new Set(lines.filter((l) => l.event === 'tx').map((l) => l.txid));
      // The good peer's three were printed (the harness checks); the rest were never announced.
      for (const t of flood.slice(3, 50)) expect(printed.has(toReversedHex(t.txid))).toBe(false);
    });
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.length).toBeLessThanOrEqual(100); // MAX_PEER_TX_REQUEST_IN_FLIGHT
    expect(repeatedAsks).toBe(1);
  });
});
