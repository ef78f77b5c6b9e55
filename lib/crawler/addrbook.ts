import { AddrNetwork, type AddrV2Entry, type TimedNetAddr } from '../wire/messages.js';
import { isIP } from 'node:net';
import { evictOldest } from './bounded-set.js';
import { addrV2Host, ipToBytes16, isIPv4Mapped } from '../wire/netaddr.js';
import { shouldDial, type DialDecision, type DialOptions } from '../net/dial.js';
import { isEmbeddedInIPv6 } from '../net/routable.js';

/** A peer address learned from `addr`/`addrv2`. */
export interface KnownAddress {
  readonly network: NetworkLabel;
  readonly host: string;
  readonly port: number;
  readonly services: bigint;
  /** The time the announcing peer gave (unix seconds). */
  readonly time: number;
  /** Which peer told us first. */
  readonly source: string;
  /**
   * Whether the crawler may dial it, and why not: Core's routability and bad ports (lib/net/dial.ts);
   * Tor, I2P and CJDNS only when reachable (lib/net/reach.ts), Yggdrasil never.
   */
  readonly dial: DialDecision;
}

/** Core's network names (netbase.cpp GetNetworkName: Tor v2 and v3 are both NET_ONION, "onion"), as peer lines and --onlynet say them. */
export type NetworkLabel = 'ipv4' | 'ipv6' | 'onion' | 'i2p' | 'cjdns' | 'yggdrasil';

const LABELS: Readonly<Record<number, NetworkLabel>> = {
  [AddrNetwork.IPV4]: 'ipv4',
  [AddrNetwork.IPV6]: 'ipv6',
  [AddrNetwork.TORV2]: 'onion',
  [AddrNetwork.TORV3]: 'onion',
  [AddrNetwork.I2P]: 'i2p',
  [AddrNetwork.CJDNS]: 'cjdns',
  [AddrNetwork.YGGDRASIL]: 'yggdrasil',
};

/**
 * Core's address manager keeps ~65,000 (ADDRMAN_NEW_BUCKET_COUNT × bucket size); a crawler's
 * table is a simpler FIFO with the same order of magnitude.
 */
export const ADDRESS_BOOK_CAPACITY = 65_536;

/** A legacy `addr` entry as an addrv2 one: IPv4-mapped addresses become IPv4. */
export function fromLegacy(a: TimedNetAddr): AddrV2Entry {
  return isIPv4Mapped(a.ip)
    ? { time: a.time, services: a.services, networkId: AddrNetwork.IPV4, addr: a.ip.subarray(12), port: a.port }
    : { time: a.time, services: a.services, networkId: AddrNetwork.IPV6, addr: a.ip, port: a.port };
}

/**
 * What we know of one address beyond its gossip, as Core's addrman keeps it (addrman_impl.h
 * AddrInfo: nLastTry, nLastSuccess, nAttempts): when we last tried it, when it last completed a
 * handshake, and how many tries failed since. Times are milliseconds since the epoch.
 */
export interface AddressHistory {
  lastTry?: number;
  lastSuccess?: number;
  attempts: number;
}

/** One book entry: the address, its BIP 155 form (for the file) and its history. */
export interface BookEntry {
  readonly address: KnownAddress;
  readonly entry: AddrV2Entry;
  readonly history: AddressHistory;
}

/** An IP address as a BIP 155 entry (IPv4-mapped IPv6 as IPv4), or undefined for a host name. */
export function entryOfIp(host: string, port: number, services = 0n, time = 0): AddrV2Entry | undefined {
  if (isIP(host) === 0) return undefined;
  return fromLegacy({ time, services, ip: ipToBytes16(host), port });
}

/**
 * Core's addrman prefers addresses that worked and avoids recent failures (AddrInfo::GetChance:
 * a try in the last 10 minutes ×0.01, each failed attempt ×0.66). A crawler wants the same order
 * without the randomness: addresses that completed a handshake (latest first), then never tried
 * ones, then those that failed (fewest attempts, oldest try first).
 */
