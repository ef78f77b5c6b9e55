/**
 * One peer's protocol (lib/peer/connection.ts), the path every connection takes: bytes or
 * messages in, in virtual time; what it sends and what it tells its stream, with their times.
 * Any input, any throw, ends only that peer's stream, with a reason.
 */
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { BAD_MESSAGE_BUDGET } from '../../lib/peer/budget.js';
import { Connection, type ConnectionOptions } from '../../lib/peer/connection.js';
import type { PeerError } from '../../lib/peer/errors.js';
import type { PeerInfo } from '../../lib/peer/session.js';
import { v1Transport } from '../../lib/transport/v1.js';
import type { Transport } from '../../lib/transport/transport.js';
import { MAX_INV_ENTRIES } from '../../lib/wire/limits.js';
import type { Message, VersionMessage } from '../../lib/wire/messages.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { encodeMessage } from '../../lib/wire/registry.js';
import { ByteWriter } from '../../lib/wire/writer.js';

const MAGIC = NETWORKS.regtest.magic;
const OUR_NONCE = 42n;
const ours: VersionMessage = {
  command: 'version',
  version: 70016,
  services: 0n,
  timestamp: 0n,
  addrRecv: { services: 0n, ip: new Uint8Array(16), port: 0 },
  addrFrom: { services: 0n, ip: new Uint8Array(16), port: 0 },
  nonce: OUR_NONCE,
  userAgent: '/bitcrawl:test/',
  startHeight: 0,
  relay: true,
};
const theirVersion = (version: number, nonce = 7n): VersionMessage => ({ ...ours, version, nonce, userAgent: '/Satoshi:27.0.0/', startHeight: 800_000 });
const ping = (nonce: bigint): Message => ({ command: 'ping', nonce });
const pong = (nonce: bigint): Message => ({ command: 'pong', nonce });
const HANDSHAKE: Message[] = [theirVersion(70016), { command: 'verack' }];

const describeMsg = (m: Message): string => `${m.command}${m.command === 'ping' || m.command === 'pong' ? `:${m.nonce}` : ''}`;

/** A connection in virtual time: what it sent and what its stream was told, each as "time:what". */
function harness(s: TestScheduler, options: Partial<ConnectionOptions> = {}) {
  const sent: string[] = [];
  const told: string[] = [];
  const errors: PeerError[] = [];
  const infos: PeerInfo[] = [];
  let closed = 0;
  let n = 0n;
  const conn = new Connection(
    {
      transport: v1Transport(MAGIC, () => {}),
      ours,
      handshakeTimeoutMs: 60_000,
      pingIntervalMs: 100_000,
      pingTimeoutMs: 60_000,
      scheduler: s,
      nextNonce: () => ++n,
      onSend: (m) => sent.push(`${s.now()}:${describeMsg(m)}`),
      close: () => closed++,
      ...options,
    },
    {
      next: (ev) => {
        if (ev.type === 'ready') infos.push(ev.info);
        told.push(`${s.now()}:${ev.type === 'message' ? describeMsg(ev.msg) : ev.type === 'rtt' ? `rtt:${ev.ms}` : 'ready'}`);
      },
      error: (err) => {
        errors.push(err);
        told.push(`${s.now()}:error:${err.reason}`);
      },
    },
  );
  /** `msgs` received at `at` (virtual ms), one after another. */
  const at = (t: number, ...msgs: Message[]): void => {
    s.schedule(() => msgs.forEach((m) => conn.message(m)), t);
  };
  return { conn, sent, told, errors, infos, at, closed: () => closed };
}

function run(fn: (s: TestScheduler) => void): void {
  const s = new TestScheduler((a, e) => expect(a).toEqual(e));
  s.run(() => fn(s));
}

