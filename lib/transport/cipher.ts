import { Poly1305 } from '@noble/ciphers/_poly1305.js';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { nodeAead, type NodeAead } from './node-aead.js';

/**
 * BIP 324's rekeying ciphers ("Rekeying wrappers: FSChaCha20Poly1305 and FSChaCha20"), in the
 * shape of Bitcoin Core's src/crypto/chacha20poly1305.cpp; a session's keys and packets over them
 * are packet-cipher.ts. Pure and synchronous; each object is used for one direction only. Large
 * packets' AEAD goes to Node's OpenSSL where it has one (node-aead.ts), the rest is JavaScript.
 */

/** BIP 324 REKEY_INTERVAL; Core bip324.h BIP324Cipher::REKEY_INTERVAL. */
export const REKEY_INTERVAL = 224;
/** BIP 324 LENGTH_FIELD_LEN; Core BIP324Cipher::LENGTH_LEN. */
export const LENGTH_LEN = 3;
/** BIP 324 HEADER_LEN; Core BIP324Cipher::HEADER_LEN. */
export const HEADER_LEN = 1;
/** BIP 324 IGNORE_BIT_POS = 7; Core BIP324Cipher::IGNORE_BIT (0x80). */
export const IGNORE_BIT = 0x80;
/** BIP 324 CHACHA20POLY1305_EXPANSION: the Poly1305 tag; Core FSChaCha20Poly1305::EXPANSION. */
export const TAG_LEN = 16;
/** Core BIP324Cipher::EXPANSION: packet bytes beyond the contents (length + header + tag). */
export const EXPANSION = LENGTH_LEN + HEADER_LEN + TAG_LEN;
/** BIP 324: the length field encodes 0..2^24-1. */
export const MAX_PACKET_CONTENTS = 2 ** 24 - 1;
/** BIP 324: 16-byte garbage terminators; Core BIP324Cipher::GARBAGE_TERMINATOR_LEN. */
export const GARBAGE_TERMINATOR_LEN = 16;
/** Core BIP324Cipher::SESSION_ID_LEN. */
export const SESSION_ID_LEN = 32;

/**
 * ChaCha20 keystream fetched per batch: one 64-byte block, 21⅓ lengths of 3 bytes. It was 11
 * blocks (one whole rekey period, 224 lengths and the 32-byte next key), but that is 704 bytes
 * held by each of a v2 peer's two length ciphers: 1.3 kB a peer, at 10,000 peers 13 MB, to save
 * one noble chacha20 call per 21 packets. A rekey still comes at a block's end (224 × 3 + 32 =
 * 11 × 64), so no keystream is dropped there either way.
 */
const KEYSTREAM_BATCH = 64;
const BLOCK = 64;
/**
 * Contents up to this size are encrypted with keystream fetched together with block 0 (the
 * Poly1305 key): one call into noble's chacha20 per packet. Each such call copies the key and
 * makes fresh word views of small arrays (which V8 then moves off its heap): for a typical
 * packet that set-up, not the rounds, was most of the time when noble's chacha20poly1305 did the
 * whole AEAD (two chacha20 calls and several small arrays per packet). Larger contents are
 * XORed by noble's chacha20 in place, where its set-up is small in comparison.
 */
const SMALL = 1024;
/** noble's Poly1305 update() copies its input: an array of up to 64 bytes stays on V8's heap. */
const MAC_PIECE = 64;
/** Scratch shared by every cipher, as all of this is synchronous; none of it is handed out. */
const ZEROS = new Uint8Array(Math.max(KEYSTREAM_BATCH, BLOCK + SMALL));
const STREAM = new Uint8Array(BLOCK + SMALL);
const MAC_INPUT = new Uint8Array(MAC_PIECE);
const POLY_KEY = new Uint8Array(32);
const TAG = new Uint8Array(TAG_LEN);
const LENGTHS = new Uint8Array(16);
const LENGTHS_VIEW = new DataView(LENGTHS.buffer);
/**
 * The next key at a rekey, shared too: a rekey is synchronous. Per cipher, only its key, its
 * nonce (no DataView over it: a view moves the array's bytes off V8's heap) and counters are
 * kept; four ciphers a v2 peer, so every array here is memory times 10,000 peers.
 */
const NEXT_KEY = new Uint8Array(32);

/** Writes `n` as a little-endian u32 at nonce[at, at + 4). */
function setNonceU32(nonce: Uint8Array, at: number, n: number): void {
  nonce[at] = n & 0xff;
  nonce[at + 1] = (n >>> 8) & 0xff;
  nonce[at + 2] = (n >>> 16) & 0xff;
  nonce[at + 3] = n >>> 24;
}

/** Writes the rekey count as the BIP's 64-bit little-endian nonce part, bytes 4..12. */
function setNonceEpoch(nonce: Uint8Array, epoch: number): void {
  setNonceU32(nonce, 4, epoch >>> 0);
  setNonceU32(nonce, 8, Math.floor(epoch / 2 ** 32));
}

