/**
 * ChaCha20 and Poly1305 as RFC 8439 defines them (§2.3 the block function, §2.5 Poly1305), for
 * the AEAD of cipher.ts: written for BIP 324's small packets, where the cost was never the
 * arithmetic but a general library's set-up per call (key copies, word views of small arrays,
 * a MAC object). Here a key is 8 words kept by its cipher, a nonce is 3 numbers, and the MAC's
 * state is module scratch (all of this is synchronous): nothing is allocated per packet.
 * Checked against RFC 8439's vectors and @noble/ciphers (spec/transport/chacha.spec.ts).
 */

/** "expand 32-byte k" as 4 little-endian words (RFC 8439 §2.3). */
const C0 = 0x61707865;
const C1 = 0x3320646e;
const C2 = 0x79622d32;
const C3 = 0x6b206574;

/** The 8 little-endian words of a 32-byte key, into `out`. */
export function keyWords(key: Uint8Array, out: Int32Array = new Int32Array(8)): Int32Array {
  if (key.length !== 32) throw new RangeError(`a key is 32 bytes, got ${key.length}`);
  for (let i = 0; i < 8; i++) out[i] = key[4 * i] | (key[4 * i + 1] << 8) | (key[4 * i + 2] << 16) | (key[4 * i + 3] << 24);
  return out;
}

/** The 32 bytes of key words `k`, into `out`. */
export function keyBytes(k: Int32Array, out: Uint8Array): Uint8Array {
  for (let i = 0; i < 8; i++) {
    const w = k[i];
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

/**
 * RFC 8439 §2.3: the ChaCha20 block for key `k` (8 words), block counter `counter` and nonce
 * words n0, n1, n2 (the nonce's bytes 0–3, 4–7, 8–11, little-endian), as 16 words into `out`.
 */
export function chachaBlock(k: Int32Array, counter: number, n0: number, n1: number, n2: number, out: Int32Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7];
  let x0 = C0, x1 = C1, x2 = C2, x3 = C3;
  let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
  let x12 = counter | 0, x13 = n0 | 0, x14 = n1 | 0, x15 = n2 | 0;
  for (let round = 0; round < 10; round++) {
    // Column rounds: (0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15).
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 16) | (x12 >>> 16);
    x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 12) | (x4 >>> 20);
    x0 = (x0 + x4) | 0; x12 ^= x0; x12 = (x12 << 8) | (x12 >>> 24);
    x8 = (x8 + x12) | 0; x4 ^= x8; x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 16) | (x13 >>> 16);
    x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 12) | (x5 >>> 20);
    x1 = (x1 + x5) | 0; x13 ^= x1; x13 = (x13 << 8) | (x13 >>> 24);
    x9 = (x9 + x13) | 0; x5 ^= x9; x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 16) | (x14 >>> 16);
    x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 12) | (x6 >>> 20);
    x2 = (x2 + x6) | 0; x14 ^= x2; x14 = (x14 << 8) | (x14 >>> 24);
    x10 = (x10 + x14) | 0; x6 ^= x10; x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 16) | (x15 >>> 16);
    x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 12) | (x7 >>> 20);
    x3 = (x3 + x7) | 0; x15 ^= x3; x15 = (x15 << 8) | (x15 >>> 24);
    x11 = (x11 + x15) | 0; x7 ^= x11; x7 = (x7 << 7) | (x7 >>> 25);
    // Diagonal rounds: (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14).
    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 16) | (x15 >>> 16);
    x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 12) | (x5 >>> 20);
    x0 = (x0 + x5) | 0; x15 ^= x0; x15 = (x15 << 8) | (x15 >>> 24);
    x10 = (x10 + x15) | 0; x5 ^= x10; x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 16) | (x12 >>> 16);
    x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 12) | (x6 >>> 20);
    x1 = (x1 + x6) | 0; x12 ^= x1; x12 = (x12 << 8) | (x12 >>> 24);
    x11 = (x11 + x12) | 0; x6 ^= x11; x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 16) | (x13 >>> 16);
    x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 12) | (x7 >>> 20);
    x2 = (x2 + x7) | 0; x13 ^= x2; x13 = (x13 << 8) | (x13 >>> 24);
    x8 = (x8 + x13) | 0; x7 ^= x8; x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 16) | (x14 >>> 16);
    x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 12) | (x4 >>> 20);
    x3 = (x3 + x4) | 0; x14 ^= x3; x14 = (x14 << 8) | (x14 >>> 24);
    x9 = (x9 + x14) | 0; x4 ^= x9; x4 = (x4 << 7) | (x4 >>> 25);
  }
  out[0] = x0 + C0; out[1] = x1 + C1; out[2] = x2 + C2; out[3] = x3 + C3;
  out[4] = x4 + k0; out[5] = x5 + k1; out[6] = x6 + k2; out[7] = x7 + k3;
  out[8] = x8 + k4; out[9] = x9 + k5; out[10] = x10 + k6; out[11] = x11 + k7;
  out[12] = x12 + (counter | 0); out[13] = x13 + (n0 | 0); out[14] = x14 + (n1 | 0); out[15] = x15 + (n2 | 0);
}

