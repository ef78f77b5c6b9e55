/**
 * The fast paths in lib/wire/hash.ts and hex.ts (see BENCHMARKS.md, "Decode") against the plain
 * definitions they replace: node:crypto's SHA-256 twice, and a regex for strict hex.
 */
import fc from 'fast-check';
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../lib/wire/errors.js';
import { checksum, hmacKey, hmacShort, sha256d, sha256dParts } from '../../lib/wire/hash.js';
import { fromHex, hashKey, hexAt, reversedHexAt, toHex, toReversedHex } from '../../lib/wire/hex.js';

const reference = (data: Uint8Array): string => createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex');

describe('sha256d', () => {
  it('matches node:crypto for every length from 0 to 300 bytes (one-block JS path, two passes, and native + JS)', () => {
    for (let n = 0; n <= 300; n++) {
      for (const fill of [0x00, 0xff, -1]) {
        const data = new Uint8Array(n).map((_, i) => (fill < 0 ? (i * 131 + n * 7) & 0xff : fill));
        expect(toHex(sha256d(data)), `length ${n}`).toBe(reference(data));
      }
    }
  });

  it('matches node:crypto on random inputs, also when they are views into a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(16), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length));
        expect(toHex(sha256d(view))).toBe(reference(view));
      }),
      { numRuns: 2_000 },
    );
  });

  it('is the known answer for the empty input and for "abc"', () => {
    expect(toHex(sha256d(new Uint8Array(0)))).toBe('5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456');
    expect(toHex(sha256d(new TextEncoder().encode('abc')))).toBe('4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358');
  });

  it('returns a fresh 32-byte result each call (no shared scratch leaks out)', () => {
    const a = sha256d(new Uint8Array([1]));
    const b = sha256d(new Uint8Array([2]));
    expect(a).toHaveLength(32);
    expect(toHex(a)).toBe(reference(new Uint8Array([1])));
    expect(toHex(b)).toBe(reference(new Uint8Array([2])));
  });

  it('sha256dParts is sha256d of the concatenation; checksum is its first 4 bytes, little-endian', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), (parts) => {
        const all = Uint8Array.from(parts.flatMap((p) => [...p]));
        expect(toHex(sha256dParts(parts))).toBe(reference(all));
        expect(checksum(all)).toBe(Buffer.from(reference(all), 'hex').readUInt32LE(0));
      }),
      { numRuns: 500 },
    );
  });
});

describe('fromHex', () => {
  const STRICT = /^(?:[0-9a-fA-F]{2})*$/;
  const expected = (s: string): string => {
    // A bad character is named before the length (a NUL is not "an odd number of digits").
    if (/[^0-9a-fA-F]/.test(s)) return 'not hex';
    if (s.length % 2 !== 0) return 'odd';
    return STRICT.test(s) ? Buffer.from(s, 'hex').toString('hex') : 'not hex';
  };
  const actual = (s: string): string => {
    try {
      return toHex(fromHex(s));
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError);
      return (err as Error).message.includes('odd') ? 'odd' : 'not hex';
    }
  };

  it('accepts exactly what the strict regex accepts, and decodes it', () => {
    // Node's hex decoder reads the low byte of UTF-16 units: U+0130 'İ' would pass as '0'.
    const chars = ['0', '9', 'a', 'f', 'A', 'F', 'g', 'x', ' ', '\n', '\0', 'é', '\u00ff', '\u0130', '\u0161', '\u0166', '\uff10', '\ud800', '😀'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 24 }), (a) => {
        const s = a.join('');
        expect(actual(s)).toBe(expected(s));
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 16 }), (s) => {
        expect(actual(s)).toBe(expected(s));
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses one bad character anywhere in long valid hex', () => {
    const good = 'ab'.repeat(400);
    for (const bad of ['g', 'İ', 'ｆ', ' ']) {
      for (const at of [0, 1, 401, 799]) {
        const s = good.slice(0, at) + bad + good.slice(at + 1);
        expect(() => fromHex(s), `${JSON.stringify(bad)} at ${at}`).toThrow('not hex');
      }
    }
    expect(fromHex(good)).toHaveLength(400);
    expect(() => fromHex('abc')).toThrow('odd number');
  });

  it('says which character is wrong, accepts either case, and spots a 0x prefix', () => {
    expect(toHex(fromHex('ABcd'))).toBe('abcd');
    expect(() => fromHex('ab\0')).toThrow('not hex: "\\u0000" at character 3 (only 0-9, a-f and A-F are allowed)');
    expect(() => fromHex('abcg')).toThrow('not hex: "g" at character 4');
    expect(() => fromHex('ab😀')).toThrow('not hex: "😀" at character 3');
    expect(() => fromHex('0x0100')).toThrow('not hex: drop the "0x" prefix');
    expect(() => fromHex('0X01')).toThrow('not hex: drop the "0x" prefix');
    expect(() => fromHex('abc')).toThrow('hex has an odd number of digits (3)');
  });
});

