import { readFileSync } from 'node:fs';
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FSChaCha20, FSChaCha20Poly1305, IGNORE_BIT, LENGTH_LEN, REKEY_INTERVAL } from '../../lib/transport/cipher.js';
import { deriveV2Keys, PacketCipher } from '../../lib/transport/packet-cipher.js';
import { ellswiftDecode } from '../../lib/transport/ellswift.js';
import { ellswiftEcdhXonly, v2Ecdh } from '../../lib/transport/v2-ecdh.js';
import { nodeAead } from '../../lib/transport/node-aead.js';
import { nativeBackend, nobleBackend } from '../../lib/transport/secp.js';
import { fromHex, toHex } from '../../lib/wire/hex.js';
import { NETWORKS } from '../../lib/wire/network.js';

/** A BIP 324 vector file as rows keyed by its header (the files have CRLF line ends). */
function readCsv(name: string): Record<string, string>[] {
  const text = readFileSync(new URL(`../fixtures/vectors/bip324/${name}`, import.meta.url), 'utf8');
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l.length > 0);
  const cols = header.split(',');
  return lines.map((line) => Object.fromEntries(cols.map((c, i) => [c, line.split(',')[i]])));
}

const ROWS = readCsv('packet_encoding_test_vectors.csv');

/** in_contents repeated in_multiply times. */
function contentsOf(row: Record<string, string>): Uint8Array {
  const one = fromHex(row.in_contents);
  const times = Number(row.in_multiply);
  const out = new Uint8Array(one.length * times);
  for (let i = 0; i < times; i++) out.set(one, i * one.length);
  return out;
}

/**
 * Each way the crawler can run: curve operations by @noble/curves or libsecp256k1 (secp.ts), and
 * every packet through the JavaScript AEAD or through Node's (node-aead.ts, forced for every size).
 */
const WAYS = [
  ['@noble/curves, JavaScript AEAD', nobleBackend, null],
  ['libsecp256k1, Node AEAD', nativeBackend, nodeAead && { ...nodeAead, from: 0 }],
] as const;

it('has the libsecp256k1 addon and Node\'s AEAD on this platform (linux-x64: prebuilt in the package)', () => {
  if (process.platform === 'linux' && process.arch === 'x64') {
    expect(nativeBackend?.name).toBe('libsecp256k1');
    expect(nodeAead).toBeDefined();
  }
});

describe.each(WAYS)('BIP 324 packet_encoding_test_vectors.csv (mainnet magic), %s', (_way, ec, aead) => {
  it('has every row of the BIP file', () => {
    expect(ROWS).toHaveLength(7);
    expect(ec).toBeDefined();
  });

  it.each(ROWS.map((r) => [r.in_idx, r] as const))('session whose packet %s is given', (_idx, row) => {
    const priv = fromHex(row.in_priv_ours);
    const ours = fromHex(row.in_ellswift_ours);
    const theirs = fromHex(row.in_ellswift_theirs);
    const initiating = row.in_initiating === '1';

    if (ec === undefined) return;
    expect(toHex(ec.publicX(priv))).toBe(row.mid_x_ours);
    expect(toHex(secp256k1.getPublicKey(priv, true).subarray(1))).toBe(row.mid_x_ours);
    expect(toHex(ellswiftDecode(ours))).toBe(row.mid_x_ours);
    expect(toHex(ellswiftDecode(theirs))).toBe(row.mid_x_theirs);
    expect(toHex(ellswiftEcdhXonly(theirs, priv, ec))).toBe(row.mid_x_shared);
    const secret = v2Ecdh(priv, theirs, ours, initiating, ec);
    expect(toHex(secret)).toBe(row.mid_shared_secret);

    const keys = deriveV2Keys(secret, NETWORKS.mainnet.magic);
    expect(toHex(keys.initiatorL)).toBe(row.mid_initiator_l);
    expect(toHex(keys.initiatorP)).toBe(row.mid_initiator_p);
    expect(toHex(keys.responderL)).toBe(row.mid_responder_l);
    expect(toHex(keys.responderP)).toBe(row.mid_responder_p);
    expect(toHex(keys.sessionId)).toBe(row.out_session_id);

    // Encrypt in_idx empty packets first to reach packet number in_idx (as the BIP's
    // run_test_vectors.py and Core's bip324_tests.cpp do).
    const sender = new PacketCipher(keys, initiating, aead);
    expect(toHex(sender.sendGarbageTerminator)).toBe(row.mid_send_garbage_terminator);
    expect(toHex(sender.recvGarbageTerminator)).toBe(row.mid_recv_garbage_terminator);
    const index = Number(row.in_idx);
    const dummies: Uint8Array[] = [];
    for (let i = 0; i < index; i++) dummies.push(sender.encrypt(new Uint8Array(0)));
    const contents = contentsOf(row);
    const aad = fromHex(row.in_aad);
    const ignore = row.in_ignore === '1';
    const packet = sender.encrypt(contents, aad, ignore);
    if (row.out_ciphertext !== '') expect(toHex(packet)).toBe(row.out_ciphertext);
    else expect(toHex(packet.subarray(packet.length - row.out_ciphertext_endswith.length / 2))).toBe(row.out_ciphertext_endswith);

    // The other side (same keys, other role) reads it back, and nothing else authenticates.
    const receiver = (): PacketCipher => {
      const r = new PacketCipher(keys, !initiating, aead);
      for (const d of dummies) {
        expect(r.decryptLength(d)).toBe(0);
        expect(r.openInPlace(d.slice(LENGTH_LEN))).toBe(0); // not decoys
      }
      return r;
    };
    const r = receiver();
    expect(r.decryptLength(packet)).toBe(contents.length);
    const body = packet.slice(LENGTH_LEN);
    const header = r.openInPlace(body, aad);
    expect(header).toBe(ignore ? IGNORE_BIT : 0);
    expect(Buffer.compare(body.subarray(1, 1 + contents.length), contents)).toBe(0);

    if (contents.length > 100_000) return; // the tampering below is as good on the small ones
    const flipped = packet.slice(LENGTH_LEN);
    flipped[flipped.length >> 1] ^= 0x10;
    const r2 = receiver();
    r2.decryptLength(packet);
    expect(r2.openInPlace(flipped, aad)).toBeUndefined();
    const r3 = receiver();
    r3.decryptLength(packet);
    expect(r3.openInPlace(packet.slice(LENGTH_LEN), Uint8Array.of(...aad, 0))).toBeUndefined();
  });
});

