/**
 * BIP 152 on the wire: SipHash-2-4 against its reference vectors, short ids, and the cmpctblock,
 * getblocktxn and blocktxn codecs (round trips, Core's deserialisation limits, hostile bytes).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_COMPACT_BLOCK_TXS } from '../../lib/wire/codecs/compact.js';
import { DecodeError } from '../../lib/wire/errors.js';
import { fromHex } from '../../lib/wire/hex.js';
import type { Message } from '../../lib/wire/messages.js';
import { decodeMessage, encodePayload } from '../../lib/wire/registry.js';
import { readU64, siphash24 } from '../../lib/wire/siphash.js';
import { shortId, shortIdKey } from '../../lib/wire/short-id.js';
import { ByteWriter } from '../../lib/wire/writer.js';
import { mineBlock } from '../support/blocks.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';
import { isCoinbase } from '../../lib/tx/pow.js';

interface SipVectors {
  readonly k0: string;
  readonly k1: string;
  readonly outputs: readonly string[];
  readonly uint256: { readonly hex: string; readonly output: string };
}
const SIP = JSON.parse(readFileSync(new URL('../fixtures/siphash24.json', import.meta.url), 'utf8')) as SipVectors;
const u64 = (hex: string): { hi: number; lo: number } => ({ hi: parseInt(hex.slice(0, 8), 16), lo: parseInt(hex.slice(8), 16) });
const hexOf = (h: { hi: number; lo: number }): string => h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');

describe('SipHash-2-4', () => {
  it('gives the reference outputs for the messages of 0 to 63 bytes', () => {
    SIP.outputs.forEach((out, n) => {
      const msg = Uint8Array.from({ length: n }, (_, i) => i);
      expect(hexOf(siphash24(u64(SIP.k0), u64(SIP.k1), msg))).toBe(out);
    });
  });

  it("gives Core's SipHashUint256 answer for a 32-byte id, and the short id is its low 6 bytes", () => {
    const out = siphash24(u64(SIP.k0), u64(SIP.k1), fromHex(SIP.uint256.hex));
    expect(hexOf(out)).toBe(SIP.uint256.output);
    expect(shortId({ k0: u64(SIP.k0), k1: u64(SIP.k1) }, fromHex(SIP.uint256.hex))).toBe(0x512f72f27cce);
  });

  it('keys a compact block by SHA-256(header || nonce): its first two little-endian words', () => {
    const block = mineBlock([]);
    const w = new ByteWriter(88);
    w.bytes(block.raw.subarray(0, 80)).u64le(0x0123456789abcdefn);
    const digest = createHash('sha256').update(w.finish()).digest();
    expect(shortIdKey(block.header, 0x0123456789abcdefn)).toEqual({ k0: readU64(digest, 0), k1: readU64(digest, 8) });
    expect(readU64(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 0)).toEqual({ lo: 0x04030201, hi: 0x08070605 });
  });
});

const TXS = distinctTxs(12, typicalTxs().filter((t) => !isCoinbase(t)));
const BLOCK = mineBlock(TXS.slice(0, 3));
const HASH = Uint8Array.from(BLOCK.header.hash);
const tx = fc.constantFrom(...TXS);
const shortIdArb = fc.integer({ min: 0, max: 2 ** 48 - 1 });
const increasing = (max: number): fc.Arbitrary<number[]> => fc.uniqueArray(fc.integer({ min: 0, max }), { maxLength: 8 }).map((xs) => [...xs].sort((a, b) => a - b));

const cmpctblock: fc.Arbitrary<Message> = fc
  .record({ nonce: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), shortIds: fc.array(shortIdArb, { maxLength: 30 }), indexes: increasing(200), txs: fc.array(tx, { minLength: 8, maxLength: 8 }) })
  .map(({ nonce, shortIds, indexes, txs }) => ({ command: 'cmpctblock', header: BLOCK.header, nonce, shortIds, prefilled: indexes.map((index, i) => ({ index, tx: txs[i] })) }));
const blocktxn: fc.Arbitrary<Message> = fc.array(tx, { maxLength: 6 }).map((txs) => ({ command: 'blocktxn', hash: HASH, txs }));
const getblocktxn: fc.Arbitrary<Message> = increasing(0xffff).map((indexes) => ({ command: 'getblocktxn', hash: HASH, indexes }));

function decodeErrorOf(command: string, payload: Uint8Array): DecodeError {
  try {
    decodeMessage({ command, payload });
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('decoded');
}

/** getblocktxn's payload from raw differences, as Core's test writes one that no real request serialises to. */
function rawGetblocktxn(deltas: readonly number[]): Uint8Array {
  const w = new ByteWriter(64);
  w.bytes(new Uint8Array(32)).compactSize(deltas.length);
  for (const d of deltas) w.compactSize(d);
  return w.finish();
}

