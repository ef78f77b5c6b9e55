/**
 * Every codec except tx and block (see tx-block.spec.ts): round trips of arbitrary messages,
 * declared maxima, and hostile input (random bytes, mutated and truncated encodings).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDRV2_ADDR_BYTES } from '../../lib/wire/codecs/addrv2.js';
import { DecodeError, FramingError } from '../../lib/wire/errors.js';
import { Framer } from '../../lib/wire/framer.js';
import { encodeFrame } from '../../lib/wire/header.js';
import { fromHex } from '../../lib/wire/hex.js';
import {
  HEADER_BYTES,
  MAX_ADDR_ENTRIES,
  MAX_ADDRV2_ADDR_BYTES,
  MAX_INV_ENTRIES,
  MAX_LOCATOR_HASHES,
  MAX_PAYLOAD_BYTES,
  MAX_USER_AGENT_BYTES,
} from '../../lib/wire/limits.js';
import type { AddrV2Entry, Frame, InvItem, Message, MessageOf, NetAddr } from '../../lib/wire/messages.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { CODECS, decodeMessage, encodeMessage, encodePayload, maxPayloadFor, type KnownCommand } from '../../lib/wire/registry.js';
import { errorOf, onlyErrors } from '../support/errors.js';

const MAGIC = NETWORKS.mainnet.magic;

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const bytesOf = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
const hash = bytesOf(32);

const netAddr: fc.Arbitrary<NetAddr> = fc.record({ services: u64, ip: bytesOf(16), port: u16 });
// Any Unicode text whose UTF-8 fits the limit (lone surrogates cannot survive UTF-8, so graphemes).
const userAgent = fc
  .string({ unit: 'grapheme', maxLength: 80 })
  .filter((s) => new TextEncoder().encode(s).length <= MAX_USER_AGENT_BYTES);

const invItem: fc.Arbitrary<InvItem> = fc.record({
  type: fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 0x40000001, 0x40000002), u32),
  hash,
});

const knownNetworkIds = Object.keys(ADDRV2_ADDR_BYTES).map(Number);
const addrV2Entry: fc.Arbitrary<AddrV2Entry> = fc.record({
  time: u32,
  services: fc.oneof(fc.constantFrom(0n, 1n, 0x409n, 0xc09n), u64),
  networkAddr: fc.oneof(
    fc.constantFrom(...knownNetworkIds).chain((id) => bytesOf(ADDRV2_ADDR_BYTES[id]).map((addr) => ({ id, addr }))),
    fc.record({
      id: fc.integer({ min: 0, max: 255 }).filter((id) => ADDRV2_ADDR_BYTES[id] === undefined),
      addr: fc.uint8Array({ maxLength: 40 }),
    }),
  ),
  port: u16,
}).map(({ networkAddr, ...rest }) => ({ ...rest, networkId: networkAddr.id, addr: networkAddr.addr }));

/** The 80-byte header fields; `hash` is whatever readBlockHeader computes, so it is filled in by decoding. */
const blockHeaderBytes = fc.tuple(i32, hash, hash, u32, u32, u32);

