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
// is always padded to 16 bytes (§2.8), so no other kind of block occurs. Numbers are 6 limbs of
// 22 bits (132 bits; 2^132 = 4 · 2^130 ≡ 20 mod 2^130 - 5, so what passes limb 5 comes back
// times 20). A product's 6 terms stay below 2^52 (h < 2^23, 20·r < 2^26.4 as r < 2^124 once
// clamped), exact in a double: 36 multiplications a block, the carries once. r is clamped as
// §2.5 says; s is added at the end. The state is module scratch, loaded into locals per call.

const TWO22 = 4194304;
const INV22 = 1 / TWO22;
const TWO32 = 4294967296;
/** h0..h5, then r0..r5, then 20·r0..20·r5. */
const ST = new Float64Array(18);
/** s as 4 little-endian words. */
const S = new Int32Array(4);

/** Starts a MAC with the one-time key: the first 32 bytes of block words `b` (r then s, RFC 8439 §2.6). */
export function polyStart(b: Int32Array): void {
  // r &= 0x0ffffffc0ffffffc0ffffffc0fffffff (§2.5).
  const w0 = b[0] & 0x0fffffff, w1 = b[1] & 0x0ffffffc, w2 = b[2] & 0x0ffffffc, w3 = b[3] & 0x0ffffffc;
  ST.fill(0, 0, 6);
  ST[6] = w0 & 0x3fffff;
  ST[7] = ((w0 >>> 22) | (w1 << 10)) & 0x3fffff;
  ST[8] = ((w1 >>> 12) | (w2 << 20)) & 0x3fffff;
  ST[9] = (w2 >>> 2) & 0x3fffff;
  ST[10] = ((w2 >>> 24) | (w3 << 8)) & 0x3fffff;
  ST[11] = w3 >>> 14;
  for (let i = 0; i < 6; i++) ST[12 + i] = 20 * ST[6 + i];
  for (let i = 0; i < 4; i++) S[i] = b[4 + i];
}

/** 32-bit little-endian word of bytes[p, p + 4), zero past `end` (the padding). */
function wordAt(bytes: Uint8Array, p: number, end: number): number {
  if (p + 4 <= end) return bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
  let w = 0;
  for (let i = 0; i < 4 && p + i < end; i++) w |= bytes[p + i] << (8 * i);
  return w;
}

/** h = (h + block) · r mod 2^130 - 5 for each 16-byte block of bytes[at, at + len), the last zero-padded (§2.8's pad16). */
export function polyPadded(bytes: Uint8Array, at: number, len: number): void {
  const end = at + len;
  let h0 = ST[0], h1 = ST[1], h2 = ST[2], h3 = ST[3], h4 = ST[4], h5 = ST[5];
  const r0 = ST[6], r1 = ST[7], r2 = ST[8], r3 = ST[9], r4 = ST[10], r5 = ST[11];
  const t1 = ST[13], t2 = ST[14], t3 = ST[15], t4 = ST[16], t5 = ST[17];
  for (let p = at; p < end; p += 16) {
    const w0 = wordAt(bytes, p, end), w1 = wordAt(bytes, p + 4, end), w2 = wordAt(bytes, p + 8, end), w3 = wordAt(bytes, p + 12, end);
    h0 += w0 & 0x3fffff;
    h1 += ((w0 >>> 22) | (w1 << 10)) & 0x3fffff;
    h2 += ((w1 >>> 12) | (w2 << 20)) & 0x3fffff;
    h3 += (w2 >>> 2) & 0x3fffff;
    h4 += ((w2 >>> 24) | (w3 << 8)) & 0x3fffff;
    h5 += (w3 >>> 14) + 262144; // the block's 2^128 bit: bit 18 of limb 5
    let d0 = h0 * r0 + h1 * t5 + h2 * t4 + h3 * t3 + h4 * t2 + h5 * t1;
    let d1 = h0 * r1 + h1 * r0 + h2 * t5 + h3 * t4 + h4 * t3 + h5 * t2;
    let d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * t5 + h4 * t4 + h5 * t3;
    let d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * t5 + h5 * t4;
    let d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0 + h5 * t5;
    let d5 = h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1 + h5 * r0;
    let c = Math.floor(d0 * INV22);
    h0 = d0 - c * TWO22;
    d1 += c;
    c = Math.floor(d1 * INV22);
    h1 = d1 - c * TWO22;
    d2 += c;
    c = Math.floor(d2 * INV22);
    h2 = d2 - c * TWO22;
    d3 += c;
    c = Math.floor(d3 * INV22);
    h3 = d3 - c * TWO22;
    d4 += c;
    c = Math.floor(d4 * INV22);
    h4 = d4 - c * TWO22;
    d5 += c;
    c = Math.floor(d5 * INV22);
    h5 = d5 - c * TWO22;
    d0 = h0 + 20 * c; // past bit 132: times 20
    c = Math.floor(d0 * INV22);
    h0 = d0 - c * TWO22;
    h1 += c;
  }
  ST[0] = h0;
  ST[1] = h1;
  ST[2] = h2;
  ST[3] = h3;
  ST[4] = h4;
  ST[5] = h5;
}

