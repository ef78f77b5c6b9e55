/**
 * Fuzzes the decoders, in two targets:
 * - wire: random and mutated frames through the Framer (in random chunks) and every decoder
 *   (every command's codec, decodeTx, decodeBlock). Seeds: the shared vectors' transactions and
 *   blocks and every codec's own encodings. Anything escaping but DecodeError or FramingError is
 *   a bug.
 * - v2: BIP 324 sessions (a responder, and an initiator) fed random bytes, random bytes after a
 *   valid handshake prefix, and recorded session streams mutated with the same operators, all in
 *   random chunks. Anything escaping but V2Error is a bug, and so is any output that is not a
 *   prefix of what the unaltered stream gives (an altered packet must never authenticate).
 * A failing case throws with its bytes as hex. Run by spec/wire/fuzz.spec.ts and
 * spec/transport/fuzz.spec.ts (a few thousand cases each) and by `npm run fuzz` (scripts/fuzz.ts).
 */
import { performance } from 'node:perf_hooks';
import { GARBAGE_TERMINATOR_LEN } from '../../lib/transport/cipher.js';
import { ELLSWIFT_BYTES } from '../../lib/transport/ellswift.js';
import { ellswiftCreate } from '../../lib/transport/v2-ecdh.js';
import { V2Error, type V2ErrorReason } from '../../lib/transport/errors.js';
import { MAX_GARBAGE_LEN, V1_PREFIX_LEN, V2Session, type V2Output } from '../../lib/transport/v2.js';
import { decodeBlock } from '../../lib/wire/block.js';
import { decodeTx } from '../../lib/wire/transaction.js';
import { DecodeError, FramingError } from '../../lib/wire/errors.js';
import { Framer } from '../../lib/wire/framer.js';
import { encodeFrame } from '../../lib/wire/header.js';
import { fromHex } from '../../lib/wire/hex.js';
import { InvType, type Message } from '../../lib/wire/messages.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { checksumLeftToDecoder, decodeMessage, encodePayload, maxPayloadFor } from '../../lib/wire/registry.js';
import { readVectors, typicalTxVectors } from './vectors.js';

const MAGIC = NETWORKS.regtest.magic;
/** Larger vectors are left out of the seeds: mutating megabytes a million times is slow. */
const MAX_SEED_BYTES = 20_000;
/** CompactSize boundary values written over random places. */
const BOUNDARIES = ['fc', 'fd', 'fdfc00', 'fdfd00', 'fdffff', 'fe', 'feffff0000', 'fe00000100', 'feffffffff', 'ff', 'ffffffffffffffffff', 'ff0000000001000000'].map(fromHex);

