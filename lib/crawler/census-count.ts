/** A census's counts: nodes visited (and over v2) and unreachable, in all and per network. */
import type { HostNetwork } from '../net/reach.js';

/** The order networks are listed in (Core's GetNetworkName names, then host names). */
const ORDER: readonly HostNetwork[] = ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns', 'name'];

export class CensusCount {
  visited = 0;
  visitedV2 = 0;
  unreachable = 0;
  /** Unreachable nodes by why (the drop reason). */
  private readonly why = new Map<string, number>();
  private readonly byNetwork = new Map<HostNetwork, { visited: number; unreachable: number }>();

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
    return [
      `crawl: census: ${this.visited} nodes visited (${this.visitedV2} over v2, ${share}%), ${this.unreachable} unreachable${why.length > 0 ? ` (${why.join(', ')})` : ''}`,
      `crawl: census: reachable by network: ${per.length > 0 ? per.join(', ') : 'none'}`,
    ];
  }
}
