/**
 * Known answers: byte layouts from published sources (cited next to each), decoded field by
 * field and re-encoded byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../lib/wire/errors.js';
import { Framer } from '../../lib/wire/framer.js';
import { fromHex, toHex, toReversedHex } from '../../lib/wire/hex.js';
import { InvType, type Message, type MessageOf } from '../../lib/wire/messages.js';
import { addrV2Host, netAddrHost } from '../../lib/wire/netaddr.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { decodeMessage, encodeMessage, encodePayload, maxPayloadFor } from '../../lib/wire/registry.js';

const MAINNET = NETWORKS.mainnet.magic;

/** Hex with comments and whitespace, as laid out below, to bytes. */
const hex = (annotated: string): Uint8Array => fromHex(annotated.replace(/#[^\n]*/g, '').replace(/\s+/g, ''));

function decode<C extends Message['command']>(command: C, payload: Uint8Array): MessageOf<C> {
  const m = decodeMessage({ command, payload });
  expect(m.command).toBe(command);
  return m as MessageOf<C>;
}

function decodeFrames(frame: Uint8Array): Message[] {
  return new Framer(MAINNET, maxPayloadFor).push(frame).map(decodeMessage);
}

describe('version', () => {
  // Bitcoin developer reference (developer.bitcoin.org/reference/p2p_networking.html#version),
  // the annotated hex dump of a version message from Bitcoin Core 0.9.3, protocol 70002. Its
  // header, also in the reference, gives the payload size 101 and checksum 5f1a69d2.
  const devRef = hex(`
    72110100                            # protocol version 70002
    0100000000000000                    # services: NODE_NETWORK
    bc8f5e5400000000                    # time 1415483324
    0100000000000000                    # addr_recv services
    00000000000000000000ffffc61b6409    # addr_recv ip 198.27.100.9
    208d                                # addr_recv port 8333 (big-endian)
    0100000000000000                    # addr_from services
    00000000000000000000ffffcb0071c0    # addr_from ip 203.0.113.192
    208d                                # addr_from port 8333
    128035cbc97953f8                    # nonce
    0f 2f5361746f7368693a302e392e332f   # user agent "/Satoshi:0.9.3/"
    cf050500                            # start height 329167
    01                                  # relay
  `);

  it('decodes the developer reference dump field by field', () => {
    const v = decode('version', devRef);
    expect(v).toMatchObject({
      version: 70002,
      services: 1n,
      timestamp: 1415483324n,
      nonce: 0xf85379c9cb358012n,
      userAgent: '/Satoshi:0.9.3/',
      startHeight: 329167,
      relay: true,
    });
    expect(netAddrHost(v.addrRecv)).toBe('198.27.100.9');
    expect(v.addrRecv.port).toBe(8333);
    expect(v.addrRecv.services).toBe(1n);
    expect(netAddrHost(v.addrFrom)).toBe('203.0.113.192');
    expect(v.addrFrom.port).toBe(8333);
    expect(toHex(encodePayload(v))).toBe(toHex(devRef));
  });

  it('encodes the developer reference frame with its published header', () => {
    const frame = encodeMessage(MAINNET, decode('version', devRef));
    expect(toHex(frame.subarray(0, 24))).toBe('f9beb4d9' + '76657273696f6e0000000000' + '65000000' + '5f1a69d2');
  });

  // Bitcoin wiki, Protocol documentation, "version" hexdump: a whole frame from Satoshi 0.7.2,
  // protocol 60002, from before BIP 37 added the relay byte (payload 100 bytes, checksum 358d4932).
  const wikiFrame = hex(`
    F9 BE B4 D9 76 65 72 73 69 6F 6E 00 00 00 00 00
    64 00 00 00 35 8D 49 32 62 EA 00 00 01 00 00 00
    00 00 00 00 11 B2 D0 50 00 00 00 00 01 00 00 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 FF FF
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 00 FF FF 00 00 00 00 00 00
    3B 2E B3 5D 8C E6 17 65 0F 2F 53 61 74 6F 73 68
    69 3A 30 2E 37 2E 32 2F C0 3E 03 00
  `);

  it('decodes the 60002-era frame from the Bitcoin wiki, relay absent → true', () => {
    const [v] = decodeFrames(wikiFrame) as [MessageOf<'version'>];
    expect(v).toMatchObject({
      command: 'version',
      version: 60002,
      services: 1n,
      timestamp: 1355854353n,
      nonce: 0x6517e68c5db32e3bn,
      userAgent: '/Satoshi:0.7.2/',
      startHeight: 212672,
      relay: true,
    });
    expect(netAddrHost(v.addrRecv)).toBe('0.0.0.0');
    expect(v.addrFrom.services).toBe(0n);
  });

  it('decodes a 70015 version without the relay byte (bcoin-style) as relay = true', () => {
    const payload = Uint8Array.from(devRef.subarray(0, devRef.length - 1));
    new DataView(payload.buffer).setInt32(0, 70015, true);
    const v = decode('version', payload);
    expect(v.version).toBe(70015);
    expect(v.startHeight).toBe(329167);
    expect(v.relay).toBe(true);
  });

  it('reads relay = 0 as false', () => {
    const payload = Uint8Array.from(devRef);
    payload[payload.length - 1] = 0;
    expect(decode('version', payload).relay).toBe(false);
  });

  it('decodes the oldest form: version, services, time and addr_recv only', () => {
    const v = decode('version', devRef.subarray(0, 4 + 8 + 8 + 26));
    expect(v).toMatchObject({ version: 70002, nonce: 0n, userAgent: '', startHeight: 0, relay: true });
    expect(toHex(v.addrFrom.ip)).toBe('00'.repeat(16));
  });

  it('stops at each optional field boundary, and refuses a cut inside one', () => {
    // Boundaries after addr_recv, nonce, user agent, start height, relay.
    const boundaries = [46, 80, 96, 100, 101];
    for (let len = 0; len <= devRef.length; len++) {
      const read = (): MessageOf<'version'> => decode('version', devRef.subarray(0, len));
      if (boundaries.includes(len)) expect(read).not.toThrow();
      else expect(read, `cut at ${len}`).toThrow(DecodeError);
    }
  });
});

describe('inv, getdata, notfound', () => {
  // Hand-built from the layout in protocol.h (CInv: u32 type, 32-byte hash): two entries, the
  // genesis coinbase txid (4a5e1e4b…a33b, shown reversed) and the genesis block hash.
  const payload = hex(`
    02                                                                  # count
    01000000                                                            # MSG_TX
    3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a    # txid, internal order
    02000040                                                            # MSG_WITNESS_BLOCK
    6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000    # block hash
  `);

  it.each(['inv', 'getdata', 'notfound'] as const)('%s', (command) => {
    const m = decode(command, payload);
    expect(m.items.map((i) => [i.type, toReversedHex(i.hash)])).toEqual([
      [InvType.TX, '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'],
      [InvType.WITNESS_BLOCK, '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'],
    ]);
    expect(toHex(encodePayload(m))).toBe(toHex(payload));
  });

  it('an empty inv is a single zero byte', () => {
    expect(toHex(encodePayload({ command: 'inv', items: [] }))).toBe('00');
  });
});

describe('ping and pong', () => {
  it('is the 8-byte little-endian nonce, framed with sha256d checksum', () => {
    const frame = encodeMessage(MAINNET, { command: 'ping', nonce: 0x0123456789abcdefn });
    // Header: magic, "ping" NUL-padded, length 8, then the checksum (checked by the framer below).
    expect(toHex(frame.subarray(0, 20))).toBe('f9beb4d9' + '70696e670000000000000000' + '08000000');
    expect(toHex(frame.subarray(24))).toBe('efcdab8967452301');
    expect(decodeFrames(frame)).toEqual([{ command: 'ping', nonce: 0x0123456789abcdefn }]);
    expect(decode('pong', fromHex('efcdab8967452301')).nonce).toBe(0x0123456789abcdefn);
  });

  it.each(['', 'efcdab89674523', 'efcdab896745230100'])('refuses a %s-byte nonce', (h) => {
    expect(() => decodeMessage({ command: 'ping', payload: fromHex(h) })).toThrow(DecodeError);
  });
});

describe('addrv2 (BIP 155)', () => {
  // Bitcoin Core src/test/net_tests.cpp, stream_addrv2_hex: three IPv6 ::1 entries whose
  // services show the CompactSize encoding (0, 1, and 0x448 in three bytes).
  const coreFixture = hex(`
    03                                  # entries
    61bc6649                            # time 1231469665
    00                                  # services NODE_NONE
    02 10 00000000000000000000000000000001  # IPv6 ::1
    0000                                # port 0
    79627683                            # time 2204000889
    01                                  # services NODE_NETWORK
    02 10 00000000000000000000000000000001
    00f1                                # port 241
    ffffffff                            # time 4294967295
    fd4804                              # services NODE_WITNESS | NODE_COMPACT_FILTERS | NODE_NETWORK_LIMITED
    02 10 00000000000000000000000000000001
    f1f2                                # port 61938
  `);

  it("decodes Bitcoin Core's net_tests fixture and re-encodes it byte for byte", () => {
    const m = decode('addrv2', coreFixture);
    expect(m.addrs.map((a) => [a.time, a.services, a.networkId, addrV2Host(a), a.port])).toEqual([
      [0x4966bc61, 0n, 2, '::1', 0],
      [0x83766279, 1n, 2, '::1', 0xf1],
      [0xffffffff, 0x448n, 2, '::1', 0xf1f2],
    ]);
    expect(toHex(encodePayload(m))).toBe(toHex(coreFixture));
  });

  // The address vectors of Core's net_tests "addrv2_unserialize", each as a whole entry.
  const entry = (network: string, address: string): string => `01 00000000 00 ${network} ${address} 208d`;

  it.each([
    [entry('01', '04 01020304'), '1.2.3.4'],
    [entry('04', '20 79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f'), 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion'],
    [entry('05', '20 a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87'), 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p'],
    [entry('06', '10 fc000001000200030004000500060007'), 'fc00:1:2:3:4:5:6:7'],
  ])('decodes %s as %s', (h, host) => {
    const m = decode('addrv2', hex(h));
    expect(addrV2Host(m.addrs[0])).toBe(host);
    expect(m.addrs[0].port).toBe(8333);
  });

  it.each([
    [entry('01', '05 0102030405'), /network 1 address with length 5 \(should be 4\)/],
    [entry('02', '04 01020304'), /network 2 address with length 4 \(should be 16\)/],
    [entry('03', '00'), /network 3 address with length 0 \(should be 10\)/],
    [entry('04', '00'), /network 4 address with length 0 \(should be 32\)/],
    [entry('05', '03 000000'), /network 5 address with length 3 \(should be 32\)/],
    [entry('07', '01 02'), /network 7 address with length 1 \(should be 16\)/],
  ])('refuses a known network with the wrong length: %s', (h, reason) => {
    expect(() => decode('addrv2', hex(h))).toThrow(reason);
  });

  it('keeps an entry of an unknown network, as BIP 155 asks', () => {
    const m = decode('addrv2', hex(entry('aa', '03 010203')));
    expect(m.addrs[0]).toMatchObject({ networkId: 0xaa, port: 8333 });
    expect(toHex(m.addrs[0].addr)).toBe('010203');
    expect(addrV2Host(m.addrs[0])).toBeUndefined();
  });

  it('accepts service bits above MAX_SIZE (Core reads them without the range check)', () => {
    const m = decode('addrv2', hex(`01 00000000 ff0000000000000080 01 04 7f000001 208d`));
    expect(m.addrs[0].services).toBe(2n ** 63n);
  });

  it('still refuses non-canonical service bits', () => {
    expect(() => decode('addrv2', hex(`01 00000000 fd0100 01 04 7f000001 208d`))).toThrow(/non-canonical/);
  });
});

describe('small messages', () => {
  it('feefilter: i64 LE feerate (1,000 sat/kvB, what Core sends by default)', () => {
    expect(decode('feefilter', fromHex('e803000000000000')).feerate).toBe(1000n);
    expect(decode('feefilter', fromHex('ffffffffffffffff')).feerate).toBe(-1n);
  });

  it('sendcmpct(0, 2): what Core sends after verack', () => {
    const m = decode('sendcmpct', fromHex('00' + '0200000000000000'));
    expect(m).toEqual({ command: 'sendcmpct', announce: false, version: 2n });
    expect(toHex(encodePayload(m))).toBe('000200000000000000');
  });

  it('getheaders: version, locator, stop hash', () => {
    const genesis = '6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000';
    const payload = hex(`80110100 01 ${genesis} ${'00'.repeat(32)}`);
    const m = decode('getheaders', payload);
    expect(m.version).toBe(70016);
    expect(m.locator.map(toReversedHex)).toEqual(['000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f']);
    expect(toHex(m.stop)).toBe('00'.repeat(32));
    expect(toHex(encodePayload(m))).toBe(toHex(payload));
  });

  it('addr: u32 time + the 26-byte address, port big-endian', () => {
    const payload = hex(`01 e215104d 0100000000000000 00000000000000000000ffff0a000001 208d`);
    const m = decode('addr', payload);
    expect(m.addrs[0]).toMatchObject({ time: 0x4d1015e2, services: 1n, port: 8333 });
    expect(netAddrHost(m.addrs[0])).toBe('10.0.0.1');
    expect(toHex(encodePayload(m))).toBe(toHex(payload));
  });

  it.each(['verack', 'sendaddrv2', 'wtxidrelay', 'sendheaders', 'getaddr', 'mempool'] as const)('%s has an empty payload and refuses any byte', (command) => {
    expect(decode(command, new Uint8Array(0))).toEqual({ command });
    expect(encodePayload({ command })).toHaveLength(0);
    expect(() => decodeMessage({ command, payload: Uint8Array.of(0) })).toThrow(DecodeError);
  });
});
