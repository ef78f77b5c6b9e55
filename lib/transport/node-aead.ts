import { createCipheriv, createDecipheriv, getCiphers } from 'node:crypto';

/**
 * RFC 8439 ChaCha20-Poly1305 from Node's OpenSSL, for the packets where it beats the JavaScript
 * AEAD in cipher.ts: its per-call set-up (a cipher object, about 4–5 µs) is paid back from about
 * NODE_AEAD_FROM bytes of contents on (BENCHMARKS.md, `npm run bench:v2-crypto`). The nonce is the
 * caller's, laid out as BIP 324's FSChaCha20Poly1305 wants (packet counter LE32 || rekeys LE64):
 * RFC 8439's 12-byte nonce, which OpenSSL takes as is.
 */
export interface NodeAead {
  /** Contents of this many bytes or more are worth sending here. */
  readonly from: number;
  /** Ciphertext of input[at, at + len) into output[at, at + len), its tag into output[at + len, at + len + 16). */
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, input: Uint8Array, output: Uint8Array, at: number, len: number): void;
  /** The plaintext of input[at, at + len) (tag after it) into output[at, at + len), only once the tag verified: else false, output untouched. */
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, input: Uint8Array, output: Uint8Array, at: number, len: number): boolean;
  /** The plaintext of input[at, at + len) (tag after it) as a new buffer, only once the tag verified: else undefined. */
  openOut(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, input: Uint8Array, at: number, len: number): Uint8Array | undefined;
}

const ALGORITHM = 'chacha20-poly1305';
/** BIP 324 CHACHA20POLY1305_EXPANSION; pinned, as OpenSSL would accept shorter tags. */
const TAG_LEN = 16;
/**
 * The crossover measured on this machine class (bench:v2-crypto, seal + open: 1,024 bytes 11.9 µs
 * in JavaScript against 18.8 through Node, 4,096 bytes 44.5 against 19.8): below it the
 * JavaScript path (chacha.ts, nothing allocated a packet) is faster. It was 128 bytes with
 * @noble/ciphers' set-up per call. An inv of up to ~55 items stays in JavaScript.
 */
export const NODE_AEAD_FROM = 2048;

export const nodeAeadImpl: NodeAead = {
  from: NODE_AEAD_FROM,
  seal(key, nonce, aad, input, output, at, len) {
    const c = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_LEN });
    if (aad.length > 0) c.setAAD(aad, { plaintextLength: len });
    const ct = c.update(input.subarray(at, at + len));
    c.final();
    output.set(ct, at);
    output.set(c.getAuthTag(), at + len);
  },
  open(key, nonce, aad, input, output, at, len) {
    const pt = nodeAeadImpl.openOut(key, nonce, aad, input, at, len);
    if (pt === undefined) return false;
    output.set(pt, at); // released only now
    return true;
  },
  openOut(key, nonce, aad, input, at, len) {
    const d = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_LEN });
    if (aad.length > 0) d.setAAD(aad, { plaintextLength: len });
    d.setAuthTag(input.subarray(at + len, at + len + TAG_LEN));
    const pt = d.update(input.subarray(at, at + len));
    try {
      d.final(); // throws when the tag does not authenticate
    } catch {
      pt.fill(0);
      return undefined;
    }
    return pt; // released only now
  },
};

/** Node's AEAD when this Node's OpenSSL has ChaCha20-Poly1305 (feature-detected), else undefined. */
export const nodeAead: NodeAead | undefined = getCiphers().includes(ALGORITHM) ? nodeAeadImpl : undefined;
