/** The census section's aggregates: from `peer` lines (up/visited: reachable nodes; down/unreachable: why not). Pure. */
import { Counter, Histogram } from './bounded.js';
import { MAX_NAME_CHARS, MAX_USER_AGENT_CHARS, nonNeg, num, str, type Json } from './fields.js';

/** Distinct user agents counted one by one; the rest are counted as "(other)". ~300 bytes each. */
export const MAX_USER_AGENTS = 10_000;
/** Distinct protocol versions, networks, reasons counted one by one. */
export const MAX_SMALL_KEYS = 1_000;
/** Distinct start heights counted one by one (the tip and the few blocks behind it are what matter). */
export const MAX_HEIGHTS = 10_000;
/** Service bits: a 64-bit field (protocol.h ServiceFlags). */
export const SERVICE_BITS = 64;
/** protocol.h: NODE_P2P_V2 = (1 << 11), BIP 324. */
export const NODE_P2P_V2_BIT = 11;

/** protocol.h's names for the service bits. */
export const SERVICE_NAMES: Readonly<Record<number, string>> = {
  0: 'NODE_NETWORK',
  2: 'NODE_BLOOM',
  3: 'NODE_WITNESS',
  6: 'NODE_COMPACT_FILTERS',
  10: 'NODE_NETWORK_LIMITED',
  11: 'NODE_P2P_V2',
};

const SERVICES = /^0x[0-9a-fA-F]{1,16}$/;

export class CensusAggregate {
  /** Lines of a reachable node (up, visited) and of an unreachable or dropped one. */
  reachable = 0;
  unreachable = 0;
  readonly states = new Counter(MAX_SMALL_KEYS);
  readonly networks = new Counter(MAX_SMALL_KEYS);
  readonly versions = new Counter(MAX_SMALL_KEYS);
  readonly userAgents = new Counter(MAX_USER_AGENTS);
  /** Reachable nodes with each service bit set. */
  readonly serviceBits = new Array<number>(SERVICE_BITS).fill(0);
  /** Reachable nodes whose services field could be read. */
  withServices = 0;
  readonly transports = new Counter(MAX_SMALL_KEYS);
  readonly heights = new Counter(MAX_HEIGHTS);
  /** Round-trip time of the first ping, ms (visited lines). */
  readonly rtt = new Histogram();
  /** Why the unreachable were unreachable (and why connected peers went down). */
  readonly reasons = new Counter(MAX_SMALL_KEYS);

  /** A `peer` line; false when its shape is wrong (nothing counted). */
  add(o: Json): boolean {
    const state = o.state;
    const network = str(o.network, MAX_NAME_CHARS);
    if (network === undefined) return false;
    if (state === 'up' || state === 'visited') return this.addReachable(o, state, network);
    if (state === 'down' || state === 'unreachable') {
      const reason = str(o.reason, MAX_NAME_CHARS) ?? 'unknown';
      this.unreachable++;
      this.states.add(state);
      this.reasons.add(`${state === 'down' ? 'down: ' : ''}${reason}`);
      return true;
    }
    return false;
  }

  private addReachable(o: Json, state: string, network: string): boolean {
    const version = num(o.version);
    if (version === undefined) return false;
    this.reachable++;
    this.states.add(state);
    this.networks.add(network);
    this.versions.add(String(version));
    this.userAgents.add(typeof o.user_agent === 'string' ? o.user_agent.slice(0, MAX_USER_AGENT_CHARS) || '(empty)' : '(none)');
    if (typeof o.services === 'string' && SERVICES.test(o.services)) {
      const bits = BigInt(o.services);
      this.withServices++;
      for (let i = 0; i < SERVICE_BITS; i++) if ((bits >> BigInt(i)) & 1n) this.serviceBits[i]++;
    }
    const transport = str(o.transport, MAX_NAME_CHARS);
    if (transport !== undefined) this.transports.add(transport);
    const height = num(o.start_height);
    if (height !== undefined && Number.isInteger(height)) this.heights.add(String(height));
    const rtt = nonNeg(o.rtt_ms);
    if (rtt !== undefined) this.rtt.add(rtt);
    return true;
  }

  /** Start heights as blocks behind the highest one seen: [blocks behind, nodes], nearest first. */
  heightsBehind(): Array<[number, number]> {
    let max = -Infinity;
    for (const k of this.heights.counts.keys()) if (k !== '(other)') max = Math.max(max, Number(k));
    const rows = new Map<number, number>();
    for (const [k, c] of this.heights.counts) {
      if (k === '(other)') continue;
      const behind = max - Number(k);
      rows.set(behind, (rows.get(behind) ?? 0) + c);
    }
    return [...rows].sort((a, b) => a[0] - b[0]);
  }

  get maxHeight(): number | undefined {
    const rows = [...this.heights.counts.keys()].filter((k) => k !== '(other)').map(Number);
    return rows.length === 0 ? undefined : Math.max(...rows);
  }
}

