/** `crawl` (the default command): checked flags → CrawlOptions → the run. */
import { MAX_INV_ENTRIES } from '../wire/limits.js';
import { NETWORKS, NETWORK_NAMES } from '../wire/network.js';
import { createLogger, LOG_LEVELS } from '../log/logger.js';
import { StatusLine } from '../log/status-line.js';
import type { Io } from '../output/io.js';
import { EMIT_KINDS, TRANSPORTS, UsageError, type CrawlOptions, type EmitKind } from '../crawler/options.js';
import { DEFAULT_MEMPOOL_STATS_MS } from '../crawler/mempool.js';
import { DEFAULT_INVENTORY_LIMITS } from '../crawler/inventory-limits.js';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { rpcEndpoint, RpcFailure, type RpcEndpoint } from '../net/rpc.js';
import { EndpointError, formatEndpoint, mergeEndpoints, parseEndpoint, parseEndpointList, parseEndpoints, type Endpoint } from '../net/endpoint.js';
import { NET_NAMES, networkOfHost, reachableNetworks, routeFor, type HostPort, type NetName, type ReachConfig } from '../net/reach.js';
import { DEFAULT_PROXY_PORT, DEFAULT_SAM_PORT } from './options.js';
import { runCrawl } from './crawl-run.js';
import { natsOptions } from './nats.js';
import type { Args } from './parse.js';

/** A sanity bound on --max-peers: each connection is a socket and some memory. */
export const MAX_PEERS_LIMIT = 10_000;
/** A sanity bound on --census-concurrency: bitnodes runs ~3,500 handshakes at once; one process, a few times that. */
export const MAX_CENSUS_CONCURRENCY = 20_000;
/** The longest duration any flag takes: a day. */
export const MAX_SECONDS = 86_400;

function seconds(name: string, v: number | undefined, min = 0.001): number {
  if (v === undefined || !Number.isFinite(v) || v < min || v > MAX_SECONDS) {
    throw new UsageError(`--${name} takes a number of seconds from ${min} to ${MAX_SECONDS}, not "${String(v)}"`);
  }
  return Math.round(v * 1000);
}

function count(name: string, v: number | undefined, max: number): number {
  if (v === undefined || !Number.isInteger(v) || v < 1 || v > max) throw new UsageError(`--${name} takes a whole number from 1 to ${max}, not "${String(v)}"`);
  return v;
}

function port(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 65535) throw new UsageError(`--${name} takes a port number from 0 to 65535, not "${String(v)}"`);
  return v;
}

function emitKinds(v: string | undefined): Set<EmitKind> {
  const out = new Set<EmitKind>();
  for (const p of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const kind = EMIT_KINDS.find((k) => k === p);
    if (kind === undefined) throw new UsageError(`--emit takes a list of ${EMIT_KINDS.join(', ')}, not "${p}"`);
    out.add(kind);
  }
  if (out.size === 0) throw new UsageError('--emit names no line kind');
  return out;
}

/** A proxy's or bridge's host:port (a host alone takes `defaultPort`). */
function endpoint(name: string, v: string | undefined, defaultPort: number): HostPort | undefined {
  if (v === undefined) return undefined;
  try {
    const { host, port } = parseEndpoint(v, defaultPort);
    if (port === 0) throw new EndpointError('port 0');
    return { host, port };
  } catch (err) {
    if (err instanceof EndpointError) throw new UsageError(`--${name} takes host:port, [ipv6]:port or host, not "${v}"`);
    throw err;
  }
}