describe('cmpctblock, getblocktxn, blocktxn', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(fc.oneof(cmpctblock, blocktxn, getblocktxn), (m) => {
        expect(decodeMessage({ command: m.command, payload: encodePayload(m) })).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });

  it('prefilled indexes go on the wire as differences (BIP 152): 0, 2, 3 is 0, 1, 0', () => {
    const m: Message = { command: 'cmpctblock', header: BLOCK.header, nonce: 0n, shortIds: [], prefilled: [0, 2, 3].map((index) => ({ index, tx: TXS[index] })) };
    const payload = encodePayload(m);
    let at = 80 + 8 + 1 + 1;
    const deltas: number[] = [];
    for (const i of [0, 2, 3]) {
      deltas.push(payload[at]);
      at += 1 + TXS[i].raw.length;
    }
    expect(deltas).toEqual([0, 1, 0]);
  });

  it("decodes getblocktxn's highest legal index, 0xffff (Core's TransactionsRequestDeserializationMaxTest)", () => {
    expect(decodeMessage({ command: 'getblocktxn', payload: rawGetblocktxn([0xffff]) })).toMatchObject({ indexes: [0xffff] });
  });

  it("refuses indexes that overflow 16 bits (Core's TransactionsRequestDeserializationOverflowTest)", () => {
    expect(decodeErrorOf('getblocktxn', rawGetblocktxn([0x7000, 0x10000 - 0x7000 - 2, 0])).message).toMatch(/overflow/);
    expect(decodeErrorOf('getblocktxn', rawGetblocktxn([0x10000])).message).toMatch(/16 bits/);
  });

  it('refuses more short ids and prefilled transactions than 16-bit indexes can hold, before allocating them', () => {
    const w = new ByteWriter(1 << 20);
    w.bytes(BLOCK.raw.subarray(0, 80)).u64le(0n).compactSize(MAX_COMPACT_BLOCK_TXS);
    w.bytes(new Uint8Array(MAX_COMPACT_BLOCK_TXS * 6)).compactSize(1).compactSize(0).bytes(TXS[0].raw);
    expect(decodeErrorOf('cmpctblock', w.finish()).message).toMatch(/too many prefilled/);
    const huge = new ByteWriter(128);
    huge.bytes(BLOCK.raw.subarray(0, 80)).u64le(0n).compactSize(0x02000000);
    expect(decodeErrorOf('cmpctblock', huge.finish()).message).toMatch(/too many short ids/);
  });

  it('refuses a prefilled difference beyond 16 bits', () => {
    const w = new ByteWriter(1024);
    w.bytes(BLOCK.raw.subarray(0, 80)).u64le(0n).compactSize(0).compactSize(1).compactSize(0x10000).bytes(TXS[0].raw);
    expect(decodeErrorOf('cmpctblock', w.finish()).message).toMatch(/16 bits/);
  });

  it('will not encode what its decoder refuses', () => {
    expect(() => encodePayload({ command: 'getblocktxn', hash: BLOCK.header.hash, indexes: [3, 3] })).toThrow(RangeError);
    expect(() => encodePayload({ command: 'getblocktxn', hash: BLOCK.header.hash, indexes: [0x10000] })).toThrow(RangeError);
    expect(() => encodePayload({ command: 'cmpctblock', header: BLOCK.header, nonce: 0n, shortIds: [2 ** 48], prefilled: [] })).toThrow(RangeError);
  });

  it('lets nothing but DecodeError out of arbitrary, mutated or truncated payloads', () => {
    const frames = fc.oneof(cmpctblock, blocktxn, getblocktxn).map((m) => ({ command: m.command, payload: encodePayload(m) }));
    const hostile = fc.oneof(
      fc.record({ command: fc.constantFrom('cmpctblock', 'getblocktxn', 'blocktxn'), payload: fc.uint8Array({ maxLength: 300 }) }),
      fc.tuple(frames, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, at, b]) => {
        const payload = Uint8Array.from(f.payload);
        payload[at % payload.length] = b;
        return { command: f.command, payload };
      }),
      fc.tuple(frames, fc.nat()).map(([f, n]) => ({ command: f.command, payload: f.payload.subarray(0, n % (f.payload.length + 1)) })),
    );
    fc.assert(
      fc.property(hostile, (frame) => {
        try {
          decodeMessage(frame);
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
