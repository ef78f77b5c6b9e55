import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { hash } from 'node:crypto';
import { randomBytes } from '@noble/hashes/utils.js';

/**
 * ElligatorSwift on secp256k1 (BIP 324, "ElligatorSwift encoding of curve X coordinates"), written
 * from the BIP's specification: encode an X coordinate, decode an encoding. None of this is
 * constant time: like the BIP's own text, it only hides the encoding of public data. No private
 * key and no native code here: the key worker runs this file alone (key-worker.ts); the secrets'
 * side, ellswift_create and the ECDH, is v2-ecdh.ts's. Field elements are bigints in 0..p-1.
 */

const Point = secp256k1.Point;
const Fp = Point.Fp;
/** BIP 340 notation: p, the field size of secp256k1 (2^256 - 2^32 - 977). */
const P = Fp.ORDER;
/** BIP 324: "c = 0xa2d2ba93507f1df233770c2a797962cc61f6d15da14ecd47d8d27ae1cd5f852", the square √-3 mod p. */
const C = 0xa2d2ba93507f1df233770c2a797962cc61f6d15da14ecd47d8d27ae1cd5f852n;
/** secp256k1's curve equation y² = x³ + 7 (SEC 2, and BIP 340's lift_x). */
const B = 7n;
/** BIP 324 ellswift_pub = bytes(u) || bytes(t): 64 bytes (Core's EllSwiftPubKey::size()). */
export const ELLSWIFT_BYTES = 64;

const mod = (a: bigint): bigint => {
  const r = a % P;
  return r < 0n ? r + P : r;
};
const inv = (a: bigint): bigint => Fp.inv(a);
/** 1/2, (1 - c)/2 and (1 + c)/2 mod p: constants, not an inversion in every call. */
const HALF = inv(2n);
const ONE_MINUS_C_HALF = mod((1n - C) * HALF);
const ONE_PLUS_C_HALF = mod((1n + C) * HALF);

/** The square root the BIP defines (a^((p+1)/4), itself a square), or undefined if a is not a square. */
function sqrt(a: bigint): bigint | undefined {
  try {
    return Fp.sqrt(a); // noble throws for non-squares
  } catch {
    return undefined;
  }
}

/**
 * Whether a (in 0..p-1) is a square mod p: the Jacobi symbol (a/p), computed by the binary
 * algorithm (quadratic reciprocity; Cohen, "A Course in Computational Algebraic Number Theory",
 * 1.4.10) instead of the exponentiation a square root costs: about 4× faster here (BENCHMARKS.md),
 * and XSwiftEC tests square-ness more often than it takes a root (libsecp256k1's
 * secp256k1_fe_is_square_var does the same).
 */
export function isSquare(a: bigint): boolean {
  if (a === 0n) return true;
  let n = P;
  let result = 1;
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n;
      const r = n & 7n;
      if (r === 3n || r === 5n) result = -result;
    }
    const t = a;
    a = n;
    n = t;
    if ((a & 3n) === 3n && (n & 3n) === 3n) result = -result;
    a %= n;
  }
  return result === 1;
}

/** BIP 340 lift_x succeeds: x³ + 7 is a square. */
function isValidX(x: bigint): boolean {
  return isSquare(mod(x * x * x + B));
}

/**
 * Whether n/d (d ≠ 0) is a valid X: (n/d)³ + 7 = (n³ + 7d³)/d³ is a square exactly when
 * (n³ + 7d³)·d is (d³ = d²·d, and d² is one). No inversion.
 */
function isValidFraction(n: bigint, d: bigint): boolean {
  const d2 = (d * d) % P;
  return isSquare(mod((((n * n) % P) * n + ((B * d2) % P) * d) % P * d));
}

/**
 * BIP 324 XSwiftEC(u, t): maps any pair of field elements to a valid X coordinate. The BIP's
 * X = (u³ + 7 − t²)/(2t) and Y = (X + t)/(c·u) are kept as fractions, A/D and E/F, and each
 * candidate is tested as a fraction (isValidFraction), so that only the X returned is inverted:
 * one inversion instead of three (an inversion costs about a Jacobi symbol here). E = u³ + 7 + t²
 * is never 0: the BIP's "if u³ + 7 + t² = 0, t = 2t" makes it 3t² then; D, F ≠ 0 as t, u, c are.
 */
export function xswiftec(u: bigint, t: bigint): bigint {
  u = mod(u);
  t = mod(t);
  // "Alter the inputs to guarantee an X coordinate on the curve" (BIP 324).
  if (u === 0n) u = 1n;
  if (t === 0n) t = 1n;
  const u3b = mod(u * u * u + B);
  if (mod(u3b + t * t) === 0n) t = mod(2n * t);
  const a = mod(u3b - t * t);
  const d = mod(2n * t);
  const e = mod(a + t * d);
  const f = mod(((d * C) % P) * u);
  // The order matters: u + 4Y², then (-X/Y - u)/2, then (X/Y - u)/2.
  const f2 = (f * f) % P;
  const n1 = mod(u * f2 + 4n * e * e); // x1 = n1 / f²
  if (isValidFraction(n1, f2)) return mod(n1 * inv(f2));
  const g = (a * f) % P; // X/Y = AF / (DE) = g / h
  const h = (d * e) % P;
  const d23 = (2n * h) % P; // x2 = (−g − u·h) / 2h, x3 = (g − u·h) / 2h
  const n2 = mod(-g - u * h);
  if (isValidFraction(n2, d23)) return mod(n2 * inv(d23));
  return mod((g - u * h) * inv(d23)); // the BIP proves one of the three is valid
}

