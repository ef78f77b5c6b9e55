import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPANSION, GARBAGE_TERMINATOR_LEN, REKEY_INTERVAL } from '../../lib/transport/cipher.js';
import { deriveV2Keys, PacketCipher } from '../../lib/transport/packet-cipher.js';
import { ellswiftCreate, v2Ecdh } from '../../lib/transport/v2-ecdh.js';
import { V2Error } from '../../lib/transport/errors.js';
import { looksLikeV1Version, MAX_GARBAGE_LEN, MAX_HELD_BEFORE_AGREED, MAX_V2_CONTENTS, mismatchesV1Prefix, V2_SHORT_IDS, V2Session, type V2Output } from '../../lib/transport/v2.js';
import { encodeFrame } from '../../lib/wire/header.js';
import { toHex } from '../../lib/wire/hex.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { errorOf } from '../support/errors.js';

const MAGIC = NETWORKS.mainnet.magic;
const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const sent = (outs: readonly V2Output[]): Uint8Array => concat(outs.flatMap((o) => (o.kind === 'send' ? [o.bytes] : [])));
const notSent = (outs: readonly V2Output[]): V2Output[] => outs.filter((o) => o.kind !== 'send');
/** Messages as comparable text. */
const shown = (outs: readonly V2Output[]): string[] => outs.map((o) => (o.kind === 'message' ? `${o.command}:${toHex(o.payload)}` : o.kind === 'dropped' ? `dropped:${o.reason}` : o.kind));

/** Feeds `bytes` cut into pieces of the given sizes (cycled; 0 counts as 1), collecting outputs. */
function feed(session: V2Session, bytes: Uint8Array, sizes: readonly number[] = [bytes.length]): V2Output[] {
  const out: V2Output[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]);
    out.push(...session.receive(bytes.subarray(at, at + n)));
    at += n;
  }
  return out;
}

/** The handshake between an initiator and a responder; what each got besides bytes to send. */
function connect(a: V2Session, b: V2Session, sizes?: readonly number[]): { a: V2Output[]; b: V2Output[] } {
  const hello = a.start();
  expect(mismatchesV1Prefix(hello, MAGIC)).toBe(true); // the responder may answer
  const bHello = b.start();
  const bOut = feed(b, hello, sizes);
  const aOut = feed(a, concat([bHello, sent(bOut)]), sizes);
  const bOut2 = feed(b, sent(aOut), sizes);
  expect(sent(bOut2)).toHaveLength(0);
  return { a: notSent(aOut), b: notSent([...bOut, ...bOut2]) };
}

const pair = (garbageA?: Uint8Array, garbageB?: Uint8Array): [V2Session, V2Session] => [
  new V2Session({ initiator: true, magic: MAGIC, garbage: garbageA }),
  new V2Session({ initiator: false, magic: MAGIC, garbage: garbageB }),
];

function connected(): [V2Session, V2Session] {
  const [a, b] = pair();
  connect(a, b);
  return [a, b];
}

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const COMMANDS = [...V2_SHORT_IDS.slice(1), 'version', 'verack', 'sendaddrv2', 'wtxidrelay', 'sendheaders', 'getaddr', 'x'];