const LENGTHS = new Uint8Array(16);

/** Feeds RFC 8439 §2.8's last block: both lengths as 64-bit little-endian numbers (each < 2^32 here). */
export function polyLengths(aadLen: number, textLen: number): void {
  for (let i = 0; i < 4; i++) {
    LENGTHS[i] = aadLen >>> (8 * i);
    LENGTHS[8 + i] = textLen >>> (8 * i);
  }
  polyPadded(LENGTHS, 0, 16);
}

/** Carries h (h[0..6)) to limbs below 2^22, what passes bit 130 folded back in as 5 times it, until nothing passes: h < 2^130. */
function reduce(h: Float64Array): void {
  for (;;) {
    let c = 0;
    for (let i = 0; i < 6; i++) {
      const d = h[i] + c;
      c = Math.floor(d * INV22);
      h[i] = d - c * TWO22;
    }
    // Bit 130 is bit 20 of limb 5; c counts 2^132s.
    const top = Math.floor(h[5] / 1048576) + 4 * c;
    if (top === 0) return;
    h[5] -= Math.floor(h[5] / 1048576) * 1048576;
    h[0] += 5 * top;
  }
}

const G = new Float64Array(6);

/** The tag, (h mod 2^130 - 5) + s mod 2^128, into out[at, at + 16); the state is wiped. */
export function polyFinish(out: Uint8Array, at: number): void {
  const h = ST; // h is ST[0..6): no view allocated a packet
  reduce(h);
  // h - p = h + 5 - 2^130, taken when h + 5 reaches 2^130 (no borrow).
  let c = 5;
  for (let i = 0; i < 6; i++) {
    const d = h[i] + c;
    c = Math.floor(d * INV22);
    G[i] = d - c * TWO22;
  }
  const u = G[5] >= 1048576 ? G : h;
  if (u === G) G[5] -= 1048576;
  // The low 128 bits as 4 words, plus s, little-endian.
  const h0 = u[0], h1 = u[1], h2 = u[2], h3 = u[3], h4 = u[4], h5 = u[5];
  const words0 = (h0 | (h1 << 22)) >>> 0;
  const words1 = ((h1 >>> 10) | (h2 << 12)) >>> 0;
  const words2 = ((h2 >>> 20) | (h3 << 2) | (h4 << 24)) >>> 0;
  const words3 = ((h4 >>> 8) | (h5 << 14)) >>> 0;
  let carry = put(out, at, words0 + (S[0] >>> 0));
  carry = put(out, at + 4, words1 + (S[1] >>> 0) + carry);
  carry = put(out, at + 8, words2 + (S[2] >>> 0) + carry);
  put(out, at + 12, words3 + (S[3] >>> 0) + carry);
  ST.fill(0);
  S.fill(0);
  G.fill(0);
}

/** Writes the low 32 bits of f (< 2^33) little-endian at out[at, at + 4); returns the carry. */
function put(out: Uint8Array, at: number, f: number): number {
  const carry = f >= TWO32 ? 1 : 0;
  const w = f - carry * TWO32;
  out[at] = w;
  out[at + 1] = w >>> 8;
  out[at + 2] = w >>> 16;
  out[at + 3] = w >>> 24;
  return carry;
}