export function dialOrder(a: AddressHistory, b: AddressHistory): number {
  const rank = (h: AddressHistory): number => (h.lastSuccess !== undefined && h.attempts === 0 ? 0 : h.lastTry === undefined ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (b.lastSuccess ?? 0) - (a.lastSuccess ?? 0);
  if (ra === 2) return a.attempts - b.attempts || (a.lastTry ?? 0) - (b.lastTry ?? 0);
  return 0;
}

/** Learned addresses, de-duplicated by network, address and port, bounded (oldest out first). */
export class AddressBook {
  private readonly known = new Map<string, BookEntry>();
  /** Entries skipped because Core reads them as invalid: IPv4, Tor v2 or an internal name inside BIP 155's IPv6 (isEmbeddedInIPv6). */
  embeddedSkipped = 0;

  constructor(
    private readonly dialOptions: DialOptions = { allowLocal: false },
    readonly capacity = ADDRESS_BOOK_CAPACITY,
  ) {}

  get size(): number {
    return this.known.size;
  }

  has(host: string, port: number): boolean {
    return this.find(host, port) !== undefined;
  }

  /** The entry for a dialled host and port (IPv4, IPv6, or a name such as an onion). */
  find(host: string, port: number): BookEntry | undefined {
    for (const label of Object.values(LABELS)) {
      const e = this.known.get(`${label}|${host}|${port}`);
      if (e) return e;
    }
    return undefined;
  }

  /** Adds what a peer told us; returns only the addresses it had not known before. */
  learn(entries: readonly AddrV2Entry[], source: string): KnownAddress[] {
    const fresh: KnownAddress[] = [];
    for (const e of entries) {
      const added = this.add(e, source, { attempts: 0 });
      if (added) fresh.push(added.address);
    }
    return fresh;
  }

  /**
   * Adds one entry with its history (learned, or loaded from the address book's file); undefined
   * when it was known already or cannot be an address.
   */
  add(e: AddrV2Entry, source: string, history: AddressHistory): BookEntry | undefined {
    const network = LABELS[e.networkId];
    const host = network === undefined ? undefined : addrV2Host(e);
    // Unknown networks are skipped, as BIP 155 asks; port 0 cannot be dialled, except on I2P
    // where it is the only port there is (SAM 3.1, Core's I2P_SAM31_PORT).
    if (network === undefined || host === undefined || (e.port === 0 && e.networkId !== AddrNetwork.I2P)) return undefined;
    // Core ignores these (netaddress.cpp UnserializeV2Stream); so do we, rather than print an IPv4 as "ipv6".
    if (isEmbeddedInIPv6(e)) {
      this.embeddedSkipped++;
      return undefined;
    }
    const key = `${network}|${host}|${e.port}`;
    if (this.known.has(key)) return undefined;
    // A copy: the entry's bytes may be a view into a whole addr payload.
    const entry: AddrV2Entry = { time: e.time, services: e.services, networkId: e.networkId, addr: e.addr.slice(), port: e.port };
    const address: KnownAddress = { network, host, port: e.port, services: e.services, time: e.time, source, dial: shouldDial(e, this.dialOptions) };
    const b: BookEntry = { address, entry, history: { ...history } };
    this.known.set(key, b);
    if (this.known.size > this.capacity) evictOldest(this.known, this.capacity);
    return b;
  }

  /** We are dialling this address. */
  attempt(host: string, port: number, now: number): void {
    const e = this.find(host, port);
    if (!e) return;
    e.history.lastTry = now;
    e.history.attempts++;
  }

  /** Its handshake completed: its failures are forgiven (Core: CAddrMan::Good). */
  success(host: string, port: number, now: number): void {
    const e = this.find(host, port);
    if (!e) return;
    e.history.lastSuccess = now;
    e.history.attempts = 0;
  }

  /** Every entry, oldest first. */
  entries(): IterableIterator<BookEntry> {
    return this.known.values();
  }

  /** The addresses we may dial, in dialOrder. */
  ranked(): KnownAddress[] {
    return [...this.known.values()]
      .filter((e) => e.address.dial.ok)
      .sort((a, b) => dialOrder(a.history, b.history))
      .map((e) => e.address);
  }
}
