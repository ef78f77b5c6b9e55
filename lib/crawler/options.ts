import type { NetworkParams } from '../wire/network.js';
import type { Endpoint } from '../net/endpoint.js';
import type { TransportChoice } from '../peer/connect.js';
import type { PeerTimings } from '../peer/timing.js';
import type { InventoryLimits } from './inventory-limits.js';
import type { NatsOptions } from '../output/nats.js';
import type { ReachConfig } from '../net/reach.js';
import type { RpcEndpoint } from '../net/rpc.js';

/** A flag or argument the user got wrong: reported in one line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const TRANSPORTS = ['auto', 'v2', 'v1'] as const;

export const EMIT_KINDS = ['tx', 'peer', 'block', 'addr', 'replaced', 'confirmed', 'evicted', 'mempool', 'unseen', 'propagation', 'reorg'] as const;
export type EmitKind = (typeof EMIT_KINDS)[number];

/** A census: visits at once (instead of maxPeers), and one visit's whole deadline, dial to done (census.ts). */
export interface CensusOptions {
  readonly concurrency: number;
  readonly visitTimeoutMs: number;
}

/**
 * Everything `crawl` needs, already validated: one tree, each layer's part a sub-tree that it
 * takes whole (`peer` → SessionOptions, `inventory` → the Inventory, `census` → the census visit).
 * Each default is defined once, beside the code it governs (DEFAULT_PEER_TIMINGS,
 * DEFAULT_INVENTORY_LIMITS, DEFAULT_CENSUS_CONCURRENCY, …); lib/cli/options.ts shows them in
 * --help. Durations in milliseconds.
 */
export interface CrawlOptions {
  readonly network: NetworkParams;
  /** Peers to dial; empty means "use the network's DNS seeds". */
  readonly peers: readonly Endpoint[];
  /** Each connection's deadlines and intervals (lib/peer/timing.ts). */
  readonly peer: PeerTimings;
  /** The getdata policy: requests in flight per peer, a request's deadline, and the inventory's bounds (inventory-limits.ts). */
  readonly inventory: InventoryLimits;
  readonly emit: ReadonlySet<EmitKind>;
  readonly raw: boolean;
  readonly reconnect: boolean;
  /** Dial addresses learned from addr/addrv2 (default: when no --peers are given). */
  readonly discover: boolean;
  /** Dial learned private and loopback addresses too (always on regtest). */
  readonly allowLocal: boolean;
  /** BIP 324: v2 first where the peer may speak it, then v1 (auto), or one of them only. */
  readonly transport: TransportChoice;
  /** Visit every reachable node once (version, RTT), then end; undefined: crawl. */
  readonly census?: CensusOptions;
  /** Connections at most (configured and learned together). */
  readonly maxPeers: number;
  /** The address book's file (Core's peers.dat): loaded at start, saved every few minutes and at exit. */
  readonly addrbookPath: string | undefined;
  /** Dials between their start and a finished handshake, at most. */
  readonly maxHandshakes: number;
  /** Serve Prometheus metrics on 127.0.0.1:<port>/metrics; undefined = off. */
  readonly metricsPort: number | undefined;
  /** Show a status line on stderr (when stderr is a terminal). */
  readonly statusToTty: boolean;
  /** Print `event: "mempool"` lines this often; 0 = never. */
  readonly mempoolStatsMs: number;
  /** `--window`: how long after its first announcement an item's propagation line is printed (`--emit propagation`). */
  readonly propagationWindowMs: number;
  /** --rpc: a Bitcoin Core node to ask for the outputs transactions spend (their fees). */
  readonly rpc?: RpcEndpoint;
  /** --rpc-timeout: a line waits for Core at most this long, then is printed without its fee. */
  readonly rpcTimeoutMs?: number;
  /** How networks are reached: --proxy, --onion, --i2psam, --cjdns-reachable, --onlynet (lib/net/reach.ts). */
  readonly reach?: ReachConfig;
  /** Our persistent I2P private key (--i2p-key); transient keys when absent. */
  readonly i2pKeyFile?: string;
  /** Publish every line to NATS as well (--nats); undefined = off. */
  readonly nats?: NatsOptions;
  /** Print lines on stdout (--no-stdout when NATS is the only sink); default true. */
  readonly stdout?: boolean;
}

