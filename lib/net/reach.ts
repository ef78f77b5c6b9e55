/**
 * Which networks we can reach and how, as pure functions of the flags, following Bitcoin Core's
 * init.cpp (AppInitMain: -onlynet, -cjdnsreachable, -proxy, -onion, -i2psam → g_reachable_nets
 * and SetProxy per network) and net.cpp CConnman::ConnectNode (I2P through the SAM session, a
 * network with a proxy through it, the rest directly).
 */
import { isIP } from 'node:net';
import { AddrNetwork } from '../wire/messages.js';
import { ipToBytes16 } from '../wire/netaddr.js';
import { CJDNS_PREFIX, inRange } from './routable.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Core's network names (netbase.cpp GetNetworkName), as -onlynet takes them. */
export const NET_NAMES = ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns'] as const;
export type NetName = (typeof NET_NAMES)[number];
/** A peer's network as its host tells; `name` is a DNS name (resolved by the proxy, or locally without one). */
export type HostNetwork = NetName | 'name';

/** The BIP 155 network id of each network (Tor v2 is gone from Core, so `onion` is Tor v3). */
export const NET_IDS: Readonly<Record<NetName, number>> = {
  ipv4: AddrNetwork.IPV4,
  ipv6: AddrNetwork.IPV6,
  onion: AddrNetwork.TORV3,
  i2p: AddrNetwork.I2P,
  cjdns: AddrNetwork.CJDNS,
};

/**
 * The network of a host as users and our peer ids write it. An IPv6 address in fc00::/8 is CJDNS
 * only when CJDNS is reachable, as Core's net.cpp MaybeFlipIPv6toCJDNS decides; otherwise IPv6.
 */
export function networkOfHost(host: string, cjdnsReachable: boolean): HostNetwork {
  if (/\.onion$/i.test(host)) return 'onion';
  if (/\.i2p$/i.test(host)) return 'i2p';
  const ip = isIP(host);
  if (ip === 4) return 'ipv4';
  if (ip === 6) return cjdnsReachable && inRange(ipToBytes16(host), CJDNS_PREFIX) ? 'cjdns' : 'ipv6';
  return 'name';
}

/** What the user asked for, with Core's flag names. */
export interface ReachConfig {
  /** -proxy: SOCKS5 for IPv4, IPv6, CJDNS and names, and for onion unless -onion is given. */
  readonly proxy?: HostPort;
  /** -onion: SOCKS5 for .onion only. */
  readonly onion?: HostPort;
  /** -i2psam: the I2P SAM 3.1 bridge. */
  readonly i2pSam?: HostPort;
  /** -cjdnsreachable: fc00::/8 is routed to CJDNS on this host. */
  readonly cjdnsReachable: boolean;
  /** -onlynet (empty: every network). */
  readonly onlyNet: readonly NetName[];
}

export const NO_REACH: ReachConfig = { cjdnsReachable: false, onlyNet: [] };

/**
 * Core's g_reachable_nets after init: the networks automatic (learned) connections may use. An
 * -onlynet network that cannot be reached is an error, with Core's reason.
 */
export function reachableNetworks(cfg: ReachConfig): { readonly ok: true; readonly nets: ReadonlySet<NetName> } | { readonly ok: false; readonly error: string } {
  const nets = new Set<NetName>(cfg.onlyNet.length > 0 ? cfg.onlyNet : NET_NAMES);
  const asked = (n: NetName): boolean => cfg.onlyNet.includes(n);
  if (!cfg.cjdnsReachable) {
    if (asked('cjdns')) return { ok: false, error: '--onlynet cjdns needs --cjdns-reachable' };
    nets.delete('cjdns');
  }
  if (!(cfg.onion ?? cfg.proxy)) {
    if (asked('onion')) return { ok: false, error: '--onlynet onion needs a proxy to reach Tor: --proxy or --onion' };
    nets.delete('onion');
  }
  if (!cfg.i2pSam) {
    if (asked('i2p')) return { ok: false, error: '--onlynet i2p needs --i2psam' };
    nets.delete('i2p');
  }
  return { ok: true, nets };
}

/** The BIP 155 ids of networks, for lib/net/dial.ts shouldDial. */
export function networkIds(nets: ReadonlySet<NetName>): number[] {
  return NET_NAMES.filter((n) => nets.has(n)).map((n) => NET_IDS[n]);
}

export type Route = { readonly kind: 'direct' } | { readonly kind: 'socks5'; readonly proxy: HostPort } | { readonly kind: 'i2p'; readonly sam: HostPort };

/**
 * How to reach a host of a network (Core's GetProxy per network, GetNameProxy for names): I2P
 * through the SAM bridge; onion through -onion, else -proxy; everything else through -proxy
 * when given (Core sets it for IPv4, IPv6, CJDNS and names), else directly. Undefined: no way.
 * Reachability (-onlynet) is not checked here: Core's -onlynet limits automatic connections only,
 * and manual ones (--peers) still go where they are told.
 */
export function routeFor(net: HostNetwork, cfg: ReachConfig): Route | undefined {
  switch (net) {
    case 'onion': {
      const p = cfg.onion ?? cfg.proxy;
      return p ? { kind: 'socks5', proxy: p } : undefined;
    }
    case 'i2p':
      return cfg.i2pSam ? { kind: 'i2p', sam: cfg.i2pSam } : undefined;
    default:
      return cfg.proxy ? { kind: 'socks5', proxy: cfg.proxy } : { kind: 'direct' };
  }
}

/** netbase.h DEFAULT_CONNECT_TIMEOUT: 5 s for a direct TCP connection. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/**
 * Through a SOCKS5 proxy (Tor): the CONNECT reply comes only once Tor has built a circuit and, for
 * an onion service, fetched its descriptor and met it at a rendezvous point; seconds typically,
 * a minute for slow ones. Core gives each SOCKS5 reply SOCKS5_RECV_TIMEOUT (20 s) and a proxy
 * 3 of them; Tor's own SocksTimeout is 2 minutes. One minute, as census tools allow for Tor.
 */
export const PROXY_CONNECT_TIMEOUT_MS = 60_000;
/**
 * Through the I2P SAM bridge: NAMING LOOKUP and STREAM CONNECT each query the I2P network; Core
 * waits up to 3 minutes for each reply (i2p.cpp SendRequestAndGetReply recv_timeout). Two minutes
 * for both, per peer.
 */
export const I2P_CONNECT_TIMEOUT_MS = 120_000;
/** Creating the SAM session builds our tunnels first: Core's 3 minutes per reply. */
export const I2P_SESSION_TIMEOUT_MS = 180_000;

/** The connect deadline of a route: a proxy's or bridge's own when slower than the direct one. */
export function connectTimeoutFor(route: Route, directMs: number): number {
  if (route.kind === 'socks5') return Math.max(directMs, PROXY_CONNECT_TIMEOUT_MS);
  if (route.kind === 'i2p') return Math.max(directMs, I2P_CONNECT_TIMEOUT_MS);
  return directMs;
}