const BLOCK_WORDS = new Int32Array(16);

/**
 * RFC 8439 §2.4: input[inAt, inAt + len) XOR the ChaCha20 keystream from block `counter` on,
 * into output[outAt, outAt + len) (output may be input at the same offset).
 */
export function chachaXor(k: Int32Array, counter: number, n0: number, n1: number, n2: number, input: Uint8Array, inAt: number, output: Uint8Array, outAt: number, len: number): void {
  const w = BLOCK_WORDS;
  for (let done = 0; done < len; done += 64, counter++) {
    chachaBlock(k, counter, n0, n1, n2, w);
    const n = Math.min(64, len - done);
    const from = inAt + done;
    const to = outAt + done;
    for (let i = 0; i < n; i++) output[to + i] = input[from + i] ^ (w[i >> 2] >>> ((i & 3) << 3));
  }
  w.fill(0);
}

// ---------------------------------------------------------------------------------------------
// Poly1305 (RFC 8439 §2.5) over whole 16-byte blocks, each with its 2^128 bit: the AEAD's input
// is always padded to 16 bytes (§2.8), so no other kind of block occurs. Numbers mod 2^130 - 5
// are 10 limbs of 13 bits; a product's 10 terms stay below 2^33, exact in a double, and the
// carries are taken once per block. r is clamped as §2.5 says; s is added at the end.

const R = new Float64Array(10);
/** 5·r_i: the limbs of r that wrap past 2^130 (2^130 ≡ 5). */
const R5 = new Float64Array(10);
const H = new Float64Array(10);
const S = new Int32Array(8);
const M = new Float64Array(10);
const D = new Float64Array(10);

/** 16-bit little-endian word j of bytes[at, at + 16), zero past `end` (the padding). */
function word(bytes: Uint8Array, p: number, end: number): number {
  return (p < end ? bytes[p] : 0) | (p + 1 < end ? bytes[p + 1] << 8 : 0);
}

/** The 13-bit limbs of the 16-byte number whose 16-bit words are w0..w7, plus `top` at bit 128. */
function limbs(out: Float64Array, w0: number, w1: number, w2: number, w3: number, w4: number, w5: number, w6: number, w7: number, top: number): void {
  out[0] = w0 & 0x1fff;
  out[1] = ((w0 >>> 13) | (w1 << 3)) & 0x1fff;
  out[2] = ((w1 >>> 10) | (w2 << 6)) & 0x1fff;
  out[3] = ((w2 >>> 7) | (w3 << 9)) & 0x1fff;
  out[4] = ((w3 >>> 4) | (w4 << 12)) & 0x1fff;
  out[5] = (w4 >>> 1) & 0x1fff;
  out[6] = ((w4 >>> 14) | (w5 << 2)) & 0x1fff;
  out[7] = ((w5 >>> 11) | (w6 << 5)) & 0x1fff;
  out[8] = ((w6 >>> 8) | (w7 << 8)) & 0x1fff;
  out[9] = (w7 >>> 5) | (top << 11);
}

/** Starts a MAC with the one-time key: the first 32 bytes of block words `b` (r then s, RFC 8439 §2.6). */
export function polyStart(b: Int32Array): void {
  // r &= 0x0ffffffc0ffffffc0ffffffc0fffffff (§2.5), as 16-bit words.
  const r0 = b[0] & 0x0fffffff, r1 = b[1] & 0x0ffffffc, r2 = b[2] & 0x0ffffffc, r3 = b[3] & 0x0ffffffc;
  limbs(R, r0 & 0xffff, r0 >>> 16, r1 & 0xffff, r1 >>> 16, r2 & 0xffff, r2 >>> 16, r3 & 0xffff, r3 >>> 16, 0);
  for (let i = 0; i < 10; i++) R5[i] = 5 * R[i];
  for (let i = 0; i < 8; i++) S[i] = i & 1 ? b[4 + (i >> 1)] >>> 16 : b[4 + (i >> 1)] & 0xffff;
  H.fill(0);
}