function keyCopy(key: Uint8Array): Uint8Array {
  if (key.length !== 32) throw new RangeError(`a key is 32 bytes, got ${key.length}`);
  return Uint8Array.from(key);
}

/**
 * BIP 324 FSChaCha20: one ChaCha20 stream (nonce = 4 zero bytes || rekeys as LE64) XORed over
 * consecutive chunks; after every 224 chunks the next 32 keystream bytes become the key and the
 * block counter restarts (Core crypto/chacha20.cpp FSChaCha20::Crypt). Like Core (whose
 * ChaCha20::SetKey empties its buffer), what is left of the current block at a rekey is dropped;
 * the BIP's pseudocode would keep it. Both agree for 3-byte chunks, the only ones the protocol
 * encrypts, as 224 × 3 + 32 bytes are 11 whole blocks.
 */
export class FSChaCha20 {
  private readonly key: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private readonly keystream = new Uint8Array(KEYSTREAM_BATCH);
  private pos = KEYSTREAM_BATCH;
  private block = 0;
  private chunks = 0;
  private epoch = 0;

  constructor(key: Uint8Array) {
    this.key = keyCopy(key);
  }

  /** XORs `input` with the next keystream bytes into `output` (which may be `input`). */
  crypt(input: Uint8Array, output: Uint8Array = new Uint8Array(input.length)): Uint8Array {
    if (output.length < input.length) throw new RangeError('output shorter than input');
    for (let i = 0; i < input.length; i++) output[i] = input[i] ^ this.nextByte();
    if (++this.chunks === REKEY_INTERVAL) this.rekey();
    return output;
  }

  /** crypt() of the chunk bytes[at, at + n), in place (no subarray: V8 would move a small array off its heap). */
  cryptAt(bytes: Uint8Array, at: number, n: number): void {
    for (let i = at; i < at + n; i++) bytes[i] ^= this.nextByte();
    if (++this.chunks === REKEY_INTERVAL) this.rekey();
  }

  private nextByte(): number {
    if (this.pos === KEYSTREAM_BATCH) {
      chacha20(this.key, this.nonce, ZEROS.subarray(0, KEYSTREAM_BATCH), this.keystream, this.block);
      this.block += KEYSTREAM_BATCH / 64;
      this.pos = 0;
    }
    return this.keystream[this.pos++];
  }

  private rekey(): void {
    for (let i = 0; i < 32; i++) NEXT_KEY[i] = this.nextByte();
    this.key.set(NEXT_KEY);
    NEXT_KEY.fill(0);
    this.keystream.fill(0);
    this.pos = KEYSTREAM_BATCH;
    this.block = 0;
    this.chunks = 0;
    setNonceEpoch(this.nonce, ++this.epoch);
  }
}

/**
 * BIP 324 FSChaCha20Poly1305: RFC 8439 ChaCha20Poly1305 with nonce = packets in this epoch as
 * LE32 || rekeys as LE64. After 224 packets the key becomes the first 32 bytes of encrypting 32
 * zero bytes under nonce 0xffffffff || rekeys, i.e. ChaCha20 keystream block 1 (Core
 * crypto/chacha20poly1305.cpp FSChaCha20Poly1305::NextPacket, which uses that shortcut too).
 * The AEAD (RFC 8439 §2.8) is put together here from noble's chacha20 and Poly1305, with one
 * chacha20 call per typical packet (see SMALL) instead of two, and no subarray of small arrays.
 */
export class FSChaCha20Poly1305 {
  private readonly key: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private packets = 0;
  private epoch = 0;
  /** Node's AEAD (OpenSSL) when it has one, else undefined: then every packet takes the JavaScript path. */
  private readonly node: NodeAead | undefined;
  /** Contents of this many bytes or more go through Node's AEAD (Infinity without it). */
  private readonly nodeFrom: number;

  /** `aead`: Node's ChaCha20-Poly1305 when available (node-aead.ts), or `null` for the JavaScript path only (tests hold both to the vectors). */
  constructor(key: Uint8Array, aead: NodeAead | null | undefined = nodeAead) {
    this.key = keyCopy(key);
    this.node = aead ?? undefined;
    this.nodeFrom = this.node === undefined ? Infinity : this.node.from;
  }

  /** Ciphertext || tag into `output` (plaintext.length + 16 bytes; may start where plaintext does). */
  encrypt(aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array = new Uint8Array(plaintext.length + TAG_LEN)): Uint8Array {
    if (output.length !== plaintext.length + TAG_LEN) throw new RangeError('plaintext and output sizes do not match');
    this.sealAt(aad, plaintext, output, 0, plaintext.length);
    return output;
  }

  /**
   * The plaintext into `output` (ciphertext.length - 16 bytes; may start where ciphertext does),
   * or undefined when the tag does not authenticate (output is then untouched).
   */
  decrypt(aad: Uint8Array, ciphertext: Uint8Array, output: Uint8Array = new Uint8Array(ciphertext.length - TAG_LEN)): Uint8Array | undefined {
    if (ciphertext.length < TAG_LEN || output.length !== ciphertext.length - TAG_LEN) throw new RangeError('ciphertext and output sizes do not match');
    return this.openAt(aad, ciphertext, output, 0, output.length) ? output : undefined;
  }

