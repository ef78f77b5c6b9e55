import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FSChaCha20Poly1305, TAG_LEN } from '../../lib/transport/cipher.js';
import { toHex } from '../../lib/wire/hex.js';
import { fuzzV2 } from '../support/fuzz.js';

describe('fuzzing BIP 324 sessions (a small budget; npm run fuzz -- v2 runs 50,000 cases)', () => {
  it('lets nothing but V2Error out of a responder or an initiator, and no altered packet through', () => {
    const r = fuzzV2(1_500, 0xb324);
    expect(r.responder + r.initiator).toBe(r.cases);
    const refused = Object.values(r.refused).reduce((a, n) => a + n, 0);
    expect(refused + r.complete + r.partial).toBe(r.cases);
    // Every way a session can refuse its peer came up, and some cases went through whole.
    expect(Object.keys(r.refused).sort()).toEqual(['bad-tag', 'bad-version-packet', 'garbage-too-long', 'oversized', 'v1-peer', 'wrong-network-v1']);
    expect(r.complete).toBeGreaterThan(0);
  });
});

describe('FSChaCha20Poly1305 against noble chacha20poly1305 (the AEAD is put together from its parts)', () => {
  /** Sizes around every boundary of the implementation: 16-byte blocks, 64 bytes, 1024 (one call), large. */
  const size = fc.oneof(fc.integer({ min: 0, max: 1100 }), fc.constantFrom(15, 16, 17, 63, 64, 65, 79, 80, 81, 1023, 1024, 1025, 5_000, 20_001));
  const nonceOf = (packet: number): Uint8Array => Uint8Array.of(packet, packet >> 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  it('encrypts and decrypts as RFC 8439, in place or not, and refuses any altered byte leaving the output untouched', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.record({ aad: fc.oneof(fc.constant(0), size), plain: size, inPlace: fc.boolean(), flip: fc.nat() }), { minLength: 1, maxLength: 6 }),
        (key, packets) => {
          const enc = new FSChaCha20Poly1305(key);
          const dec = new FSChaCha20Poly1305(key);
          const bad = new FSChaCha20Poly1305(key);
          packets.forEach((p, i) => {
            const aad = Uint8Array.from({ length: p.aad }, (_, j) => j * 7 + i);
            const plain = Uint8Array.from({ length: p.plain }, (_, j) => j * 13 + i);
            const want = chacha20poly1305(key, nonceOf(i), aad).encrypt(plain);
            let ct: Uint8Array;
            if (p.inPlace) {
              ct = new Uint8Array(p.plain + TAG_LEN);
              ct.set(plain);
              enc.encrypt(aad, ct.subarray(0, p.plain), ct);
            } else ct = enc.encrypt(aad, plain);
            expect(toHex(ct)).toBe(toHex(want));
            const altered = ct.slice();
            altered[p.flip % altered.length] ^= 1 << p.flip % 8;
            const untouched = new Uint8Array(p.plain).fill(0xee);
            expect(bad.decrypt(aad, altered, untouched)).toBeUndefined();
            expect(untouched.every((b) => b === 0xee)).toBe(true);
            const out = p.inPlace ? dec.decrypt(aad, ct, ct.subarray(0, p.plain)) : dec.decrypt(aad, ct);
            expect(toHex(out ?? Uint8Array.of(0xde, 0xad))).toBe(toHex(plain));
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
