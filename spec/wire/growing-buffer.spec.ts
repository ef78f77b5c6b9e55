/**
 * Issue 19: a v2 peer's declared packet length no longer buys it a buffer of that size; the
 * buffer grows with the bytes it actually sends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrowingBuffer, GROWING_BUFFER_START } from '../../lib/wire/growing-buffer.js';
import { MAX_V2_CONTENTS, V2Session, type V2Output } from '../../lib/transport/v2.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { MB } from '../support/memory.js';

const MAGIC = NETWORKS.mainnet.magic;
const sent = (outs: readonly V2Output[]): Uint8Array => new Uint8Array(Buffer.concat(outs.flatMap((o) => (o.kind === 'send' ? [o.bytes] : []))));

/** A BIP 324 initiator (ours) and responder (theirs), handshake done. */
function pair(): { ours: V2Session; theirs: V2Session } {
  const ours = new V2Session({ initiator: true, magic: MAGIC });
  const theirs = new V2Session({ initiator: false, magic: MAGIC });
  const hello = ours.start();
  const theirHello = theirs.start();
  const t1 = theirs.receive(hello);
  const o1 = ours.receive(new Uint8Array(Buffer.concat([theirHello, sent(t1)])));
  theirs.receive(sent(o1));
  return { ours, theirs };
}

describe('GrowingBuffer', () => {
  it('holds at most max(start, 2 × bytes received) and gives back exactly the packet, however it is cut (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 8 }), (len, cuts) => {
        const packet = new Uint8Array(len);
        for (let i = 0; i < len; i++) packet[i] = (i * 7) & 0xff;
        const b = new GrowingBuffer();
        b.begin(len);
        let at = 0;
        for (let i = 0; at < len; i++) {
          const chunk = packet.subarray(at, Math.min(len, at + cuts[i % cuts.length]));
          expect(b.append(chunk, 0)).toBe(chunk.length);
          at += chunk.length;
          expect(b.held).toBeLessThanOrEqual(Math.max(Math.min(len, GROWING_BUFFER_START), 2 * b.filled));
          expect(b.held).toBeLessThanOrEqual(len);
          if (at < len) expect(b.complete()).toBeUndefined();
        }
        const whole = b.complete();
        expect(whole !== undefined && Buffer.compare(whole, packet)).toBe(0);
        expect(b.held).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('V2Session packet buffers', () => {
  it('a packet declared at the maximum (4 MB) with 10 bytes sent holds GROWING_BUFFER_START, not 4 MB', () => {
    const sessions = Array.from({ length: 20 }, pair);
    for (const { ours, theirs } of sessions) {
      const packet = theirs.encryptPacket(new Uint8Array(MAX_V2_CONTENTS));
      expect(ours.receive(packet.subarray(0, 13))).toEqual([]);
      expect(ours.heldBytes).toBe(GROWING_BUFFER_START);
      expect(ours.bufferedBytes).toBe(13);
    }
    // 20 peers mid-packet: 80 kB held (was 80 MB: each declared length allocated at once).
    expect(sessions.reduce((n, s) => n + s.ours.heldBytes, 0)).toBeLessThan(0.1 * MB);
  });

  it('still receives a full 4 MB packet, in any chunk sizes, and then holds nothing', () => {
    const { ours, theirs } = pair();
    const payload = new Uint8Array(MAX_V2_CONTENTS - 1);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    const packet = theirs.encryptPacket(new Uint8Array(Buffer.concat([Uint8Array.of(2), payload]))); // short id 2: block
    const out: V2Output[] = [];
    for (let at = 0, n = 1; at < packet.length; at += n, n = n * 3 + 1) out.push(...ours.receive(packet.subarray(at, at + n)));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'message', command: 'block' });
    expect(out[0].kind === 'message' && Buffer.compare(out[0].payload, payload)).toBe(0);
    expect(ours.heldBytes).toBe(0);
  });
});
