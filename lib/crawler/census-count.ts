/** A census's counts: nodes visited (and over v2) and unreachable, in all and per network. */
import type { HostNetwork, ReachConfig } from '../net/reach.js';
import type { KnownAddress } from './addrbook.js';

/**
 * What would reach a learned address the census could not dial for want of a transport (Core's
 * flags: -proxy/-onion for Tor, -i2psam, -cjdnsreachable), or why it was left out anyway.
 */
function reachHint(network: string, reach: ReachConfig): string {
  switch (network) {
    case 'onion':
      return reach.onion ?? reach.proxy ? 'not in --onlynet' : 'reach them with --proxy or --onion';
    case 'i2p':
      return reach.i2pSam ? 'not in --onlynet' : 'reach them with --i2psam';
    case 'cjdns':
      return reach.cjdnsReachable ? 'not in --onlynet' : 'reach them with --cjdns-reachable';
    default:
      return 'not in --onlynet';
  }
}

/** The order networks are listed in (Core's GetNetworkName names, then host names). */
const ORDER: readonly HostNetwork[] = ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns', 'name'];

export class CensusCount {
  visited = 0;
  visitedV2 = 0;
  unreachable = 0;
  /** Unreachable nodes by why (the drop reason). */
  private readonly why = new Map<string, number>();
  private readonly byNetwork = new Map<HostNetwork, { visited: number; unreachable: number }>();
  /** Learned addresses never dialled because their network is not reachable, by network. */
  private readonly unvisited = new Map<string, number>();
  private reach: ReachConfig | undefined;

  /** Counts the learned addresses that could not be dialled for want of a transport (a proxy, a bridge). */
  notVisited(addresses: Iterable<{ readonly address: KnownAddress }>, reach: ReachConfig): void {
    this.reach = reach;
    for (const { address } of addresses) {
      if (!address.dial.ok && address.dial.why === 'no-transport') this.unvisited.set(address.network, (this.unvisited.get(address.network) ?? 0) + 1);
    }
  }

  private of(network: HostNetwork): { visited: number; unreachable: number } {
    let c = this.byNetwork.get(network);
    if (!c) this.byNetwork.set(network, (c = { visited: 0, unreachable: 0 }));
    return c;
  }

  visit(network: HostNetwork, v2: boolean): void {
    this.visited++;
    if (v2) this.visitedV2++;
    this.of(network).visited++;
  }

  miss(network: HostNetwork, reason: string): void {
    this.unreachable++;
    this.why.set(reason, (this.why.get(reason) ?? 0) + 1);
    this.of(network).unreachable++;
  }

  /** The summary's lines: the totals, then reachable (and unreachable) nodes per network. */
  summary(): string[] {
    const share = this.visited === 0 ? 0 : Math.round((100 * this.visitedV2) / this.visited);
    const nets = ORDER.filter((n) => this.byNetwork.has(n));
    const per = nets.map((n) => {
      const c = this.of(n);
      return `${n} ${c.visited}${c.unreachable > 0 ? ` (${c.unreachable} unreachable)` : ''}`;
    });
    const why = [...this.why].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason, n]) => `${reason} ${n}`);
    const lines = [
      `crawl: census: ${this.visited} nodes visited (${this.visitedV2} over v2, ${share}%), ${this.unreachable} unreachable${why.length > 0 ? ` (${why.join(', ')})` : ''}`,
      `crawl: census: reachable by network: ${per.length > 0 ? per.join(', ') : 'none'}`,
    ];
    const reach = this.reach;
    if (reach && this.unvisited.size > 0) {
      const order = (n: string): number => (ORDER as readonly string[]).indexOf(n) >>> 0;
      const nets = [...this.unvisited].sort((a, b) => order(a[0]) - order(b[0]));
      lines.push(`crawl: census: learned but not visited: ${nets.map(([n, c]) => `${n} ${c} (${reachHint(n, reach)})`).join(', ')}`);
    }
    return lines;
  }
}