/** h = (h + m) · r mod 2^130 - 5, m in M (its 2^128 bit included). */
function polyBlock(): void {
  for (let i = 0; i < 10; i++) H[i] += M[i];
  for (let i = 0; i < 10; i++) {
    let d = 0;
    for (let j = 0; j <= i; j++) d += H[j] * R[i - j];
    for (let j = i + 1; j < 10; j++) d += H[j] * R5[i + 10 - j];
    D[i] = d;
  }
  let c = 0;
  for (let i = 0; i < 10; i++) {
    const d = D[i] + c;
    c = Math.floor(d / 8192);
    H[i] = d - c * 8192;
  }
  // The carry out of limb 9 is a multiple of 2^130: ≡ 5c.
  const h0 = H[0] + 5 * c;
  H[0] = h0 % 8192;
  H[1] += Math.floor(h0 / 8192);
}

/** Feeds bytes[at, at + len) zero-padded to a multiple of 16 (RFC 8439 §2.8's pad16). */
export function polyPadded(bytes: Uint8Array, at: number, len: number): void {
  const end = at + len;
  for (let p = at; p < end; p += 16) {
    if (p + 16 <= end) {
      limbs(M, bytes[p] | (bytes[p + 1] << 8), bytes[p + 2] | (bytes[p + 3] << 8), bytes[p + 4] | (bytes[p + 5] << 8), bytes[p + 6] | (bytes[p + 7] << 8),
        bytes[p + 8] | (bytes[p + 9] << 8), bytes[p + 10] | (bytes[p + 11] << 8), bytes[p + 12] | (bytes[p + 13] << 8), bytes[p + 14] | (bytes[p + 15] << 8), 1);
    } else {
      limbs(M, word(bytes, p, end), word(bytes, p + 2, end), word(bytes, p + 4, end), word(bytes, p + 6, end), word(bytes, p + 8, end), word(bytes, p + 10, end), word(bytes, p + 12, end), word(bytes, p + 14, end), 1);
    }
    polyBlock();
  }
}

/** Feeds RFC 8439 §2.8's last block: both lengths as 64-bit little-endian numbers (each < 2^32 here). */
export function polyLengths(aadLen: number, textLen: number): void {
  limbs(M, aadLen & 0xffff, aadLen >>> 16, 0, 0, textLen & 0xffff, textLen >>> 16, 0, 0, 1);
  polyBlock();
}

/** The tag, (h mod 2^130 - 5) + s mod 2^128, into out[at, at + 16); the state is wiped. */
export function polyFinish(out: Uint8Array, at: number): void {
  // Carry h fully, folding what passes 2^130 back in as 5 times it, until nothing passes.
  const h = H;
  for (;;) {
    let c = 0;
    for (let i = 0; i < 10; i++) {
      const d = h[i] + c;
      c = Math.floor(d / 8192);
      h[i] = d - c * 8192;
    }
    if (c === 0) break;
    h[0] += 5 * c;
  }
  // h < 2^130 now; h - p = h + 5 - 2^130 is taken when it does not borrow (h + 5 reaches 2^130).
  const g = D;
  let c = 5;
  for (let i = 0; i < 10; i++) {
    const d = h[i] + c;
    c = Math.floor(d / 8192);
    g[i] = d - c * 8192;
  }
  const u = c !== 0 ? g : h;
  // Its low 128 bits as 16-bit words, plus s, little-endian.
  let carry = 0;
  for (let i = 0; i < 8; i++) {
    const f = (word13(u, i) & 0xffff) + S[i] + carry;
    carry = f >>> 16;
    out[at + 2 * i] = f;
    out[at + 2 * i + 1] = f >>> 8;
  }
  H.fill(0);
  D.fill(0);
  R.fill(0);
  R5.fill(0);
  S.fill(0);
}

/** 16-bit word i (bits 16i..16i+15, and some above) of the number whose 13-bit limbs are `u`. */
function word13(u: Float64Array, i: number): number {
  const bit = 16 * i;
  const l = (bit / 13) | 0;
  const shift = bit - 13 * l;
  let v = u[l] >>> shift;
  if (l + 1 < 10) v |= u[l + 1] << (13 - shift);
  if (shift > 10 && l + 2 < 10) v |= u[l + 2] << (26 - shift);
  return v;
}
