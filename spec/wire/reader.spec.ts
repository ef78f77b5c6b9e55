import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCompactSizeU64, writeCompactSizeU64 } from '../../lib/wire/codecs/fields.js';
import { DecodeError } from '../../lib/wire/errors.js';
import { fromHex, toHex } from '../../lib/wire/hex.js';
import { MAX_COMPACT_SIZE } from '../../lib/wire/limits.js';
import { ByteReader } from '../../lib/wire/reader.js';
import { ByteWriter } from '../../lib/wire/writer.js';
import { errorOf } from '../support/errors.js';

const reader = (hex: string): ByteReader => new ByteReader(fromHex(hex));

describe('CompactSize (serialize.h ReadCompactSize / WriteCompactSize)', () => {
  // Each boundary with its one canonical encoding.
  const canonical: [number, string][] = [
    [0, '00'],
    [0xfc, 'fc'],
    [0xfd, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [MAX_COMPACT_SIZE, 'fe00000002'],
  ];

  it.each(canonical)('%i is written as %s and read back', (n, hex) => {
    expect(toHex(new ByteWriter().compactSize(n).finish())).toBe(hex);
    const r = reader(hex);
    expect(r.compactSize()).toBe(n);
    expect(r.remaining).toBe(0);
  });

  it('writes 0xffffffff and 2^32 in the 5- and 9-byte forms', () => {
    expect(toHex(new ByteWriter().compactSize(0xffffffff).finish())).toBe('feffffffff');
    expect(toHex(new ByteWriter().compactSize(0x100000000).finish())).toBe('ff0000000001000000');
  });

  it.each([
    ['fdfc00', '0xfc in 3 bytes'],
    ['fd0000', '0 in 3 bytes'],
    ['feffff0000', '0xffff in 5 bytes'],
    ['fefd000000', '0xfd in 5 bytes'],
    ['ffffffffff00000000', '0xffffffff in 9 bytes'],
    ['ff0000000000000000', '0 in 9 bytes'],
  ])('refuses the non-canonical %s (%s)', (hex) => {
    expect(errorOf(DecodeError, () => reader(hex).compactSize()).reason).toMatch(/non-canonical/);
  });

  it.each([
    ['fe01000002', 'MAX_SIZE + 1'],
    ['feffffffff', '0xffffffff'],
    ['ff0000000001000000', '2^32'],
    ['ffffffffffffffffff', '2^64 - 1'],
  ])('refuses %s (%s) as larger than MAX_SIZE', (hex) => {
    expect(errorOf(DecodeError, () => reader(hex).compactSize()).reason).toMatch(/too large/);
  });

  it('refuses every truncation of a multi-byte CompactSize', () => {
    for (const hex of ['fdfd00', 'fe00000100', 'ff0000000001000000']) {
      const bytes = fromHex(hex);
      for (let len = 0; len < bytes.length; len++) {
        expect(errorOf(DecodeError, () => new ByteReader(bytes.subarray(0, len)).compactSize()).reason).toMatch(/truncated/);
      }
    }
  });

  it('round-trips every value up to MAX_SIZE in its shortest form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_COMPACT_SIZE }), (n) => {
        const bytes = new ByteWriter().compactSize(n).finish();
        expect(bytes.length).toBe(n < 0xfd ? 1 : n <= 0xffff ? 3 : 5);
        const r = new ByteReader(bytes);
        expect(r.compactSize()).toBe(n);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('reads any byte string as a value or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10 }), (bytes) => {
        try {
          new ByteReader(bytes).compactSize();
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });
});

describe('CompactSize as u64 (addrv2 services, no range check)', () => {
  it.each([
    [0n, '00'],
    [0xfcn, 'fc'],
    [0xfdn, 'fdfd00'],
    [0xffffn, 'fdffff'],
    [0x10000n, 'fe00000100'],
    [0xffffffffn, 'feffffffff'],
    [0x100000000n, 'ff0000000001000000'],
    [2n ** 64n - 1n, 'ffffffffffffffffff'],
  ])('%s is %s both ways', (v, hex) => {
    const w = new ByteWriter();
    writeCompactSizeU64(v, w);
    expect(toHex(w.finish())).toBe(hex);
    expect(readCompactSizeU64(reader(hex), 'services')).toBe(v);
  });

  it.each(['fdfc00', 'feffff0000', 'ffffffffff00000000'])('still refuses the non-canonical %s', (hex) => {
    expect(errorOf(DecodeError, () => readCompactSizeU64(reader(hex), 'services')).reason).toMatch(/non-canonical/);
  });

  it('round-trips any u64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        const w = new ByteWriter();
        writeCompactSizeU64(v, w);
        const r = new ByteReader(w.finish());
        expect(readCompactSizeU64(r, 'services')).toBe(v);
        expect(r.remaining).toBe(0);
      }),
    );
  });
});