function netNames(v: string | undefined): NetName[] {
  const out: NetName[] = [];
  for (const p of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const n = NET_NAMES.find((k) => k === p);
    if (n === undefined) throw new UsageError(`--onlynet takes ${NET_NAMES.join(', ')}, not "${p}"`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * --proxy, --onion, --i2psam, --cjdns-reachable, --onlynet, checked as Core's init.cpp checks
 * them; and every configured peer must have a way to be reached (a .onion needs a proxy, a
 * .b32.i2p the bridge).
 */
export function reachOptions(args: Args, peers: readonly Endpoint[]): { reach: ReachConfig; i2pKeyFile?: string } {
  const reach: ReachConfig = {
    proxy: endpoint('proxy', args.str('proxy'), DEFAULT_PROXY_PORT),
    onion: endpoint('onion', args.str('onion'), DEFAULT_PROXY_PORT),
    i2pSam: endpoint('i2psam', args.str('i2psam'), DEFAULT_SAM_PORT),
    cjdnsReachable: args.bool('cjdns-reachable'),
    onlyNet: netNames(args.str('onlynet')),
  };
  if (args.given('onlynet') && reach.onlyNet.length === 0) throw new UsageError('--onlynet names no network');
  const reachable = reachableNetworks(reach);
  if (!reachable.ok) throw new UsageError(reachable.error);
  const i2pKeyFile = args.str('i2p-key');
  if (i2pKeyFile !== undefined && !reach.i2pSam) throw new UsageError('--i2p-key needs --i2psam');
  for (const p of peers) {
    const net = networkOfHost(p.host, reach.cjdnsReachable);
    if (!routeFor(net, reach)) throw new UsageError(`peer ${formatEndpoint(p)} is on ${net}: it needs ${net === 'onion' ? '--proxy or --onion' : '--i2psam'}`);
  }
  return { reach, i2pKeyFile };
}

/** --rpc, --rpc-cookie, --rpc-timeout. */
function rpcOptions(args: Args): { rpc?: RpcEndpoint; rpcTimeoutMs?: number } {
  const url = args.str('rpc');
  const cookieFile = args.str('rpc-cookie');
  if (url === undefined) {
    if (cookieFile !== undefined) throw new UsageError('--rpc-cookie needs --rpc');
    return {};
  }
  let cookie: string | undefined;
  if (cookieFile !== undefined) {
    try {
      cookie = readFileSync(cookieFile, 'utf8');
    } catch (err) {
      throw new UsageError(`--rpc-cookie ${cookieFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  try {
    return { rpc: rpcEndpoint(url, cookie), rpcTimeoutMs: seconds('rpc-timeout', args.num('rpc-timeout')) };
  } catch (err) {
    if (err instanceof RpcFailure) throw new UsageError(`--rpc: ${err.message}`);
    throw err;
  }
}

/** The checked flags as the crawler takes them (pure: throws UsageError for a bad value). */
export function crawlOptions(args: Args, io: Io, peersFile?: { readonly name: string; readonly text: string }): CrawlOptions {
  const net = NETWORKS[args.choice('network', NETWORK_NAMES)];
  const peersText = args.str('peers');
  const listed = peersText === undefined ? [] : parseEndpoints(peersText, net.defaultPort);
  const peers = peersFile === undefined ? listed : mergeEndpoints(listed, parseEndpointList(peersFile.text, net.defaultPort, peersFile.name));
  // Checked with or without --census, as every flag is.
  const visits = { concurrency: count('census-concurrency', args.num('census-concurrency'), MAX_CENSUS_CONCURRENCY), visitTimeoutMs: seconds('visit-timeout', args.num('visit-timeout')) };
  const census = args.bool('census') ? visits : undefined;
  const mempoolStats = args.num('mempool-stats');
  // --mempool-stats S sets the interval of mempool lines and asks for them; --emit mempool alone takes the default.
  const emit = emitKinds(args.str('emit'));
  if (mempoolStats !== undefined && mempoolStats !== 0) emit.add('mempool');
  return {
    network: net,
    peers,
    discover: census !== undefined || (args.given('discover') ? args.bool('discover') : peers.length === 0),
    allowLocal: args.bool('allow-local'),
    transport: args.choice('transport', TRANSPORTS),
    census,
    addrbookPath: args.str('addrbook'),
    maxPeers: count('max-peers', args.num('max-peers'), MAX_PEERS_LIMIT),
    maxHandshakes: count('max-handshakes', args.num('max-handshakes'), MAX_PEERS_LIMIT),
    peer: {
      pingIntervalMs: seconds('ping-interval', args.num('ping-interval')),
      pingTimeoutMs: seconds('ping-timeout', args.num('ping-timeout')),
      handshakeTimeoutMs: seconds('handshake-timeout', args.num('handshake-timeout')),
      connectTimeoutMs: seconds('connect-timeout', args.num('connect-timeout')),
    },
    inventory: {
      ...DEFAULT_INVENTORY_LIMITS,
      maxTxInFlightPerPeer: count('max-in-flight', args.num('max-in-flight'), MAX_INV_ENTRIES),
      requestTimeoutMs: seconds('request-timeout', args.num('request-timeout')),
    },
    emit,
    raw: args.bool('raw'),
    reconnect: args.bool('reconnect'),
    metricsPort: port('metrics-port', args.num('metrics-port')),
    statusToTty: (io.stderr as NodeJS.WriteStream).isTTY === true,
    mempoolStatsMs: !emit.has('mempool') ? 0 : mempoolStats === undefined || mempoolStats === 0 ? DEFAULT_MEMPOOL_STATS_MS : seconds('mempool-stats', mempoolStats),
    propagationWindowMs: seconds('window', args.num('window')),
    ...rpcOptions(args),
    ...reachOptions(args, peers),
    nats: natsOptions(args),
    stdout: args.bool('stdout'),
  };
}

/** --peers-file's text: the file, or stdin for `-`; a file that cannot be read is a usage error. */
async function readPeersFile(path: string, io: Io): Promise<{ name: string; text: string }> {
  if (path === '-') {
    let text = '';
    for await (const chunk of io.stdin) text += String(chunk);
    return { name: 'stdin', text };
  }
  try {
    return { name: path, text: await readFile(path, 'utf8') };
  } catch (err) {
    throw new UsageError(`--peers-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function crawlCommand(args: Args, io: Io): Promise<number> {
  const file = args.str('peers-file');
  const options = crawlOptions(args, io, file === undefined ? undefined : await readPeersFile(file, io));
  // On a terminal, every stderr line (logs, warnings, the summary) goes above the status line.
  const status = options.statusToTty ? new StatusLine(io.stderr) : undefined;
  const stderr = status ? { ...io, stderr: status.stream } : io;
  const log = createLogger({ level: args.choice('log-level', LOG_LEVELS), format: args.choice('log-format', ['text', 'json'] as const), stream: status?.stream });
  return runCrawl(options, stderr, log, { status });
}
