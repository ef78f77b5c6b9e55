import { readFileSync } from 'node:fs';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ellswiftDecode, ellswiftEncode, isSquare, xswiftec, xswiftecInv } from '../../lib/transport/ellswift.js';
import { ellswiftCreate, ellswiftEcdhXonly, v2Ecdh } from '../../lib/transport/v2-ecdh.js';
import { nativeBackend, nobleBackend } from '../../lib/transport/secp.js';
import { fromHex, toHex } from '../../lib/wire/hex.js';

/** A BIP 324 vector file as rows keyed by its header (the files have CRLF line ends). */
function readCsv(name: string): Record<string, string>[] {
  const text = readFileSync(new URL(`../fixtures/vectors/bip324/${name}`, import.meta.url), 'utf8');
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l.length > 0);
  const cols = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    expect(cells).toHaveLength(cols.length);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
  });
}

const P = secp256k1.Point.Fp.ORDER;
const big = (hex: string): bigint => BigInt(`0x${hex}`);
const hex32 = (n: bigint): string => n.toString(16).padStart(64, '0');
/** x(k⋅G) as hex, from noble's own public key code. */
const xOf = (priv: Uint8Array): string => toHex(secp256k1.getPublicKey(priv, true).subarray(1));

const DECODE = readCsv('ellswift_decode_test_vectors.csv');
const INVERSE = readCsv('xswiftec_inv_test_vectors.csv');

describe('BIP 324 ellswift_decode_test_vectors.csv', () => {
  it('has every row of the BIP file', () => {
    expect(DECODE).toHaveLength(76);
  });

  it.each(DECODE.map((r, i) => [i, r] as const))('row %i decodes to its x', (_i, row) => {
    expect(toHex(ellswiftDecode(fromHex(row.ellswift)))).toBe(row.x);
  });
});

describe('BIP 324 xswiftec_inv_test_vectors.csv', () => {
  it('has every row of the BIP file', () => {
    expect(INVERSE).toHaveLength(32);
  });

  it.each(INVERSE.map((r, i) => [i, r] as const))('row %i: all 8 cases give the listed t, which maps back to x', (_i, row) => {
    const u = big(row.u);
    const x = big(row.x);
    for (let c = 0; c < 8; c++) {
      const t = xswiftecInv(x, u, c);
      expect(t === undefined ? '' : hex32(t), `case ${c}`).toBe(row[`case${c}_t`]);
      if (t !== undefined) expect(xswiftec(u, t)).toBe(x);
    }
  });

  it('finds at least one t in some row and none in others (the file exercises both)', () => {
    const cells = INVERSE.flatMap((r) => [0, 1, 2, 3, 4, 5, 6, 7].map((c) => r[`case${c}_t`]));
    expect(cells.some((c) => c === '')).toBe(true);
    expect(cells.some((c) => c !== '')).toBe(true);
  });
});