const MESSAGE_ARBS: { readonly [C in Exclude<KnownCommand, 'tx' | 'block' | 'headers'>]: fc.Arbitrary<MessageOf<C>> } = {
  version: fc.record({
    command: fc.constant('version' as const),
    version: i32,
    services: u64,
    timestamp: i64,
    addrRecv: netAddr,
    addrFrom: netAddr,
    nonce: u64,
    userAgent,
    startHeight: i32,
    relay: fc.boolean(),
  }),
  verack: fc.constant({ command: 'verack' as const }),
  sendaddrv2: fc.constant({ command: 'sendaddrv2' as const }),
  wtxidrelay: fc.constant({ command: 'wtxidrelay' as const }),
  sendheaders: fc.constant({ command: 'sendheaders' as const }),
  getaddr: fc.constant({ command: 'getaddr' as const }),
  mempool: fc.constant({ command: 'mempool' as const }),
  ping: fc.record({ command: fc.constant('ping' as const), nonce: u64 }),
  pong: fc.record({ command: fc.constant('pong' as const), nonce: u64 }),
  inv: fc.record({ command: fc.constant('inv' as const), items: fc.array(invItem, { maxLength: 20 }) }),
  getdata: fc.record({ command: fc.constant('getdata' as const), items: fc.array(invItem, { maxLength: 20 }) }),
  notfound: fc.record({ command: fc.constant('notfound' as const), items: fc.array(invItem, { maxLength: 20 }) }),
  getheaders: fc.record({ command: fc.constant('getheaders' as const), version: u32, locator: fc.array(hash, { maxLength: 12 }), stop: hash }),
  getblocks: fc.record({ command: fc.constant('getblocks' as const), version: u32, locator: fc.array(hash, { maxLength: 12 }), stop: hash }),
  addr: fc.record({
    command: fc.constant('addr' as const),
    addrs: fc.array(fc.record({ time: u32, services: u64, ip: bytesOf(16), port: u16 }), { maxLength: 12 }),
  }),
  addrv2: fc.record({ command: fc.constant('addrv2' as const), addrs: fc.array(addrV2Entry, { maxLength: 12 }) }),
  feefilter: fc.record({ command: fc.constant('feefilter' as const), feerate: i64 }),
  sendcmpct: fc.record({ command: fc.constant('sendcmpct' as const), announce: fc.boolean(), version: u64 }),
};

const unknownMessage: fc.Arbitrary<MessageOf<'unknown'>> = fc.record({
  command: fc.constant('unknown' as const),
  name: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 }).filter((s) => /^[\x20-\x7e]+$/.test(s) && !(s in CODECS)),
  payload: fc.uint8Array({ maxLength: 200 }),
});

/** Headers messages: the decoder computes each hash, so the expected value is the decoded one. */
const headersMessage: fc.Arbitrary<Message> = fc.array(blockHeaderBytes, { maxLength: 10 }).map((hs) => {
  const payload = new Uint8Array(1 + hs.length * 81);
  payload[0] = hs.length;
  const dv = new DataView(payload.buffer);
  hs.forEach(([version, prev, merkle, time, bits, nonce], i) => {
    const at = 1 + i * 81;
    dv.setInt32(at, version, true);
    payload.set(prev, at + 4);
    payload.set(merkle, at + 36);
    dv.setUint32(at + 68, time, true);
    dv.setUint32(at + 72, bits, true);
    dv.setUint32(at + 76, nonce, true);
  });
  return decodeMessage({ command: 'headers', payload });
});

const anyMessage: fc.Arbitrary<Message> = fc.oneof(...Object.values(MESSAGE_ARBS), unknownMessage, headersMessage);

const frameOf = (m: Message): Frame => ({ command: m.command === 'unknown' ? m.name : m.command, payload: encodePayload(m) });

describe('round trips', () => {
  it.each(Object.keys(MESSAGE_ARBS))('%s: encode then decode gives the same message', (command) => {
    const arb = MESSAGE_ARBS[command as keyof typeof MESSAGE_ARBS] as fc.Arbitrary<Message>;
    fc.assert(
      fc.property(arb, (m) => {
        const frame = frameOf(m);
        expect(frame.payload.length).toBeLessThanOrEqual(maxPayloadFor(frame.command));
        expect(decodeMessage(frame)).toEqual(m);
      }),
      { numRuns: 150 },
    );
  });

  it('headers: encode then decode gives the same message', () => {
    fc.assert(
      fc.property(headersMessage, (m) => {
        expect(decodeMessage(frameOf(m))).toEqual(m);
      }),
      { numRuns: 100 },
    );
  });

  it('unknown commands pass through with their payload', () => {
    fc.assert(
      fc.property(unknownMessage, (m) => {
        expect(decodeMessage(frameOf(m))).toEqual(m);
      }),
      { numRuns: 100 },
    );
  });

  it('a stream of arbitrary messages survives encodeMessage → Framer → decodeMessage', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { maxLength: 8 }), fc.integer({ min: 1, max: 200 }), (messages, chunk) => {
        const bytes = Buffer.concat(messages.map((m) => encodeMessage(MAGIC, m)));
        const framer = new Framer(MAGIC, maxPayloadFor);
        const decoded: Message[] = [];
        for (let at = 0; at < bytes.length; at += chunk) decoded.push(...framer.push(bytes.subarray(at, at + chunk)).map(decodeMessage));
        expect(decoded).toEqual(messages);
      }),
      { numRuns: 150 },
    );
  });

  it('does not confuse a peer command named like an Object.prototype property with a codec', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'unknown']) {
      expect(decodeMessage({ command: name, payload: Uint8Array.of(1) })).toEqual({ command: 'unknown', name, payload: Uint8Array.of(1) });
      expect(maxPayloadFor(name)).toBe(MAX_PAYLOAD_BYTES);
    }
  });
});

