import type { NetworkParams } from '../wire/network.js';
import type { Endpoint } from '../net/endpoint.js';
import type { TransportChoice } from '../peer/connect.js';
import { CENSUS_DEADLINE_MS, DEFAULT_CENSUS_CONCURRENCY } from './census.js';
import { MAX_HANDSHAKES_IN_FLIGHT } from '../pool/handshakes.js';
import type { NatsOptions } from '../output/nats.js';
import type { ReachConfig } from '../net/reach.js';
import type { RpcEndpoint } from '../net/rpc.js';

/** A flag or argument the user got wrong: reported in one line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const TRANSPORTS = ['auto', 'v2', 'v1'] as const;

export const EMIT_KINDS = ['tx', 'peer', 'block', 'addr', 'replaced', 'confirmed', 'evicted', 'mempool', 'unseen', 'propagation'] as const;
/** `--emit mempool` without `--mempool-stats S`: a mempool line this often. */
export const DEFAULT_MEMPOOL_STATS_MS = 60_000;
export type EmitKind = (typeof EMIT_KINDS)[number];

/** Everything `crawl` needs, already validated. Durations in milliseconds. */
export interface CrawlOptions {
  readonly network: NetworkParams;
  /** Peers to dial; empty means "use the network's DNS seeds". */
  readonly peers: readonly Endpoint[];
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  /** How long a TCP connect may take (Core's -timeout), apart from the handshake's deadline. */
  readonly connectTimeoutMs: number;
  /** Transactions asked of one peer at once. */
  readonly maxInFlight: number;
  /** How long one peer has to deliver a requested item before the next announcer is asked. */
  readonly requestTimeoutMs: number;
  readonly emit: ReadonlySet<EmitKind>;
  readonly raw: boolean;
  readonly reconnect: boolean;
  /** Dial addresses learned from addr/addrv2 (default: when no --peers are given). */
  readonly discover: boolean;
  /** Dial learned private and loopback addresses too (always on regtest). */
  readonly allowLocal: boolean;
  /** BIP 324: v2 first where the peer may speak it, then v1 (auto), or one of them only. */
  readonly transport: TransportChoice;
  /** Visit every reachable node once (version, RTT), then end. */
  readonly census: boolean;
  /** Census: visits at once (instead of maxPeers). */
  readonly censusConcurrency: number;
  /** Census: one visit's whole deadline, dial to done. */
  readonly visitTimeoutMs: number;
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

/** Defaults, in seconds as the flags take them, with the Bitcoin Core figure each follows. */
export const DEFAULTS = {
  /** PING_INTERVAL (net_processing.cpp): 2 minutes. */
  pingInterval: 120,
  /** Core waits TIMEOUT_INTERVAL (20 min) for a pong; a crawler wants dead peers gone sooner. */
  pingTimeout: 60,
  /** DEFAULT_PEER_CONNECT_TIMEOUT (net.h): 60 s for the version handshake. */
  handshakeTimeout: 60,
  /** DEFAULT_CONNECT_TIMEOUT (netbase.h): 5 s for the TCP connection itself. */
  connectTimeout: 5,
  /** GETDATA_TX_INTERVAL (net_processing.cpp): 60 s before asking the next announcer. */
  requestTimeout: 60,
  /** MAX_PEER_TX_REQUEST_IN_FLIGHT (net_processing.cpp). */
  maxInFlight: 100,
  /** DEFAULT_MAX_PEER_CONNECTIONS (net.h). */
  maxPeers: 125,
  /** Census visits at once (bitnodes' order of magnitude, within descriptor limits). */
  censusConcurrency: DEFAULT_CENSUS_CONCURRENCY,
  /** A census visit's deadline, dial to done. */
  visitTimeout: CENSUS_DEADLINE_MS / 1000,
  maxHandshakes: MAX_HANDSHAKES_IN_FLIGHT,
} as const;
