import { isIP } from 'node:net';
import { UsageError } from './options.js';

export interface PeerTarget {
  readonly host: string;
  readonly port: number;
  /** What the address's gossip said it offers (learned addresses); unknown for configured peers. */
  readonly services?: bigint;
}

/** `host:port` as users write it: IPv6 hosts in brackets. */
export function formatTarget(t: PeerTarget): string {
  return isIP(t.host) === 6 ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** The host of a `formatTarget` string (brackets off an IPv6 host). */
export function hostOfTarget(id: string): string {
  const colon = id.lastIndexOf(':');
  const host = colon < 0 ? id : id.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function parsePort(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError(`bad port in peer "${whole}": ports are 1-65535`);
  }
  return Number(text);
}

function checkHost(host: string, whole: string): string {
  if (isIP(host) || HOSTNAME_RE.test(host)) return host;
  throw new UsageError(`bad host in peer "${whole}"`);
}

/** An I2P host: SAM 3.1 has no ports, so its port is 0 and only 0 (Core: i2p.h I2P_SAM31_PORT). */
const isI2pHost = (host: string): boolean => /\.i2p$/i.test(host);

/**
 * Parses one peer: `host:port`, `[ipv6]:port`, `host`, `ipv6` or `[ipv6]` (a host alone takes
 * the network's default port; an x.b32.i2p host port 0, the only one I2P has).
 */
export function parsePeer(text: string, defaultPort: number): PeerTarget {
  const s = text.trim();
  const colon = s.lastIndexOf(':');
  if (isI2pHost(colon < 0 ? s : s.slice(0, colon))) {
    const host = checkHost(colon < 0 ? s : s.slice(0, colon), s);
    if (colon >= 0 && s.slice(colon + 1) !== '0') throw new UsageError(`bad port in peer "${s}": I2P peers have port 0 only`);
    return { host, port: 0 };
  }
  return parseHostPort(text, defaultPort);
}

function parseHostPort(text: string, defaultPort: number): PeerTarget {
  const s = text.trim();
  if (s === '') throw new UsageError('empty peer in --peers');
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw new UsageError(`bad peer "${s}": missing "]"`);
    const host = s.slice(1, close);
    if (isIP(host) !== 6) throw new UsageError(`bad peer "${s}": not an IPv6 address in brackets`);
    const rest = s.slice(close + 1);
    if (rest === '') return { host, port: defaultPort };
    if (!rest.startsWith(':')) throw new UsageError(`bad peer "${s}": expected ":port" after "]"`);
    return { host, port: parsePort(rest.slice(1), s) };
  }
  if (isIP(s) === 6) return { host: s, port: defaultPort };
  const colon = s.lastIndexOf(':');
  if (colon < 0) return { host: checkHost(s, s), port: defaultPort };
  if (s.indexOf(':') !== colon) throw new UsageError(`bad peer "${s}": write IPv6 addresses as [addr]:port`);
  return { host: checkHost(s.slice(0, colon), s), port: parsePort(s.slice(colon + 1), s) };
}

/** Parses a comma-separated list, dropping exact duplicates (one connection per address). */
export function parsePeers(list: string, defaultPort: number): PeerTarget[] {
  const seen = new Set<string>();
  const out: PeerTarget[] = [];
  for (const part of list.split(',')) {
    if (part.trim() === '') continue;
    const t = parsePeer(part, defaultPort);
    const key = formatTarget(t);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  if (out.length === 0) throw new UsageError('--peers names no peer');
  return out;
}
