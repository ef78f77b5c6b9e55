/** The per-peer operators are total: any input, any throw, ends only that peer's stream, with a reason. */
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, from, lastValueFrom, NEVER, of, toArray } from 'rxjs';
import { BAD_MESSAGE_BUDGET } from '../../lib/peer/budget.js';
import { asPeerError, PeerError } from '../../lib/peer/errors.js';
import { decodeFrames, receiveMessages } from '../../lib/peer/framing.js';
import { v1Frames as frames, v1Transport } from '../../lib/transport/v1.js';
import { handshake, type PeerLink } from '../../lib/peer/session.js';
import { MAX_INV_ENTRIES } from '../../lib/wire/limits.js';
import type { Frame, Message, VersionMessage } from '../../lib/wire/messages.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { encodeMessage, encodePayload } from '../../lib/wire/registry.js';
import { ByteWriter } from '../../lib/wire/writer.js';
import { versionOf } from '../support/scripted-peer.js';
import { rejectionOf } from '../support/errors.js';

const MAGIC = NETWORKS.regtest.magic;

const ping = (n: bigint): Message => ({ command: 'ping', nonce: n });
/** A ping frame with a wrong checksum: whole, so the stream stays in step. */
function corruptPing(): Uint8Array {
  const bytes = encodeMessage(MAGIC, ping(1n));
  bytes[20] ^= 0xff;
  return bytes;
}

describe('v1 frames', () => {
  it('turns anything thrown inside it into the stream\'s error (internal for keepPeer), not an exception', async () => {
    const bad = of(null as unknown as Uint8Array).pipe(frames(MAGIC));
    expect((await rejectionOf(PeerError, lastValueFrom(bad).catch((e: unknown) => Promise.reject(asPeerError(e))))).reason).toBe('internal');
  });

  it('keeps the stream in step past a bad checksum', async () => {
    const bytes = [corruptPing(), encodeMessage(MAGIC, ping(2n))];
    const out = await lastValueFrom(from(bytes).pipe(frames(MAGIC), toArray()));
    expect(out.map((f) => f.command)).toEqual(['ping', 'ping']);
    expect(out[0].checksum).toBeDefined();
  });

  it('ends the stream for the wrong magic (framing)', async () => {
    const bad = of(encodeMessage(NETWORKS.mainnet.magic, ping(1n))).pipe(frames(MAGIC));
    expect((await rejectionOf(PeerError, lastValueFrom(bad).catch((e: unknown) => Promise.reject(asPeerError(e))))).reason).toBe('framing');
  });
});

describe('decodeFrames', () => {
  const frame = (command: string, payload: Uint8Array): Frame => ({ command, payload });

  it('skips an undecodable message and a bad checksum, as Core does, and reports each', async () => {
    const bad: string[] = [];
    const input: Frame[] = [
      frame('ping', new Uint8Array(3)), // truncated
      frame('pong', new Uint8Array(9)), // a trailing byte
      { command: 'ping', payload: encodePayload(ping(5n)), checksum: 0 }, // bad checksum
      frame('headers', new Uint8Array([1, ...new Uint8Array(80), 1])), // a headers entry with a tx count
      frame('ping', encodePayload(ping(9n))),
    ];
    const out = await lastValueFrom(from(input).pipe(decodeFrames((c) => bad.push(c)), toArray()));
    expect(out).toEqual([ping(9n)]);
    expect(bad).toEqual(['ping', 'pong', 'ping', 'headers']);
  });

  it(`drops the peer after more than ${BAD_MESSAGE_BUDGET} bad messages a minute, and not before`, () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ cold, expectObservable }) => {
      const bad = frame('ping', new Uint8Array(3));
      // 10 bad ones, a minute's pause, 10 more: kept. Then an 11th within the minute: dropped.
      const marbles = `${'b '.repeat(BAD_MESSAGE_BUDGET)}60s ${'b '.repeat(BAD_MESSAGE_BUDGET)}g b`;
      const source = cold<Frame>(marbles, { b: bad, g: frame('ping', encodePayload(ping(1n))) });
      const t = BAD_MESSAGE_BUDGET + 60_000 + BAD_MESSAGE_BUDGET;
      expectObservable(source.pipe(decodeFrames(undefined, s))).toBe(`${t}ms g #`, { g: ping(1n) }, expect.objectContaining({ reason: 'misbehaving' }));
    });
  });

  it('drops the peer at once for more entries than Core allows (it disconnects for them)', async () => {
    const w = new ByteWriter(64);
    w.compactSize(MAX_INV_ENTRIES + 1);
    const tooMany = frame('inv', w.finish());
    const err = await rejectionOf(PeerError, lastValueFrom(of(tooMany).pipe(decodeFrames())));
    expect(err.reason).toBe('misbehaving');
    expect(err.message).toMatch(/too many inv entries/);
  });
});

