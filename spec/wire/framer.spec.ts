import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChecksumError, FramingError } from '../../lib/wire/errors.js';
import { Framer } from '../../lib/wire/framer.js';
import { GROWING_BUFFER_START } from '../../lib/wire/growing-buffer.js';
import { errorOf } from '../support/errors.js';
import { encodeFrame } from '../../lib/wire/header.js';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES } from '../../lib/wire/limits.js';
import type { Frame } from '../../lib/wire/messages.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { checksum } from '../../lib/wire/hash.js';
import { checksumLeftToDecoder, decodeMessage, maxPayloadFor } from '../../lib/wire/registry.js';
import { TX_VECTORS } from '../support/txs.js';

/** A real segwit transaction: its checksum is its wtxid's prefix, not its txid's. */
const TX_HEX_FOR_CHECKSUM = TX_VECTORS.find((v) => v.segwit && v.size < 1_000)!.hex;

const MAGIC = NETWORKS.regtest.magic;
/** Like the registry's limits for the commands used here: ping 8, everything else 4 MB. */
const limits = (command: string): number => (command === 'ping' || command === 'pong' ? 8 : MAX_PAYLOAD_BYTES);

const frameBytes = (f: Frame): Uint8Array => encodeFrame(MAGIC, f.command, f.payload);

