/**
 * CNetAddr::IsValid / IsRoutable / IsLocal (Bitcoin Core src/netaddress.cpp) over addrv2 bytes:
 * both edges of every block Core names, the IPv4-in-IPv6 forms, the other BIP 155 networks, and
 * properties against an independent CIDR table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromLegacy } from '../../lib/crawler/addrbook.js';
import { type HostBytes, inRange, IPV4_UNROUTABLE, IPV6_UNROUTABLE, isLocalAddress, isMulticast, isRoutable, isValidAddress } from '../../lib/net/routable.js';
import { AddrNetwork } from '../../lib/wire/messages.js';
import { ipToBytes16 } from '../../lib/wire/netaddr.js';

const v4 = (ip: string): HostBytes => ({ networkId: AddrNetwork.IPV4, addr: ipToBytes16(ip).subarray(12) });
const v6 = (ip: string): HostBytes => ({ networkId: AddrNetwork.IPV6, addr: ipToBytes16(ip) });
const legacy = (ip: string): HostBytes => fromLegacy({ time: 0, services: 0n, ip: ipToBytes16(ip), port: 8333 });
const bytes = (n: number, fill: number, first?: number): Uint8Array => {
  const b = new Uint8Array(n).fill(fill);
  if (first !== undefined) b[0] = first;
  return b;
};

/** [address, routable] at both edges of each block, and one step outside each edge. */
const IPV4_EDGES: [string, boolean][] = [
  // RFC 1918 10.0.0.0/8
  ['9.255.255.255', true], ['10.0.0.0', false], ['10.255.255.255', false], ['11.0.0.0', true],
  // RFC 1918 172.16.0.0/12
  ['172.15.255.255', true], ['172.16.0.0', false], ['172.31.255.255', false], ['172.32.0.0', true],
  // RFC 1918 192.168.0.0/16
  ['192.167.255.255', true], ['192.168.0.0', false], ['192.168.255.255', false], ['192.169.0.0', true],
  // RFC 2544 198.18.0.0/15
  ['198.17.255.255', true], ['198.18.0.0', false], ['198.19.255.255', false], ['198.20.0.0', true],
  // RFC 3927 169.254.0.0/16
  ['169.253.255.255', true], ['169.254.0.0', false], ['169.254.255.255', false], ['169.255.0.0', true],
  // RFC 6598 100.64.0.0/10
  ['100.63.255.255', true], ['100.64.0.0', false], ['100.127.255.255', false], ['100.128.0.0', true],
  // RFC 5737 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
  ['192.0.1.255', true], ['192.0.2.0', false], ['192.0.2.255', false], ['192.0.3.0', true],
  ['198.51.99.255', true], ['198.51.100.0', false], ['198.51.100.255', false], ['198.51.101.0', true],
  ['203.0.112.255', true], ['203.0.113.0', false], ['203.0.113.255', false], ['203.0.114.0', true],
  // IsLocal 127.0.0.0/8 and 0.0.0.0/8
  ['126.255.255.255', true], ['127.0.0.0', false], ['127.255.255.255', false], ['128.0.0.0', true],
  ['0.0.0.0', false], ['0.0.0.1', false], ['0.255.255.255', false], ['1.0.0.0', true],
  // IsValid: INADDR_NONE only, not its neighbours
  ['255.255.255.254', true], ['255.255.255.255', false],
  // Core leaves multicast and 240.0.0.0/4 routable
  ['224.0.0.1', true], ['239.255.255.255', true], ['240.0.0.1', true],
  // Core's netbase_tests
  ['8.8.8.8', true],
];

