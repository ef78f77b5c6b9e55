import { EXPANSION, GARBAGE_TERMINATOR_LEN, HEADER_LEN, IGNORE_BIT, LENGTH_LEN, TAG_LEN } from './cipher.js';
import { deriveV2Keys, PacketCipher, responderGarbageTerminator } from './packet-cipher.js';
import { ELLSWIFT_BYTES } from './ellswift.js';
import { ellswiftCreate, randomPrivateKey, v2Ecdh } from './v2-ecdh.js';
import { V2Error } from './errors.js';
import { findTerminator, MAX_GARBAGE_LEN, randomGarbage, type OtherTerminator } from './v2-garbage.js';
import { GrowingBuffer } from '../wire/growing-buffer.js';
import { NETWORK_NAMES, NETWORKS } from '../wire/network.js';
import { looksLikeV1Version, V1_PREFIX_LEN, VERSION_SUFFIX } from './v1-prefix.js';
import { contentsBytes, decodeContents, MAX_V2_CONTENTS, packetWithContents } from './v2-contents.js';
import { MAX_HELD_BEFORE_AGREED, type V2Output, type V2SessionOptions } from './v2-types.js';

export { MAX_V2_CONTENTS, V2_SHORT_IDS } from './v2-contents.js';
export { MAX_HELD_BEFORE_AGREED, type AgreeRequest, type V2Output, type V2SessionOptions } from './v2-types.js';
export { looksLikeV1Version, mismatchesV1Prefix, V1_PREFIX_LEN } from './v1-prefix.js';

export { MAX_GARBAGE_LEN } from './v2-garbage.js';

type State = 'key' | 'agree' | 'garbage' | 'version' | 'app';
const EMPTY = new Uint8Array(0);
/** No other networks' terminators (a responder's, and everyone's after the handshake): one shared empty list. */
const NONE: readonly never[] = [];
/**
 * A BIP 324 session as a pure state machine, after Core's V2Transport (src/net.cpp): no I/O, no
 * timers. Call start() once and write its bytes (a responder should first have seen a byte that
 * mismatchesV1Prefix), feed every received chunk to receive() and act on its outputs, and turn
 * messages into packets with encrypt() once the 'send' output went out. Bytes are taken as they
 * come, 1 at a time or all at once; at most the packet in progress is held (its length checked
 * first, its buffer grown as its bytes come: GrowingBuffer), plus 4111 bytes while looking for
 * the garbage terminator. A V2Error ends the
 * session: every later call to receive() throws it again. A peer that goes quiet mid-key or
 * mid-packet is the caller's concern (its timeouts); nothing here waits.
 */
export class V2Session {
  private readonly initiator: boolean;
  private readonly magic: number;
  private readonly agreeOutside: boolean;
  /** Chunks (copies) received while the secret is computed outside, and their bytes. */
  private held: Uint8Array[] | undefined;
  private heldFill = 0;
  /** Our key, its encoding and theirs as it comes: let go once the keys are derived (only the ciphers stay). */
  private kx: { readonly privkey: Uint8Array; readonly ours: Uint8Array; readonly theirs: Uint8Array } | undefined;
  private garbage: Uint8Array;
  private started = false;
  private state: State = 'key';
  private failure: V2Error | undefined;
  private cipher: PacketCipher | undefined;
  private theirsFill = 0;
  /** Received garbage + terminator while in 'garbage'; then the garbage, as AAD of the first packet. */
  private recvGarbage: Uint8Array = EMPTY;
  private recvGarbageFill = 0;
  /** The garbage terminators a peer of each other network would send us (to name its network). */
  private otherTerminators: readonly OtherTerminator[] = NONE;
  private readonly lengthBytes = new Uint8Array(LENGTH_LEN);
  private lengthFill = 0;
  /** Header + contents + tag of the packet being received, once its length is known (as it comes). */
  private readonly body = new GrowingBuffer();

