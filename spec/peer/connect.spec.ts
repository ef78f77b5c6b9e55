/** One peer over a real TCP socket on 127.0.0.1, against scripted peers. */
import { afterEach, describe, expect, it } from 'vitest';
import { firstValueFrom, filter, tap, toArray, take, type Observable } from 'rxjs';
import { connectPeer, DEFAULT_CONNECT_TIMEOUT_MS, wrongNetwork, type SessionOptions } from '../../lib/peer/connect.js';
import { encodeMessage } from '../../lib/wire/registry.js';
import { FramingError } from '../../lib/wire/errors.js';
import { NETWORK_NAMES } from '../../lib/wire/network.js';
import { versionOf } from '../support/scripted-peer.js';
import { stalledListener } from '../support/stalled-listener.js';
import type { SessionEvent } from '../../lib/peer/session.js';
import { silentLogger } from '../../lib/log/logger.js';
import { encodeFrame } from '../../lib/wire/header.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { coreHandshake, REGTEST, scriptedPeer, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer.js';
import { peerErrorOf } from '../support/errors.js';

const opts: SessionOptions = {
  network: REGTEST,
  handshakeTimeoutMs: 5_000,
  pingIntervalMs: 60_000,
  pingTimeoutMs: 5_000,
  userAgent: '/bitcrawl:test/',
  log: silentLogger,
};