const IPV6_EDGES: [string, boolean][] = [
  // IsValid: the unspecified address; IsLocal: ::1 only
  ['::', false], ['::1', false], ['::2', true],
  // RFC 3849 2001:db8::/32 (invalid)
  ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', true], ['2001:db8::', false], ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', false], ['2001:db9::', true],
  // RFC 9637 3fff::/20 (invalid)
  ['3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true], ['3fff::', false], ['3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', false], ['3fff:1000::', true],
  // RFC 4193 fc00::/7
  ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true], ['fc00::', false], ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false], ['fe00::', true],
  // RFC 4862 fe80::/64: only the /64, not all of fe80::/10; site-local fec0::/10 is routable (Core #19978)
  ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true], ['fe80::', false], ['fe80::ffff:ffff:ffff:ffff', false], ['fe80:0:0:1::', true], ['fec0::1', true],
  // RFC 4843 2001:10::/28 and RFC 7343 2001:20::/28
  ['2001:f:ffff:ffff:ffff:ffff:ffff:ffff', true], ['2001:10::', false], ['2001:1f:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:20::', false], ['2001:2f:ffff:ffff:ffff:ffff:ffff:ffff', false], ['2001:30::', true],
  // Tunnels and translations are routable in Core (they only matter to GetGroup): Teredo, 6to4, RFC 6052, RFC 6145
  ['2001::1', true], ['2001::2', true], ['2002::1', true], ['64:ff9b::102:304', true], ['::ffff:0:102:304', true],
  // Multicast stays routable in Core
  ['ff02::1', true],
];

describe('isRoutable: IPv4 (IsRFC1918, IsRFC2544, IsRFC3927, IsRFC6598, IsRFC5737, IsLocal, IsValid)', () => {
  it.each(IPV4_EDGES)('%s → %s', (ip, routable) => {
    expect(isRoutable(v4(ip))).toBe(routable);
  });

  it('IsValid refuses only 0.0.0.0 and 255.255.255.255; private and loopback addresses are valid', () => {
    expect(isValidAddress(v4('0.0.0.0'))).toBe(false);
    expect(isValidAddress(v4('255.255.255.255'))).toBe(false);
    for (const ip of ['0.0.0.1', '127.0.0.1', '10.0.0.1', '192.168.1.1', '100.64.0.1']) expect(isValidAddress(v4(ip)), ip).toBe(true);
  });

  it('IsLocal is 127.0.0.0/8 and 0.0.0.0/8', () => {
    expect(['127.0.0.1', '0.1.2.3', '127.255.255.255'].map((ip) => isLocalAddress(v4(ip)))).toEqual([true, true, true]);
    expect(['128.0.0.0', '10.0.0.1', '1.0.0.0'].map((ip) => isLocalAddress(v4(ip)))).toEqual([false, false, false]);
  });
});

describe('isRoutable: IPv6 (IsRFC3849, IsRFC9637, IsRFC4193, IsRFC4862, IsRFC4843, IsRFC7343, IsLocal, IsValid)', () => {
  it.each(IPV6_EDGES)('%s → %s', (ip, routable) => {
    expect(isRoutable(v6(ip))).toBe(routable);
  });

  it('IsValid: :: and the documentation blocks are invalid; ::1, fc00:: and fe80:: are valid', () => {
    expect(['::', '2001:db8::1', '3fff::1'].map((ip) => isValidAddress(v6(ip)))).toEqual([false, false, false]);
    expect(['::1', 'fc00::1', 'fe80::1', '2001:10::1'].map((ip) => isValidAddress(v6(ip)))).toEqual([true, true, true, true]);
  });

  it('IsLocal is ::1 only', () => {
    expect(['::1', '::', '::2', 'fe80::1'].map((ip) => isLocalAddress(v6(ip)))).toEqual([true, false, false, false]);
  });
});

