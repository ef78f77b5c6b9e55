/**
 * Which peer addresses are real, publicly routable hosts: Bitcoin Core's CNetAddr::IsValid and
 * CNetAddr::IsRoutable (src/netaddress.cpp), over an addrv2 entry's raw bytes (BIP 155 network
 * id + address), with no string parsing.
 *
 * Core keeps an address as (network, bytes): IPv4 as 4 bytes, IPv6 as 16, Tor v3 and I2P as 32,
 * CJDNS as 16. A legacy `addr` entry's 16 bytes become IPv4 when they start with ::ffff:0:0/96
 * (CNetAddr::SetLegacyIPv6); lib/crawler/addrbook.ts `fromLegacy` does that before anything here
 * sees them. An addrv2 IPv6 entry is never reinterpreted: Core's CNetAddr::UnserializeV2Stream
 * makes one carrying an IPv4-mapped or Tor v2 prefix invalid, and one with the "internal" prefix
 * NET_INTERNAL (invalid too). This module does the same.
 */
import { AddrNetwork, type AddrV2Entry } from '../wire/messages.js';

/** The parts of an addrv2 entry that name a host. */
export type HostBytes = Pick<AddrV2Entry, 'networkId' | 'addr'>;

/**
 * Address sizes of the BIP 155 networks Core knows (netaddress.h ADDR_IPV4_SIZE, ADDR_IPV6_SIZE,
 * ADDR_TORV3_SIZE, ADDR_I2P_SIZE, ADDR_CJDNS_SIZE; CNetAddr::SetNetFromBIP155Network). Tor v2 (3)
 * and Yggdrasil (7) are absent: Core drops them as unknown networks, so they are never valid.
 */
export const CORE_ADDRESS_SIZES: Readonly<Record<number, number>> = {
  [AddrNetwork.IPV4]: 4,
  [AddrNetwork.IPV6]: 16,
  [AddrNetwork.TORV3]: 32,
  [AddrNetwork.I2P]: 32,
  [AddrNetwork.CJDNS]: 16,
};

/** A CIDR block: the leading `bits` bits of `prefix`. */
export interface AddressRange {
  /** The CNetAddr predicate (src/netaddress.cpp) that names this block. */
  readonly core: string;
  readonly cidr: string;
  readonly prefix: readonly number[];
  readonly bits: number;
}

const range = (core: string, cidr: string, prefix: readonly number[], bits: number): AddressRange => ({ core, cidr, prefix, bits });

/** Does `addr` start with the range's first `bits` bits? */
export function inRange(addr: Uint8Array, r: AddressRange): boolean {
  const whole = r.bits >> 3;
  for (let i = 0; i < whole; i++) if (addr[i] !== r.prefix[i]) return false;
  const rest = r.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[whole] & mask) === (r.prefix[whole] & mask);
}

// --- Prefixes of the 16-byte legacy form (src/netaddress.h) ---------------------------------

/** IPV4_IN_IPV6_PREFIX: ::ffff:0:0/96, IPv4 carried in a 16-byte field. */
export const IPV4_IN_IPV6 = range('IPV4_IN_IPV6_PREFIX', '::ffff:0:0/96', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96);
/** TORV2_IN_IPV6_PREFIX: fd87:d87e:eb43::/48, an obsolete Tor v2 onion in a 16-byte field. */
export const TORV2_IN_IPV6 = range('TORV2_IN_IPV6_PREFIX', 'fd87:d87e:eb43::/48', [0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43], 48);
/** INTERNAL_IN_IPV6_PREFIX: fd6b:88c0:8724::/48 (0xfd + sha256("bitcoin")[0:5]), addrman's name placeholders. */
export const INTERNAL_IN_IPV6 = range('INTERNAL_IN_IPV6_PREFIX', 'fd6b:88c0:8724::/48', [0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24], 48);
/** CJDNS addresses are fc00::/8 (CNetAddr::HasCJDNSPrefix, used by IsValid). */
export const CJDNS_PREFIX = range('HasCJDNSPrefix', 'fc00::/8', [0xfc], 8);

// --- What IsValid refuses ----------------------------------------------------------------------

/** IsValid: INADDR_ANY (0.0.0.0) and INADDR_NONE (255.255.255.255) are not hosts. */
export const IPV4_INVALID: readonly AddressRange[] = [
  range('IsValid (INADDR_ANY)', '0.0.0.0/32', [0, 0, 0, 0], 32),
  range('IsValid (INADDR_NONE)', '255.255.255.255/32', [255, 255, 255, 255], 32),
];

/** IsValid: the unspecified address and the documentation blocks. */
export const IPV6_INVALID: readonly AddressRange[] = [
  range('IsValid (unspecified ::/128)', '::/128', new Array<number>(16).fill(0), 128),
  range('IsRFC3849', '2001:db8::/32', [0x20, 0x01, 0x0d, 0xb8], 32),
  // Added to Core's IsValid by bitcoin/bitcoin#36199 ("treat RFC 9637 ... as invalid").
  range('IsRFC9637', '3fff::/20', [0x3f, 0xff, 0x00], 20),
];

/**
 * IsValid for an addrv2 IPv6 entry, beyond the blocks above: the prefixes that
 * CNetAddr::UnserializeV2Stream turns into an invalid address (IPv4 or Tor v2 embedded in IPv6)
 * or into NET_INTERNAL, which IsValid refuses.
 */
export const IPV6_EMBEDDED_INVALID: readonly AddressRange[] = [IPV4_IN_IPV6, TORV2_IN_IPV6, INTERNAL_IN_IPV6];