describe('declared maxima', () => {
  it('every codec declares its command and a maximum no larger than the protocol limit; empty messages 0', () => {
    for (const [command, codec] of Object.entries(CODECS)) {
      expect(codec.command).toBe(command);
      expect(maxPayloadFor(command)).toBe(codec.maxPayload);
      expect(codec.maxPayload).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    }
    for (const command of ['verack', 'sendaddrv2', 'wtxidrelay', 'sendheaders', 'getaddr', 'mempool']) expect(maxPayloadFor(command)).toBe(0);
    expect(maxPayloadFor('ping')).toBe(8);
    expect(maxPayloadFor('pong')).toBe(8);
    expect(maxPayloadFor('feefilter')).toBe(8);
    expect(maxPayloadFor('sendcmpct')).toBe(9);
    expect(maxPayloadFor('inv')).toBe(9 + 50_000 * 36);
    expect(maxPayloadFor('tx')).toBe(MAX_PAYLOAD_BYTES);
    expect(maxPayloadFor('block')).toBe(MAX_PAYLOAD_BYTES);
  });

  const hash32 = new Uint8Array(32).fill(0xab);
  const largest: Message[] = [
    {
      command: 'version',
      version: 70016,
      services: 2n ** 64n - 1n,
      timestamp: -1n,
      addrRecv: { services: 1n, ip: new Uint8Array(16), port: 8333 },
      addrFrom: { services: 1n, ip: new Uint8Array(16), port: 8333 },
      nonce: 1n,
      userAgent: 'x'.repeat(MAX_USER_AGENT_BYTES),
      startHeight: 1,
      relay: true,
    },
    { command: 'inv', items: Array.from({ length: MAX_INV_ENTRIES }, () => ({ type: 1, hash: hash32 })) },
    { command: 'getheaders', version: 70016, locator: Array.from({ length: MAX_LOCATOR_HASHES }, () => hash32), stop: hash32 },
    { command: 'addr', addrs: Array.from({ length: MAX_ADDR_ENTRIES }, () => ({ time: 1, services: 1n, ip: new Uint8Array(16), port: 1 })) },
    {
      command: 'addrv2',
      addrs: Array.from({ length: MAX_ADDR_ENTRIES }, () => ({ time: 1, services: 2n ** 64n - 1n, networkId: 200, addr: new Uint8Array(MAX_ADDRV2_ADDR_BYTES), port: 1 })),
    },
  ];

  it.each(largest.map((m) => [m.command, m] as const))('the largest %s fits its maximum and decodes', (_command, m) => {
    const frame = frameOf(m);
    expect(frame.payload.length).toBeLessThanOrEqual(maxPayloadFor(frame.command));
    // Re-encoding instead of a deep comparison: toEqual on 50,000 items takes seconds.
    expect(Buffer.compare(encodePayload(decodeMessage(frame)), frame.payload)).toBe(0);
  });

  it('a maximal headers message (2,000 headers) fits and decodes', () => {
    const payload = new Uint8Array(3 + 2000 * 81);
    payload.set([0xfd, 0xd0, 0x07]);
    expect(payload.length).toBeLessThanOrEqual(maxPayloadFor('headers'));
    const m = decodeMessage({ command: 'headers', payload });
    expect(m.command === 'headers' && m.headers.length).toBe(2000);
  });

  it('refuses to encode what would not decode', () => {
    const hashes = (n: number): Uint8Array[] => Array.from({ length: n }, () => hash32);
    const tooMany: Message[] = [
      { command: 'inv', items: Array.from({ length: MAX_INV_ENTRIES + 1 }, () => ({ type: 1, hash: hash32 })) },
      { command: 'getblocks', version: 1, locator: hashes(MAX_LOCATOR_HASHES + 1), stop: hash32 },
      { command: 'addr', addrs: Array.from({ length: MAX_ADDR_ENTRIES + 1 }, () => ({ time: 1, services: 1n, ip: new Uint8Array(16), port: 1 })) },
      { command: 'addrv2', addrs: [{ time: 1, services: 1n, networkId: 1, addr: new Uint8Array(16), port: 1 }] },
      { command: 'addrv2', addrs: [{ time: 1, services: 1n, networkId: 99, addr: new Uint8Array(MAX_ADDRV2_ADDR_BYTES + 1), port: 1 }] },
      { ...(largest[0] as MessageOf<'version'>), userAgent: 'é'.repeat(129) },
      { command: 'inv', items: [{ type: 1, hash: new Uint8Array(31) }] },
      { command: 'addr', addrs: [{ time: 1, services: 1n, ip: new Uint8Array(4), port: 1 }] },
    ];
    for (const m of tooMany) expect(() => encodePayload(m), m.command).toThrow(RangeError);
    expect(() => encodeMessage(MAGIC, { command: 'unknown', name: 'waytoolongcommand', payload: new Uint8Array(0) })).toThrow(RangeError);
  });

  it("the registry's limits make the framer refuse oversized headers", () => {
    const header = (command: string, length: number): Uint8Array => {
      const h = encodeFrame(MAGIC, command, new Uint8Array(0)).slice(0, HEADER_BYTES);
      new DataView(h.buffer).setUint32(16, length, true);
      return h;
    };
    for (const [command, length] of [['ping', 9], ['verack', 1], ['version', 1001], ['inv', 1_800_010], ['headers', 162_010]] as const) {
      const framer = new Framer(MAGIC, maxPayloadFor);
      let err: unknown;
      try {
        framer.push(header(command, length));
      } catch (e) {
        err = e;
      }
      expect(err, command).toBeInstanceOf(FramingError);
      expect((err as FramingError).reason).toBe('oversized');
    }
  });

  it('decodeMessage refuses a payload over the codec maximum even without the framer', () => {
    expect(errorOf(DecodeError, () => decodeMessage({ command: 'ping', payload: new Uint8Array(9) })).reason).toMatch(/exceeds its maximum/);
  });
});