describe('ByteReader bounds', () => {
  it('count() refuses a count whose items cannot fit in the remaining bytes', () => {
    // 3 items of 36 bytes announced, 107 bytes follow: one short.
    const bytes = new Uint8Array(1 + 107);
    bytes[0] = 3;
    expect(errorOf(DecodeError, () => new ByteReader(bytes).count(36, 50_000, 'inv entries')).reason).toMatch(/exceeds the remaining bytes/);
    const enough = new Uint8Array(1 + 108);
    enough[0] = 3;
    expect(new ByteReader(enough).count(36, 50_000, 'inv entries')).toBe(3);
  });

  it('count() refuses a count over its maximum even when the bytes are there', () => {
    const bytes = new Uint8Array(1 + 11);
    bytes[0] = 11;
    expect(errorOf(DecodeError, () => new ByteReader(bytes).count(1, 10, 'things')).reason).toMatch(/too many things: 11 > 10/);
  });

  it('count() refuses a huge count in a tiny message at once', () => {
    // 0x02000000 entries announced, 4 bytes follow.
    expect(errorOf(DecodeError, () => reader('fe0000000201020304').count(1, MAX_COMPACT_SIZE, 'items')).reason).toMatch(/exceeds the remaining/);
  });

  it('throws DecodeError, never RangeError, for every truncated fixed-width read', () => {
    const reads: [string, number, (r: ByteReader) => unknown][] = [
      ['u8', 1, (r) => r.u8()],
      ['u16le', 2, (r) => r.u16le()],
      ['u16be', 2, (r) => r.u16be()],
      ['u32le', 4, (r) => r.u32le()],
      ['i32le', 4, (r) => r.i32le()],
      ['u64le', 8, (r) => r.u64le()],
      ['i64le', 8, (r) => r.i64le()],
      ['hash', 32, (r) => r.hash()],
    ];
    for (const [, width, read] of reads) {
      for (let len = 0; len < width; len++) {
        expect(errorOf(DecodeError, () => read(new ByteReader(new Uint8Array(len)))).reason).toMatch(/truncated/);
      }
      expect(() => read(new ByteReader(new Uint8Array(width)))).not.toThrow();
    }
  });

  it('respects a sub-range of a larger buffer', () => {
    const data = fromHex('aabbccddeeff');
    const r = new ByteReader(data.subarray(1, 5));
    expect(r.u16le()).toBe(0xccbb);
    expect(r.u16be()).toBe(0xddee);
    expect(() => r.u8()).toThrow(DecodeError);
  });

  it('varBytes() refuses a length over its maximum before reading', () => {
    expect(errorOf(DecodeError, () => reader('0a' + '00'.repeat(10)).varBytes(9, 'user agent')).reason).toMatch(/too long: 10 > 9/);
  });

  it('finish() reports trailing bytes', () => {
    const r = reader('0102');
    r.u8();
    expect(errorOf(DecodeError, () => r.finish('ping')).reason).toMatch(/1 trailing bytes after ping/);
  });
});