describe('IPv4 inside IPv6 (CNetAddr::SetLegacyIPv6, UnserializeV2Stream)', () => {
  it('a legacy addr ::ffff:a.b.c.d becomes IPv4 (fromLegacy) and is judged as IPv4', () => {
    expect(legacy('::ffff:8.8.8.8')).toMatchObject({ networkId: AddrNetwork.IPV4 });
    expect(isRoutable(legacy('::ffff:8.8.8.8'))).toBe(true);
    expect(isRoutable(legacy('::ffff:172.16.0.1'))).toBe(false);
    expect(isRoutable(legacy('::ffff:172.32.0.0'))).toBe(true);
    expect(isValidAddress(legacy('::ffff:0.0.0.0'))).toBe(false);
    expect(isValidAddress(legacy('::ffff:127.0.0.1'))).toBe(true);
    expect(isRoutable(legacy('::ffff:127.0.0.1'))).toBe(false);
  });

  it('an addrv2 IPv6 entry carrying ::ffff:a.b.c.d is invalid (Core ignores it rather than reinterpreting it)', () => {
    expect(isValidAddress(v6('::ffff:8.8.8.8'))).toBe(false);
    expect(isValidAddress(v6('::ffff:0:0'))).toBe(false);
    expect(isValidAddress(v6('::fffe:808:808'))).toBe(true);
  });

  it('Tor v2 and "internal" addresses embedded in IPv6 are invalid, addrv2 or legacy', () => {
    for (const ip of ['fd87:d87e:eb43::1', 'fd87:d87e:eb43:ffff:ffff:ffff:ffff:ffff', 'fd6b:88c0:8724::1']) {
      expect(isValidAddress(v6(ip)), ip).toBe(false);
      expect(isValidAddress(legacy(ip)), ip).toBe(false);
    }
    // One bit off the internal prefix: an ordinary (valid, unroutable) unique-local address, as Core's netbase_tests.
    expect(isValidAddress(v6('fd6c:88c0:8724:1:2:3:4:5'))).toBe(true);
    expect(isRoutable(v6('fd6c:88c0:8724:1:2:3:4:5'))).toBe(false);
  });
});

describe('the other BIP 155 networks', () => {
  it('Tor v3 and I2P are routable', () => {
    expect(isRoutable({ networkId: AddrNetwork.TORV3, addr: bytes(32, 0x11) })).toBe(true);
    expect(isRoutable({ networkId: AddrNetwork.I2P, addr: bytes(32, 0x22) })).toBe(true);
  });

  it('CJDNS must start with 0xfc (IsValid) and is then routable: RFC 4193 applies to IPv6 only', () => {
    expect(isRoutable({ networkId: AddrNetwork.CJDNS, addr: bytes(16, 1, 0xfc) })).toBe(true);
    expect(isValidAddress({ networkId: AddrNetwork.CJDNS, addr: bytes(16, 1, 0xfd) })).toBe(false);
    expect(isValidAddress({ networkId: AddrNetwork.CJDNS, addr: bytes(16, 0, 0xfe) })).toBe(false);
    expect(isRoutable(v6('fc00::1'))).toBe(false);
  });

  it('networks Core no longer or never knew, and wrong sizes, are invalid', () => {
    expect(isValidAddress({ networkId: AddrNetwork.TORV2, addr: bytes(10, 0x33) })).toBe(false);
    expect(isValidAddress({ networkId: AddrNetwork.YGGDRASIL, addr: bytes(16, 1, 0x02) })).toBe(false);
    expect(isValidAddress({ networkId: 0x42, addr: bytes(4, 8) })).toBe(false);
    expect(isValidAddress({ networkId: AddrNetwork.IPV4, addr: bytes(5, 8) })).toBe(false);
    expect(isValidAddress({ networkId: AddrNetwork.IPV6, addr: bytes(4, 8) })).toBe(false);
    expect(isValidAddress({ networkId: AddrNetwork.TORV3, addr: bytes(31, 8) })).toBe(false);
  });
});

describe('isMulticast (beyond Core: for the dial policy)', () => {
  it('is 224.0.0.0/4 and ff00::/8', () => {
    expect(['223.255.255.255', '224.0.0.0', '239.255.255.255', '240.0.0.0'].map((ip) => isMulticast(v4(ip)))).toEqual([false, true, true, false]);
    expect(['feff::', 'ff00::', 'ff02::1'].map((ip) => isMulticast(v6(ip)))).toEqual([false, true, true]);
    expect(isMulticast({ networkId: AddrNetwork.CJDNS, addr: bytes(16, 0xff, 0xfc) })).toBe(false);
  });
});