  /** encrypt() of input[at, at + len) into output[at, at + len + 16) (output may be input, not otherwise overlap it). */
  sealAt(aad: Uint8Array, input: Uint8Array, output: Uint8Array, at: number, len: number): void {
    if (len >= this.nodeFrom) {
      (this.node as NodeAead).seal(this.key, this.nonce, aad, input, output, at, len);
      this.nextPacket();
      return;
    }
    this.keystream(len);
    this.crypt(input, output, at, len);
    tag(aad, output, at, len);
    for (let i = 0; i < TAG_LEN; i++) output[at + len + i] = TAG[i];
    this.nextPacket();
  }

  /**
   * decrypt() of input[at, at + len + 16) into output[at, at + len) (output may be input, not
   * otherwise overlap it): false, output untouched, when the tag does not authenticate.
   */
  openAt(aad: Uint8Array, input: Uint8Array, output: Uint8Array, at: number, len: number): boolean {
    if (len >= this.nodeFrom) {
      const ok = (this.node as NodeAead).open(this.key, this.nonce, aad, input, output, at, len);
      this.nextPacket();
      return ok;
    }
    this.keystream(len);
    tag(aad, input, at, len);
    let diff = 0; // compared in constant time, as noble does
    for (let i = 0; i < TAG_LEN; i++) diff |= TAG[i] ^ input[at + len + i];
    if (diff === 0) this.crypt(input, output, at, len); // authenticated before anything is decrypted
    this.nextPacket();
    return diff === 0;
  }

  /** This packet's ChaCha20 block 0, and for small contents their keystream too, into STREAM; the Poly1305 key to POLY_KEY. */
  private keystream(len: number): void {
    const n = BLOCK + (len <= SMALL ? len : 0);
    chacha20(this.key, this.nonce, ZEROS.subarray(0, n), STREAM.subarray(0, n), 0);
    POLY_KEY.set(STREAM.subarray(0, 32));
    STREAM.fill(0, 0, BLOCK);
  }

  /** XORs the keystream (from block 1 on) over input[at, at + len) into output. */
  private crypt(input: Uint8Array, output: Uint8Array, at: number, len: number): void {
    if (len <= SMALL) for (let i = 0; i < len; i++) output[at + i] = input[at + i] ^ STREAM[BLOCK + i];
    else chacha20(this.key, this.nonce, input.subarray(at, at + len), output.subarray(at, at + len), 1);
  }

  private nextPacket(): void {
    if (++this.packets < REKEY_INTERVAL) {
      setNonceU32(this.nonce, 0, this.packets);
      return;
    }
    setNonceU32(this.nonce, 0, 0xffffffff);
    chacha20(this.key, this.nonce, ZEROS.subarray(0, 32), NEXT_KEY, 1);
    this.key.set(NEXT_KEY);
    NEXT_KEY.fill(0);
    this.packets = 0;
    setNonceU32(this.nonce, 0, 0);
    setNonceEpoch(this.nonce, ++this.epoch);
  }
}

/** RFC 8439 §2.8's tag into TAG, under POLY_KEY: Poly1305 of aad, pad16, ciphertext, pad16, both lengths as LE64. */
function tag(aad: Uint8Array, bytes: Uint8Array, at: number, len: number): void {
  const mac = new Poly1305(POLY_KEY);
  macPadded(mac, aad, 0, aad.length);
  macPadded(mac, bytes, at, len);
  LENGTHS_VIEW.setUint32(0, aad.length, true);
  LENGTHS_VIEW.setUint32(8, len, true); // bytes 4..8 and 12..16 stay 0: lengths < 2^32
  mac.update(LENGTHS);
  mac.digestInto(TAG);
  mac.destroy();
  POLY_KEY.fill(0);
}

/**
 * Feeds bytes[at, at + len) zero-padded to 16 bytes. noble's update() copies its input and takes
 * whole 16-byte blocks straight, but a partial block through a subarray of its copy, which V8
 * would move off its heap. So: whole blocks of a large array straight, the rest copied into
 * MAC_INPUT, zero-padded, at most 64 bytes at a time (no subarray of a small array anywhere).
 */
function macPadded(mac: Poly1305, bytes: Uint8Array, at: number, len: number): void {
  let done = 0;
  if (len > MAC_PIECE) {
    done = len & ~15;
    mac.update(bytes.subarray(at, at + done)); // bytes is large, so off V8's heap already
  }
  for (; done < len; done += MAC_PIECE) {
    const n = Math.min(len - done, MAC_PIECE);
    for (let i = 0; i < n; i++) MAC_INPUT[i] = bytes[at + done + i];
    const whole = (n + 15) & ~15;
    MAC_INPUT.fill(0, n, whole);
    mac.update(MAC_INPUT.subarray(0, whole));
  }
}