describe('Connection: the version handshake', () => {
  it('follows Core’s order with a 70016 peer and negotiates wtxid relay and addrv2', () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      h.at(10, theirVersion(70016), { command: 'wtxidrelay' }, { command: 'sendaddrv2' });
      h.at(13, { command: 'verack' }, { command: 'inv', items: [] });
      s.schedule(() => h.conn.stop(), 1_000);
      s.flush();
      expect(h.sent.slice(0, 4)).toEqual(['0:version', '10:wtxidrelay', '10:sendaddrv2', '10:verack']);
      expect(h.told).toEqual(['13:ready', '13:inv']);
      expect(h.infos).toEqual([{ version: 70016, services: 0n, userAgent: '/Satoshi:27.0.0/', startHeight: 800_000, relay: true, wtxidRelay: true, addrv2: true, transport: 'v1' }]);
    });
  });

  it('sends neither wtxidrelay nor sendaddrv2 to a 70015 peer, and ignores its wtxidrelay', () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      h.at(5, theirVersion(70015), { command: 'wtxidrelay' }, { command: 'verack' });
      s.schedule(() => h.conn.stop(), 1_000);
      s.flush();
      expect(h.sent.filter((x) => !x.includes('ping'))).toEqual(['0:version', '5:verack']);
      expect(h.told).toEqual(['5:ready']);
    });
  });

  it('ignores verack before version, a second version, and other messages before the handshake', () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      h.at(1, { command: 'verack' }, { command: 'inv', items: [] }, theirVersion(70016), theirVersion(70015, 9n), ping(1n), { command: 'verack' });
      s.schedule(() => h.conn.stop(), 1_000);
      s.flush();
      expect(h.sent.filter((x) => x.endsWith('verack'))).toHaveLength(1);
      expect(h.told).toEqual(['1:ready']);
    });
  });

  it('drops a peer that does not finish within the timeout, naming what it waited for', () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      h.at(10, theirVersion(70016));
      s.flush();
      expect(h.told).toEqual(['60000:error:handshake-timeout']);
      expect(h.errors[0].message).toBe('no verack within 60 s');
      expect(h.closed()).toBe(1);
    });
  });

  it('drops obsolete peers and connections to ourselves', () => {
    run((s) => {
      const old = harness(s);
      old.conn.start();
      old.at(0, theirVersion(31_799));
      const self = harness(s);
      self.conn.start();
      self.at(0, theirVersion(70016, OUR_NONCE));
      s.flush();
      expect(old.errors.map((e) => [e.reason, e.message])).toEqual([['obsolete-version', 'protocol version 31799 < 31800']]);
      expect(self.errors.map((e) => [e.reason, e.message])).toEqual([['self-connection', 'connected to ourselves (same version nonce)']]);
    });
  });

  it("turns a throwing send into this peer's error (keepPeer names it internal), told once", () => {
    run((s) => {
      let calls = 0;
      const throwing: Transport = {
        ...v1Transport(MAGIC, () => {}),
        send: () => {
          if (++calls > 1) throw new Error('write after end');
          return 0;
        },
      };
      const h = harness(s, { transport: throwing });
      h.conn.start();
      h.at(1, theirVersion(70016), { command: 'verack' }, ping(3n));
      s.flush();
      expect(h.told).toEqual(['1:error:internal']);
      expect(h.errors[0].message).toMatch(/write after end/);
    });
  });
});

describe('Connection: pongs and liveness (interval + timeout)', () => {
  it('pings at once after the handshake and every interval, and reports the round trip', () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      h.at(0, ...HANDSHAKE);
      h.at(50, pong(1n));
      h.at(100_001, pong(2n));
      s.schedule(() => h.conn.stop(), 200_000);
      s.flush();
      expect(h.sent.filter((x) => x.includes('ping'))).toEqual(['0:ping:1', '100000:ping:2']);
      expect(h.told).toEqual(['0:ready', '50:pong:1', '50:rtt:50', '100001:pong:2', '100001:rtt:1']);
    });
  });

  it('skips the interval’s ticks while a ping is outstanding (one at a time, as in Core)', () => {
    run((s) => {
      const h = harness(s, { pingIntervalMs: 10_000, pingTimeoutMs: 25_000 });
      h.conn.start();
      h.at(0, ...HANDSHAKE);
      h.at(24_000, pong(1n));
      s.schedule(() => h.conn.stop(), 35_000);
      s.flush();
      expect(h.sent.filter((x) => x.includes('ping'))).toEqual(['0:ping:1', '30000:ping:2']);
    });
  });

  it('drops the peer when no pong with the right nonce comes in time', () => {
    run((s) => {
      const h = harness(s, { pingIntervalMs: 120_000 });
      h.conn.start();
      h.at(0, ...HANDSHAKE);
      h.at(10, pong(999n));
      s.flush();
      expect(h.told).toEqual(['0:ready', '10:pong:999', '60000:error:ping-timeout']);
      expect(h.errors[0].message).toBe('no pong within 60 s');
    });
  });

  it('answers each ping with a pong carrying its nonce', () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      h.at(0, ...HANDSHAKE);
      h.at(1, ping(5n));
      h.at(10, ping(2n ** 64n - 1n));
      s.schedule(() => h.conn.stop(), 20);
      s.flush();
      expect(h.sent.filter((x) => x.includes('pong'))).toEqual(['1:pong:5', `10:pong:${2n ** 64n - 1n}`]);
      expect(h.told).toEqual(['0:ready', '1:ping:5', `10:ping:${2n ** 64n - 1n}`]);
    });
  });

  it('stops every timer when stopped: nothing is sent or told after', () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      h.at(0, ...HANDSHAKE);
      s.schedule(() => h.conn.stop(), 1);
      s.flush();
      expect(h.sent.at(-1)).toBe('0:ping:1');
      expect(h.told).toEqual(['0:ready']);
    });
  });
});

