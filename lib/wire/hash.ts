import { hash } from 'node:crypto';

/**
 * Double SHA-256 (Bitcoin's hash256).
 *
 * Measured on Node 20 (BENCHMARKS.md, "Decode"): a call into OpenSSL costs about 1.3 µs whatever
 * the size, @noble/hashes has about the same set-up cost per call and is slower per byte, and one
 * 64-byte block through the JS compression below costs about 0.35 µs. So:
 *  - inputs of more than one block (transactions are 60 bytes and up) get their first pass from
 *    node:crypto's one-shot `hash` (373 bytes: 1.5 µs; `createHash`, with its Hash object,
 *    1.9 µs; @noble/hashes 3.6 µs); the second pass hashes 32 bytes, one block, in JS for a
 *    quarter of the cost of a second native call;
 *  - inputs that fit one block (≤ 55 bytes: the checksum of every base58 address, small
 *    messages) get both passes in JS: 0.7 µs, where node:crypto takes ~2.7 µs and @noble/hashes
 *    ~3.3 µs.
 * spec/wire/hash-hex.spec.ts checks it against node:crypto for every length up to 300 bytes.
 */
export function sha256d(data: Uint8Array): Uint8Array {
  if (data.length > MAX_ONE_BLOCK) {
    sha256OneBlock(hash('sha256', data, 'buffer'));
  } else {
    sha256OneBlock(data);
    sha256OfState();
  }
  return stateBytes();
}

/**
 * Double SHA-256 over several slices (the txid of a segwit tx: the bytes without marker, flag
 * and witness). Copying ~400 bytes into one buffer and hashing it in one call is cheaper than a
 * streaming Hash object fed slice by slice.
 */
export function sha256dParts(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const all = Buffer.allocUnsafe(n);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return sha256d(all);
}

/** The 4-byte checksum in a message header: SHA-256d(payload)[0..4] as a little-endian u32. */
export function checksum(payload: Uint8Array): number {
  const d = sha256d(payload);
  return (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4) for messages of one block: at most 55 bytes, so that the 0x80 pad byte and
// the 8-byte bit length fit in the same 64-byte block. Scratch state is module-level (this is
// synchronous code, nothing can interleave) so a call allocates only its 32-byte result.

const MAX_ONE_BLOCK = 55;

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
/** Message schedule; W[0..15] is the padded block as big-endian words. */
const W = new Int32Array(64);
/** Chaining state. */
const H = new Int32Array(8);

/** H := IV, then one compression of the block in W[0..15]. */
function compressFromIV(): void {
  compress(IV);
}

/** H := `from` (a chaining state), then one compression of the block in W[0..15]. */
function compress(from: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15];
    const w2 = W[i - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = from[0], b = from[1], c = from[2], d = from[3], e = from[4], f = from[5], g = from[6], h = from[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = from[0] + a;
  H[1] = from[1] + b;
  H[2] = from[2] + c;
  H[3] = from[3] + d;
  H[4] = from[4] + e;
  H[5] = from[5] + f;
  H[6] = from[6] + g;
  H[7] = from[7] + h;
}

/**
 * HMAC-SHA256 (RFC 2104) with a key of at most 64 bytes, as midstates: `hmacKey` compresses the
 * key's two padded blocks once, and `hmacShort` then costs two compressions for a message of at
 * most 55 bytes (BIP 324's HKDF: a 32-byte secret, or an info string and its counter byte), where
 * node:crypto's createHmac costs ~4 µs a call. Checked against createHmac (spec/wire/hash-hex.spec.ts).
 */
export interface HmacKey {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

export function hmacKey(key: Uint8Array): HmacKey {
  if (key.length > 64) throw new RangeError(`an HMAC key here is at most 64 bytes, got ${key.length}`);
  const pad = (x: number): Int32Array => {
    for (let i = 0; i < 16; i++) W[i] = 0x36363636 ^ x;
    for (let i = 0; i < key.length; i++) W[i >> 2] ^= key[i] << (24 - 8 * (i & 3));
    compressFromIV();
    return Int32Array.from(H);
  };
  return { inner: pad(0), outer: pad(0x36363636 ^ 0x5c5c5c5c) };
}

/** HMAC-SHA256(key, message), message at most 55 bytes, into 32 new bytes. */
export function hmacShort(key: HmacKey, message: Uint8Array): Uint8Array {
  const n = message.length;
  if (n > MAX_ONE_BLOCK) throw new RangeError(`hmacShort takes at most ${MAX_ONE_BLOCK} bytes, got ${n}`);
  W.fill(0, 0, 16);
  for (let i = 0; i < n; i++) W[i >> 2] |= message[i] << (24 - 8 * (i & 3));
  W[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
  W[15] = (64 + n) * 8; // after the key's block
  compress(key.inner);
  for (let i = 0; i < 8; i++) W[i] = H[i];
  W[8] = 0x80000000;
  W.fill(0, 9, 15);
  W[15] = (64 + 32) * 8;
  compress(key.outer);
  return stateBytes();
}

/** H := SHA-256(data), data at most 55 bytes: the message, 0x80, zeros, its length in bits. */
function sha256OneBlock(data: Uint8Array): void {
  const n = data.length;
  W.fill(0, 0, 16);
  for (let i = 0; i < n; i++) W[i >> 2] |= data[i] << (24 - 8 * (i & 3));
  W[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
  W[15] = n * 8; // < 2^32 bits: the high word (W[14]) stays 0
  compressFromIV();
}

/** H := SHA-256(H as 32 big-endian bytes), without going through bytes. */
function sha256OfState(): void {
  for (let i = 0; i < 8; i++) W[i] = H[i];
  W[8] = 0x80000000;
  W.fill(0, 9, 15);
  W[15] = 256;
  compressFromIV();
}

/**
 * H as 32 bytes. A slice of Node's buffer pool, not `new Uint8Array(32)`: V8 keeps a typed array
 * that small on its own heap and moves it out (~0.7 µs) the first time anything takes its
 * `.buffer`, which toHex does with every txid the inventory looks up.
 */
function stateBytes(): Uint8Array {
  const out = Buffer.allocUnsafe(32);
  for (let i = 0, j = 0; i < 8; i++, j += 4) {
    const v = H[i];
    out[j] = v >>> 24;
    out[j + 1] = v >>> 16;
    out[j + 2] = v >>> 8;
    out[j + 3] = v;
  }
  return out;
}
