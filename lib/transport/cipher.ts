import { chachaBlock, chachaXor, keyBytes, keyWords, polyFinish, polyLengths, polyPadded, polyStart } from './chacha.js';
import { nodeAead, type NodeAead } from './node-aead.js';

/**
 * BIP 324's rekeying ciphers ("Rekeying wrappers: FSChaCha20Poly1305 and FSChaCha20"), in the
 * shape of Bitcoin Core's src/crypto/chacha20poly1305.cpp; a session's keys and packets over them
 * are packet-cipher.ts. Pure and synchronous; each object is used for one direction only. Large
 * packets' AEAD goes to Node's OpenSSL where it has one (node-aead.ts), the rest is JavaScript
 * (chacha.ts). A cipher keeps its key as 8 words and its nonce as counters: four ciphers a v2
 * peer, so every array here is memory times 10,000 peers.
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

/** One ChaCha20 block's words: scratch shared by every cipher, as all of this is synchronous. */
const BLOCK_WORDS = new Int32Array(16);
/** The next key at a length cipher's rekey, and Node's AEAD's key and nonce bytes: scratch too (the keys wiped after use). */
const NEXT_KEY = new Uint8Array(32);
const KEY_BYTES = new Uint8Array(32);
const NONCE_BYTES = new Uint8Array(12);
const TAG = new Uint8Array(TAG_LEN);

/** Writes `n` as a little-endian u32 at bytes[at, at + 4). */
function putU32(bytes: Uint8Array, at: number, n: number): void {
  bytes[at] = n;
  bytes[at + 1] = n >>> 8;
  bytes[at + 2] = n >>> 16;
  bytes[at + 3] = n >>> 24;
}

/** The BIP's 64-bit rekey counter's low and high words (nonce bytes 4–7 and 8–11). */
const epochLow = (epoch: number): number => epoch >>> 0;
const epochHigh = (epoch: number): number => Math.floor(epoch / 2 ** 32) >>> 0;

/**
 * BIP 324 FSChaCha20: one ChaCha20 stream (nonce = 4 zero bytes || rekeys as LE64) XORed over
 * consecutive chunks; after every 224 chunks the next 32 keystream bytes become the key and the
 * block counter restarts (Core crypto/chacha20.cpp FSChaCha20::Crypt). Like Core (whose
 * ChaCha20::SetKey empties its buffer), what is left of the current block at a rekey is dropped;
 * the BIP's pseudocode would keep it. Both agree for 3-byte chunks, the only ones the protocol
 * encrypts, as 224 × 3 + 32 bytes are 11 whole blocks. One block of keystream is kept (21⅓
 * lengths).
 */
export class FSChaCha20 {
  private readonly key: Int32Array;
  private readonly keystream = new Int32Array(16);
  private pos = 64;
  private block = 0;
  private chunks = 0;
  private epoch = 0;

  constructor(key: Uint8Array) {
    this.key = keyWords(key);
  }

  /** XORs `input` with the next keystream bytes into `output` (which may be `input`). */
  crypt(input: Uint8Array, output: Uint8Array = new Uint8Array(input.length)): Uint8Array {
    if (output.length < input.length) throw new RangeError('output shorter than input');
    for (let i = 0; i < input.length; i++) output[i] = input[i] ^ this.nextByte();
    if (++this.chunks === REKEY_INTERVAL) this.rekey();
    return output;
  }

  /** crypt() of the chunk bytes[at, at + n), in place. */
  cryptAt(bytes: Uint8Array, at: number, n: number): void {
    for (let i = at; i < at + n; i++) bytes[i] ^= this.nextByte();
    if (++this.chunks === REKEY_INTERVAL) this.rekey();
  }

  private nextByte(): number {
    if (this.pos === 64) {
      chachaBlock(this.key, this.block++, 0, epochLow(this.epoch), epochHigh(this.epoch), this.keystream);
      this.pos = 0;
    }
    const p = this.pos++;
    return (this.keystream[p >> 2] >>> ((p & 3) << 3)) & 0xff;
  }

  private rekey(): void {
    for (let i = 0; i < 32; i++) NEXT_KEY[i] = this.nextByte();
    keyWords(NEXT_KEY, this.key);
    NEXT_KEY.fill(0);
    this.keystream.fill(0);
    this.pos = 64;
    this.block = 0;
    this.chunks = 0;
    this.epoch++;
  }
}

/**
 * BIP 324 FSChaCha20Poly1305: RFC 8439 ChaCha20Poly1305 with nonce = packets in this epoch as
 * LE32 || rekeys as LE64. After 224 packets the key becomes the first 32 bytes of encrypting 32
 * zero bytes under nonce 0xffffffff || rekeys, i.e. ChaCha20 keystream block 1 (Core
 * crypto/chacha20poly1305.cpp FSChaCha20Poly1305::NextPacket, which uses that shortcut too).
 * The AEAD (RFC 8439 §2.8) is chacha.ts's block function and Poly1305, or Node's for large packets.
 */