let peers: ScriptedPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
});
async function peer(script: (c: ScriptedConnection) => Promise<void>): Promise<ScriptedPeer> {
  const p = await scriptedPeer(script);
  peers.push(p);
  return p;
}
function dial(p: ScriptedPeer, o: Partial<SessionOptions> = {}): Observable<SessionEvent> {
  return connectPeer('127.0.0.1', p.port, { ...opts, ...o });
}
describe('connectPeer on a real socket', () => {
  it('does Core’s handshake in Core’s order, stays connected, and answers Core’s ping', async () => {
    let order: string[] = [];
    const answered = new Promise<bigint>((resolve) => {
      void peer(async (c) => {
        order = await coreHandshake(c);
        resolve((await c.next('pong')).nonce);
      }).then((p) => {
        const sub = dial(p).subscribe();
        void answered.then(() => sub.unsubscribe());
      });
    });
    // coreHandshake sends ping 77 after verack; a pong proves the order did not get us cut off.
    expect(await answered).toBe(77n);
    expect(order).toEqual(['version', 'wtxidrelay', 'sendaddrv2', 'verack']);
  });

  it('records what a 70016 peer told us and what was negotiated', async () => {
    const p = await peer(async (c) => void (await coreHandshake(c)));
    const ready = await firstValueFrom(dial(p).pipe(filter((e) => e.type === 'ready')));
    expect(ready.type === 'ready' && ready.info).toEqual({
      version: 70016,
      services: 0x409n,
      userAgent: '/Satoshi:27.0.0/',
      startHeight: 850_000,
      relay: true,
      wtxidRelay: true,
      addrv2: true,
      transport: 'v1',
    });
  });

  it('speaks to a 70015 peer (bcoin) without BIP 339/155 messages', async () => {
    let order: Promise<string[]> = Promise.resolve([]);
    const p = await peer(async (c) => {
      order = coreHandshake(c, 70015);
      await order;
    });
    const sub = dial(p).subscribe();
    expect(await p.connection().then(() => order)).toEqual(['version', 'verack']);
    sub.unsubscribe();
  });

  it('pings on its interval and keeps the round-trip time', async () => {
    const p = await peer(async (c) => {
      await coreHandshake(c);
      for (;;) {
        const ping = await c.next('ping');
        c.send({ command: 'pong', nonce: ping.nonce });
      }
    });
    const rtts = await firstValueFrom(dial(p, { pingIntervalMs: 50 }).pipe(filter((e) => e.type === 'rtt'), take(3), toArray()));
    expect(rtts).toHaveLength(3);
    for (const r of rtts) expect(r.type === 'rtt' && r.ms).toBeGreaterThanOrEqual(0);
  });

  it('drops a peer that stops answering pings', async () => {
    const p = await peer(async (c) => {
      await coreHandshake(c);
      const first = await c.next('ping');
      c.send({ command: 'pong', nonce: first.nonce });
      // …then silence, with the connection open.
    });
    const err = await peerErrorOf(dial(p, { pingIntervalMs: 100, pingTimeoutMs: 300 }));
    expect(err.reason).toBe('ping-timeout');
  });

  it('drops a peer that never finishes the handshake', async () => {
    const p = await peer(async (c) => {
      await c.next('version'); // and never answers
    });
    const err = await peerErrorOf(dial(p, { handshakeTimeoutMs: 300 }));
    expect(err.reason).toBe('handshake-timeout');
    expect(err.message).toMatch(/no version/);
  });

  it('drops a peer that breaks framing: the wrong network’s magic', async () => {
    const p = await peer(async (c) => {
      await coreHandshake(c);
      c.sendRaw(encodeFrame(NETWORKS.mainnet.magic, 'ping', new Uint8Array(8)));
    });
    const err = await peerErrorOf(dial(p));
    expect(err.reason).toBe('framing');
  });

  it.each(['v1', 'v2'] as const)('over %s, a handshake and garbage in one write are a handshake, then a drop: however TCP cuts the stream', async (transport) => {
    const p = await scriptedPeer(
      async (c) => {
        await c.next('version');
        c.socket.cork();
        c.send(versionOf(70016));
        c.send({ command: 'verack' });
        const broken = c.transport.encode({ command: 'ping', nonce: 1n }); // v2: encrypted after the two
        if (transport === 'v1') broken[0] ^= 0xff; // bad magic
        else broken[5] ^= 4; // a bad tag
        c.sendRaw(broken);
        c.socket.uncork();
      },
      '127.0.0.1',
      REGTEST.magic,
      transport,
    );
    peers.push(p);
    const events: string[] = [];
    const err = await peerErrorOf(connectPeer('127.0.0.1', p.port, opts, transport).pipe(tap((e) => events.push(e.type))));
    expect(events[0]).toBe('ready');
    expect(err.reason).toBe('framing');
  });

  it('names the network of a node whose first message has another network\'s magic', async () => {
    const p = await peer(async (c) => {
      c.sendRaw(encodeMessage(NETWORKS.testnet4.magic, versionOf(70016)));
    });
    const err = await peerErrorOf(dial(p));
    expect(err.reason).toBe('wrong-network');
    expect(err.message).toBe('this is a testnet4 node; use --network testnet4');
  });

  it('names the network of a v2 node of another network from its garbage terminator', async () => {
    for (const name of ['signet', 'mainnet'] as const) {
      const p = await scriptedPeer(async () => {}, '127.0.0.1', NETWORKS[name].magic, 'v2');
      peers.push(p);
      const err = await peerErrorOf(connectPeer('127.0.0.1', p.port, opts, 'v2'));
      expect(err.reason).toBe('wrong-network');
      expect(err.message).toBe(`this is a ${name} node; use --network ${name}`);
    }
  });

  it('knows every network\'s magic; an unknown one stays a framing error', () => {
    for (const name of NETWORK_NAMES) {
      const e = wrongNetwork(new FramingError('bad-magic', 'x', NETWORKS[name].magic));
      expect(e?.reason).toBe('wrong-network');
      expect(e?.message).toBe(`this is a ${name} node; use --network ${name}`);
    }
    expect(wrongNetwork(new FramingError('bad-magic', 'x', 0x12345678))).toBeUndefined();
    expect(wrongNetwork(new FramingError('oversized', 'x'))).toBeUndefined();
  });

  it('logs the dial and the connection at info', async () => {
    const lines: string[] = [];
    const log = { ...silentLogger, info: (m: string) => void lines.push(m) };
    const p = await peer(async (c) => {
      await coreHandshake(c);
    });
    await firstValueFrom(dial(p, { log }).pipe(filter((e) => e.type === 'ready')));
    expect(lines.slice(0, 2)).toEqual(['connecting', 'connected, handshaking']);
  });

  it('skips an undecodable message and reads on, as Core does, reporting it', async () => {
    const bad: string[] = [];
    const p = await peer(async (c) => {
      await coreHandshake(c);
      c.sendRaw(encodeFrame(REGTEST.magic, 'inv', Uint8Array.of(0xfd, 0x01, 0x00))); // non-canonical count
      c.send({ command: 'inv', items: [] });
    });
    const events = dial(p, { onBadMessage: (command) => bad.push(command) });
    const next = await firstValueFrom(events.pipe(filter((e) => e.type === 'message' && e.msg.command === 'inv')));
    expect(next).toEqual({ type: 'message', msg: { command: 'inv', items: [] }, at: expect.any(Number) });
    expect(bad).toEqual(['inv']);
  });

  it('reports a closed connection and a refused one', async () => {
    const p = await peer(async (c) => {
      await coreHandshake(c);
      c.close();
    });
    expect((await peerErrorOf(dial(p))).reason).toBe('closed');
    const q = await peer(async () => {});
    const port = q.port;
    await q.close();
    peers = peers.filter((x) => x !== q);
    const err = await peerErrorOf(connectPeer('127.0.0.1', port, opts));
    expect(err.reason).toBe('refused');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('gives up on a TCP connect that never completes after the connect timeout, well before the handshake deadline', async () => {
    const stalled = await stalledListener();
    try {
      const err = await peerErrorOf(connectPeer(stalled.host, stalled.port, { ...opts, connectTimeoutMs: 300, handshakeTimeoutMs: 600_000 }));
      expect(err.reason).toBe('connect-timeout');
      expect(err.message).toBe('no TCP connection within 0.3 s');
    } finally {
      await stalled.close();
    }
  });

  it('defaults the connect timeout to Core\'s DEFAULT_CONNECT_TIMEOUT, 5 s', () => {
    expect(DEFAULT_CONNECT_TIMEOUT_MS).toBe(5_000);
  });

  it('closes the socket when unsubscribed', async () => {
    let closed: Promise<void> | undefined;
    const p = await peer(async (c) => {
      closed = c.closed;
      await coreHandshake(c);
    });
    const ready = await firstValueFrom(dial(p).pipe(filter((e) => e.type === 'ready')));
    expect(ready.type).toBe('ready');
    await closed; // firstValueFrom unsubscribed: the scripted side sees the close
  });
});