describe('Connection: bytes in (the transport and the decoder on the production path)', () => {
  const wireOf = (...msgs: Message[]): Uint8Array => new Uint8Array(msgs.flatMap((m) => [...encodeMessage(MAGIC, m)]));
  /** A ping frame with a wrong checksum: whole, so the stream stays in step. */
  function corruptPing(): Uint8Array {
    const bytes = encodeMessage(MAGIC, ping(1n));
    bytes[20] ^= 0xff;
    return bytes;
  }

  it('cuts chunks into messages across any boundary, tells onFrame of every frame, skips a bad one and reports it', () => {
    const wire = new Uint8Array([...wireOf(...HANDSHAKE, ping(1n)), ...corruptPing(), ...wireOf(ping(2n))]);
    // Every split point, so that a header, a payload and a checksum each arrive in two pieces.
    for (let cut = 1; cut < wire.length; cut += 7) {
      run((s) => {
        const frames: string[] = [];
        const bad: string[] = [];
        const h = harness(s, { onFrame: (f) => frames.push(f.command), onBad: (c) => bad.push(c) });
        h.conn.start();
        h.conn.receive(wire.slice(0, cut));
        h.conn.receive(wire.slice(cut));
        h.conn.stop();
        expect(h.told).toEqual(['0:ready', '0:ping:1', '0:ping:2']);
        expect(frames).toEqual(['version', 'verack', 'ping', 'ping', 'ping']);
        expect(bad).toEqual(['ping']);
      });
    }
  });

  it('ends the peer for the wrong magic (framing) and for a count Core disconnects for (misbehaving)', () => {
    run((s) => {
      const wrong = harness(s);
      wrong.conn.start();
      wrong.conn.receive(encodeMessage(NETWORKS.mainnet.magic, ping(1n)));
      const w = new ByteWriter(64);
      w.compactSize(MAX_INV_ENTRIES + 1);
      const tooMany = harness(s);
      tooMany.conn.start();
      tooMany.conn.receive(wireOf(...HANDSHAKE, { command: 'unknown', name: 'inv', payload: w.finish() } as unknown as Message));
      expect(wrong.errors.map((e) => e.reason)).toEqual(['framing']);
      expect(wrong.closed()).toBe(1);
      expect(tooMany.errors.map((e) => e.reason)).toEqual(['misbehaving']);
      expect(tooMany.errors[0].message).toMatch(/too many inv entries/);
    });
  });

  it(`drops the peer after more than ${BAD_MESSAGE_BUDGET} bad messages a minute, and not before`, () => {
    run((s) => {
      const h = harness(s, { pingIntervalMs: 1e9, pingTimeoutMs: 1e9 });
      h.conn.start();
      h.conn.receive(wireOf(...HANDSHAKE));
      const bad = corruptPing();
      // 10 bad ones, a minute's pause, 10 more: kept. Then an 11th within the minute: dropped.
      for (let i = 0; i < BAD_MESSAGE_BUDGET; i++) s.schedule(() => h.conn.receive(bad), i);
      for (let i = 0; i < BAD_MESSAGE_BUDGET; i++) s.schedule(() => h.conn.receive(bad), 60_000 + BAD_MESSAGE_BUDGET + i);
      s.schedule(() => h.conn.receive(wireOf(ping(7n))), 60_100);
      s.schedule(() => h.conn.receive(bad), 60_101);
      s.flush();
      expect(h.told).toEqual(['0:ready', '60100:ping:7', '60101:error:misbehaving']);
      h.conn.stop();
    });
  });

  it("turns anything thrown inside the transport into the peer's error (internal), not an exception", () => {
    run((s) => {
      const h = harness(s);
      h.conn.start();
      expect(() => h.conn.receive(null as unknown as Uint8Array)).not.toThrow();
      expect(h.errors.map((e) => e.reason)).toEqual(['internal']);
    });
  });
});