describe('V2Session handshake and messages', () => {
  it('reaches ready once on both sides, with the same session id', () => {
    const [a, b] = pair();
    const got = connect(a, b);
    expect(got.a).toEqual([{ kind: 'ready', sessionId: a.sessionId }]);
    expect(got.b).toEqual([{ kind: 'ready', sessionId: b.sessionId }]);
    expect(toHex(a.sessionId!)).toBe(toHex(b.sessionId!));
    expect(a.bufferedBytes + b.bufferedBytes).toBe(0);
  });

  it('delivers every message exactly, in order, skipping decoys, however the bytes are cut', () => {
    const message = fc.record({ command: fc.constantFrom(...COMMANDS), payload: fc.uint8Array({ maxLength: 700 }), decoyBefore: fc.boolean() });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_GARBAGE_LEN }),
        fc.integer({ min: 0, max: MAX_GARBAGE_LEN }),
        // Small cuts, and cuts that hold whole packets (decrypted straight from the chunk, by Node's AEAD from NODE_AEAD_FROM bytes).
        fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 301, max: 6000 })), { minLength: 1, maxLength: 20 }),
        fc.array(message, { maxLength: 25 }),
        (ga, gb, sizes, messages) => {
          const [a, b] = pair(bytes(ga, 3), bytes(gb, 5));
          const got = connect(a, b, sizes);
          expect(shown(got.a)).toEqual(['ready']);
          expect(shown(got.b)).toEqual(['ready']);
          for (const [from, to] of [[a, b], [b, a]] as const) {
            const stream = concat(messages.flatMap((m) => [...(m.decoyBefore ? [from.encryptPacket(m.payload, true)] : []), from.encrypt(m.command, m.payload)]));
            expect(shown(feed(to, stream, sizes))).toEqual(messages.map((m) => `${m.command}:${toHex(m.payload)}`));
            expect(to.bufferedBytes).toBe(0);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('works one byte at a time, garbage and all', () => {
    const [a, b] = pair(bytes(100), bytes(37));
    expect(shown(connect(a, b, [1]).a)).toEqual(['ready']);
    const stream = concat([a.encrypt('verack', new Uint8Array(0)), a.encryptPacket(bytes(10), true), a.encrypt('ping', bytes(8)), a.encrypt('wtxidrelay', bytes(0))]);
    const out: V2Output[] = [];
    let most = 0;
    for (let i = 0; i < stream.length; i++) {
      out.push(...b.receive(stream.subarray(i, i + 1)));
      most = Math.max(most, b.bufferedBytes);
    }
    expect(shown(out)).toEqual(['verack:', `ping:${toHex(bytes(8))}`, 'wtxidrelay:']);
    expect(most).toBe(13 + EXPANSION - 1); // never more than the packet in progress (the largest: 13 + 20 bytes)
    expect(b.bufferedBytes).toBe(0);
  });

  it('keeps working across rekeys (more than 3 × 224 packets each way, decoys counted too)', () => {
    const [a, b] = connected();
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const want: string[] = [];
      const packets: Uint8Array[] = [];
      for (let i = 0; i < 3 * REKEY_INTERVAL + 10; i++) {
        if (i % 7 === 0) packets.push(from.encryptPacket(bytes(i % 50), true));
        packets.push(from.encrypt('inv', bytes(i % 90, i)));
        want.push(`inv:${toHex(bytes(i % 90, i))}`);
      }
      expect(shown(feed(to, concat(packets), [997]))).toEqual(want);
    }
  });

  it('uses the 1-byte ids of BIP 324 and 13 bytes for other commands', () => {
    expect(V2_SHORT_IDS).toEqual(['', 'addr', 'block', 'blocktxn', 'cmpctblock', 'feefilter', 'filteradd', 'filterclear', 'filterload', 'getblocks', 'getblocktxn', 'getdata', 'getheaders', 'headers', 'inv', 'mempool', 'merkleblock', 'notfound', 'ping', 'pong', 'sendcmpct', 'tx', 'getcfilters', 'cfilter', 'getcfheaders', 'cfheaders', 'getcfcheckpt', 'cfcheckpt', 'addrv2']);
    const [a, b] = connected();
    for (const command of V2_SHORT_IDS.slice(1)) {
      const packet = a.encrypt(command, bytes(5));
      expect(packet.length).toBe(1 + 5 + EXPANSION);
      expect(shown(b.receive(packet))).toEqual([`${command}:${toHex(bytes(5))}`]);
    }
    expect(a.encrypt('version', bytes(5)).length).toBe(13 + 5 + EXPANSION);
  });

  it('reads what Core reads: a long encoding of a short-id command, and drops unknown ids and bad commands', () => {
    const [a, b] = connected();
    const long = (name: number[]): Uint8Array => Uint8Array.of(0, ...name, ...new Array<number>(12 - name.length).fill(0), 0xaa);
    const inv = [...'inv'].map((c) => c.charCodeAt(0));
    const packets = [
      a.encryptPacket(long(inv)),
      a.encryptPacket(Uint8Array.of(29, 1)), // BIP 324's reqrecon: not in Core's table
      a.encryptPacket(Uint8Array.of(255)),
      a.encryptPacket(new Uint8Array(0)),
      a.encryptPacket(Uint8Array.of(0, 0x69)), // long encoding cut short
      a.encryptPacket(long([0x69, 0, 0x6e])), // a byte after the NUL
      a.encryptPacket(long([0x69, 0x0a])), // not printable
      a.encrypt('pong', bytes(8)),
    ];
    expect(shown(b.receive(concat(packets)))).toEqual([
      'inv:aa',
      'dropped:unknown-short-id',
      'dropped:unknown-short-id',
      'dropped:bad-command',
      'dropped:bad-command',
      'dropped:bad-command',
      'dropped:bad-command',
      `pong:${toHex(bytes(8))}`,
    ]);
  });

  it('accepts decoys before the version packet, the first one carrying the garbage (BIP 324 handshake)', () => {
    const a = new V2Session({ initiator: true, magic: MAGIC });
    const hello = a.start();
    const priv = bytes(32, 9);
    const ours = ellswiftCreate(priv);
    const keys = deriveV2Keys(v2Ecdh(priv, hello.subarray(0, 64), ours, false), MAGIC);
    const responder = new PacketCipher(keys, false);
    const garbage = bytes(333);
    const reply = concat([
      ours,
      garbage,
      responder.sendGarbageTerminator,
      responder.encrypt(bytes(20), garbage, true),
      responder.encrypt(bytes(3), undefined, true),
      responder.encrypt(new Uint8Array(0)),
      responder.encrypt(Uint8Array.of(18, ...bytes(8))),
    ]);
    expect(shown(notSent(feed(a, reply, [50])))).toEqual(['ready', `ping:${toHex(bytes(8))}`]);
  });
});