// The BIP's pseudocode, literally, as references for the batched, in-place classes.
const nonceOf = (low: number, epoch: number): Uint8Array => {
  const n = new Uint8Array(12);
  const dv = new DataView(n.buffer);
  dv.setUint32(0, low, true);
  dv.setUint32(4, epoch, true);
  return n;
};

class ReferenceFSChaCha20 {
  private blockCounter = 0;
  private chunkCounter = 0;
  private keystream: number[] = [];
  /**
   * dropLeftover: Core's FSChaCha20::Crypt rekeys with ChaCha20::SetKey, which discards keystream
   * left in the current block; the BIP's pseudocode keeps it. They differ only for chunks that are
   * not 3 bytes (224 × 3 + 32 = 11 whole blocks), which the protocol never uses.
   */
  constructor(
    private key: Uint8Array,
    private readonly dropLeftover: boolean,
  ) {}
  private bytes(n: number): number[] {
    while (this.keystream.length < n) {
      const nonce = nonceOf(0, Math.floor(this.chunkCounter / REKEY_INTERVAL));
      this.keystream.push(...chacha20(this.key, nonce, new Uint8Array(64), undefined, this.blockCounter++));
    }
    return this.keystream.splice(0, n);
  }
  crypt(chunk: Uint8Array): Uint8Array {
    const ks = this.bytes(chunk.length);
    const out = chunk.map((b, i) => b ^ ks[i]);
    if ((this.chunkCounter + 1) % REKEY_INTERVAL === 0) {
      this.key = Uint8Array.from(this.bytes(32));
      this.blockCounter = 0;
      if (this.dropLeftover) this.keystream = [];
    }
    this.chunkCounter++;
    return out;
  }
}

class ReferenceFSChaCha20Poly1305 {
  private packetCounter = 0;
  constructor(private key: Uint8Array) {}
  encrypt(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const nonce = nonceOf(this.packetCounter % REKEY_INTERVAL, Math.floor(this.packetCounter / REKEY_INTERVAL));
    const ret = chacha20poly1305(this.key, nonce, aad).encrypt(plaintext);
    if ((this.packetCounter + 1) % REKEY_INTERVAL === 0) {
      const rekeyNonce = nonceOf(0xffffffff, Math.floor(this.packetCounter / REKEY_INTERVAL));
      this.key = chacha20poly1305(this.key, rekeyNonce, new Uint8Array(0)).encrypt(new Uint8Array(32)).slice(0, 32);
    }
    this.packetCounter++;
    return ret;
  }
}

