/** The census section's charts. */
import type { Histogram } from './bounded.js';
import { NODE_P2P_V2_BIT, SERVICE_BITS, SERVICE_NAMES, type CensusAggregate } from './census.js';
import { barChart, type Chart } from './chart.js';

/** User agents shown (the rest summed as "(other)"), as bitnodes' top list. */
export const TOP_USER_AGENTS = 20;

/** A histogram's buckets as bar labels: "≤ 2.5" … "> 10000000". */
export function histogramBars(h: Histogram): Array<[string, number]> {
  const last = h.bounds[h.bounds.length - 1];
  return h.rows().map(([bound, n]) => [bound === Infinity ? `> ${last}` : `≤ ${bound}`, n]);
}

/** Blocks behind the highest start height, in groups. */
const BEHIND_GROUPS: readonly (readonly [number, string])[] = [
  [0, '0 (tip)'],
  [1, '1'],
  [2, '2'],
  [5, '3–5'],
  [10, '6–10'],
  [100, '11–100'],
  [1000, '101–1000'],
  [Infinity, '> 1000'],
];

export function behindBars(rows: readonly (readonly [number, number])[]): Array<[string, number]> {
  const counts = BEHIND_GROUPS.map(() => 0);
  for (const [behind, n] of rows) counts[BEHIND_GROUPS.findIndex(([max]) => behind <= max)] += n;
  return BEHIND_GROUPS.map(([, label], i): [string, number] => [label, counts[i]]).filter(([, n]) => n > 0);
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** Service bits set on any reachable node, as [name (bit), share of nodes in %]. */
export function serviceBars(c: CensusAggregate): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let bit = 0; bit < SERVICE_BITS; bit++) {
    const n = c.serviceBits[bit];
    if (n > 0) out.push([`${SERVICE_NAMES[bit] ?? 'bit'} (${bit})`, Number(((100 * n) / c.withServices).toFixed(1))]);
  }
  return out;
}

/** Key figures under the section title. */
export function censusFacts(c: CensusAggregate): string[] {
  const v2 = c.transports.get('v2');
  return [
    `${c.reachable} reachable nodes, ${c.unreachable} unreachable or dropped`,
    `NODE_P2P_V2 (BIP 324) offered by ${c.serviceBits[NODE_P2P_V2_BIT]} of ${c.withServices} (${percent(c.serviceBits[NODE_P2P_V2_BIT], c.withServices)}); ${v2} spoke v2 with us (${percent(v2, c.transports.total)})`,
    ...(c.maxHeight === undefined ? [] : [`highest start height ${c.maxHeight}`]),
    ...(c.rtt.total === 0 ? [] : [`ping RTT: p50 ≤ ${c.rtt.quantile(0.5)} ms, p90 ≤ ${c.rtt.quantile(0.9)} ms (${c.rtt.total} nodes)`]),
  ];
}

export function censusCharts(c: CensusAggregate): Chart[] {
  const charts: Chart[] = [];
  if (c.reachable > 0) {
    charts.push(barChart('Reachable nodes by network', 'How many reachable nodes each network had.', 'network', 'nodes', c.networks.top(Infinity)));
    charts.push(barChart('Protocol versions', 'Reachable nodes per protocol version they announced.', 'protocol version', 'nodes', c.versions.top(12)));
    charts.push(
      barChart(`Top ${TOP_USER_AGENTS} user agents`, 'Reachable nodes per user agent, the most common first.', 'user agent', 'nodes', c.userAgents.top(TOP_USER_AGENTS), true),
    );
    if (c.withServices > 0) charts.push(barChart('Service bits', 'Share of reachable nodes offering each service bit.', 'service bit', 'nodes offering it (%)', serviceBars(c), true));
    if (c.heights.total > 0) {
      charts.push(barChart('Start heights', 'Reachable nodes by how many blocks their start height was behind the highest one seen.', 'blocks behind the highest start height', 'nodes', behindBars(c.heightsBehind())));
    }
    if (c.rtt.total > 0) charts.push(barChart('Ping round-trip time', 'Visited nodes by the round-trip time of their first ping.', 'round-trip time (ms)', 'nodes', histogramBars(c.rtt)));
  }
  if (c.unreachable > 0) charts.push(barChart('Why nodes were unreachable', 'Unreachable nodes (and dropped peers, "down:") by reason.', 'reason', 'nodes', c.reasons.top(20), true));
  return charts;
}