/**
 * An addrv2 entry of BIP 155's IPv6 network that carries IPv4, Tor v2 or an internal name in a
 * prefix: Core's CNetAddr::UnserializeV2Stream reads it as an invalid (or NET_INTERNAL) address
 * ("IPv4 and TORv2 are not supposed to be embedded in IPv6 (like in V1 encoding). Unserialize as
 * !IsValid(), thus ignoring them."), so addrman never keeps it.
 */
export function isEmbeddedInIPv6(a: HostBytes): boolean {
  return a.networkId === AddrNetwork.IPV6 && a.addr.length === 16 && IPV6_EMBEDDED_INVALID.some((r) => inRange(a.addr, r));
}

// --- What IsRoutable refuses beyond IsValid ----------------------------------------------------

/** CNetAddr::IsLocal for IPv4: loopback and "this network". */
export const IPV4_LOCAL: readonly AddressRange[] = [range('IsLocal', '127.0.0.0/8', [127], 8), range('IsLocal', '0.0.0.0/8', [0], 8)];
/** CNetAddr::IsLocal for IPv6: the loopback address. */
export const IPV6_LOCAL: readonly AddressRange[] = [range('IsLocal', '::1/128', [...new Array<number>(15).fill(0), 1], 128)];

/** IsRoutable's IPv4 exclusions, each the Core predicate named. */
export const IPV4_UNROUTABLE: readonly AddressRange[] = [
  range('IsRFC1918', '10.0.0.0/8', [10], 8),
  range('IsRFC1918', '172.16.0.0/12', [172, 16], 12),
  range('IsRFC1918', '192.168.0.0/16', [192, 168], 16),
  range('IsRFC2544', '198.18.0.0/15', [198, 18], 15),
  range('IsRFC3927', '169.254.0.0/16', [169, 254], 16),
  range('IsRFC6598', '100.64.0.0/10', [100, 64], 10),
  range('IsRFC5737', '192.0.2.0/24', [192, 0, 2], 24),
  range('IsRFC5737', '198.51.100.0/24', [198, 51, 100], 24),
  range('IsRFC5737', '203.0.113.0/24', [203, 0, 113], 24),
  ...IPV4_LOCAL,
];

/** IsRoutable's IPv6 exclusions (IsRFC4193 is IPv6 only: CJDNS, its own network, is routable). */
export const IPV6_UNROUTABLE: readonly AddressRange[] = [
  range('IsRFC4862', 'fe80::/64', [0xfe, 0x80, 0, 0, 0, 0, 0, 0], 64),
  range('IsRFC4193', 'fc00::/7', [0xfc], 7),
  range('IsRFC4843', '2001:10::/28', [0x20, 0x01, 0x00, 0x10], 28),
  range('IsRFC7343', '2001:20::/28', [0x20, 0x01, 0x00, 0x20], 28),
  ...IPV6_LOCAL,
];

const matchesAny = (addr: Uint8Array, ranges: readonly AddressRange[]): boolean => ranges.some((r) => inRange(addr, r));

/** A network Core knows, with the right address size (else Core drops or rejects it). */
export function isKnownNetwork(a: HostBytes): boolean {
  return CORE_ADDRESS_SIZES[a.networkId] === a.addr.length;
}

/** CNetAddr::IsValid: could this be a real host (routable or not)? */
export function isValidAddress(a: HostBytes): boolean {
  if (!isKnownNetwork(a)) return false;
  switch (a.networkId) {
    case AddrNetwork.IPV4:
      return !matchesAny(a.addr, IPV4_INVALID);
    case AddrNetwork.IPV6:
      return !matchesAny(a.addr, IPV6_INVALID) && !matchesAny(a.addr, IPV6_EMBEDDED_INVALID);
    case AddrNetwork.CJDNS:
      return inRange(a.addr, CJDNS_PREFIX);
    default:
      return true; // Tor v3, I2P
  }
}

/** CNetAddr::IsLocal: 127.0.0.0/8, 0.0.0.0/8 and ::1. */
export function isLocalAddress(a: HostBytes): boolean {
  if (!isKnownNetwork(a)) return false;
  if (a.networkId === AddrNetwork.IPV4) return matchesAny(a.addr, IPV4_LOCAL);
  if (a.networkId === AddrNetwork.IPV6) return matchesAny(a.addr, IPV6_LOCAL);
  return false;
}

/**
 * CNetAddr::IsRoutable: valid and in none of the private, link-local, shared, benchmark,
 * documentation, ORCHID or loopback blocks. Tor v3, I2P and valid CJDNS addresses are routable.
 * Like Core, multicast (224.0.0.0/4, ff00::/8) and 240.0.0.0/4 count as routable; see
 * lib/net/dial.ts for what the crawler refuses beyond Core.
 */
export function isRoutable(a: HostBytes): boolean {
  if (!isValidAddress(a)) return false;
  if (a.networkId === AddrNetwork.IPV4) return !matchesAny(a.addr, IPV4_UNROUTABLE);
  if (a.networkId === AddrNetwork.IPV6) return !matchesAny(a.addr, IPV6_UNROUTABLE);
  return true;
}

/** Multicast blocks: not in Core's IsRoutable, but no TCP peer can live there. */
export const MULTICAST: Readonly<Record<number, AddressRange>> = {
  [AddrNetwork.IPV4]: range('(not in Core) RFC 5771 multicast', '224.0.0.0/4', [224], 4),
  [AddrNetwork.IPV6]: range('(not in Core) RFC 4291 multicast', 'ff00::/8', [0xff], 8),
};

export function isMulticast(a: HostBytes): boolean {
  const r = MULTICAST[a.networkId];
  return r !== undefined && isKnownNetwork(a) && inRange(a.addr, r);
}
