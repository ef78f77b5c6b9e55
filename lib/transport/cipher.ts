import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

/**
 * BIP 324 packet encryption ("Rekeying wrappers: FSChaCha20Poly1305 and FSChaCha20", "Keys and
 * session ID derivation", "Overall packet encryption and decryption pseudocode"), in the shape of
 * Bitcoin Core's BIP324Cipher (src/bip324.cpp) over src/crypto/chacha20poly1305.cpp. Pure and
 * synchronous; each object is used for one direction only.
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
/** BIP 324 initialize_v2_transport: salt = b'bitcoin_v2_shared_secret' + NETWORK_MAGIC. */
const SALT_PREFIX = 'bitcoin_v2_shared_secret';
const EMPTY = new Uint8Array(0);

/**
 * ChaCha20 keystream fetched per batch: 11 blocks = 704 bytes = 224 lengths of 3 bytes plus the
 * 32-byte next key, exactly one rekey period of the length cipher (BIP 324 footnote on the
 * choice of 224: "exactly 32 bytes of keystream data remain that can be used as next key").
 */
const KEYSTREAM_BATCH = 11 * 64;
const ZEROS = new Uint8Array(KEYSTREAM_BATCH);

/** Writes the rekey count as the BIP's 64-bit little-endian nonce part, bytes 4..12. */
function setNonceEpoch(nonce: DataView, epoch: number): void {
  nonce.setUint32(4, epoch >>> 0, true);
  nonce.setUint32(8, Math.floor(epoch / 2 ** 32), true);
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
  private readonly nonceView = new DataView(this.nonce.buffer);
  private readonly keystream = new Uint8Array(KEYSTREAM_BATCH);
  private readonly nextKey = new Uint8Array(32);
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

  private nextByte(): number {
    if (this.pos === KEYSTREAM_BATCH) {
      chacha20(this.key, this.nonce, ZEROS, this.keystream, this.block);
      this.block += KEYSTREAM_BATCH / 64;
      this.pos = 0;
    }
    return this.keystream[this.pos++];
  }

  private rekey(): void {
    for (let i = 0; i < 32; i++) this.nextKey[i] = this.nextByte();
    this.key.set(this.nextKey);
    this.nextKey.fill(0);
    this.keystream.fill(0);
    this.pos = KEYSTREAM_BATCH;
    this.block = 0;
    this.chunks = 0;
    setNonceEpoch(this.nonceView, ++this.epoch);
  }
}

/**
 * BIP 324 FSChaCha20Poly1305: RFC 8439 ChaCha20Poly1305 with nonce = packets in this epoch as
 * LE32 || rekeys as LE64. After 224 packets the key becomes the first 32 bytes of encrypting 32
 * zero bytes under nonce 0xffffffff || rekeys, i.e. ChaCha20 keystream block 1 (Core
 * crypto/chacha20poly1305.cpp FSChaCha20Poly1305::NextPacket, which uses that shortcut too).
 */
export class FSChaCha20Poly1305 {
  private readonly key: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private readonly nonceView = new DataView(this.nonce.buffer);
  private readonly nextKey = new Uint8Array(32);
  private packets = 0;
  private epoch = 0;

  constructor(key: Uint8Array) {
    this.key = keyCopy(key);
  }

  /** Ciphertext || tag into `output` (plaintext.length + 16 bytes; may start where plaintext does). */
  encrypt(aad: Uint8Array, plaintext: Uint8Array, output: Uint8Array = new Uint8Array(plaintext.length + TAG_LEN)): Uint8Array {
    chacha20poly1305(this.key, this.nonce, aad).encrypt(plaintext, output);
    this.nextPacket();
    return output;
  }

  /**
   * The plaintext into `output` (ciphertext.length - 16 bytes; may start where ciphertext does),
   * or undefined when the tag does not authenticate (output is then untouched).
   */
  decrypt(aad: Uint8Array, ciphertext: Uint8Array, output: Uint8Array = new Uint8Array(ciphertext.length - TAG_LEN)): Uint8Array | undefined {
    if (ciphertext.length < TAG_LEN || output.length !== ciphertext.length - TAG_LEN) throw new RangeError('ciphertext and output sizes do not match');
    let ok = true;
    try {
      chacha20poly1305(this.key, this.nonce, aad).decrypt(ciphertext, output);
    } catch {
      ok = false; // noble throws 'invalid tag' before writing anything; sizes were checked above
    }
    this.nextPacket();
    return ok ? output : undefined;
  }

  private nextPacket(): void {
    if (++this.packets < REKEY_INTERVAL) {
      this.nonceView.setUint32(0, this.packets, true);
      return;
    }
    this.nonceView.setUint32(0, 0xffffffff, true);
    chacha20(this.key, this.nonce, ZEROS.subarray(0, 32), this.nextKey, 1);
    this.key.set(this.nextKey);
    this.nextKey.fill(0);
    this.packets = 0;
    this.nonceView.setUint32(0, 0, true);
    setNonceEpoch(this.nonceView, ++this.epoch);
  }
}