describe('isSquare (the Jacobi symbol)', () => {
  const bySqrt = (a: bigint): boolean => {
    try {
      secp256k1.Point.Fp.sqrt(a);
      return true;
    } catch {
      return false;
    }
  };

  it('agrees with taking a square root, for any field element and at the edges', () => {
    for (const a of [0n, 1n, 2n, 3n, 7n, P - 1n, P - 2n]) expect(isSquare(a), String(a)).toBe(bySqrt(a));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: P - 1n }), (a) => {
        expect(isSquare(a)).toBe(bySqrt(a));
        expect(isSquare((a * a) % P)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe.each([nobleBackend, nativeBackend].filter((b) => b !== undefined))('the $name backend', (ec) => {
  const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => secp256k1.utils.isValidSecretKey(k));

  it('creates encodings of x(priv⋅G) and agrees with noble on the shared X', () => {
    fc.assert(
      fc.property(keyArb, keyArb, (a, b) => {
        const ellA = ellswiftCreate(a, undefined, ec);
        expect(toHex(ellswiftDecode(ellA))).toBe(xOf(a));
        const shared = ellswiftEcdhXonly(ellA, b, ec);
        expect(toHex(shared)).toBe(toHex(secp256k1.getSharedSecret(b, secp256k1.getPublicKey(a)).subarray(1)));
      }),
      { numRuns: 30 },
    );
  });
});

describe('xswiftec', () => {
  it('always returns an X coordinate on the curve', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (u, t) => {
        const x = xswiftec(u, t);
        expect(x >= 0n && x < P).toBe(true);
        // lift_x succeeds: noble accepts the compressed point
        expect(() => secp256k1.Point.fromHex(`02${hex32(x)}`)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});

describe('ellswiftCreate', () => {
  const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => secp256k1.utils.isValidSecretKey(k));
  const randArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('encodes the public key: the encoding decodes to x(priv⋅G)', () => {
    fc.assert(
      fc.property(keyArb, randArb, (priv, rand) => {
        expect(toHex(ellswiftDecode(ellswiftCreate(priv, rand)))).toBe(xOf(priv));
      }),
      { numRuns: 50 },
    );
  });

  it('is deterministic in rand32, and different rand32 give different encodings of the same key', () => {
    const priv = fromHex('61062ea5071d800bbfd59e2e8b53d47d194b095ae5a4df04936b49772ef0d4d7');
    const a = ellswiftCreate(priv, new Uint8Array(32).fill(1));
    expect(ellswiftCreate(priv, new Uint8Array(32).fill(1))).toEqual(a);
    const b = ellswiftCreate(priv, new Uint8Array(32).fill(2));
    expect(toHex(b)).not.toBe(toHex(a));
    expect(ellswiftDecode(b)).toEqual(ellswiftDecode(a));
  });

  it('draws fresh randomness without rand32', () => {
    const priv = fromHex('61062ea5071d800bbfd59e2e8b53d47d194b095ae5a4df04936b49772ef0d4d7');
    expect(toHex(ellswiftCreate(priv))).not.toBe(toHex(ellswiftCreate(priv)));
  });

  it('refuses keys outside 1..n-1 and inputs of the wrong size', () => {
    const n = secp256k1.Point.Fn.ORDER;
    expect(() => ellswiftCreate(new Uint8Array(32))).toThrow(RangeError);
    expect(() => ellswiftCreate(fromHex(hex32(n)))).toThrow(RangeError);
    expect(() => ellswiftCreate(new Uint8Array(31).fill(1))).toThrow(RangeError);
    expect(() => ellswiftDecode(new Uint8Array(63))).toThrow(RangeError);
  });

  it('encodes an X alone (what the key worker is given), and refuses an X off the curve or ≥ p: no endless search', () => {
    const priv = fromHex('61062ea5071d800bbfd59e2e8b53d47d194b095ae5a4df04936b49772ef0d4d7');
    const rand = new Uint8Array(32).fill(3);
    expect(ellswiftEncode(fromHex(xOf(priv)), rand)).toEqual(ellswiftCreate(priv, rand));
    // 5 is not an X on secp256k1 (5³ + 7 = 132 is no square mod p); p itself is out of range.
    expect(() => ellswiftEncode(fromHex(hex32(5n)))).toThrow(RangeError);
    expect(() => ellswiftEncode(fromHex(hex32(P)))).toThrow(RangeError);
    expect(() => ellswiftEncode(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('X-only ECDH', () => {
  it('agrees on both sides, and v2_ecdh only when the roles differ', () => {
    const a = fromHex('0286c41cd30913db0fdff7a64ebda5c8e3e7cef10f2aebc00a7650443cf4c60d');
    const b = fromHex('1f9c581b35231838f0f17cf0c979835baccb7f3abbbb96ffcc318ab71e6e126f');
    const ellA = ellswiftCreate(a);
    const ellB = ellswiftCreate(b);
    expect(ellswiftEcdhXonly(ellB, a)).toEqual(ellswiftEcdhXonly(ellA, b));
    expect(toHex(ellswiftEcdhXonly(ellB, a))).toBe(toHex(secp256k1.getSharedSecret(a, secp256k1.getPublicKey(b)).subarray(1)));
    const initiator = v2Ecdh(a, ellB, ellA, true);
    expect(v2Ecdh(b, ellA, ellB, false)).toEqual(initiator);
    expect(v2Ecdh(b, ellA, ellB, true)).not.toEqual(initiator);
  });
});