  constructor(options: V2SessionOptions) {
    this.initiator = options.initiator;
    this.magic = options.magic;
    this.agreeOutside = options.agreeOutside ?? false;
    if (options.ellswift !== undefined && options.privkey === undefined) throw new RangeError('ellswift needs the privkey it encodes');
    // A copy: it is wiped once the shared secret is known (BIP 324 forward secrecy).
    const privkey = options.privkey === undefined ? randomPrivateKey() : Uint8Array.from(options.privkey);
    const ours = options.ellswift ?? ellswiftCreate(privkey);
    if (ours.length !== ELLSWIFT_BYTES) throw new RangeError(`ellswift is ${ELLSWIFT_BYTES} bytes`);
    this.kx = { privkey, ours, theirs: new Uint8Array(ELLSWIFT_BYTES) };
    this.garbage = options.garbage ?? randomGarbage();
    if (this.garbage.length > MAX_GARBAGE_LEN) throw new RangeError(`garbage is at most ${MAX_GARBAGE_LEN} bytes`);
  }

  /** The session id (BIP 324), once the keys are known. */
  get sessionId(): Uint8Array | undefined {
    return this.cipher?.sessionId;
  }

  /** Bytes received and held, not yet part of an output. */
  get bufferedBytes(): number {
    return this.theirsFill + this.heldFill + (this.state === 'garbage' ? this.recvGarbageFill : 0) + this.lengthFill + this.body.filled;
  }

  /** Bytes of buffer held for the packet in progress (see GrowingBuffer). */
  get heldBytes(): number {
    return this.body.held;
  }

  /** Our key and garbage: the first bytes to send. Once. */
  start(): Uint8Array {
    if (this.started) throw new Error('V2Session.start() called twice');
    this.started = true;
    const out = new Uint8Array(ELLSWIFT_BYTES + this.garbage.length);
    out.set(this.exchange().ours);
    out.set(this.garbage, ELLSWIFT_BYTES);
    return out;
  }

  /**
   * Appends what `chunk` makes to `out` (returned), in stream order, even when it throws: the
   * packets authenticated before a failure in the same chunk go on, as they would had the stream
   * been cut just before it.
   */
  receive(chunk: Uint8Array, out: V2Output[] = []): V2Output[] {
    if (this.failure) throw this.failure;
    if (!this.started) throw new Error('V2Session.receive() before start()');
    try {
      let at = 0;
      while (at < chunk.length) {
        if (this.state === 'agree') at = this.hold(chunk, at);
        else if (this.state === 'key') at = this.readKey(chunk, at, out);
        else if (this.state === 'garbage') at = this.readGarbage(chunk, at);
        else at = this.readPacket(chunk, at, out);
      }
    } catch (err) {
      if (err instanceof V2Error) this.failure = err;
      throw err;
    }
    return out;
  }

  /** The size of the packet encrypt() makes for this message: the contents (short id or 0x00 + 12-byte command, then the payload) and EXPANSION. */
  static packetBytes(command: string, payloadBytes: number): number {
    return contentsBytes(command, payloadBytes) + EXPANSION;
  }

  /** One packet carrying `command` (short id when BIP 324 has one, else 0x00 + 12 bytes) and payload. */
  encrypt(command: string, payload: Uint8Array): Uint8Array {
    return this.keyed().seal(packetWithContents(command, payload));
  }

  /** One packet with raw contents: a decoy when `ignore` (BIP 324 ignore bit), or a test's own encoding. */
  encryptPacket(contents: Uint8Array, ignore = false): Uint8Array {
    if (contents.length > MAX_V2_CONTENTS) throw new RangeError(`packet contents of ${contents.length} bytes is too large`);
    return this.keyed().encrypt(contents, EMPTY, ignore);
  }

  private exchange(): NonNullable<V2Session['kx']> {
    if (this.kx === undefined) throw new Error('V2Session: the key exchange is over');
    return this.kx;
  }

  private keyed(): PacketCipher {
    if (this.cipher === undefined) throw new Error('V2Session cannot encrypt before the key exchange');
    return this.cipher;
  }

