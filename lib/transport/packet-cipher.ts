import { hmacKey, hmacShort, type HmacKey } from '../wire/hash.js';
import { EXPANSION, FSChaCha20, FSChaCha20Poly1305, GARBAGE_TERMINATOR_LEN, HEADER_LEN, IGNORE_BIT, LENGTH_LEN, MAX_PACKET_CONTENTS, TAG_LEN } from './cipher.js';
import { nodeAead, type NodeAead } from './node-aead.js';

/**
 * A BIP 324 session's keys and its packets, both directions ("Keys and session ID derivation",
 * "Overall packet encryption and decryption pseudocode"), in the shape of Bitcoin Core's
 * BIP324Cipher (src/bip324.cpp), over the rekeying ciphers of cipher.ts.
 */

/** BIP 324 initialize_v2_transport: salt = b'bitcoin_v2_shared_secret' + NETWORK_MAGIC. */
const SALT_PREFIX = 'bitcoin_v2_shared_secret';
const EMPTY = new Uint8Array(0);
/** decryptLength's scratch, shared by every session (it is synchronous). */
const LENGTH_BYTES = new Uint8Array(LENGTH_LEN);

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

/**
 * HKDF-SHA256 (RFC 5869) as BIP 324 uses it: each output is 32 bytes, one HMAC block, so Expand
 * is T(1) = HMAC(PRK, info || 0x01). Six outputs a handshake, and four more terminators to name a
 * peer of another network. The HMACs are lib/wire/hash.ts's (the key's padded blocks compressed
 * once, then two compressions an output): ~0.7 µs an output, where node:crypto's createHmac took
 * ~4 µs and @noble/hashes' HKDF ~8% of the crawler's CPU while 10,000 v2 handshakes ran. Checked
 * by BIP 324's test vectors.
 */
const encoder = new TextEncoder();
/** BIP 324's HKDF info strings. */
type Info = 'garbage_terminators' | 'initiator_L' | 'initiator_P' | 'responder_L' | 'responder_P' | 'session_id';
const withCounter = (info: Info): Uint8Array => Uint8Array.from([...encoder.encode(info), 1]);
/** Each info string with its counter byte 0x01, encoded once. */
const INFOS: Record<Info, Uint8Array> = {
  garbage_terminators: withCounter('garbage_terminators'),
  initiator_L: withCounter('initiator_L'),
  initiator_P: withCounter('initiator_P'),
  responder_L: withCounter('responder_L'),
  responder_P: withCounter('responder_P'),
  session_id: withCounter('session_id'),
};

