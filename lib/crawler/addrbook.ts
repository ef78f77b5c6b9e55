import { AddrNetwork, type AddrV2Entry, type TimedNetAddr } from '../wire/messages.js';
import { addrV2Host, isIPv4Mapped } from '../wire/netaddr.js';
import { shouldDial, type DialDecision, type DialOptions } from '../net/dial.js';

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

export type NetworkLabel = 'ipv4' | 'ipv6' | 'torv2' | 'torv3' | 'i2p' | 'cjdns' | 'yggdrasil';

const LABELS: Readonly<Record<number, NetworkLabel>> = {
  [AddrNetwork.IPV4]: 'ipv4',
  [AddrNetwork.IPV6]: 'ipv6',
  [AddrNetwork.TORV2]: 'torv2',
  [AddrNetwork.TORV3]: 'torv3',
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

/** Learned addresses, de-duplicated by network, address and port, bounded (oldest out first). */
export class AddressBook {
  private readonly known = new Map<string, KnownAddress>();

  constructor(
    private readonly dialOptions: DialOptions = { allowLocal: false },
    readonly capacity = ADDRESS_BOOK_CAPACITY,
  ) {}

  get size(): number {
    return this.known.size;
  }

  has(host: string, port: number): boolean {
    for (const label of ['ipv4', 'ipv6'] as const) if (this.known.has(`${label}|${host}|${port}`)) return true;
    return false;
  }

  /** Adds what a peer told us; returns only the addresses it had not known before. */
  learn(entries: readonly AddrV2Entry[], source: string): KnownAddress[] {
    const fresh: KnownAddress[] = [];
    for (const e of entries) {
      const network = LABELS[e.networkId];
      const host = network === undefined ? undefined : addrV2Host(e);
      // Unknown networks are skipped, as BIP 155 asks; port 0 cannot be dialled, except on I2P
      // where it is the only port there is (SAM 3.1, Core's I2P_SAM31_PORT).
      if (network === undefined || host === undefined || (e.port === 0 && e.networkId !== AddrNetwork.I2P)) continue;
      const key = `${network}|${host}|${e.port}`;
      if (this.known.has(key)) continue;
      const a: KnownAddress = { network, host, port: e.port, services: e.services, time: e.time, source, dial: shouldDial(e, this.dialOptions) };
      this.known.set(key, a);
      if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value as string);
      fresh.push(a);
    }
    return fresh;
  }
}