describe('hashKey', () => {
  const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
  /** A copy of `h` placed at `at` inside a larger buffer: the key must depend on the bytes only. */
  const viewOf = (h: Uint8Array, at: number): Uint8Array => {
    const big = new Uint8Array(at + 40).fill(0xa5);
    big.set(h, at);
    return big.subarray(at, at + 32);
  };

  it('is equal for two hashes exactly when their hex is (property; near misses included)', () => {
    const nearPair = fc.tuple(hash, fc.nat(31), fc.integer({ min: 1, max: 255 })).map(([h, at, x]) => {
      const g = h.slice();
      g[at] ^= x;
      return [h, g] as const;
    });
    const pair = fc.oneof(fc.tuple(hash, hash), hash.map((h) => [h, h.slice()] as const), nearPair);
    fc.assert(
      fc.property(pair, fc.nat(16), fc.nat(16), ([a, b], i, j) => {
        const va = viewOf(a, i);
        const vb = viewOf(b, j);
        expect(hashKey(va) === hashKey(vb)).toBe(toHex(va) === toHex(vb));
        expect(hashKey(va)).toHaveLength(16);
      }),
      { numRuns: 3_000 },
    );
  });

  it('tells apart every one-byte change of a hash, through each byte value', () => {
    const base = new Uint8Array(32);
    const keys = new Set([hashKey(base)]);
    for (let at = 0; at < 32; at++) {
      for (let v = 1; v < 256; v++) {
        const h = base.slice();
        h[at] = v;
        keys.add(hashKey(h));
      }
    }
    expect(keys.size).toBe(1 + 32 * 255);
  });

  it('refuses anything but 32 bytes: keys of other lengths could equal a hash’s', () => {
    for (const n of [0, 16, 31, 33, 64]) expect(() => hashKey(new Uint8Array(n))).toThrow(RangeError);
  });
});

describe('hexAt and reversedHexAt', () => {
  it('are toHex and toReversedHex of any range, and refuse one outside the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), (b, x, y) => {
        const start = x % (b.length + 1);
        const end = start + (y % (b.length - start + 1));
        expect(hexAt(b, start, end)).toBe(toHex(b.subarray(start, end)));
        if (end - start <= 64) expect(reversedHexAt(b, start, end - start)).toBe(toReversedHex(b.subarray(start, end)));
      }),
    );
    expect(() => hexAt(new Uint8Array(4), 2, 5)).toThrow(RangeError);
    expect(() => reversedHexAt(new Uint8Array(100), 0, 65)).toThrow(RangeError);
  });
});

describe('hmacShort (BIP 324\'s HKDF)', () => {
  it('equals node:crypto\'s HMAC-SHA256 for every key of up to 64 bytes and message of up to 55', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 55 }), (key, message) => {
        expect(toHex(hmacShort(hmacKey(key), message))).toBe(createHmac('sha256', key).update(message).digest('hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a longer key or message rather than hash it wrong', () => {
    expect(() => hmacKey(new Uint8Array(65))).toThrow(RangeError);
    expect(() => hmacShort(hmacKey(new Uint8Array(32)), new Uint8Array(56))).toThrow(RangeError);
  });
});
