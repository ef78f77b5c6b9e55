/**
 * Fuzzes the wire and transaction decoders: random and mutated frames through the Framer (in
 * random chunks) and every decoder (every command's codec, decodeTx, decodeBlock). Seeds: the
 * shared vectors' transactions and blocks and every codec's own encodings. Anything escaping but
 * DecodeError or FramingError is a bug: the case is printed as hex and the run exits 1.
 *
 *   npm run fuzz                      (1,000,000 cases)
 *   node --import tsx scripts/fuzz.ts [cases] [seed]
 */
import { performance } from 'node:perf_hooks';
import { decodeBlock } from '../lib/tx/block.js';
import { decodeTx } from '../lib/tx/transaction.js';
import { DecodeError, FramingError } from '../lib/wire/errors.js';
import { Framer } from '../lib/wire/framer.js';
import { encodeFrame } from '../lib/wire/header.js';
import { fromHex } from '../lib/wire/hex.js';
import { InvType, type Message } from '../lib/wire/messages.js';
import { NETWORKS } from '../lib/wire/network.js';
import { checksumLeftToDecoder, decodeMessage, encodePayload, maxPayloadFor } from '../lib/wire/registry.js';
import { readNdjson } from './vectors.js';

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
    for (const v of readNdjson<{ hex: string }>(file)) if (v.hex.length / 2 <= MAX_SEED_BYTES) out.push({ command, payload: fromHex(v.hex) });
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

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const cases = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? Date.now() % 0xffffffff);
  try {
    const r = fuzz(cases, seed);
    console.log(
      `fuzz: ${r.cases.toLocaleString('en')} cases (seed ${seed}) in ${r.seconds.toFixed(1)} s, ${Math.round(r.cases / r.seconds).toLocaleString('en')} cases/s: ` +
        `${r.decoded.toLocaleString('en')} decoded, ${r.refused.toLocaleString('en')} refused with a typed error, nothing else escaped`,
    );
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