const concat = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** Pushes `bytes` cut at the given offsets and collects the frames. */
function pushCut(framer: Framer, bytes: Uint8Array, cuts: readonly number[]): Frame[] {
  const points = [0, ...[...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  const frames: Frame[] = [];
  for (let i = 1; i < points.length; i++) frames.push(...framer.push(bytes.subarray(points[i - 1], points[i])));
  return frames;
}

const ping: Frame = { command: 'ping', payload: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
const tx: Frame = { command: 'tx', payload: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) };
const verack: Frame = { command: 'verack', payload: new Uint8Array(0) };

describe('Framer', () => {
  it('yields one frame from one chunk', () => {
    expect(new Framer(MAGIC, limits).push(frameBytes(ping))).toEqual([ping]);
  });

  it('yields the same frames however two frames are split into two chunks, at every byte', () => {
    const bytes = concat([frameBytes(ping), frameBytes(tx)]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const framer = new Framer(MAGIC, limits);
      expect(pushCut(framer, bytes, [cut])).toEqual([ping, tx]);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('handles one byte per chunk', () => {
    const bytes = concat([frameBytes(verack), frameBytes(ping), frameBytes(verack)]);
    const framer = new Framer(MAGIC, limits);
    const frames: Frame[] = [];
    for (let i = 0; i < bytes.length; i++) frames.push(...framer.push(bytes.subarray(i, i + 1)));
    expect(frames).toEqual([verack, ping, verack]);
  });

  it('yields many frames from one chunk, including empty payloads at the end', () => {
    const many = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? verack : i % 3 === 1 ? ping : tx));
    expect(new Framer(MAGIC, limits).push(concat(many.map(frameBytes)))).toEqual(many);
  });

  it('returns nothing for an empty chunk', () => {
    const framer = new Framer(MAGIC, limits);
    expect(framer.push(new Uint8Array(0))).toEqual([]);
    expect(framer.push(frameBytes(verack))).toEqual([verack]);
  });

  it('copies payloads out of the chunk: reusing the input buffer does not change a frame', () => {
    const bytes = frameBytes(tx);
    const [frame] = new Framer(MAGIC, limits).push(bytes);
    bytes.fill(0);
    expect(frame).toEqual(tx);
  });

  it('yields the same frames for any messages under any chunking (property)', () => {
    const frameArb = fc.record({
      command: fc.constantFrom('tx', 'inv', 'ping', 'verack', 'block', 'xyzzy', 'abcdefghijkl'),
      payload: fc.uint8Array({ maxLength: 600 }),
    }).map((f): Frame => (f.command === 'verack' ? { command: 'verack', payload: new Uint8Array(0) } : f.command === 'ping' ? { command: 'ping', payload: f.payload.slice(0, 8) } : f));
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, rawCuts) => {
        const bytes = concat(frames.map(frameBytes));
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const framer = new Framer(MAGIC, limits);
        expect(pushCut(framer, bytes, cuts)).toEqual(frames);
        expect(framer.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('holds a partial frame until it is complete', () => {
    const bytes = frameBytes(tx);
    const framer = new Framer(MAGIC, limits);
    expect(framer.push(bytes.subarray(0, 100))).toEqual([]);
    expect(framer.bufferedBytes).toBe(100);
    expect(framer.push(bytes.subarray(100))).toEqual([tx]);
    expect(framer.bufferedBytes).toBe(0);
  });
});

describe('Framer on hostile streams', () => {
  /** A header declaring `length`, with no payload behind it. */
  function header(command: string, length: number): Uint8Array {
    const h = encodeFrame(MAGIC, command, new Uint8Array(0)).slice(0, HEADER_BYTES);
    new DataView(h.buffer).setUint32(16, length, true);
    return h;
  }

  it.each([
    ['tx', 0xffffffff],
    ['tx', MAX_PAYLOAD_BYTES + 1],
    ['ping', 9],
  ])('refuses a %s header declaring %i bytes from the header alone', (command, length) => {
    const framer = new Framer(MAGIC, limits);
    const h = header(command, length);
    // All but the last header byte: nothing to decide yet.
    expect(framer.push(h.subarray(0, HEADER_BYTES - 1))).toEqual([]);
    expect(errorOf(FramingError, () => framer.push(h.subarray(HEADER_BYTES - 1))).reason).toBe('oversized');
    expect(framer.bufferedBytes).toBeLessThanOrEqual(HEADER_BYTES);
  });

  it('accepts a 4,000,000-byte header without reading ahead', () => {
    const framer = new Framer(MAGIC, limits);
    expect(framer.push(header('block', MAX_PAYLOAD_BYTES))).toEqual([]);
    expect(framer.bufferedBytes).toBe(HEADER_BYTES);
  });

  it('holds what a peer sent, not what it declared: 4 MB declared and 10 bytes sent hold 4 kB; the buffer grows to twice what came', () => {
    const framer = new Framer(MAGIC, limits);
    expect(framer.push(concat([header('block', MAX_PAYLOAD_BYTES), new Uint8Array(10)]))).toEqual([]);
    expect(framer.heldBytes).toBe(GROWING_BUFFER_START);
    for (let sent = 10; sent < 1_000_000; sent += 50_000) {
      framer.push(new Uint8Array(50_000));
      expect(framer.heldBytes).toBeLessThanOrEqual(Math.max(GROWING_BUFFER_START, 2 * (sent + 50_000)));
    }
  });

  it('refuses the wrong magic', () => {
    const framer = new Framer(NETWORKS.mainnet.magic, limits);
    expect(errorOf(FramingError, () => framer.push(frameBytes(ping))).reason).toBe('bad-magic');
  });

  it('hands on a frame whose checksum fails with the header\'s checksum, and stays in step', () => {
    const bytes = frameBytes(ping);
    bytes[HEADER_BYTES + 3] ^= 1;
    const framer = new Framer(MAGIC, limits);
    expect(framer.push(bytes.subarray(0, bytes.length - 1))).toEqual([]);
    const [bad] = framer.push(bytes.subarray(bytes.length - 1));
    expect(bad.checksum).toBe(Buffer.from(bytes.subarray(20, 24)).readUInt32LE(0));
    expect(() => decodeMessage(bad)).toThrow(ChecksumError);
    // The next frame is read as usual.
    const [next] = framer.push(frameBytes(verack));
    expect(next).toEqual({ command: 'verack', payload: new Uint8Array(0) });
  });

  it('refuses a bad command', () => {
    const bytes = frameBytes(verack);
    bytes[5] = 0x01;
    expect(errorOf(FramingError, () => new Framer(MAGIC, limits).push(bytes)).reason).toBe('bad-command');
  });

  it('stays dead after an error: every later push throws the same error', () => {
    const framer = new Framer(NETWORKS.mainnet.magic, limits);
    const first = errorOf(FramingError, () => framer.push(frameBytes(ping)));
    expect(() => framer.push(encodeFrame(NETWORKS.mainnet.magic, 'verack', new Uint8Array(0)))).toThrow(first);
    expect(errorOf(FramingError, () => framer.push(new Uint8Array(0)))).toBe(first);
  });

  it('finds a broken frame after good ones in the same chunk, and hands on the good ones first', () => {
    const bad = frameBytes(ping);
    bad[0] ^= 0xff;
    const framer = new Framer(MAGIC, limits);
    const out: Frame[] = [];
    expect(errorOf(FramingError, () => framer.push(concat([frameBytes(verack), frameBytes(tx), bad]), out)).reason).toBe('bad-magic');
    expect(out).toEqual([verack, tx]);
  });

  it('hands on the same frames before a framing error however the stream is cut (property)', () => {
    // A verack and then garbage in one read is a handshake and then a drop, as it is in two reads.
    const frameArb = fc.constantFrom(verack, ping, tx);
    const brokenArb = fc.constantFrom(
      (b: Uint8Array) => (b[0] ^= 0xff), // bad-magic
      (b: Uint8Array) => (b[5] = 0x01), // bad-command
      (b: Uint8Array) => (b[16] = 0xff), // oversized (a ping of 255 bytes)
    );
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), brokenArb, fc.array(fc.nat(), { maxLength: 20 }), (frames, breakIt, rawCuts) => {
        const bad = frameBytes(ping);
        breakIt(bad);
        const bytes = concat([...frames.map(frameBytes), bad]);
        const points = [0, ...[...new Set(rawCuts.map((c) => c % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b), bytes.length];
        const framer = new Framer(MAGIC, limits);
        const out: Frame[] = [];
        let failed = false;
        for (let i = 1; i < points.length && !failed; i++) {
          try {
            framer.push(bytes.subarray(points[i - 1], points[i]), out);
          } catch (err) {
            expect(err).toBeInstanceOf(FramingError);
            failed = true;
          }
        }
        expect(failed).toBe(true);
        expect(out).toEqual(frames);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Framer on a 4 MB frame', () => {
  const payload = Uint8Array.from({ length: MAX_PAYLOAD_BYTES }, (_, i) => (i * 31) & 0xff);
  const bytes = frameBytes({ command: 'block', payload });
  const bound = HEADER_BYTES + MAX_PAYLOAD_BYTES;

  it.each([1, 7, 1_000, 65_536])('completes in %i-byte chunks, never holding more than 24 + length bytes', (size) => {
    const framer = new Framer(MAGIC, limits);
    const frames: Frame[] = [];
    let maxBuffered = 0;
    for (let at = 0; at < bytes.length; at += size) {
      frames.push(...framer.push(bytes.subarray(at, at + size)));
      maxBuffered = Math.max(maxBuffered, framer.bufferedBytes);
    }
    expect(maxBuffered).toBeLessThanOrEqual(bound);
    expect(frames).toHaveLength(1);
    expect(frames[0].command).toBe('block');
    expect(Buffer.compare(frames[0].payload, payload)).toBe(0);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('completes in random chunks of 1 byte to 64 KiB', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 65_536 }), { minLength: 1, maxLength: 64 }), (sizes) => {
        const framer = new Framer(MAGIC, limits);
        const frames: Frame[] = [];
        let maxBuffered = 0;
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length];
          frames.push(...framer.push(bytes.subarray(at, at + size)));
          maxBuffered = Math.max(maxBuffered, framer.bufferedBytes);
          at += size;
        }
        expect(maxBuffered).toBeLessThanOrEqual(bound);
        expect(frames).toHaveLength(1);
        expect(frames[0].payload.length).toBe(MAX_PAYLOAD_BYTES);
      }),
      { numRuns: 5 },
    );
  });
});

describe('checksums left to the decoder (tx: the wtxid prefix)', () => {
  const raw = Buffer.from(TX_HEX_FOR_CHECKSUM, 'hex');
  const framed = encodeFrame(NETWORKS.regtest.magic, 'tx', raw);

  it('passes a tx frame through unhashed and verifies it on decode, against a real hash', () => {
    const framer = new Framer(NETWORKS.regtest.magic, maxPayloadFor, checksumLeftToDecoder);
    const [frame] = framer.push(framed);
    expect(frame.checksum).toBe(checksum(raw));
    expect(decodeMessage(frame).command).toBe('tx');
  });

  it('refuses a tx frame whose checksum is wrong: that message only (ChecksumError)', () => {
    const bad = framed.slice();
    bad[20] ^= 0xff;
    const framer = new Framer(NETWORKS.regtest.magic, maxPayloadFor, checksumLeftToDecoder);
    const [frame] = framer.push(bad);
    expect(() => decodeMessage(frame)).toThrow(ChecksumError);
    // Other commands are hashed by the framer itself; a good one goes out without a checksum to check.
    const ping = encodeFrame(NETWORKS.regtest.magic, 'ping', new Uint8Array(8));
    expect(new Framer(NETWORKS.regtest.magic, maxPayloadFor, checksumLeftToDecoder).push(ping)[0].checksum).toBeUndefined();
    ping[20] ^= 0xff;
    const [corrupt] = new Framer(NETWORKS.regtest.magic, maxPayloadFor, checksumLeftToDecoder).push(ping);
    expect(() => decodeMessage(corrupt)).toThrow(ChecksumError);
  });
});