  private readKey(chunk: Uint8Array, at: number, out: V2Output[]): number {
    const kx = this.exchange();
    const take = Math.min(ELLSWIFT_BYTES - this.theirsFill, chunk.length - at);
    kx.theirs.set(chunk.subarray(at, at + take), this.theirsFill);
    const before = this.theirsFill;
    this.theirsFill += take;
    // Core checks this as responder only (its v1 responders never speak first); as initiator we
    // check too: bcoin answers any connection with its v1 version at once, and the sooner we know,
    // the fewer of our bytes it reads as bad v1 headers (and bans us for).
    if (before < V1_PREFIX_LEN && this.theirsFill >= V1_PREFIX_LEN) this.refuseV1(kx.theirs);
    if (this.theirsFill < ELLSWIFT_BYTES) return at + take;
    if (this.agreeOutside) {
      this.state = 'agree';
      out.push({ kind: 'agree', request: { privkey: kx.privkey, theirs: kx.theirs, ours: kx.ours, initiator: this.initiator } });
    } else {
      this.keysFrom(v2Ecdh(kx.privkey, kx.theirs, kx.ours, this.initiator), out);
    }
    return at + take;
  }

  /**
   * agreeOutside: the shared secret of the `agree` output; then what was held meanwhile, as
   * receive() would have taken it, appended to `out` as receive() does (even when it throws).
   */
  agreed(secret: Uint8Array, out: V2Output[] = []): V2Output[] {
    if (this.failure) throw this.failure;
    if (this.state !== 'agree') throw new Error('V2Session.agreed() without an agree output');
    this.keysFrom(secret, out);
    const held = this.held ?? [];
    this.held = undefined;
    this.heldFill = 0;
    for (const chunk of held) this.receive(chunk, out);
    return out;
  }

  private hold(chunk: Uint8Array, at: number): number {
    this.heldFill += chunk.length - at;
    if (this.heldFill > MAX_HELD_BEFORE_AGREED) throw new V2Error('garbage-too-long', `more than ${MAX_HELD_BEFORE_AGREED} bytes before the shared secret was known`);
    const copy = new Uint8Array(chunk.length - at); // the chunk is valid during receive() only; a socket's Buffer.slice() is a view
    (this.held ??= []).push(copy);
    copy.set(chunk.subarray(at));
    return chunk.length;
  }

  /**
   * Core ProcessReceivedKeyBytes: derive the keys, then send the garbage terminator and the
   * version packet, which carries our garbage as AAD (BIP 324: the first packet after the
   * terminator authenticates the garbage; Core sends no decoys before it, nor do we).
   */
  private keysFrom(secret: Uint8Array, out: V2Output[]): void {
    const kx = this.exchange();
    const keys = deriveV2Keys(secret, this.magic);
    // A node of another network derives its keys with its own magic (the HKDF salt): its garbage
    // terminator is the one we would get with that magic. Four more HKDF outputs name its network. As
    // initiator only (the crawler's side): a responder behaves as Core's, which cannot tell.
    if (this.initiator) {
      this.otherTerminators = NETWORK_NAMES.map((n) => NETWORKS[n].magic)
        .filter((m) => m !== this.magic >>> 0)
        .map((magic) => ({ magic, term: responderGarbageTerminator(secret, magic) }));
    }
    secret.fill(0);
    this.cipher = new PacketCipher(keys, this.initiator);
    for (const k of [keys.initiatorL, keys.initiatorP, keys.responderL, keys.responderP]) k.fill(0);
    kx.privkey.fill(0);
    this.kx = undefined;
    this.theirsFill = 0;
    const version = this.cipher.encrypt(EMPTY, this.garbage); // BIP 324 TRANSPORT_VERSION = b''
    const bytes = new Uint8Array(GARBAGE_TERMINATOR_LEN + version.length);
    bytes.set(this.cipher.sendGarbageTerminator);
    bytes.set(version, GARBAGE_TERMINATOR_LEN);
    this.garbage = EMPTY;
    this.state = 'garbage';
    this.recvGarbage = Buffer.allocUnsafeSlow(MAX_GARBAGE_LEN + GARBAGE_TERMINATOR_LEN); // only its filled part is ever read
    this.recvGarbageFill = 0;
    out.push({ kind: 'send', bytes });
  }