describe('V2Session with the shared secret computed outside (agreeOutside, as the key worker does)', () => {
  const fixed = (initiator: boolean, seed: number, agreeOutside = false): V2Session => {
    const privkey = bytes(32, seed);
    return new V2Session({ initiator, magic: MAGIC, privkey, ellswift: ellswiftCreate(privkey, bytes(32, seed + 1)), garbage: bytes(40, seed + 2), agreeOutside });
  };

  it('asks for the secret, holds what comes meanwhile, and then gives exactly what it would have given at once, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }), (sizes) => {
        const [inline, outside, r1, r2] = [fixed(true, 1), fixed(true, 1, true), fixed(false, 7), fixed(false, 7)];
        const hello = inline.start();
        expect(toHex(outside.start())).toBe(toHex(hello));
        // The responder's key, garbage, terminator, version packet and a message, all before we answer.
        const answer = (r: V2Session): Uint8Array => concat([r.start(), sent(r.receive(hello)), r.encrypt('ping', bytes(8))]);
        const reply = answer(r1);
        expect(toHex(answer(r2))).toBe(toHex(reply));
        const want = feed(inline, reply, sizes);
        // As a socket hands chunks: views of one read buffer, overwritten once receive() returns.
        const shared = Buffer.alloc(reply.length);
        const asked: V2Output[] = [];
        for (let at = 0, i = 0; at < reply.length; i++) {
          const n = Math.min(sizes[i % sizes.length], reply.length - at);
          shared.set(reply.subarray(at, at + n));
          asked.push(...outside.receive(shared.subarray(0, n)));
          shared.fill(0xee);
          at += n;
        }
        expect(asked.map((o) => o.kind)).toEqual(['agree']);
        // Their key and everything after it, held.
        expect(outside.bufferedBytes).toBe(reply.length);
        const a = asked[0];
        if (a.kind !== 'agree') throw new Error(a.kind);
        const got = outside.agreed(v2Ecdh(a.request.privkey, a.request.theirs, a.request.ours, a.request.initiator));
        expect(got.map((o) => (o.kind === 'send' ? `send:${toHex(o.bytes)}` : shown([o])[0]))).toEqual(want.map((o) => (o.kind === 'send' ? `send:${toHex(o.bytes)}` : shown([o])[0])));
        expect(outside.bufferedBytes).toBe(0);
      }),
      { numRuns: 20 },
    );
  });

  it('hands on what came before a bad packet held meanwhile, then throws, as receive() does', () => {
    const [outside, r] = [fixed(true, 1, true), fixed(false, 7)];
    const hello = outside.start();
    const rHello = r.start();
    const answer = sent(r.receive(hello));
    const ping = r.encrypt('ping', bytes(8));
    const broken = r.encrypt('tx', bytes(300));
    broken[100] ^= 4;
    // Their key, garbage, terminator, version packet, a ping and a bad packet: all held until agreed().
    const [agree] = outside.receive(concat([rHello, answer, ping, broken]));
    if (agree?.kind !== 'agree') throw new Error(String(agree?.kind));
    const out: V2Output[] = [];
    expect(errorOf(V2Error, () => outside.agreed(v2Ecdh(agree.request.privkey, agree.request.theirs, agree.request.ours, agree.request.initiator), out)).reason).toBe('bad-tag');
    expect(out.map((o) => (o.kind === 'send' ? 'send' : shown([o])[0]))).toEqual(['send', 'ready', `ping:${toHex(bytes(8))}`]);
  });

  it('holds at most MAX_HELD_BEFORE_AGREED bytes meanwhile (garbage-too-long past it), and agreed() without an agree output is a caller bug', () => {
    const s = fixed(true, 1, true);
    s.start();
    expect(s.receive(bytes(64, 9)).map((o) => o.kind)).toEqual(['agree']);
    s.receive(new Uint8Array(MAX_HELD_BEFORE_AGREED));
    expect(errorOf(V2Error, () => s.receive(new Uint8Array(1))).reason).toBe('garbage-too-long');
    const t = fixed(true, 1, true);
    t.start();
    expect(() => t.agreed(new Uint8Array(32))).toThrow('without an agree output');
  });
});