describe('the range tables', () => {
  it('each range contains its own prefix and its last address, and not the next one after', () => {
    for (const [ranges, size] of [[IPV4_UNROUTABLE, 4], [IPV6_UNROUTABLE, 16]] as const) {
      for (const r of ranges) {
        const first = new Uint8Array(size);
        first.set(r.prefix);
        expect(inRange(first, r), r.cidr).toBe(true);
        const last = Uint8Array.from(first);
        for (let bit = r.bits; bit < size * 8; bit++) last[bit >> 3] |= 0x80 >> (bit & 7);
        expect(inRange(last, r), r.cidr).toBe(true);
        // Flip the last prefix bit: outside.
        const out = Uint8Array.from(first);
        out[(r.bits - 1) >> 3] ^= 0x80 >> ((r.bits - 1) & 7);
        expect(inRange(out, r), r.cidr).toBe(false);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// An independent model: CIDR strings, parsed and compared as integers.

interface Cidr {
  readonly base: bigint;
  readonly mask: bigint;
}

function cidr(text: string, width: 32 | 128): Cidr {
  const [ip, len] = text.split('/');
  const bits = BigInt(len);
  const all = (1n << BigInt(width)) - 1n;
  const mask = all ^ ((1n << (BigInt(width) - bits)) - 1n);
  const raw = ipToBytes16(ip);
  const value = toBig(width === 32 ? raw.subarray(12) : raw);
  return { base: value & mask, mask };
}

function toBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** Everything Core's IsRoutable refuses, as a plain list of IPv4 blocks. */
const MODEL_V4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '255.255.255.255/32',
].map((c) => cidr(c, 32));

/** …and IPv6 blocks (addrv2 rules: IPv4-mapped is invalid; Tor v2 and internal lie inside fc00::/7). */
const MODEL_V6 = [
  '::/128', '::1/128', '::ffff:0:0/96', '2001:db8::/32', '3fff::/20', 'fc00::/7', 'fe80::/64', '2001:10::/28', '2001:20::/28',
].map((c) => cidr(c, 128));

const modelRoutable = (addr: Uint8Array, model: readonly Cidr[]): boolean => {
  const v = toBig(addr);
  return !model.some((c) => (v & c.mask) === c.base);
};

/** Random addresses, half of them starting with a byte pair near some block's edge. */
function addresses(size: 4 | 16, leads: readonly (readonly [number, number])[]): fc.Arbitrary<Uint8Array> {
  const random = fc.uint8Array({ minLength: size, maxLength: size });
  const near = fc.tuple(fc.constantFrom(...leads), random, fc.integer({ min: -1, max: 1 })).map(([[a, b], rest, step]) => {
    const out = Uint8Array.from(rest);
    out[0] = a;
    out[1] = (b + step) & 0xff;
    return out;
  });
  return fc.oneof(random, near, fc.constantFrom(new Uint8Array(size), new Uint8Array(size).fill(0xff)));
}

describe('properties: isRoutable equals a CIDR-table model', () => {
  it('for any 4-byte IPv4 address', () => {
    const leads = [[0, 0], [10, 0], [100, 64], [100, 127], [127, 0], [169, 254], [172, 16], [172, 31], [192, 0], [192, 168], [198, 18], [198, 19], [198, 51], [203, 0], [255, 255]] as const;
    fc.assert(
      fc.property(addresses(4, leads), (addr) => {
        expect(isRoutable({ networkId: AddrNetwork.IPV4, addr })).toBe(modelRoutable(addr, MODEL_V4));
      }),
      { numRuns: 20_000 },
    );
  });

  it('for any 16-byte addrv2 IPv6 address', () => {
    const leads = [[0, 0], [0x20, 0x01], [0x3f, 0xff], [0xfc, 0], [0xfd, 0x87], [0xfd, 0x6b], [0xfe, 0x80], [0xff, 0]] as const;
    const withPrefixes = fc.oneof(
      addresses(16, leads),
      // Fill the bytes after the lead pair with zeros/ones so ::, ::1, ::ffff:…, 2001:1x:: and 2001:2x:: come up.
      fc.tuple(fc.constantFrom(0, 0x2001), fc.integer({ min: 0, max: 0x3f }), fc.constantFrom(0, 1, 0xffff), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(
        ([g0, g1, g5, tail]) => {
          const out = new Uint8Array(16);
          out[0] = g0 >> 8;
          out[1] = g0 & 0xff;
          out[3] = g1;
          out[10] = g5 >> 8;
          out[11] = g5 & 0xff;
          out.set(tail, 12);
          return out;
        },
      ),
    );
    fc.assert(
      fc.property(withPrefixes, (addr) => {
        expect(isRoutable({ networkId: AddrNetwork.IPV6, addr })).toBe(modelRoutable(addr, MODEL_V6));
      }),
      { numRuns: 20_000 },
    );
  });
});