  /** Core ProcessReceivedKeyBytes: "version\0\0\0\0\0" at bytes 4..16 is a v1 peer, not a key. */
  private refuseV1(theirs: Uint8Array): void {
    for (let i = 4; i < V1_PREFIX_LEN; i++) if (theirs[i] !== VERSION_SUFFIX[i - 4]) return;
    if (looksLikeV1Version(theirs, this.magic)) throw new V2Error('v1-peer', 'the peer sent a v1 version message, not a v2 key');
    const magic = (theirs[0] | (theirs[1] << 8) | (theirs[2] << 16) | (theirs[3] << 24)) >>> 0;
    throw new V2Error('wrong-network-v1', 'the peer sent a v1 version message for another network', magic);
  }

  /** Core ProcessReceivedGarbageBytes: each chunk appended, then searched (findTerminator). */
  private readGarbage(chunk: Uint8Array, at: number): number {
    const buf = this.recvGarbage as Buffer;
    const fill = this.recvGarbageFill;
    const take = Math.min(chunk.length - at, buf.length - fill);
    buf.set(chunk.subarray(at, at + take), fill);
    const found = findTerminator(buf, fill, fill + take, this.keyed().recvGarbageTerminator, this.otherTerminators);
    if (found >= 0) {
      this.recvGarbage = buf.subarray(0, found);
      this.recvGarbageFill = 0;
      this.state = 'version';
      this.otherTerminators = NONE;
      this.keyed().releaseTerminators();
      return at + (found + GARBAGE_TERMINATOR_LEN - fill);
    }
    this.recvGarbageFill = fill + take;
    if (this.recvGarbageFill === buf.length) throw new V2Error('garbage-too-long', `no garbage terminator within ${MAX_GARBAGE_LEN} bytes of garbage`);
    return at + take;
  }

  /**
   * Core ProcessReceivedPacketBytes: 3 length bytes, checked, then header + contents + tag. A
   * packet whole in the chunk is decrypted straight from it into its own array; one that comes
   * in pieces is gathered first (GrowingBuffer) and decrypted in place.
   */
  private readPacket(chunk: Uint8Array, at: number, out: V2Output[]): number {
    const cipher = this.keyed();
    if (!this.body.active) {
      const take = Math.min(LENGTH_LEN - this.lengthFill, chunk.length - at);
      for (let i = 0; i < take; i++) this.lengthBytes[this.lengthFill + i] = chunk[at + i];
      this.lengthFill += take;
      at += take;
      if (this.lengthFill < LENGTH_LEN) return at;
      const len = cipher.decryptLength(this.lengthBytes);
      if (len > MAX_V2_CONTENTS) throw new V2Error('oversized', `packet of ${len} contents bytes, more than ${MAX_V2_CONTENTS}`);
      const n = HEADER_LEN + len + TAG_LEN;
      if (chunk.length - at >= n) {
        this.lengthFill = 0;
        this.opened(cipher.openFrom(chunk, at, n, this.recvGarbage), len, out);
        return at + n;
      }
      this.body.begin(n);
    }
    at = this.body.append(chunk, at);
    const body = this.body.complete();
    if (body === undefined) return at;
    this.lengthFill = 0;
    const header = cipher.openInPlace(body, this.recvGarbage);
    this.opened(header === undefined ? undefined : body.subarray(0, body.length - TAG_LEN), body.length - HEADER_LEN - TAG_LEN, out);
    return at;
  }

  /** A packet's header + contents once decrypted (undefined: it did not authenticate), `len` contents bytes. */
  private opened(plain: Uint8Array | undefined, len: number, out: V2Output[]): void {
    if (plain === undefined) {
      if (this.state === 'version') throw new V2Error('bad-version-packet', 'a handshake packet failed authentication (altered garbage?)');
      throw new V2Error('bad-tag', `a packet of ${len} contents bytes failed authentication`);
    }
    this.recvGarbage = EMPTY; // only the first packet after the terminator carries it (Core: ClearShrink(m_recv_aad))
    if ((plain[0] & IGNORE_BIT) !== 0) return; // decoy
    if (this.state === 'version') {
      this.state = 'app';
      out.push({ kind: 'ready', sessionId: this.keyed().sessionId });
    } else {
      out.push(decodeContents(plain.subarray(HEADER_LEN)));
    }
  }
}