describe('FSChaCha20 and FSChaCha20Poly1305', () => {
  const key = fromHex('9a6478b5fbab1f4dd2f78994b774c03211c78312786e602da75a0d1767fb55cf');

  it('FSChaCha20 matches the BIP pseudocode for 3-byte chunks (packet lengths), across rekeys', () => {
    const ours = new FSChaCha20(key);
    const ref = new ReferenceFSChaCha20(key, false);
    for (let i = 0; i < 3 * REKEY_INTERVAL + 7; i++) {
      const chunk = Uint8Array.of(i & 0xff, i >> 8, 0x5a);
      expect(toHex(ours.crypt(chunk))).toBe(toHex(ref.crypt(chunk)));
    }
  });

  it('FSChaCha20 matches it for chunks of any size too, discarding the rest of a block at a rekey as Core does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 230, maxLength: 700 }), (sizes) => {
        const ours = new FSChaCha20(key);
        const ref = new ReferenceFSChaCha20(key, true);
        sizes.forEach((n, i) => {
          const chunk = Uint8Array.from({ length: n }, (_, j) => (i + j) & 0xff);
          expect(toHex(ours.crypt(chunk))).toBe(toHex(ref.crypt(chunk)));
        });
      }),
      { numRuns: 10 },
    );
  });

  it('FSChaCha20 encrypts in place, and decrypts what it encrypted', () => {
    const enc = new FSChaCha20(key);
    const dec = new FSChaCha20(key);
    for (let i = 0; i < 3 * REKEY_INTERVAL; i++) {
      const buf = Uint8Array.of(i & 0xff, i >> 8, 7);
      enc.crypt(buf, buf);
      expect(Array.from(dec.crypt(buf))).toEqual([i & 0xff, i >> 8, 7]);
    }
  });

  it('FSChaCha20Poly1305 matches the BIP pseudocode across rekeys, and decrypts itself', () => {
    const ours = new FSChaCha20Poly1305(key);
    const ref = new ReferenceFSChaCha20Poly1305(key);
    const dec = new FSChaCha20Poly1305(key);
    for (let i = 0; i < 2 * REKEY_INTERVAL + 5; i++) {
      const aad = Uint8Array.of(i & 0xff);
      const plain = Uint8Array.from({ length: i % 70 }, (_, j) => j ^ i);
      const ct = ours.encrypt(aad, plain);
      expect(toHex(ct)).toBe(toHex(ref.encrypt(aad, plain)));
      expect(toHex(dec.decrypt(aad, ct) ?? Uint8Array.of(0xde, 0xad))).toBe(toHex(plain));
    }
    expect(dec.decrypt(new Uint8Array(0), ours.encrypt(Uint8Array.of(1), Uint8Array.of(2)))).toBeUndefined();
  });

  it.each(WAYS)('FSChaCha20Poly1305 (%s) matches the pseudocode for contents of every size around the crossover, across rekeys', (_way, _ec, aead) => {
    const ours = new FSChaCha20Poly1305(key, aead);
    const ref = new ReferenceFSChaCha20Poly1305(key);
    const dec = new FSChaCha20Poly1305(key, aead);
    for (let i = 0; i < REKEY_INTERVAL + 40; i++) {
      const aad = i % 3 === 0 ? new Uint8Array(0) : Uint8Array.of(i & 0xff, 9);
      const plain = Uint8Array.from({ length: (i * 37) % 700 }, (_, j) => (j * 13) ^ i);
      const ct = ours.encrypt(aad, plain);
      expect(toHex(ct)).toBe(toHex(ref.encrypt(aad, plain)));
      expect(toHex(dec.decrypt(aad, ct) ?? Uint8Array.of(0xde, 0xad))).toBe(toHex(plain));
    }
  });

  it.each(WAYS)('FSChaCha20Poly1305 (%s) releases nothing of a packet whose tag fails', (_way, _ec, aead) => {
    const plain = Uint8Array.from({ length: 600 }, (_, j) => j & 0xff);
    const ct = new FSChaCha20Poly1305(key, aead).encrypt(new Uint8Array(0), plain);
    ct[100] ^= 1;
    const out = new Uint8Array(600).fill(0xee);
    expect(new FSChaCha20Poly1305(key, aead).decrypt(new Uint8Array(0), ct, out)).toBeUndefined();
    expect(out.every((b) => b === 0xee)).toBe(true);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new FSChaCha20(new Uint8Array(31))).toThrow(RangeError);
    expect(() => new FSChaCha20Poly1305(new Uint8Array(33))).toThrow(RangeError);
  });
});
