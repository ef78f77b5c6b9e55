/**
 * Should the crawler dial a learned address? Core's rules (IsValid, IsRoutable, IsBadPort) plus
 * what a TCP crawler needs on top, each refusal named so the crawler can log why.
 */
import { AddrNetwork, type AddrV2Entry } from '../wire/messages.js';
import { isBadPort } from './ports.js';
import { I2P_SAM31_PORT } from './sam.js';
import { isKnownNetwork, isMulticast, isRoutable, isValidAddress } from './routable.js';

export type DialRefusal =
  /** A BIP 155 network Core does not know (Tor v2, Yggdrasil, future ids) or a wrong-size address. */
  | 'unknown-network'
  /** Port 0: nothing listens there (I2P apart). Refused even with allowLocal. */
  | 'port-zero'
  /** An I2P address with a port: SAM 3.1 has none, and Core refuses them (i2p.cpp Session::Connect). */
  | 'i2p-port'
  /** Not a host at all (CNetAddr::IsValid): 0.0.0.0, ::, 255.255.255.255, documentation blocks, … */
  | 'invalid'
  /**
   * A network not reachable: no proxy or bridge for it (Tor needs --proxy/--onion, I2P --i2psam,
   * CJDNS --cjdns-reachable), or left out by --onlynet (lib/net/reach.ts reachableNetworks).
   */
  | 'no-transport'
  /** Private, link-local, loopback, … (CNetAddr::IsRoutable); allowed with allowLocal. */
  | 'unroutable'
  /** 224.0.0.0/4 or ff00::/8: Core would try it, TCP cannot connect to it. */
  | 'multicast'
  /** Core's IsBadPort, for IPv4 and IPv6 as in CConnman::ThreadOpenConnections. */
  | 'bad-port';

export type DialDecision = { readonly ok: true } | { readonly ok: false; readonly why: DialRefusal };

export interface DialOptions {
  /** Regtest, or an explicit flag: dial private and loopback addresses too. */
  readonly allowLocal: boolean;
  /** BIP 155 network ids the crawler can reach (lib/net/reach.ts networkIds); DIALLABLE_NETWORKS unless given. */
  readonly networks?: readonly number[];
}

/** What the crawler reaches with no proxy, bridge or CJDNS flag: IPv4 and IPv6. */
export const DIALLABLE_NETWORKS: readonly number[] = [AddrNetwork.IPV4, AddrNetwork.IPV6];

const OK: DialDecision = { ok: true };
const refuse = (why: DialRefusal): DialDecision => ({ ok: false, why });

export function shouldDial(entry: Pick<AddrV2Entry, 'networkId' | 'addr' | 'port'>, options: DialOptions): DialDecision {
  if (!isKnownNetwork(entry)) return refuse('unknown-network');
  if (entry.networkId === AddrNetwork.I2P) {
    if (entry.port !== I2P_SAM31_PORT) return refuse('i2p-port');
  } else if (entry.port === 0) return refuse('port-zero');
  if (!isValidAddress(entry)) return refuse('invalid');
  if (!(options.networks ?? DIALLABLE_NETWORKS).includes(entry.networkId)) return refuse('no-transport');
  if (!options.allowLocal && !isRoutable(entry)) return refuse('unroutable');
  if (isMulticast(entry)) return refuse('multicast');
  const ip = entry.networkId === AddrNetwork.IPV4 || entry.networkId === AddrNetwork.IPV6;
  if (ip && isBadPort(entry.port)) return refuse('bad-port');
  return OK;
}