export class FSChaCha20Poly1305 {
  private readonly key: Int32Array;
  private packets = 0;
  private epoch = 0;
  /** Node's AEAD (OpenSSL) when it has one, else undefined: then every packet takes the JavaScript path. */
  private readonly node: NodeAead | undefined;
  /** Contents and aad of this many bytes or more go through Node's AEAD (Infinity without it): the version packet's aad is the peer's garbage, up to 4,095 bytes. */
  private readonly nodeFrom: number;

  /** `aead`: Node's ChaCha20-Poly1305 when available (node-aead.ts), or `null` for the JavaScript path only (tests hold both to the vectors). */
  constructor(key: Uint8Array, aead: NodeAead | null | undefined = nodeAead) {
    this.key = keyWords(key);
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
    if (len + aad.length >= this.nodeFrom) {
      (this.node as NodeAead).seal(keyBytes(this.key, KEY_BYTES), this.nonceBytes(), aad, input, output, at, len);
      this.wipeScratch();
    } else {
      this.polyKey();
      this.xor(input, at, output, at, len);
      this.mac(aad, output, at, len);
      polyFinish(output, at + len);
    }
    this.nextPacket();
  }

  /**
   * decrypt() of input[at, at + len + 16) into output[at, at + len) (output may be input, not
   * otherwise overlap it): false, output untouched, when the tag does not authenticate.
   */
  openAt(aad: Uint8Array, input: Uint8Array, output: Uint8Array, at: number, len: number): boolean {
    let ok: boolean;
    if (len + aad.length >= this.nodeFrom) {
      ok = (this.node as NodeAead).open(keyBytes(this.key, KEY_BYTES), this.nonceBytes(), aad, input, output, at, len);
      this.wipeScratch();
    } else {
      ok = this.authentic(aad, input, at, len);
      // Authenticated before anything is decrypted.
      if (ok) this.xor(input, at, output, at, len);
    }
    this.nextPacket();
    return ok;
  }

  /**
   * The plaintext of input[at, at + len) (its tag after it) as a new array, input untouched, or
   * undefined when the tag does not authenticate: for a packet whole in a read chunk, which is
   * then neither copied out first nor decrypted in place.
   */
  openOut(aad: Uint8Array, input: Uint8Array, at: number, len: number): Uint8Array | undefined {
    let out: Uint8Array | undefined;
    if (len + aad.length >= this.nodeFrom) {
      out = (this.node as NodeAead).openOut(keyBytes(this.key, KEY_BYTES), this.nonceBytes(), aad, input, at, len);
      this.wipeScratch();
    } else if (this.authentic(aad, input, at, len)) {
      out = new Uint8Array(len);
      this.xor(input, at, out, 0, len);
    }
    this.nextPacket();
    return out;
  }

  /** Whether input[at + len, at + len + 16) is the tag of aad and input[at, at + len), compared in constant time. */
  private authentic(aad: Uint8Array, input: Uint8Array, at: number, len: number): boolean {
    this.polyKey();
    this.mac(aad, input, at, len);
    polyFinish(TAG, 0);
    let diff = 0;
    for (let i = 0; i < TAG_LEN; i++) diff |= TAG[i] ^ input[at + len + i];
    TAG.fill(0);
    return diff === 0;
  }

  /** RFC 8439 §2.8's encryption: input[inAt, inAt + len) XOR this packet's keystream from block 1, into output[outAt, …). */
  private xor(input: Uint8Array, inAt: number, output: Uint8Array, outAt: number, len: number): void {
    chachaXor(this.key, 1, this.packets, epochLow(this.epoch), epochHigh(this.epoch), input, inAt, output, outAt, len);
  }

  /** This packet's Poly1305 key: the first 32 bytes of ChaCha20 block 0 (RFC 8439 §2.6). */
  private polyKey(): void {
    chachaBlock(this.key, 0, this.packets, epochLow(this.epoch), epochHigh(this.epoch), BLOCK_WORDS);
    polyStart(BLOCK_WORDS);
    BLOCK_WORDS.fill(0);
  }

  /** RFC 8439 §2.8's MAC input: aad, pad16, ciphertext, pad16, both lengths as LE64. */
  private mac(aad: Uint8Array, text: Uint8Array, at: number, len: number): void {
    polyPadded(aad, 0, aad.length);
    polyPadded(text, at, len);
    polyLengths(aad.length, len);
  }

  /** The 12-byte nonce for Node's AEAD, into NONCE_BYTES. */
  private nonceBytes(): Uint8Array {
    putU32(NONCE_BYTES, 0, this.packets);
    putU32(NONCE_BYTES, 4, epochLow(this.epoch));
    putU32(NONCE_BYTES, 8, epochHigh(this.epoch));
    return NONCE_BYTES;
  }

  private wipeScratch(): void {
    KEY_BYTES.fill(0);
  }

  private nextPacket(): void {
    if (++this.packets < REKEY_INTERVAL) return;
    chachaBlock(this.key, 1, 0xffffffff, epochLow(this.epoch), epochHigh(this.epoch), BLOCK_WORDS);
    this.key.set(BLOCK_WORDS.subarray(0, 8));
    BLOCK_WORDS.fill(0);
    this.packets = 0;
    this.epoch++;
  }
}