describe('V2Session against hostile peers', () => {
  it('refuses 4096 bytes of garbage before the terminator, and takes 4095', () => {
    for (const extra of [0, 1]) {
      const [a, b] = pair(bytes(MAX_GARBAGE_LEN));
      const hello = a.start();
      const bHello = b.start();
      const bOut = b.receive(hello);
      const aOut = a.receive(concat([bHello, sent(bOut)]));
      const rest = concat([new Uint8Array(extra), sent(aOut)]);
      if (extra === 0) expect(shown(notSent(b.receive(rest)))).toEqual(['ready']);
      else expect(errorOf(V2Error, () => b.receive(rest)).reason).toBe('garbage-too-long');
    }
  });

  it('never reaches ready with a peer on another network: its terminator names that network, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }), fc.constantFrom('testnet', 'signet', 'regtest'), (sizes, network) => {
        const a = new V2Session({ initiator: true, magic: MAGIC });
        const b = new V2Session({ initiator: false, magic: NETWORKS[network].magic });
        const hello = a.start();
        const bHello = b.start();
        const bOut = b.receive(hello);
        // b, a responder, cannot tell (as Core cannot): it answers with its terminator and version packet.
        expect(sent(bOut).length).toBeGreaterThan(GARBAGE_TERMINATOR_LEN);
        const err = errorOf(V2Error, () => feed(a, concat([bHello, sent(bOut)]), sizes));
        expect(err.reason).toBe('wrong-network-v2');
        expect(err.magic).toBe(NETWORKS[network].magic);
      }),
      { numRuns: 30 },
    );
  });

  it('ends the garbage at the first whole terminator: near misses before it (its first 15 bytes, its last 15) are garbage, however cut', () => {
    const keys = (initiator: boolean): { privkey: Uint8Array; ellswift: Uint8Array } => {
      const privkey = new Uint8Array(32).fill(initiator ? 7 : 9);
      return { privkey, ellswift: ellswiftCreate(privkey, new Uint8Array(32).fill(1)) };
    };
    const session = (initiator: boolean, garbage: Uint8Array): V2Session => new V2Session({ initiator, magic: MAGIC, garbage, ...keys(initiator) });
    // The responder's terminator depends on the keys only (BIP 324's key derivation).
    const secret = v2Ecdh(keys(true).privkey, keys(false).ellswift, keys(true).ellswift, true);
    const responderTerm = deriveV2Keys(secret, MAGIC).responderGarbageTerminator;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }), (sizes) => {
        const garbage = concat([responderTerm.subarray(0, 15), bytes(5), responderTerm.subarray(1), responderTerm.subarray(0, 15)]);
        const a = session(true, bytes(11));
        const b = session(false, garbage);
        const { a: aOut } = connect(a, b, sizes);
        expect(shown(aOut)).toEqual(['ready']);
        expect(a.sessionId).toEqual(b.sessionId);
      }),
      { numRuns: 40 },
    );
  });

  it('runs into garbage-too-long with a peer whose terminator is no network\'s', () => {
    const a = new V2Session({ initiator: true, magic: MAGIC });
    const b = new V2Session({ initiator: false, magic: 0x01020304 });
    const hello = a.start();
    const bHello = b.start();
    const bOut = b.receive(hello);
    // Its garbage, terminator and version packet may already be more than the garbage limit.
    const err = errorOf(V2Error, () => {
      expect(notSent(a.receive(concat([bHello, sent(bOut)])))).toEqual([]);
      a.receive(new Uint8Array(MAX_GARBAGE_LEN + GARBAGE_TERMINATOR_LEN));
    });
    expect(err.reason).toBe('garbage-too-long');
  });

  it('refuses altered garbage (bad-version-packet) and a flipped bit in a later packet (bad-tag), for good', () => {
    const [a, b] = pair(bytes(40));
    const hello = a.start();
    hello[64 + 7] ^= 1; // garbage altered on its way to b
    const bHello = b.start();
    const bOut = b.receive(hello);
    const aOut = a.receive(concat([bHello, sent(bOut)]));
    expect(shown(notSent(aOut))).toEqual(['ready']); // a cannot tell: b's garbage was intact
    const err = errorOf(V2Error, () => b.receive(sent(aOut)));
    expect(err.reason).toBe('bad-version-packet');
    expect(errorOf(V2Error, () => b.receive(bytes(1)))).toBe(err);

    const [c, d] = connected();
    const packet = c.encrypt('tx', bytes(300));
    packet[100] ^= 4;
    const bad = errorOf(V2Error, () => d.receive(packet));
    expect(bad.reason).toBe('bad-tag');
    expect(errorOf(V2Error, () => d.receive(c.encrypt('ping', bytes(8))))).toBe(bad);
  });

  it('hands on the packets before a bad one, however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('verack', 'ping', 'tx'), { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }), (commands, sizes) => {
        const [c, d] = connected();
        const good = commands.map((cmd) => c.encrypt(cmd, bytes(8)));
        const packet = c.encrypt('tx', bytes(300));
        packet[100] ^= 4;
        const stream = concat([...good, packet]);
        const out: V2Output[] = [];
        let failure: unknown;
        for (let at = 0, i = 0; at < stream.length && failure === undefined; i++) {
          const n = sizes[i % sizes.length];
          try {
            d.receive(stream.subarray(at, at + n), out);
          } catch (err) {
            failure = err;
          }
          at += n;
        }
        expect(failure).toBeInstanceOf(V2Error);
        expect(shown(out)).toEqual(commands.map((cmd) => `${cmd}:${toHex(bytes(8))}`));
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a flipped bit in the version packet', () => {
    const [a, b] = pair(bytes(10), bytes(10));
    const hello = a.start();
    const bHello = b.start();
    const bOut = b.receive(hello);
    const aOut = a.receive(concat([bHello, sent(bOut)]));
    const reply = sent(aOut);
    reply[GARBAGE_TERMINATOR_LEN + 5] ^= 0x80;
    expect(errorOf(V2Error, () => b.receive(reply)).reason).toBe('bad-version-packet');
  });

  it('refuses a length above MAX_V2_CONTENTS from its 3 bytes alone, and waits on one at the limit', () => {
    for (const [len, refused] of [[MAX_V2_CONTENTS + 1, true], [2 ** 24 - 1, true], [MAX_V2_CONTENTS, false]] as const) {
      const [a, b] = connected();
      const empty = a.encryptPacket(new Uint8Array(0)); // its length bytes are the bare keystream
      const forged = Uint8Array.of(empty[0] ^ (len & 0xff), empty[1] ^ ((len >> 8) & 0xff), empty[2] ^ (len >> 16));
      if (refused) expect(errorOf(V2Error, () => b.receive(forged)).reason).toBe('oversized');
      else expect(b.receive(forged)).toEqual([]);
    }
  });

  it('waits quietly on a short key (EOF then is the caller’s business)', () => {
    const b = new V2Session({ initiator: false, magic: MAGIC });
    b.start();
    expect(b.receive(bytes(30))).toEqual([]);
    expect(b.bufferedBytes).toBe(30);
  });

  it('tells a v1 peer from a v2 one, and a responder refuses a v1 version header', () => {
    const v1 = encodeFrame(MAGIC, 'version', bytes(100));
    expect(looksLikeV1Version(v1.subarray(0, 16), MAGIC)).toBe(true);
    expect(looksLikeV1Version(v1.subarray(0, 15), MAGIC)).toBe(false);
    expect(mismatchesV1Prefix(v1.subarray(0, 16), MAGIC)).toBe(false);
    expect(mismatchesV1Prefix(encodeFrame(MAGIC, 'verack', new Uint8Array(0)), MAGIC)).toBe(true);
    const other = encodeFrame(NETWORKS.testnet.magic, 'version', bytes(100));
    expect(looksLikeV1Version(other, MAGIC)).toBe(false);
    expect(mismatchesV1Prefix(other.subarray(0, 1), MAGIC)).toBe(true);
    for (const [frame, reason] of [[v1, 'v1-peer'], [other, 'wrong-network-v1']] as const) {
      const b = new V2Session({ initiator: false, magic: MAGIC });
      b.start();
      expect(errorOf(V2Error, () => feed(b, frame, [1])).reason).toBe(reason);
    }
  });

  it('lets nothing but V2Error out, whatever a responder is fed', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }), { maxLength: 12 }), (chunks) => {
        const b = new V2Session({ initiator: false, magic: MAGIC });
        b.start();
        try {
          for (const c of chunks) expect(notSent(b.receive(c))).toEqual([]);
        } catch (err) {
          expect(err).toBeInstanceOf(V2Error);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('lets nothing but V2Error out after the handshake, and no altered packet through', () => {
    const junk = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((j) => ({ junk: j }));
    const flip = fc.record({ at: fc.nat(1 + 8 + EXPANSION - 1), mask: fc.integer({ min: 1, max: 255 }) });
    fc.assert(
      fc.property(fc.oneof(junk, flip), (c) => {
        const [a, b] = connected();
        let stream: Uint8Array;
        if ('junk' in c) stream = c.junk;
        else {
          stream = a.encrypt('ping', bytes(8));
          stream[c.at] ^= c.mask;
        }
        try {
          expect(b.receive(stream).filter((o) => o.kind === 'message')).toEqual([]);
        } catch (err) {
          expect(err).toBeInstanceOf(V2Error);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('V2Session misuse (caller bugs, not V2Error)', () => {
  it('throws plain errors', () => {
    const s = new V2Session({ initiator: true, magic: MAGIC });
    expect(() => s.receive(bytes(1))).toThrow('before start()');
    expect(() => s.encrypt('ping', bytes(8))).toThrow('before the key exchange');
    s.start();
    expect(() => s.start()).toThrow('twice');
    expect(() => new V2Session({ initiator: true, magic: MAGIC, garbage: new Uint8Array(MAX_GARBAGE_LEN + 1) })).toThrow(RangeError);
    const [a] = connected();
    expect(() => a.encrypt('thirteen-char', bytes(1))).toThrow(RangeError);
    expect(() => a.encrypt('tx', new Uint8Array(MAX_V2_CONTENTS))).toThrow(RangeError);
  });
});