describe('receiveMessages (frames, the traffic tap and decodeFrames in one stage)', () => {
  it('cuts chunks into messages across any boundary, tells onFrame of every frame, skips a bad one and reports it', async () => {
    const wire = new Uint8Array([...encodeMessage(MAGIC, ping(1n)), ...corruptPing(), ...encodeMessage(MAGIC, ping(2n))]);
    // Every split point, so that a header, a payload and a checksum each arrive in two pieces.
    for (let cut = 1; cut < wire.length; cut += 7) {
      const seen: string[] = [];
      const bad: string[] = [];
      const chunks = [wire.slice(0, cut), wire.slice(cut)];
      const out = await lastValueFrom(from(chunks).pipe(receiveMessages(v1Transport(MAGIC, () => {}), (c) => bad.push(c), (f) => seen.push(f.command)), toArray()));
      expect(out).toEqual([ping(1n), ping(2n)]);
      expect(seen).toEqual(['ping', 'ping', 'ping']);
      expect(bad).toEqual(['ping']);
    }
  });

  it('ends the stream for the wrong magic (framing) and for a count Core disconnects for (misbehaving)', async () => {
    const wrongMagic = of(encodeMessage(NETWORKS.mainnet.magic, ping(1n))).pipe(receiveMessages(v1Transport(MAGIC, () => {}), () => {}));
    expect((await rejectionOf(PeerError, lastValueFrom(wrongMagic).catch((e: unknown) => Promise.reject(asPeerError(e))))).reason).toBe('framing');
    const w = new ByteWriter(64);
    w.compactSize(MAX_INV_ENTRIES + 1);
    const tooMany = of(encodeMessage(MAGIC, { command: 'unknown', name: 'inv', payload: w.finish() } as unknown as Message));
    const err = await rejectionOf(PeerError, lastValueFrom(tooMany.pipe(receiveMessages(v1Transport(MAGIC, () => {}), () => {}))));
    expect(err.reason).toBe('misbehaving');
    expect(err.message).toMatch(/too many inv entries/);
  });
});

describe('handshake', () => {
  const ours: VersionMessage = { ...versionOf(70016, '/t/'), nonce: 1n };

  it('turns a throwing send into this peer\'s error (keepPeer names it internal)', async () => {
    let calls = 0;
    const link: PeerLink = {
      send: () => {
        if (++calls > 1) throw new Error('write after end');
      },
      fail: () => {},
      close: () => {},
    };
    const failure = firstValueFrom(from([{ ...ours, nonce: 2n }]).pipe(handshake(link, ours, 60_000))).then(
      () => undefined,
      (err: unknown) => err,
    );
    const err = asPeerError(await failure);
    expect(err.reason).toBe('internal');
    expect(err.message).toMatch(/write after end/);
  });

  it('fails a peer that never sends version, at the deadline', () => {
    const s = new TestScheduler((a, e) => expect(a).toEqual(e));
    s.run(({ expectObservable }) => {
      const link: PeerLink = { send: () => {}, fail: () => {}, close: () => {} };
      expectObservable(NEVER.pipe(handshake(link, ours, 5_000))).toBe('5000ms #', undefined, expect.objectContaining({ reason: 'handshake-timeout' }));
    });
  });
});
