/** chacha.ts against RFC 8439's vectors and @noble/ciphers: the block function, and the AEAD put together from it and Poly1305. */
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chachaBlock, chachaXor, keyBytes, keyWords, polyFinish, polyLengths, polyPadded, polyStart } from '../../lib/transport/chacha.js';
import { fromHex, toHex } from '../../lib/wire/hex.js';

const word = (b: Uint8Array, at: number): number => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);

/** RFC 8439 §2.8 AEAD_CHACHA20_POLY1305 seal, from chacha.ts's parts: ciphertext || tag. */
function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const k = keyWords(key);
  const [n0, n1, n2] = [word(nonce, 0), word(nonce, 4), word(nonce, 8)];
  const block = new Int32Array(16);
  chachaBlock(k, 0, n0, n1, n2, block);
  polyStart(block);
  const out = new Uint8Array(plaintext.length + 16);
  chachaXor(k, 1, n0, n1, n2, plaintext, 0, out, 0, plaintext.length);
  polyPadded(aad, 0, aad.length);
  polyPadded(out, 0, plaintext.length);
  polyLengths(aad.length, plaintext.length);
  polyFinish(out, plaintext.length);
  return out;
}

describe('ChaCha20 (RFC 8439 §2.3, §2.4)', () => {
  it('gives §2.3.2\'s block', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const nonce = fromHex('000000090000004a00000000');
    const out = new Int32Array(16);
    chachaBlock(keyWords(key), 1, word(nonce, 0), word(nonce, 4), word(nonce, 8), out);
    expect(toHex(new Uint8Array(out.buffer))).toBe(
      '10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e',
    );
  });

  it('XORs the keystream as noble does, at any offset, counter and length, in place or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.integer({ min: 0, max: 2 ** 32 - 300 }), fc.uint8Array({ maxLength: 300 }), fc.nat(7), fc.boolean(), (key, nonce, counter, data, at, inPlace) => {
          const buf = new Uint8Array(at + data.length);
          buf.set(data, at);
          // In place, or into another array at another offset.
          const outAt = inPlace ? at : 7 - at;
          const out = inPlace ? buf : new Uint8Array(outAt + data.length);
          chachaXor(keyWords(key), counter, word(nonce, 0), word(nonce, 4), word(nonce, 8), buf, at, out, outAt, data.length);
          expect(toHex(out.subarray(outAt))).toBe(toHex(chacha20(key, nonce, data, undefined, counter)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('turns key bytes into words and back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        expect(keyBytes(keyWords(key), new Uint8Array(32))).toEqual(key);
      }),
    );
    expect(() => keyWords(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('ChaCha20-Poly1305 from chacha.ts\'s parts (RFC 8439 §2.8)', () => {
  it('gives §2.8.2\'s ciphertext and tag', () => {
    const plaintext = new TextEncoder().encode("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const out = seal(fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'), fromHex('070000004041424344454647'), fromHex('50515253c0c1c2c3c4c5c6c7'), plaintext);
    expect(toHex(out.subarray(plaintext.length))).toBe('1ae10b594f09e26a7e902ecbd0600691');
    expect(toHex(out.subarray(0, 16))).toBe('d31a8d34648e60db7b86afbc53ef7ec2');
  });

  it('equals noble\'s for any key, nonce, aad and text (every padding, rekey-sized and larger)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 700 }), (key, nonce, aad, text) => {
        expect(toHex(seal(key, nonce, aad, text))).toBe(toHex(chacha20poly1305(key, nonce, aad).encrypt(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('carries Poly1305\'s limbs right at their largest: all-ones keys and texts', () => {
    for (const fill of [0xff, 0xfe, 0x00]) {
      for (const n of [0, 1, 15, 16, 17, 63, 64, 65, 1000]) {
        const key = new Uint8Array(32).fill(fill);
        const nonce = new Uint8Array(12).fill(fill);
        const text = new Uint8Array(n).fill(0xff);
        expect(toHex(seal(key, nonce, text.subarray(0, 20), text))).toBe(toHex(chacha20poly1305(key, nonce, text.subarray(0, 20)).encrypt(text)));
      }
    }
  });
});
