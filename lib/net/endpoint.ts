import { isIP } from 'node:net';
import { formatHostPort } from '../wire/netaddr.js';

/**
 * Where a peer is, as users write it and as the crawler names it: `host:port`, `[ipv6]:port`, or a
 * host alone (the network's default port). Parse and format live here, once; a malformed endpoint
 * is an EndpointError, which the CLI reports as a usage error (one line, exit 2).
 */
export class EndpointError extends Error {
  override readonly name = 'EndpointError';
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** What the address's gossip said it offers (learned addresses); unknown for configured peers. */
  readonly services?: bigint;
}

/** `host:port` as users write it: IPv6 hosts in brackets. */
export function formatEndpoint(t: Endpoint): string {
  return formatHostPort(t.host, t.port);
}

/** The host of a `formatEndpoint` string (brackets off an IPv6 host). */
export function hostOfEndpoint(id: string): string {
  const colon = id.lastIndexOf(':');
  const host = colon < 0 ? id : id.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * A host name as the system resolver takes it: dot-separated labels of letters, digits, "-" and
 * "_" (glibc's getaddrinfo resolves Docker Compose names such as `bitcoin_node`; only DNS
 * hostnames proper forbid "_"), each 1-63 characters, 253 at most, not starting or ending with "-".
 */
const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOSTNAME_RE = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);
/** A label inet_aton would read as a number: decimal, octal (leading 0) or hex (0x). */
const NUMERIC_LABEL_RE = /^(?:0x[0-9a-f]*|[0-9]+)$/i;

function parsePort(text: string, whole: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new EndpointError(`bad port in peer "${whole}": ports are 1-65535`);
  }
  return Number(text);
}

/** Why `host` cannot be dialled, or undefined when it can (pure: the peer parser's host rule). */
export function hostProblem(host: string): string | undefined {
  if (isIP(host)) return undefined;
  const labels = host.replace(/\.$/, '').split('.');
  // getaddrinfo hands an all-numeric name to inet_aton, which reads "1.2.3" as 1.2.0.3 and
  // "127.1" as 127.0.0.1: refuse what is not plainly four decimal numbers.
  if (labels.every((l) => NUMERIC_LABEL_RE.test(l))) return 'an IPv4 address is four numbers from 0 to 255, a.b.c.d (no shorthand, no leading zeros)';
  if (!HOSTNAME_RE.test(host)) {
    const bad = [...host].find((c) => !/[A-Za-z0-9._-]/.test(c));
    if (bad !== undefined) return `${JSON.stringify(bad)} is not allowed in a host name (letters, digits, "-", "_" and "." are)`;
    return 'a host name is dot-separated labels of 1-63 characters, none starting or ending with "-"';
  }
  return undefined;
}

function checkHost(host: string, whole: string): string {
  const problem = hostProblem(host);
  if (problem !== undefined) throw new EndpointError(`bad host in peer "${whole}": ${problem}`);
  return host;
}

/** An I2P host: SAM 3.1 has no ports, so its port is 0 and only 0 (Core: i2p.h I2P_SAM31_PORT). */
const isI2pHost = (host: string): boolean => /\.i2p$/i.test(host);

/**
 * Parses one peer: `host:port`, `[ipv6]:port`, `host`, `ipv6` or `[ipv6]` (a host alone takes
 * the network's default port; an x.b32.i2p host port 0, the only one I2P has).
 */
export function parseEndpoint(text: string, defaultPort: number): Endpoint {
  const s = text.trim();
  const colon = s.lastIndexOf(':');
  if (isI2pHost(colon < 0 ? s : s.slice(0, colon))) {
    const host = checkHost(colon < 0 ? s : s.slice(0, colon), s);
    if (colon >= 0 && s.slice(colon + 1) !== '0') throw new EndpointError(`bad port in peer "${s}": I2P peers have port 0 only`);
    return { host, port: 0 };
  }
  return parseHostPort(text, defaultPort);
}

function parseHostPort(text: string, defaultPort: number): Endpoint {
  const s = text.trim();
  if (s === '') throw new EndpointError('empty peer in --peers');
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw new EndpointError(`bad peer "${s}": missing "]"`);
    const host = s.slice(1, close);
    if (isIP(host) !== 6) throw new EndpointError(`bad peer "${s}": not an IPv6 address in brackets`);
    const rest = s.slice(close + 1);
    if (rest === '') return { host, port: defaultPort };
    if (!rest.startsWith(':')) throw new EndpointError(`bad peer "${s}": expected ":port" after "]"`);
    return { host, port: parsePort(rest.slice(1), s) };
  }
  if (isIP(s) === 6) return { host: s, port: defaultPort };
  const colon = s.lastIndexOf(':');
  if (colon < 0) return { host: checkHost(s, s), port: defaultPort };
  if (s.indexOf(':') !== colon) throw new EndpointError(`bad peer "${s}": write IPv6 addresses as [addr]:port`);
  return { host: checkHost(s.slice(0, colon), s), port: parsePort(s.slice(colon + 1), s) };
}

/** Parses a comma-separated list, dropping exact duplicates (one connection per address). */
export function parseEndpoints(list: string, defaultPort: number): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const part of list.split(',')) {
    if (part.trim() === '') continue;
    const t = parseEndpoint(part, defaultPort);
    const key = formatEndpoint(t);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  if (out.length === 0) throw new EndpointError('--peers names no peer');
  return out;
}

/** `a` then the targets of `b` that `a` does not name (one connection per address). */
export function mergeEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): Endpoint[] {
  const seen = new Set(a.map(formatEndpoint));
  const out = [...a];
  for (const t of b) {
    const key = formatEndpoint(t);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

/** Peers in a file: one `host[:port]` a line; blank lines and `#` comments (whole or trailing) are skipped. */
export function parseEndpointList(text: string, defaultPort: number, name: string): Endpoint[] {
  const out: Endpoint[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*$/, '').trim();
    if (line === '') continue;
    try {
      out.push(parseEndpoint(line, defaultPort));
    } catch (err) {
      if (err instanceof EndpointError) throw new EndpointError(`${name} line ${i + 1}: ${err.message}`);
      throw err;
    }
  }
  const unique = mergeEndpoints([], out);
  if (unique.length === 0) throw new EndpointError(`${name} names no peer`);
  return unique;
}
