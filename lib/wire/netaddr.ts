/**
 * Addresses as text, for logs and NDJSON: the 16-byte IP of `version`/`addr` and every BIP 155
 * network of `addrv2`; and the reverse for IP literals.
 */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { base32nopad } from '@scure/base';
import { isIP } from 'node:net';
import { AddrNetwork, type AddrV2Entry, type NetAddr } from './messages.js';

/** ::ffff:0:0/96, how a 16-byte address field carries IPv4 (RFC 4291 §2.5.5.2). */
const IPV4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] as const;

function expectLength(bytes: Uint8Array, n: number, what: string): void {
  if (bytes.length !== n) throw new RangeError(`${what} needs ${n} bytes, got ${bytes.length}`);
}

export function isIPv4Mapped(ip16: Uint8Array): boolean {
  return ip16.length === 16 && IPV4_MAPPED_PREFIX.every((b, i) => ip16[i] === b);
}

/** Dotted decimal. */
export function formatIPv4(ip4: Uint8Array): string {
  expectLength(ip4, 4, 'an IPv4 address');
  return `${ip4[0]}.${ip4[1]}.${ip4[2]}.${ip4[3]}`;
}

/**
 * RFC 5952 text: lowercase hex, no leading zeros, the longest run of two or more zero groups
 * (the first of equal runs) as "::". IPv4-mapped addresses are shown as plain IPv4, since that
 * is what they stand for in `version` and `addr`.
 */
export function formatIPv6(ip16: Uint8Array): string {
  expectLength(ip16, 16, 'an IPv6 address');
  if (isIPv4Mapped(ip16)) return formatIPv4(ip16.subarray(12));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip16[i] << 8) | ip16[i + 1]);
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never shortened (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

const base32Lower = (bytes: Uint8Array): string => base32nopad.encode(bytes).toLowerCase();

/** rend-spec-v3 §6: onion address version byte. */
const TORV3_VERSION = 3;
const TORV3_CHECKSUM_TAG = new TextEncoder().encode('.onion checksum');

/**
 * A Tor v3 onion service from its 32-byte ed25519 public key (rend-spec-v3 §6, as Core's
 * netaddress.cpp OnionToString): base32(PUBKEY | CHECKSUM | VERSION) + ".onion", where
 * CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[:2] and VERSION = 3.
 */
export function formatTorV3(pubkey: Uint8Array): string {
  expectLength(pubkey, 32, 'a Tor v3 public key');
  const version = Uint8Array.of(TORV3_VERSION);
  const digest = sha3_256.create().update(TORV3_CHECKSUM_TAG).update(pubkey).update(version).digest();
  const full = new Uint8Array(35);
  full.set(pubkey, 0);
  full.set(digest.subarray(0, 2), 32);
  full[34] = TORV3_VERSION;
  return `${base32Lower(full)}.onion`;
}

/** An obsolete Tor v2 onion: base32 of its 10 bytes. */
export function formatTorV2(id: Uint8Array): string {
  expectLength(id, 10, 'a Tor v2 address');
  return `${base32Lower(id)}.onion`;
}

/** An I2P destination from the SHA-256 of it: base32 + ".b32.i2p" (Core: netaddress.cpp ToStringAddr). */
export function formatI2P(hash: Uint8Array): string {
  expectLength(hash, 32, 'an I2P address');
  return `${base32Lower(hash)}.b32.i2p`;
}

/** The host of a `version`/`addr` address. */
export function netAddrHost(a: NetAddr): string {
  return formatIPv6(a.ip);
}

/**
 * The host of an addrv2 entry, or undefined for a network id we do not know (or a known id
 * with the wrong length, which the decoder never produces). CJDNS (fc00::/8) and Yggdrasil
 * (0200::/7) addresses are IPv6 addresses and shown as such.
 */
export function addrV2Host(e: Pick<AddrV2Entry, 'networkId' | 'addr'>): string | undefined {
  const n = e.addr.length;
  switch (e.networkId) {
    case AddrNetwork.IPV4:
      return n === 4 ? formatIPv4(e.addr) : undefined;
    case AddrNetwork.IPV6:
    case AddrNetwork.CJDNS:
    case AddrNetwork.YGGDRASIL:
      return n === 16 ? formatIPv6(e.addr) : undefined;
    case AddrNetwork.TORV2:
      return n === 10 ? formatTorV2(e.addr) : undefined;
    case AddrNetwork.TORV3:
      return n === 32 ? formatTorV3(e.addr) : undefined;
    case AddrNetwork.I2P:
      return n === 32 ? formatI2P(e.addr) : undefined;
    default:
      return undefined;
  }
}

/** "host:port", with IPv6 literals in brackets (RFC 3986). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function parseIPv4(text: string): [number, number, number, number] {
  const [a, b, c, d] = text.split('.').map(Number);
  return [a, b, c, d];
}

/** The 16-bit groups of one side of "::" (already validated by net.isIP). */
function ipv6Groups(part: string): number[] {
  if (part === '') return [];
  const groups: number[] = [];
  for (const g of part.split(':')) {
    if (g.includes('.')) {
      const [a, b, c, d] = parseIPv4(g);
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      groups.push(parseInt(g, 16));
    }
  }
  return groups;
}

/**
 * An IP literal as the 16 bytes of a `version`/`addr` address: IPv6 as is, IPv4 as
 * ::ffff:a.b.c.d. An IPv6 zone ("fe80::1%eth0") is dropped: the field has no room for it.
 * Throws an Error for anything that is not an IP literal (host names, brackets, ports).
 */
export function ipToBytes16(host: string): Uint8Array {
  const out = new Uint8Array(16);
  const kind = isIP(host);
  if (kind === 4) {
    out.set(IPV4_MAPPED_PREFIX);
    out.set(parseIPv4(host), 12);
    return out;
  }
  if (kind !== 6) throw new Error(`not an IPv4 or IPv6 address: ${JSON.stringify(host)}`);
  const text = host.split('%')[0];
  const gap = text.indexOf('::');
  let groups: number[];
  if (gap === -1) {
    groups = ipv6Groups(text);
  } else {
    const head = ipv6Groups(text.slice(0, gap));
    const tail = ipv6Groups(text.slice(gap + 2));
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  if (groups.length !== 8) throw new Error(`not an IPv6 address: ${JSON.stringify(host)}`);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
