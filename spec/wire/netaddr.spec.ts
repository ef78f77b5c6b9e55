import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../lib/wire/hex.js';
import { AddrNetwork } from '../../lib/wire/messages.js';
import {
  addrV2Host,
  formatHostPort,
  formatI2P,
  formatIPv4,
  formatIPv6,
  formatTorV3,
  ipToBytes16,
  netAddrHost,
} from '../../lib/wire/netaddr.js';

describe('formatIPv6 (RFC 5952)', () => {
  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['fe800000000000000000000000000000', 'fe80::'],
    // §4.2.2: a single zero group is not shortened.
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3: the longest run is shortened...
    ['20010000000000010000000000000001', '2001:0:0:1::1'],
    // ...and of equal runs, the first.
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    // §4.3: lowercase, no leading zeros.
    ['20010DB800AB0CDE000F00000000ABCD', '2001:db8:ab:cde:f::abcd'],
    // CJDNS, from Core's net_tests (addrv2 "Valid CJDNS").
    ['fc000001000200030004000500060007', 'fc00:1:2:3:4:5:6:7'],
  ])('%s is %s', (hex, text) => {
    expect(formatIPv6(fromHex(hex.toLowerCase()))).toBe(text);
  });

  it('shows IPv4-mapped addresses as plain IPv4', () => {
    expect(formatIPv6(fromHex('00000000000000000000ffffc61b6409'))).toBe('198.27.100.9');
    // Other IPv4-looking prefixes are IPv6 addresses and shown in hex.
    expect(formatIPv6(fromHex('0064ff9b000000000000000001020304'))).toBe('64:ff9b::102:304');
  });

  it('agrees with the WHATWG URL serializer for every non-mapped address', () => {
    fc.assert(
      fc.property(
        // Many zero groups, so the "::" logic is exercised.
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
        (groups) => {
          const bytes = new Uint8Array(16);
          groups.forEach((g, i) => {
            bytes[2 * i] = g >> 8;
            bytes[2 * i + 1] = g & 0xff;
          });
          fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff));
          const oracle = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
          expect(formatIPv6(bytes)).toBe(oracle);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('ipToBytes16', () => {
  it.each([
    ['1.2.3.4', '00000000000000000000ffff01020304'],
    ['0.0.0.0', '00000000000000000000ffff00000000'],
    ['255.255.255.255', '00000000000000000000ffffffffffff'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:DB8:0:0:0:0:0:1', '20010db8000000000000000000000001'],
    ['fe80::', 'fe800000000000000000000000000000'],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
  ])('%s', (host, hex) => {
    expect(toHex(ipToBytes16(host))).toBe(hex);
  });

  it.each(['', 'localhost', 'seed.bitcoin.sipa.be', '[::1]', '1.2.3.4:8333', '256.1.1.1', '1.2.3', '01.2.3.4', '1::2::3', ':::', 'gggg::1'])(
    'refuses %j with a clear error',
    (host) => {
      expect(() => ipToBytes16(host)).toThrow(/not an IPv4 or IPv6 address/);
    },
  );

  it('inverts formatIPv6 for every 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(toHex(ipToBytes16(formatIPv6(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 500 },
    );
    const mapped = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([...fromHex('00000000000000000000ffff'), ...v4]));
    fc.assert(
      fc.property(mapped, (bytes) => {
        expect(toHex(ipToBytes16(formatIPv6(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 200 },
    );
  });
});

describe('BIP 155 hosts (vectors from Bitcoin Core net_tests / netbase_tests)', () => {
  it('formats Tor v3 onions with the rend-spec-v3 checksum', () => {
    expect(formatTorV3(fromHex('79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f'))).toBe(
      'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion',
    );
    expect(formatTorV3(fromHex('53cd5648488c4707914182655b7664034e09e66f7e8cbf1084e654eb56c5bd88'))).toBe(
      'kpgvmscirrdqpekbqjsvw5teanhatztpp2gl6eee4zkowvwfxwenqaid.onion',
    );
  });

  it('formats I2P addresses as .b32.i2p', () => {
    expect(formatI2P(fromHex('a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87'))).toBe(
      'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p',
    );
  });

  it('formats every network by id, and gives undefined for unknown ids or wrong lengths', () => {
    const host = (networkId: number, hex: string): string | undefined => addrV2Host({ networkId, addr: fromHex(hex) });
    expect(host(AddrNetwork.IPV4, '01020304')).toBe('1.2.3.4');
    expect(host(AddrNetwork.IPV6, '20010db8000000000000000000000001')).toBe('2001:db8::1');
    expect(host(AddrNetwork.TORV3, '79bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f')).toMatch(/^pg6mm.*\.onion$/);
    expect(host(AddrNetwork.I2P, 'a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87')).toMatch(/\.b32\.i2p$/);
    expect(host(AddrNetwork.CJDNS, 'fc000001000200030004000500060007')).toBe('fc00:1:2:3:4:5:6:7');
    expect(host(AddrNetwork.YGGDRASIL, '02000000000000000000000000000001')).toBe('200::1');
    expect(host(AddrNetwork.TORV2, '00000000000000000000')).toBe('aaaaaaaaaaaaaaaa.onion');
    expect(host(AddrNetwork.IPV4, '0102030405')).toBeUndefined();
    expect(host(0x42, '0102')).toBeUndefined();
  });

  it('formats legacy addresses and host:port pairs', () => {
    expect(netAddrHost({ services: 1n, ip: ipToBytes16('203.0.113.192'), port: 8333 })).toBe('203.0.113.192');
    expect(formatHostPort('203.0.113.192', 8333)).toBe('203.0.113.192:8333');
    expect(formatHostPort('2001:db8::1', 8333)).toBe('[2001:db8::1]:8333');
    expect(formatHostPort('example.com', 8333)).toBe('example.com:8333');
    expect(formatIPv4(Uint8Array.of(10, 0, 0, 1))).toBe('10.0.0.1');
  });
});