/** The outputs of BIP 324 initialize_v2_transport's HKDF. */
export interface V2Keys {
  readonly initiatorL: Uint8Array;
  readonly initiatorP: Uint8Array;
  readonly responderL: Uint8Array;
  readonly responderP: Uint8Array;
  /** The first 16 bytes of the 'garbage_terminators' output. */
  readonly initiatorGarbageTerminator: Uint8Array;
  /** The last 16 bytes of the 'garbage_terminators' output. */
  readonly responderGarbageTerminator: Uint8Array;
  readonly sessionId: Uint8Array;
}

/** BIP 324 key derivation: HKDF-SHA256, salt 'bitcoin_v2_shared_secret' || the 4 magic bytes. */
export function deriveV2Keys(ecdhSecret: Uint8Array, magic: number): V2Keys {
  const salt = new Uint8Array(SALT_PREFIX.length + 4);
  salt.set(new TextEncoder().encode(SALT_PREFIX));
  new DataView(salt.buffer).setUint32(SALT_PREFIX.length, magic >>> 0, true);
  const prk = extract(sha256, ecdhSecret, salt);
  const okm = (info: string): Uint8Array => expand(sha256, prk, new TextEncoder().encode(info), 32);
  const terminators = okm('garbage_terminators');
  const keys: V2Keys = {
    initiatorL: okm('initiator_L'),
    initiatorP: okm('initiator_P'),
    responderL: okm('responder_L'),
    responderP: okm('responder_P'),
    initiatorGarbageTerminator: terminators.slice(0, GARBAGE_TERMINATOR_LEN),
    responderGarbageTerminator: terminators.slice(GARBAGE_TERMINATOR_LEN),
    sessionId: okm('session_id'),
  };
  prk.fill(0);
  terminators.fill(0);
  return keys;
}

/** Both directions of one session, as Core's BIP324Cipher: lengths and contents, in and out. */
export class PacketCipher {
  readonly sessionId: Uint8Array;
  readonly sendGarbageTerminator: Uint8Array;
  readonly recvGarbageTerminator: Uint8Array;
  private readonly sendL: FSChaCha20;
  private readonly sendP: FSChaCha20Poly1305;
  private readonly recvL: FSChaCha20;
  private readonly recvP: FSChaCha20Poly1305;
  private readonly lengthBytes = new Uint8Array(LENGTH_LEN);

  constructor(keys: V2Keys, initiator: boolean) {
    this.sessionId = keys.sessionId;
    this.sendL = new FSChaCha20(initiator ? keys.initiatorL : keys.responderL);
    this.sendP = new FSChaCha20Poly1305(initiator ? keys.initiatorP : keys.responderP);
    this.recvL = new FSChaCha20(initiator ? keys.responderL : keys.initiatorL);
    this.recvP = new FSChaCha20Poly1305(initiator ? keys.responderP : keys.initiatorP);
    this.sendGarbageTerminator = initiator ? keys.initiatorGarbageTerminator : keys.responderGarbageTerminator;
    this.recvGarbageTerminator = initiator ? keys.responderGarbageTerminator : keys.initiatorGarbageTerminator;
  }

  /** BIP 324 v2_enc_packet: one whole packet (contents.length + 20 bytes). */
  encrypt(contents: Uint8Array, aad: Uint8Array = EMPTY, ignore = false): Uint8Array {
    const packet = new Uint8Array(contents.length + EXPANSION);
    packet.set(contents, LENGTH_LEN + HEADER_LEN);
    return this.seal(packet, aad, ignore);
  }

  /**
   * Encrypts in place a packet laid out as [3 spare bytes][1 spare byte][contents][16 spare
   * bytes], whose contents are already written at offset 4: saves copying them.
   */
  seal(packet: Uint8Array, aad: Uint8Array = EMPTY, ignore = false): Uint8Array {
    const len = packet.length - EXPANSION;
    if (len < 0 || len > MAX_PACKET_CONTENTS) throw new RangeError(`packet contents of ${len} bytes`);
    packet[0] = len & 0xff;
    packet[1] = (len >>> 8) & 0xff;
    packet[2] = len >>> 16;
    this.sendL.crypt(packet.subarray(0, LENGTH_LEN), packet);
    packet[LENGTH_LEN] = ignore ? IGNORE_BIT : 0;
    const body = packet.subarray(LENGTH_LEN);
    this.sendP.encrypt(aad, body.subarray(0, body.length - TAG_LEN), body);
    return packet;
  }

  /** The contents length from the 3 encrypted length bytes (advances the length cipher). */
  decryptLength(encrypted: Uint8Array): number {
    const b = this.recvL.crypt(encrypted.subarray(0, LENGTH_LEN), this.lengthBytes);
    return b[0] | (b[1] << 8) | (b[2] << 16);
  }

  /**
   * Decrypts in place the rest of a packet (header + contents + tag, as received after its length
   * bytes): on success the header byte is at [0] and the contents follow it. Returns the header
   * byte (test it against IGNORE_BIT), or undefined when the packet does not authenticate.
   */
  openInPlace(body: Uint8Array, aad: Uint8Array = EMPTY): number | undefined {
    const plain = this.recvP.decrypt(aad, body, body.subarray(0, body.length - TAG_LEN));
    return plain === undefined ? undefined : plain[0];
  }
}
