/**
 * The dialer: each host goes the way lib/net/reach.ts routeFor says (direct, SOCKS5, I2P SAM),
 * within its route's connect timeout. SOCKS5 connections get fresh random credentials each, so
 * that Tor (IsolateSOCKSAuth, on by default) puts every peer on a circuit of its own: Core's
 * -proxyrandomize (default on). Core numbers them with a counter (netbase.cpp
 * ConnectThroughProxy); random ones also keep a restarted crawl off the circuits of the last run.
 */
import { randomBytes } from 'node:crypto';
import { throwError } from 'rxjs';
import { DialError } from './errors.js';
import { I2pSession } from './i2p.js';
import { directOpener, socks5Opener, type Opener } from './open.js';
import { connectTimeoutFor, I2P_SESSION_TIMEOUT_MS, networkOfHost, routeFor, type ReachConfig } from './reach.js';
import type { Socks5Credentials } from './socks5.js';

/** 16 random bytes as hex, for user name and password alike. */
export function randomCredentials(): Socks5Credentials {
  return { username: randomBytes(16).toString('hex'), password: randomBytes(16).toString('hex') };
}

export interface DialerOptions {
  readonly reach: ReachConfig;
  /** The direct connect timeout (--connect-timeout); proxies and bridges get at least their own. */
  readonly connectTimeoutMs: number;
  /** Our I2P private key file (transient keys without one). */
  readonly i2pKeyFile?: string;
  /** Per-connection SOCKS5 credentials; random ones unless given. */
  readonly credentials?: () => Socks5Credentials;
  /** Overrides of the per-route deadlines (tests). */
  readonly proxyTimeoutMs?: number;
  readonly i2pTimeoutMs?: number;
  readonly i2pSessionTimeoutMs?: number;
  readonly onI2pSession?: (id: string, transient: boolean) => void;
}

export class Dialer {
  private readonly direct: Opener;
  private readonly socks = new Map<string, Opener>();
  private readonly i2p: I2pSession | undefined;
  private readonly i2pOpener: Opener | undefined;

  constructor(private readonly opts: DialerOptions) {
    this.direct = directOpener(opts.connectTimeoutMs);
    const sam = opts.reach.i2pSam;
    if (sam) {
      this.i2p = new I2pSession({
        sam,
        keyFile: opts.i2pKeyFile,
        sessionTimeoutMs: opts.i2pSessionTimeoutMs ?? I2P_SESSION_TIMEOUT_MS,
        onSession: opts.onI2pSession,
      });
      this.i2pOpener = this.i2p.opener(opts.i2pTimeoutMs ?? connectTimeoutFor({ kind: 'i2p', sam }, opts.connectTimeoutMs));
    }
  }

  /** Opens a stream to host:port the way its network is reached. */
  readonly open: Opener = (host, port) => {
    const net = networkOfHost(host, this.opts.reach.cjdnsReachable);
    const route = routeFor(net, this.opts.reach);
    if (!route) {
      const how = net === 'onion' ? '--proxy or --onion' : '--i2psam';
      return throwError(() => new DialError('connect-failed', `no way to reach ${net} peer ${host}: needs ${how}`));
    }
    if (route.kind === 'direct') return this.direct(host, port);
    if (route.kind === 'i2p') return this.i2pOpener ? this.i2pOpener(host, port) : throwError(() => new DialError('connect-failed', 'no I2P session'));
    const key = `${route.proxy.host}|${route.proxy.port}`;
    let opener = this.socks.get(key);
    if (!opener) {
      const ms = this.opts.proxyTimeoutMs ?? connectTimeoutFor(route, this.opts.connectTimeoutMs);
      opener = socks5Opener(route.proxy, ms, this.opts.credentials ?? randomCredentials);
      this.socks.set(key, opener);
    }
    return opener(host, port);
  };

  /** Closes the I2P session, if one is up. */
  close(): void {
    this.i2p?.close();
  }
}