describe('trailing bytes', () => {
  it.each(Object.keys(MESSAGE_ARBS).filter((c) => c !== 'version'))('%s: a byte after the message is a DecodeError', (command) => {
    const arb = MESSAGE_ARBS[command as keyof typeof MESSAGE_ARBS] as fc.Arbitrary<Message>;
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 255 }), (m, extra) => {
        const frame = frameOf(m);
        const payload = Uint8Array.from([...frame.payload, extra]);
        // The maximum check may come first for fixed-size messages; either way it is refused.
        expect(() => decodeMessage({ command: frame.command, payload })).toThrow(DecodeError);
      }),
      { numRuns: 20 },
    );
  });

  it('version: bytes after relay are ignored, as Core ignores fields it does not know', () => {
    fc.assert(
      fc.property(MESSAGE_ARBS.version, fc.uint8Array({ minLength: 1, maxLength: 100 }), (m, extra) => {
        const payload = Uint8Array.from([...encodePayload(m), ...extra]);
        expect(decodeMessage({ command: 'version', payload })).toEqual(m);
      }),
      { numRuns: 50 },
    );
  });
});

describe('hostile input', () => {
  const commands = [...Object.keys(CODECS), 'xyzzy'];

  it('random payloads for every command decode or throw DecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.uint8Array({ maxLength: 300 }), (command, payload) => {
        onlyErrors(DecodeError, () => decodeMessage({ command, payload }));
      }),
      { numRuns: 2000 },
    );
  });

  /** A valid encoding with one edit: a flipped byte, a truncation, an insertion or a deletion. */
  const mutated = fc
    .tuple(fc.oneof(...Object.values(MESSAGE_ARBS), headersMessage), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'truncate', 'insert', 'delete'))
    .map(([m, where, byte, how]) => {
      const frame = frameOf(m);
      const p = [...frame.payload];
      const at = p.length === 0 ? 0 : where % p.length;
      if (how === 'flip' && p.length > 0) p[at] ^= byte || 1;
      if (how === 'truncate') p.length = at;
      if (how === 'insert') p.splice(at, 0, byte);
      if (how === 'delete') p.splice(at, 1);
      return { command: frame.command, payload: Uint8Array.from(p) };
    });

  it('mutated and truncated encodings decode or throw DecodeError, nothing else', () => {
    fc.assert(
      fc.property(mutated, (frame) => {
        onlyErrors(DecodeError, () => decodeMessage(frame));
      }),
      { numRuns: 3000 },
    );
  });

  it('every truncation of every valid encoding decodes or throws DecodeError', () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(MESSAGE_ARBS), headersMessage), (m) => {
        const frame = frameOf(m);
        for (let len = 0; len < frame.payload.length; len++) onlyErrors(DecodeError, () => decodeMessage({ command: frame.command, payload: frame.payload.subarray(0, len) }));
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['inv', 'fd51c3', /too many inv entries: 50001 > 50000/],
    ['getdata', 'fe00000002', /too many getdata entries/],
    ['notfound', 'fd50c3', /notfound entries count 50000 exceeds the remaining bytes/],
    ['addr', 'fde903', /too many addr entries: 1001 > 1000/],
    ['addr', 'fde803', /exceeds the remaining bytes/],
    ['addrv2', 'fde903', /too many addrv2 entries/],
    ['headers', 'fdd107', /too many headers: 2001 > 2000/],
    ['getheaders', '01000000' + '66', /too many locator hashes: 102 > 101/],
    ['inv', 'ffffffffffffffffff', /CompactSize too large/],
    ['addr', 'ffffffffffffffffff', /CompactSize too large/],
  ])('%s with count %s is refused before anything is allocated', (command, hex, reason) => {
    // A few bytes follow, far fewer than the count needs.
    const payload = fromHex(hex + '00'.repeat(40));
    expect(errorOf(DecodeError, () => decodeMessage({ command, payload })).reason).toMatch(reason);
  });

  it('an addrv2 address longer than 512 bytes is refused', () => {
    const payload = fromHex('01' + '00000000' + '00' + '63' + 'fd0102' + '00'.repeat(513) + '0000');
    expect(errorOf(DecodeError, () => decodeMessage({ command: 'addrv2', payload })).reason).toMatch(/addrv2 address too long: 513 > 512/);
  });

  it('a headers entry with a non-zero tx count is refused', () => {
    const payload = fromHex('01' + '00'.repeat(80) + '01');
    expect(errorOf(DecodeError, () => decodeMessage({ command: 'headers', payload })).reason).toMatch(/tx count 1/);
  });

  it('a version user agent longer than 256 bytes is refused', () => {
    const m = {
      command: 'version',
      version: 70016,
      services: 0n,
      timestamp: 0n,
      addrRecv: { services: 0n, ip: new Uint8Array(16), port: 0 },
      addrFrom: { services: 0n, ip: new Uint8Array(16), port: 0 },
      nonce: 0n,
      userAgent: '',
      startHeight: 0,
      relay: true,
    } as const;
    const head = encodePayload(m).subarray(0, 4 + 8 + 8 + 26 + 26 + 8);
    const payload = Uint8Array.from([...head, 0xfd, 0x01, 0x01, ...new Uint8Array(257), 0, 0, 0, 0, 1]);
    expect(errorOf(DecodeError, () => decodeMessage({ command: 'version', payload })).reason).toMatch(/user agent too long: 257 > 256/);
  });
});
