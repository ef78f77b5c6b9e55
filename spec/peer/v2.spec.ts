/**
 * BIP 324 on real sockets: the crawler as initiator against scripted responders that speak v2, v1
 * only, or misbehave in the v2 handshake; and the `auto` choice's fallback to v1, as Core does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { filter, firstValueFrom, type Observable } from 'rxjs';
import { dialPeer, NODE_P2P_V2, type SessionOptions, type TransportChoice } from '../../lib/peer/connect.js';
import type { SessionEvent } from '../../lib/peer/session.js';
import { silentLogger } from '../../lib/log/logger.js';
import { MAX_GARBAGE_LEN } from '../../lib/transport/v2.js';
import { INITIATOR_MAX_GARBAGE } from '../../lib/transport/v2-transport.js';
import { coreHandshake, REGTEST, scriptedPeer, versionOf, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer.js';
import type { ScriptedTransport } from '../support/peer-transport.js';
import { peerErrorOf } from '../support/errors.js';

const opts: SessionOptions = {
  network: REGTEST,
  handshakeTimeoutMs: 3_000,
  pingIntervalMs: 60_000,
  pingTimeoutMs: 5_000,
  userAgent: '/bitcrawl:test/',
  log: silentLogger,
};

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function peer(accept: ScriptedTransport, script: (c: ScriptedConnection) => Promise<void> = async (c) => void (await coreHandshake(c))): Promise<ScriptedPeer> {
  const p = await scriptedPeer(script, '127.0.0.1', REGTEST.magic, accept);
  closers.push(() => p.close());
  return p;
}

/** A raw server that answers every connection with `bytes` and then says nothing. */
async function rawServer(bytes: () => Uint8Array): Promise<number> {
  const server: Server = createServer((s) => {
    s.on('error', () => {});
    s.write(bytes());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  server.on('connection', (s) => closers.push(async () => void s.destroy()));
  return (server.address() as { port: number }).port;
}

const dial = (port: number, choice: TransportChoice, services?: bigint): Observable<SessionEvent> => dialPeer('127.0.0.1', port, opts, choice, services);
const ready = (events: Observable<SessionEvent>) => firstValueFrom(events.pipe(filter((e) => e.type === 'ready')));

describe('BIP 324 v2 transport on a real socket', () => {
  it('speaks v2 to a peer that accepts it: the handshake, then messages both ways, encrypted', async () => {
    let answered!: (nonce: bigint) => void;
    const pong = new Promise<bigint>((r) => (answered = r));
    const p = await peer('both', async (c) => {
      await coreHandshake(c); // it pings with nonce 77
      answered((await c.next('pong')).nonce);
    });
    const events = dial(p.port, 'v2');
    const sub = events.subscribe();
    closers.push(async () => sub.unsubscribe());
    expect(await pong).toBe(77n);
    expect((await p.connection()).transport.kind).toBe('v2');
    const ev = await ready(dial(p.port, 'v2'));
    expect(ev.type === 'ready' && ev.info.transport).toBe('v2');
  });

  it('auto: v2 with a peer whose services are unknown or include NODE_P2P_V2', async () => {
    for (const services of [undefined, NODE_P2P_V2 | 0x409n]) {
      const p = await peer('both');
      const ev = await ready(dial(p.port, 'auto', services));
      expect(ev.type === 'ready' && ev.info.transport).toBe('v2');
    }
  });

  it('auto: v1 at once with a peer that gossip says lacks NODE_P2P_V2', async () => {
    const p = await peer('both');
    const ev = await ready(dial(p.port, 'auto', 0x409n));
    expect(ev.type === 'ready' && ev.info.transport).toBe('v1');
    expect((await p.connection()).transport.kind).toBe('v1');
  });

  it('auto: a v1-only peer (it hangs up on our key) is redialled once with v1, as Core does', async () => {
    const p = await peer('v1');
    const ev = await ready(dial(p.port, 'auto'));
    expect(ev.type === 'ready' && ev.info.transport).toBe('v1');
    // The first connection was the v2 attempt, the second the v1 one.
    expect((await p.connection(1)).transport.kind).toBe('v1');
  });

  it('auto: a v1 peer that speaks first (bcoin) is recognised at once, and reads too few of our bytes to ban us', async () => {
    // bcoin sends its version as soon as it accepts, and bans an address after 10 bad v1 headers.
    const received: number[] = [];
    const p = await peer('v1', async (c) => {
      c.send(versionOf(70015, '/bcoin:1.0.2/'));
      void c.closed.then(() => received.push(c.socket.bytesRead));
      await coreHandshake(c, 70015).catch(() => undefined);
    });
    const ev = await ready(dial(p.port, 'auto'));
    expect(ev.type === 'ready' && ev.info.transport).toBe('v1');
    await (await p.connection(0)).closed;
    // The v2 attempt: our key and garbage only, fewer than 10 v1 headers' worth (240 bytes).
    expect(received[0]).toBeLessThanOrEqual(64 + INITIATOR_MAX_GARBAGE);
    expect(64 + INITIATOR_MAX_GARBAGE).toBeLessThan(10 * 24);
  });

  it('auto: a peer that says nothing to our key is tried over v1 at the handshake deadline, as Core does', async () => {
    let connections = 0;
    const server: Server = createServer((s) => {
      s.on('error', () => {});
      // Silent to the first connection (a v2 attempt), a scripted v1 node afterwards is not needed:
      // the second connection proves the retry.
      if (++connections === 2) s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    server.on('connection', (s) => closers.push(async () => void s.destroy()));
    const port = (server.address() as { port: number }).port;
    const err = await peerErrorOf(dialPeer('127.0.0.1', port, { ...opts, handshakeTimeoutMs: 300 }, 'auto'));
    expect(connections).toBe(2);
    expect(err.reason).toBe('closed');
  });

  it('v2 only: a v1-only peer is dropped with v2-handshake, never retried with v1', async () => {
    const p = await peer('v1');
    const err = await peerErrorOf(dial(p.port, 'v2'));
    expect(err.reason).toBe('v2-handshake');
  });

  it('v1 only: never sends a v2 key', async () => {
    const p = await peer('both');
    const ev = await ready(dial(p.port, 'v1'));
    expect(ev.type === 'ready' && ev.info.transport).toBe('v1');
  });

  it(`drops a peer whose garbage runs past ${MAX_GARBAGE_LEN} bytes without a terminator`, async () => {
    const port = await rawServer(() => randomBytes(64 + MAX_GARBAGE_LEN + 100));
    const err = await peerErrorOf(dial(port, 'v2'));
    expect(err.reason).toBe('v2-handshake');
    expect(err.message).toMatch(/garbage-too-long/);
  });

  it('drops a peer that sends a short key and goes quiet, at the handshake deadline', async () => {
    const port = await rawServer(() => randomBytes(40));
    // The deadline shortened as in the `auto` test above: that it fires, not how long it is, is the point.
    const err = await peerErrorOf(dialPeer('127.0.0.1', port, { ...opts, handshakeTimeoutMs: 300 }, 'v2'));
    expect(err.reason).toBe('handshake-timeout');
  });

  it('drops a peer whose packet fails authentication (bad tag), after the handshake', async () => {
    const p = await peer('v2', async (c) => {
      await coreHandshake(c);
      const packet = c.transport.encode({ command: 'ping', nonce: 5n });
      packet[packet.length - 1] ^= 1;
      c.sendRaw(packet);
    });
    const err = await peerErrorOf(dial(p.port, 'v2'));
    expect(err.reason).toBe('framing');
    expect(err.message).toMatch(/bad-tag/);
  });
});