/** HKDF-Expand to 32 bytes: a plain Uint8Array over hmacShort's Buffer (whose slice() would be a view, not a copy). */
function expand32(prk: HmacKey, info: Info): Uint8Array {
  const out = hmacShort(prk, INFOS[info]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

const SALT = new Uint8Array(SALT_PREFIX.length + 4);
SALT.set(encoder.encode(SALT_PREFIX));

/** HKDF-Extract with BIP 324's salt: 'bitcoin_v2_shared_secret' || the 4 magic bytes; the PRK as an HMAC key. */
function pseudoRandomKey(ecdhSecret: Uint8Array, magic: number): HmacKey {
  for (let i = 0; i < 4; i++) SALT[SALT_PREFIX.length + i] = (magic >>> (8 * i)) & 0xff;
  const prk = hmacShort(hmacKey(SALT), ecdhSecret);
  const key = hmacKey(prk);
  prk.fill(0);
  return key;
}

/** Wipes an HMAC key's midstates. */
function wipe(k: HmacKey): void {
  k.inner.fill(0);
  k.outer.fill(0);
}

/** BIP 324 key derivation: HKDF-SHA256, salt 'bitcoin_v2_shared_secret' || the 4 magic bytes. */
export function deriveV2Keys(ecdhSecret: Uint8Array, magic: number): V2Keys {
  const prk = pseudoRandomKey(ecdhSecret, magic);
  const okm = (info: Info): Uint8Array => expand32(prk, info);
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
  wipe(prk);
  terminators.fill(0);
  return keys;
}

/**
 * Only the responder's garbage terminator deriveV2Keys would give with `magic` (one HKDF output,
 * not six): what a node of that network would send us as initiator.
 */
export function responderGarbageTerminator(ecdhSecret: Uint8Array, magic: number): Uint8Array {
  const prk = pseudoRandomKey(ecdhSecret, magic);
  const terminators = expand32(prk, 'garbage_terminators');
  wipe(prk);
  const term = terminators.slice(GARBAGE_TERMINATOR_LEN);
  terminators.fill(0);
  return term;
}

/** Both directions of one session, as Core's BIP324Cipher: lengths and contents, in and out. */
export class PacketCipher {
  readonly sessionId: Uint8Array;
  /** Both garbage terminators, until the handshake is over (releaseTerminators). */
  sendGarbageTerminator: Uint8Array;
  recvGarbageTerminator: Uint8Array;
  private readonly sendL: FSChaCha20;
  private readonly sendP: FSChaCha20Poly1305;
  private readonly recvL: FSChaCha20;
  private readonly recvP: FSChaCha20Poly1305;

  /** `aead`: as FSChaCha20Poly1305's (Node's AEAD for large packets when available; `null` for JavaScript only). */
  constructor(keys: V2Keys, initiator: boolean, aead: NodeAead | null | undefined = nodeAead) {
    this.sessionId = keys.sessionId;
    this.sendL = new FSChaCha20(initiator ? keys.initiatorL : keys.responderL);
    this.sendP = new FSChaCha20Poly1305(initiator ? keys.initiatorP : keys.responderP, aead);
    this.recvL = new FSChaCha20(initiator ? keys.responderL : keys.initiatorL);
    this.recvP = new FSChaCha20Poly1305(initiator ? keys.responderP : keys.initiatorP, aead);
    this.sendGarbageTerminator = initiator ? keys.initiatorGarbageTerminator : keys.responderGarbageTerminator;
    this.recvGarbageTerminator = initiator ? keys.responderGarbageTerminator : keys.initiatorGarbageTerminator;
  }

  /** Lets go of the garbage terminators once theirs was found (ours went out before): two arrays a peer less. */
  releaseTerminators(): void {
    this.sendGarbageTerminator = EMPTY;
    this.recvGarbageTerminator = EMPTY;
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
    this.sendL.cryptAt(packet, 0, LENGTH_LEN);
    packet[LENGTH_LEN] = ignore ? IGNORE_BIT : 0;
    this.sendP.sealAt(aad, packet, packet, LENGTH_LEN, HEADER_LEN + len);
    return packet;
  }

  /** The contents length from the 3 encrypted length bytes (advances the length cipher). */
  decryptLength(encrypted: Uint8Array): number {
    const b = LENGTH_BYTES;
    const n = Math.min(LENGTH_LEN, encrypted.length);
    for (let i = 0; i < n; i++) b[i] = encrypted[i];
    this.recvL.cryptAt(b, 0, n);
    return b[0] | (b[1] << 8) | (b[2] << 16);
  }

  /**
   * Decrypts in place the rest of a packet (header + contents + tag, as received after its length
   * bytes): on success the header byte is at [0] and the contents follow it. Returns the header
   * byte (test it against IGNORE_BIT), or undefined when the packet does not authenticate.
   */
  /**
   * Header + contents of the packet whose rest (header + contents + tag, `n` bytes) is
   * input[at, at + n), as a new array, input untouched; undefined when it does not authenticate
   * or has no header byte. For a packet whole in one read chunk.
   */
  openFrom(input: Uint8Array, at: number, n: number, aad: Uint8Array = EMPTY): Uint8Array | undefined {
    const len = n - TAG_LEN;
    if (len < 0) throw new RangeError('ciphertext and output sizes do not match');
    const plain = this.recvP.openOut(aad, input, at, len);
    return plain !== undefined && len > 0 ? plain : undefined;
  }

  openInPlace(body: Uint8Array, aad: Uint8Array = EMPTY): number | undefined {
    const len = body.length - TAG_LEN;
    if (len < 0) throw new RangeError('ciphertext and output sizes do not match');
    return this.recvP.openAt(aad, body, body, 0, len) && len > 0 ? body[0] : undefined; // no header byte: undefined
  }
}