/**
 * BIP 324 XSwiftECInv(x, u, case): a t with XSwiftEC(u, t) = x, or undefined. `c` (the BIP's
 * "case", 0..7) selects which of the up to 8 preimages to return.
 */
export function xswiftecInv(x: bigint, u: bigint, c: number): bigint | undefined {
  x = mod(x);
  u = mod(u);
  let s: bigint;
  let v: bigint;
  if ((c & 2) === 0) {
    if (isValidX(mod(-x - u))) return undefined;
    v = x;
    // For a valid x, u² + uv + v² = 0 implies -x - u is valid too (so we returned above); the
    // guard only matters for an x that is not on the curve.
    const den = mod(u * u + u * v + v * v);
    if (den === 0n) return undefined;
    const num = mod(-(u * u * u + B));
    // s = num / den is a square iff num · den is (den² is one): tested before the inversion,
    // which half the attempts then skip (the answer is the BIP's; only the order of the tests differs).
    if (!isSquare(mod(num * den))) return undefined;
    s = mod(num * inv(den));
  } else {
    s = mod(x - u);
    if (s === 0n) return undefined;
    // The BIP tests s last; tested first, half the attempts skip q's test, its root and 1/s.
    if (!isSquare(s)) return undefined;
    const q = mod(-s * (4n * (u * u * u + B) + 3n * u * u * s));
    if (!isSquare(q)) return undefined; // about half the cases: the root is only taken when it exists
    const r = sqrt(q);
    if (r === undefined) return undefined;
    if ((c & 1) === 1 && r === 0n) return undefined;
    v = mod((r * inv(s) - u) * HALF);
  }
  const w = sqrt(s); // s is a square (tested above)
  if (w === undefined) return undefined;
  switch (c & 5) {
    case 0:
      return mod(-w * (u * ONE_MINUS_C_HALF + v));
    case 1:
      return mod(w * (u * ONE_PLUS_C_HALF + v));
    case 4:
      return mod(w * (u * ONE_MINUS_C_HALF + v));
    default: // 5
      return mod(-w * (u * ONE_PLUS_C_HALF + v));
  }
}

/** BIP 324 ellswift_decode: the 32-byte X coordinate a 64-byte encoding stands for. */
export function ellswiftDecode(ell: Uint8Array): Uint8Array {
  if (ell.length !== ELLSWIFT_BYTES) throw new RangeError(`an ElligatorSwift encoding is ${ELLSWIFT_BYTES} bytes, got ${ell.length}`);
  const u = bytesToNumberBE(ell.subarray(0, 32));
  const t = bytesToNumberBE(ell.subarray(32, 64));
  return numberToBytesBE(xswiftec(u, t), 32);
}

/**
 * BIP 324 XElligatorSwift(x): a 64-byte encoding u || t of the X coordinate `x` (32 bytes, on the
 * curve), "pick random u and case until XSwiftECInv succeeds". The randomness comes from `rand32`
 * (fresh random bytes when absent) stretched with SHA-512(rand32 || attempt): u is the first 32
 * bytes mod p (skipping 0, as the BIP wants u in 1..p-1), the case is the low 3 bits of byte 32.
 * Each attempt succeeds with probability about 1/4, so this ends after a handful.
 */
export function ellswiftEncode(x32: Uint8Array, rand32: Uint8Array = randomBytes(32)): Uint8Array {
  if (x32.length !== 32) throw new RangeError(`an X coordinate is 32 bytes, got ${x32.length}`);
  if (rand32.length !== 32) throw new RangeError(`rand32 is 32 bytes, got ${rand32.length}`);
  const x = bytesToNumberBE(x32);
  if (x >= P || !isValidX(x)) throw new RangeError('not the X coordinate of a point on secp256k1');
  const seed = new Uint8Array(36);
  seed.set(rand32);
  const dv = new DataView(seed.buffer);
  for (let attempt = 0; ; attempt++) {
    dv.setUint32(32, attempt, true);
    const h = hash('sha512', seed, 'buffer'); // one-shot OpenSSL: ~1.5 µs, @noble/hashes ~10 µs
    const u = mod(bytesToNumberBE(h.subarray(0, 32)));
    if (u === 0n) continue;
    const t = xswiftecInv(x, u, h[32] & 7);
    if (t === undefined) continue;
    const out = new Uint8Array(ELLSWIFT_BYTES);
    out.set(numberToBytesBE(u, 32), 0);
    out.set(numberToBytesBE(t, 32), 32);
    return out;
  }
}
