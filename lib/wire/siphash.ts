/**
 * SipHash-2-4 (Aumasson & Bernstein), as Core's CSipHasher (src/crypto/siphash.cpp) computes it:
 * 64-bit key halves k0, k1, little-endian message words, the length in the top byte of the last
 * word. @noble/hashes has no SipHash; BigInt arithmetic costs ~10× more, and BIP 152 hashes every
 * transaction we hold once per compact block, so each 64-bit lane here is two u32 halves.
 * Checked against the reference vectors (spec/fixtures/siphash.json, from siphash24.c as Core's
 * src/test/hash_tests.cpp copies them).
 */

/** A 64-bit value as two unsigned 32-bit halves. */
export interface U64 {
  readonly hi: number;
  readonly lo: number;
}

// The state v0..v3, each as [hi, lo]: v[0]=v0.hi, v[1]=v0.lo, …
const v = new Uint32Array(8);

function add(a: number, b: number): void {
  const lo = (v[a + 1] + v[b + 1]) >>> 0;
  v[a] = (v[a] + v[b] + (lo < v[a + 1] ? 1 : 0)) >>> 0;
  v[a + 1] = lo;
}

function rotl(a: number, n: number): void {
  const hi = v[a];
  const lo = v[a + 1];
  if (n === 32) {
    v[a] = lo;
    v[a + 1] = hi;
    return;
  }
  v[a] = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  v[a + 1] = ((lo << n) | (hi >>> (32 - n))) >>> 0;
}

function xor(a: number, b: number): void {
  v[a] ^= v[b];
  v[a + 1] ^= v[b + 1];
}

const V0 = 0;
const V1 = 2;
const V2 = 4;
const V3 = 6;

function sipRound(): void {
  add(V0, V1);
  rotl(V1, 13);
  xor(V1, V0);
  rotl(V0, 32);
  add(V2, V3);
  rotl(V3, 16);
  xor(V3, V2);
  add(V0, V3);
  rotl(V3, 21);
  xor(V3, V0);
  add(V2, V1);
  rotl(V1, 17);
  xor(V1, V2);
  rotl(V2, 32);
}

function compress(hi: number, lo: number): void {
  v[V3] ^= hi;
  v[V3 + 1] ^= lo;
  sipRound();
  sipRound();
  v[V0] ^= hi;
  v[V0 + 1] ^= lo;
}

function le32(d: Uint8Array, at: number): number {
  return (d[at] | (d[at + 1] << 8) | (d[at + 2] << 16) | (d[at + 3] << 24)) >>> 0;
}

/** SipHash-2-4 of `data` under the key (k0, k1). */
export function siphash24(k0: U64, k1: U64, data: Uint8Array, start = 0, length = data.length - start): U64 {
  // "somepseudorandomlygeneratedbytes"
  v[V0] = k0.hi ^ 0x736f6d65;
  v[V0 + 1] = k0.lo ^ 0x70736575;
  v[V1] = k1.hi ^ 0x646f7261;
  v[V1 + 1] = k1.lo ^ 0x6e646f6d;
  v[V2] = k0.hi ^ 0x6c796765;
  v[V2 + 1] = k0.lo ^ 0x6e657261;
  v[V3] = k1.hi ^ 0x74656462;
  v[V3 + 1] = k1.lo ^ 0x79746573;
  const end = start + length;
  const whole = end - (length % 8);
  for (let at = start; at < whole; at += 8) compress(le32(data, at + 4), le32(data, at));
  // The last word: the remaining bytes, and the length's low byte at the top.
  let lo = 0;
  let hi = (length & 0xff) << 24;
  for (let i = whole; i < end; i++) {
    const k = i - whole;
    if (k < 4) lo |= data[i] << (8 * k);
    else hi |= data[i] << (8 * (k - 4));
  }
  compress(hi >>> 0, lo >>> 0);
  v[V2 + 1] ^= 0xff;
  for (let i = 0; i < 4; i++) sipRound();
  return { hi: (v[V0] ^ v[V1] ^ v[V2] ^ v[V3]) >>> 0, lo: (v[V0 + 1] ^ v[V1 + 1] ^ v[V2 + 1] ^ v[V3 + 1]) >>> 0 };
}

/** A little-endian u64 at `at` of `bytes`, as two halves. */
export function readU64(bytes: Uint8Array, at: number): U64 {
  return { lo: le32(bytes, at), hi: le32(bytes, at + 4) };
}
