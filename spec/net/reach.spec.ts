/** Which networks are reachable and how: Core's init.cpp flag rules and ConnectNode's choice, as pure functions. */
import { describe, expect, it } from 'vitest';
import {
  connectTimeoutFor,
  DEFAULT_CONNECT_TIMEOUT_MS,
  I2P_CONNECT_TIMEOUT_MS,
  networkIds,
  networkOfHost,
  NO_REACH,
  PROXY_CONNECT_TIMEOUT_MS,
  reachableNetworks,
  routeFor,
  type ReachConfig,
} from '../../lib/net/reach.js';
import { AddrNetwork } from '../../lib/wire/messages.js';

const TOR = { host: '127.0.0.1', port: 9050 };
const ONION_ONLY = { host: '127.0.0.1', port: 9150 };
const SAM = { host: '127.0.0.1', port: 7656 };
const ONION = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion';
const I2P = 'ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p';
const cfg = (c: Partial<ReachConfig>): ReachConfig => ({ ...NO_REACH, ...c });
const nets = (c: Partial<ReachConfig>): string[] => {
  const r = reachableNetworks(cfg(c));
  return r.ok ? [...r.nets].sort() : [`error: ${r.error}`];
};

describe('networkOfHost', () => {
  it('tells onion, I2P, IPv4, IPv6, CJDNS (only when reachable, as MaybeFlipIPv6toCJDNS) and names apart', () => {
    expect(networkOfHost(ONION, false)).toBe('onion');
    expect(networkOfHost(I2P, false)).toBe('i2p');
    expect(networkOfHost('1.2.3.4', false)).toBe('ipv4');
    expect(networkOfHost('2a01::1', true)).toBe('ipv6');
    expect(networkOfHost('fc00::1', true)).toBe('cjdns');
    expect(networkOfHost('fc00::1', false)).toBe('ipv6');
    expect(networkOfHost('fd00::1', true)).toBe('ipv6');
    expect(networkOfHost('seed.bitcoin.sipa.be', false)).toBe('name');
  });
});

describe('reachableNetworks (Core: init.cpp g_reachable_nets)', () => {
  it('IPv4 and IPv6 by default; onion with -proxy or -onion; I2P with -i2psam; CJDNS with -cjdnsreachable', () => {
    expect(nets({})).toEqual(['ipv4', 'ipv6']);
    expect(nets({ proxy: TOR })).toEqual(['ipv4', 'ipv6', 'onion']);
    expect(nets({ onion: ONION_ONLY })).toEqual(['ipv4', 'ipv6', 'onion']);
    expect(nets({ i2pSam: SAM })).toEqual(['i2p', 'ipv4', 'ipv6']);
    expect(nets({ cjdnsReachable: true })).toEqual(['cjdns', 'ipv4', 'ipv6']);
  });

  it('-onlynet keeps only the networks named, and each must be reachable', () => {
    expect(nets({ proxy: TOR, i2pSam: SAM, onlyNet: ['onion', 'i2p'] })).toEqual(['i2p', 'onion']);
    expect(nets({ onlyNet: ['ipv4'] })).toEqual(['ipv4']);
    expect(nets({ onlyNet: ['onion'] })).toEqual(['error: --onlynet onion needs a proxy to reach Tor: --proxy or --onion']);
    expect(nets({ onlyNet: ['i2p'] })).toEqual(['error: --onlynet i2p needs --i2psam']);
    expect(nets({ onlyNet: ['cjdns'] })).toEqual(['error: --onlynet cjdns needs --cjdns-reachable']);
  });

  it('maps to BIP 155 ids for shouldDial', () => {
    expect(networkIds(new Set(['onion', 'ipv4', 'i2p']))).toEqual([AddrNetwork.IPV4, AddrNetwork.TORV3, AddrNetwork.I2P]);
  });
});

describe('routeFor (Core: GetProxy per network, ConnectNode)', () => {
  it('directly without flags; no route to onion or I2P', () => {
    expect(routeFor('ipv4', NO_REACH)).toEqual({ kind: 'direct' });
    expect(routeFor('name', NO_REACH)).toEqual({ kind: 'direct' });
    expect(routeFor('onion', NO_REACH)).toBeUndefined();
    expect(routeFor('i2p', NO_REACH)).toBeUndefined();
  });

  it('-proxy carries IPv4, IPv6, CJDNS, names and onion; -onion takes over onion only', () => {
    for (const n of ['ipv4', 'ipv6', 'cjdns', 'name', 'onion'] as const) expect(routeFor(n, cfg({ proxy: TOR }))).toEqual({ kind: 'socks5', proxy: TOR });
    const both = cfg({ proxy: TOR, onion: ONION_ONLY });
    expect(routeFor('onion', both)).toEqual({ kind: 'socks5', proxy: ONION_ONLY });
    expect(routeFor('ipv4', both)).toEqual({ kind: 'socks5', proxy: TOR });
    expect(routeFor('ipv4', cfg({ onion: ONION_ONLY }))).toEqual({ kind: 'direct' });
  });

  it('I2P through the SAM bridge, never through -proxy', () => {
    expect(routeFor('i2p', cfg({ proxy: TOR }))).toBeUndefined();
    expect(routeFor('i2p', cfg({ proxy: TOR, i2pSam: SAM }))).toEqual({ kind: 'i2p', sam: SAM });
  });

  it('gives Tor and I2P their longer connect timeouts, and never less than the direct one', () => {
    expect(connectTimeoutFor({ kind: 'direct' }, DEFAULT_CONNECT_TIMEOUT_MS)).toBe(5_000);
    expect(connectTimeoutFor({ kind: 'socks5', proxy: TOR }, 5_000)).toBe(PROXY_CONNECT_TIMEOUT_MS);
    expect(connectTimeoutFor({ kind: 'i2p', sam: SAM }, 5_000)).toBe(I2P_CONNECT_TIMEOUT_MS);
    expect(connectTimeoutFor({ kind: 'i2p', sam: SAM }, 600_000)).toBe(600_000);
    expect(PROXY_CONNECT_TIMEOUT_MS).toBeGreaterThan(DEFAULT_CONNECT_TIMEOUT_MS);
    expect(I2P_CONNECT_TIMEOUT_MS).toBeGreaterThan(PROXY_CONNECT_TIMEOUT_MS);
  });
});