/** A small, fast, seedable PRNG (xorshift32): a failing case can be replayed from its seed. */
class Rng {
  constructor(private s: number) {
    if (this.s === 0) this.s = 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

interface Seed {
  readonly command: string;
  readonly payload: Uint8Array;
}

function sampleMessages(): Message[] {
  const h = new Uint8Array(32).fill(7);
  return [
    { command: 'version', version: 70016, services: 0x409n, timestamp: 1_700_000_000n, addrRecv: { services: 0n, ip: new Uint8Array(16), port: 8333 }, addrFrom: { services: 0n, ip: new Uint8Array(16), port: 0 }, nonce: 42n, userAgent: '/Satoshi:27.0.0/', startHeight: 850_000, relay: true },
    { command: 'verack' },
    { command: 'ping', nonce: 1n },
    { command: 'pong', nonce: 2n },
    { command: 'inv', items: [{ type: InvType.WTX, hash: h }, { type: InvType.BLOCK, hash: h }] },
    { command: 'getdata', items: [{ type: InvType.WITNESS_TX, hash: h }] },
    { command: 'notfound', items: [{ type: InvType.TX, hash: h }] },
    { command: 'headers', headers: [{ version: 0x20000000, prevBlock: h, merkleRoot: h, time: 1, bits: 0x207fffff, nonce: 3, hash: h }] },
    { command: 'getheaders', version: 70016, locator: [h, h], stop: new Uint8Array(32) },
    { command: 'getblocks', version: 70016, locator: [h], stop: h },
    { command: 'addr', addrs: [{ time: 1, services: 1n, ip: new Uint8Array(16), port: 8333 }] },
    { command: 'addrv2', addrs: [{ time: 1, services: 1n, networkId: 4, addr: new Uint8Array(32).fill(1), port: 8333 }, { time: 1, services: 1n, networkId: 1, addr: Uint8Array.of(1, 2, 3, 4), port: 1 }] },
    { command: 'feefilter', feerate: 1000n },
    { command: 'sendcmpct', announce: true, version: 2n },
    { command: 'getblocktxn', hash: h, indexes: [0, 1, 300, 0xffff] },
    { command: 'sendaddrv2' },
    { command: 'wtxidrelay' },
  ];
}

export function seeds(): Seed[] {
  const out: Seed[] = sampleMessages().map((m) => ({ command: m.command, payload: encodePayload(m) }));
  for (const [file, command] of [
    ['transactions.ndjson', 'tx'],
    ['blocks.ndjson', 'block'],
  ] as const) {
    for (const v of readVectors<{ hex: string }>(file)) if (v.hex.length / 2 <= MAX_SEED_BYTES) out.push({ command, payload: fromHex(v.hex) });
  }
  // BIP 152 messages carrying a real transaction (prefilled, and in a blocktxn).
  const tx = decodeTx(fromHex(readVectors<{ hex: string }>('transactions.ndjson')[0].hex));
  const h = new Uint8Array(32).fill(9);
  const header = { version: 0x20000000, prevBlock: h, merkleRoot: h, time: 1, bits: 0x207fffff, nonce: 3, hash: h };
  for (const m of [
    { command: 'cmpctblock', header, nonce: 7n, shortIds: [1, 0xffff_ffff_ffff, 3], prefilled: [{ index: 0, tx }, { index: 2, tx }] },
    { command: 'blocktxn', hash: h, txs: [tx, tx] },
  ] as const satisfies readonly Message[]) {
    out.push({ command: m.command, payload: encodePayload(m) });
  }
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

function mutate(rng: Rng, bytes: Uint8Array, all: readonly Seed[]): Uint8Array {
  let b: Uint8Array = Uint8Array.from(bytes);
  const rounds = 1 + rng.below(4);
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : rng.below(b.length);
    switch (rng.below(7)) {
      case 0: // bit flip
        if (b.length > 0) b[at] ^= 1 << rng.below(8);
        break;
      case 1: // random byte
        if (b.length > 0) b[at] = rng.below(256);
        break;
      case 2: {
        // insert bytes
        const ins = Uint8Array.from({ length: 1 + rng.below(8) }, () => rng.below(256));
        b = concat(b.subarray(0, at), ins, b.subarray(at));
        break;
      }
      case 3: // delete bytes
        b = concat(b.subarray(0, at), b.subarray(at + 1 + rng.below(8)));
        break;
      case 4: // truncate
        b = b.slice(0, at);
        break;
      case 5: {
        // splice with another seed
        const other = all[rng.below(all.length)].payload;
        const from = other.length === 0 ? 0 : rng.below(other.length);
        b = concat(b.subarray(0, at), other.subarray(from, from + 1 + rng.below(64)));
        break;
      }
      default: {
        // a CompactSize boundary value over whatever was there
        const v = BOUNDARIES[rng.below(BOUNDARIES.length)];
        const next = Uint8Array.from(b);
        next.set(v.subarray(0, Math.max(0, next.length - at)), at);
        b = next;
      }
    }
  }
  return b;
}

export interface FuzzResult {
  readonly cases: number;
  readonly decoded: number;
  readonly refused: number;
  readonly seconds: number;
}

/** Throws the first error that is neither DecodeError nor FramingError, with the case attached. */
export function fuzz(cases: number, seed = 0x5eed): FuzzResult {
  const rng = new Rng(seed);
  const all = seeds();
  let decoded = 0;
  let refused = 0;
  const t0 = performance.now();
  const attempt = (what: string, bytes: Uint8Array, f: () => unknown): void => {
    try {
      f();
      decoded++;
    } catch (err) {
      if (err instanceof DecodeError || err instanceof FramingError) {
        refused++;
        return;
      }
      const e = new Error(`fuzz: ${what} threw ${(err as Error)?.name}: ${(err as Error)?.message}\ncase (seed ${seed}): ${Buffer.from(bytes).toString('hex')}`);
      (e as Error & { cause?: unknown }).cause = err;
      throw e;
    }
  };
  for (let i = 0; i < cases; i++) {
    const s = all[rng.below(all.length)];
    const kind = rng.below(10);
    if (kind < 5) {
      // A mutated payload straight into its own decoder, or another command's.
      const payload = mutate(rng, s.payload, all);
      const command = rng.below(4) === 0 ? all[rng.below(all.length)].command : s.command;
      attempt(`decodeMessage(${command})`, payload, () => decodeMessage({ command, payload }));
    } else if (kind < 8) {
      // Whole frames, mutated anywhere (header included), through the framer in random chunks.
      const stream = mutate(rng, encodeFrame(MAGIC, s.command, s.payload), all);
      attempt('framer', stream, () => {
        const framer = new Framer(MAGIC, maxPayloadFor, checksumLeftToDecoder);
        for (let at = 0; at < stream.length; ) {
          const n = 1 + rng.below(Math.max(1, stream.length));
          for (const frame of framer.push(stream.subarray(at, at + n))) decodeMessage(frame);
          at += n;
        }
      });
    } else if (kind < 9) {
      const bytes = rng.below(8) === 0 ? Uint8Array.from({ length: rng.below(200) }, () => rng.below(256)) : mutate(rng, s.payload, all);
      attempt('decodeTx', bytes, () => decodeTx(bytes));
    } else {
      const bytes = mutate(rng, s.payload, all);
      attempt('decodeBlock', bytes, () => decodeBlock(bytes));
    }
  }
  return { cases, decoded, refused, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// v2: BIP 324 sessions

type Side = 'initiator' | 'responder';

/** One side's fixed key and garbage: a fresh session with them replays a recorded handshake. */
interface V2Party {
  readonly privkey: Uint8Array;
  readonly ellswift: Uint8Array;
  readonly garbage: Uint8Array;
}

/** The bytes one side sent in a recorded session, and what the other side made of them. */
interface V2Recording {
  /** The side that receives `stream`, with its key and garbage. */
  readonly to: Side;
  readonly receiver: V2Party;
  readonly stream: Uint8Array;
  /** Offsets where the key, the garbage terminator and every packet end. */
  readonly boundaries: readonly number[];
  /** The receiver's outputs (besides bytes to send) for the whole unaltered stream, as text. */
  readonly expected: readonly string[];
}

type Sendable = { readonly command: string; readonly payload: Uint8Array } | { readonly contents: Uint8Array; readonly ignore: boolean };

const V2_MAGIC = NETWORKS.mainnet.magic;
/** The first 16 bytes of a v1 `version` message, on our network and on another: a v1 peer. */
const V1_PREFIXES = [V2_MAGIC, NETWORKS.testnet.magic].map((m) => encodeFrame(m, 'version', new Uint8Array(0)).subarray(0, V1_PREFIX_LEN));

const shown = (o: V2Output): string =>
  o.kind === 'message' ? `${o.command}:${Buffer.from(o.payload).toString('hex')}` : o.kind === 'dropped' ? `dropped:${o.reason}:${o.bytes}` : o.kind;
const sentBytes = (outs: readonly V2Output[]): Uint8Array[] => outs.flatMap((o) => (o.kind === 'send' ? [o.bytes] : []));
const randomBytes = (rng: Rng, n: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.below(256));
const session = (side: Side, p: V2Party): V2Session => new V2Session({ initiator: side === 'initiator', magic: V2_MAGIC, ...p });

function party(tag: number, garbageBytes: number): V2Party {
  const privkey = new Uint8Array(32).fill(tag);
  const ellswift = ellswiftCreate(privkey, new Uint8Array(32).fill(tag + 1));
  return { privkey, ellswift, garbage: Uint8Array.from({ length: garbageBytes }, (_, i) => (i * 7 + tag) & 0xff) };
}

/** Packets of every kind: short ids, 12-byte commands, decoys, an unknown id, bad commands, transactions. */
function everyKindOfPacket(): Sendable[] {
  return [
    ...sampleMessages().map((m) => ({ command: m.command, payload: encodePayload(m) })),
    { contents: fromHex('0102030405'), ignore: true },
    { contents: new Uint8Array(0), ignore: true },
    { contents: fromHex('f0aabb'), ignore: false }, // an unknown short id
    { contents: new Uint8Array(0), ignore: false }, // no message type at all
    { contents: fromHex('0076657273696f6e0100000000'), ignore: false }, // 0x00 + "version\x01…": no command
    { command: 'getaddr', payload: new Uint8Array(0) },
    ...typicalTxVectors(600)
      .slice(0, 3)
      .map((t) => ({ command: 'tx', payload: fromHex(t.hex) })),
  ];
}

/** 240 small packets each way, one in ten a decoy: across a rekey of both ciphers (every 224 packets). */
function manySmallPackets(): Sendable[] {
  return Array.from({ length: 240 }, (_, i): Sendable =>
    i % 10 === 9 ? { contents: Uint8Array.of(i), ignore: true } : { command: 'ping', payload: encodePayload({ command: 'ping', nonce: BigInt(i) }) },
  );
}

const seal = (s: V2Session, p: Sendable): Uint8Array => ('command' in p ? s.encrypt(p.command, p.payload) : s.encryptPacket(p.contents, p.ignore));

/** An initiator and a responder in this process: the handshake, then `packets` each way; one recording per direction. */
function record(tag: number, garbage: Readonly<Record<Side, number>>, packets: readonly Sendable[]): V2Recording[] {
  const parties: Record<Side, V2Party> = { initiator: party(tag, garbage.initiator), responder: party(tag + 2, garbage.responder) };
  const i = session('initiator', parties.initiator);
  const r = session('responder', parties.responder);
  // [key + garbage, terminator + version packet, packets…] each way.
  const toR = [i.start()];
  const toI = [r.start()];
  toI.push(...sentBytes(r.receive(toR[0])));
  toR.push(...sentBytes(i.receive(concat(...toI))));
  r.receive(toR[1]);
  for (const p of packets) {
    toR.push(seal(i, p));
    toI.push(seal(r, p));
  }
  const delivered = 1 + packets.filter((p) => !('ignore' in p && p.ignore)).length; // 'ready', then every packet but decoys
  return [recording('responder', parties.responder, toR, delivered), recording('initiator', parties.initiator, toI, delivered)];
}

function recording(to: Side, receiver: V2Party, parts: readonly Uint8Array[], delivered: number): V2Recording {
  const boundaries = [ELLSWIFT_BYTES, parts[0].length + GARBAGE_TERMINATOR_LEN];
  let end = parts[0].length;
  for (const part of parts.slice(1)) boundaries.push((end += part.length));
  const stream = concat(...parts);
  const s = session(to, receiver);
  s.start();
  const expected = s.receive(stream).flatMap((o) => (o.kind === 'send' ? [] : [shown(o)]));
  if (expected.length !== delivered) throw new Error(`fuzz v2: a fresh ${to} replays ${expected.length} outputs of the recording, not ${delivered}`);
  return { to, receiver, stream, boundaries, expected };
}

let recordings: V2Recording[] | undefined;

/** Recorded sessions: every kind of packet; many small ones across rekeys; the most garbage allowed. */
function v2Recordings(): V2Recording[] {
  recordings ??= [
    ...record(3, { initiator: 0, responder: 37 }, everyKindOfPacket()),
    ...record(7, { initiator: 300, responder: 0 }, manySmallPackets()),
    ...record(11, { initiator: MAX_GARBAGE_LEN, responder: 1 }, everyKindOfPacket().slice(0, 4)),
  ];
  return recordings;
}

/** The bytes of one case for `rec`'s receiver: random, random after a valid prefix, or the recording mutated. */
function v2Input(rng: Rng, rec: V2Recording, splices: readonly Seed[]): Uint8Array {
  switch (rng.below(4)) {
    case 0: {
      // Random bytes: short of a key, a key and a little, or enough to overrun the garbage limit;
      // sometimes after a v1 `version` header (a v1 peer: both sides look for one).
      const random = randomBytes(rng, rng.below([ELLSWIFT_BYTES, 400, 5_000][rng.below(3)] + 1));
      return rng.below(4) === 0 ? concat(V1_PREFIXES[rng.below(V1_PREFIXES.length)], random) : random;
    }
    case 1: {
      // Random bytes where the key, the terminator or a packet ended: a random length, header, tag.
      const at = rec.boundaries[rng.below(rec.boundaries.length)];
      return concat(rec.stream.subarray(0, at), randomBytes(rng, 1 + rng.below(100)));
    }
    default:
      return mutate(rng, rec.stream, splices);
  }
}

/** How a case's bytes are cut into chunks: all at once, a byte at a time, small pieces, or any. */
function chunkSizes(rng: Rng, length: number): number[] {
  const mode = rng.below(4);
  const sizes: number[] = [];
  for (let left = length; left > 0; ) {
    const n = Math.min(left, mode === 0 ? left : mode === 1 ? 1 : mode === 2 ? 1 + rng.below(16) : 1 + rng.below(length));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

/** A fresh session of `rec`'s receiver fed `bytes` in chunks: its outputs, and the V2Error it ended with if any. */
function runV2(rec: V2Recording, bytes: Uint8Array, sizes: readonly number[]): { outputs: string[]; error?: V2Error } {
  const s = session(rec.to, rec.receiver);
  s.start();
  const outputs: string[] = [];
  let at = 0;
  try {
    for (const n of sizes) {
      for (const o of s.receive(bytes.subarray(at, (at += n)))) if (o.kind !== 'send') outputs.push(shown(o));
    }
  } catch (err) {
    if (!(err instanceof V2Error)) throw err;
    // V2Session's contract: the session is over, every later receive() throws the same error.
    let again: unknown;
    try {
      s.receive(new Uint8Array(1));
    } catch (e) {
      again = e;
    }
    if (again !== err) throw new Error(`receive() after a V2Error threw ${String(again)}, not the same error`);
    return { outputs, error: err };
  }
  return { outputs };
}

export interface V2FuzzResult {
  readonly cases: number;
  readonly seconds: number;
  /** Cases by the receiving side. */
  readonly responder: number;
  readonly initiator: number;
  /** Cases that ended in a V2Error, by reason. */
  readonly refused: Readonly<Partial<Record<V2ErrorReason, number>>>;
  /** Cases without an error: everything the unaltered stream gives came out, or a prefix of it (input cut short). */
  readonly complete: number;
  readonly partial: number;
  /** Outputs ('ready', messages, dropped packets) across all cases, each as the unaltered stream gives it. */
  readonly outputs: number;
}

/**
 * Throws on the first case where anything but a V2Error escapes, or where a session outputs
 * anything the unaltered stream would not have (in that place), with the case attached.
 */
export function fuzzV2(cases: number, seed = 0x5eed): V2FuzzResult {
  const rng = new Rng(seed);
  const recs = v2Recordings();
  const splices: Seed[] = recs.map((r) => ({ command: 'v2', payload: r.stream }));
  const refused: Partial<Record<V2ErrorReason, number>> = {};
  const tally = { responder: 0, initiator: 0, complete: 0, partial: 0, outputs: 0 };
  const t0 = performance.now();
  for (let i = 0; i < cases; i++) {
    const rec = recs[rng.below(recs.length)];
    const bytes = v2Input(rng, rec, splices);
    const sizes = chunkSizes(rng, bytes.length);
    const fail = (what: string, cause?: unknown): Error => {
      const e = new Error(`fuzz v2: ${what}\ncase (seed ${seed}; fed to the ${rec.to} in chunks of ${sizes.join(',')} bytes): ${Buffer.from(bytes).toString('hex')}`);
      (e as Error & { cause?: unknown }).cause = cause;
      return e;
    };
    let r: ReturnType<typeof runV2>;
    try {
      r = runV2(rec, bytes, sizes);
    } catch (err) {
      throw fail(`${(err as Error)?.name} escaped: ${(err as Error)?.message}`, err);
    }
    const k = r.outputs.findIndex((o, j) => o !== rec.expected[j]);
    if (k >= 0) throw fail(`output ${k} is ${r.outputs[k].slice(0, 80)}, where the unaltered stream gives ${rec.expected[k]?.slice(0, 80) ?? 'nothing'}`);
    tally[rec.to]++;
    tally.outputs += r.outputs.length;
    if (r.error) refused[r.error.reason] = (refused[r.error.reason] ?? 0) + 1;
    else if (r.outputs.length === rec.expected.length) tally.complete++;
    else tally.partial++;
  }
  return { cases, seconds: (performance.now() - t0) / 1000, refused, ...tally };
}
