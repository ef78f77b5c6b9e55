import { Observable, catchError, throwError, type Subscription } from 'rxjs';
import { isIP } from 'node:net';
import { directOpener, type OpenedStream, type Opener } from '../net/open.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../net/reach.js';
import type { Frame, Message, VersionMessage } from '../wire/messages.js';
import { HEADER_BYTES, PROTOCOL_VERSION } from '../wire/limits.js';
import { networkOfMagic, type NetworkParams } from '../wire/network.js';
import { ipToBytes16 } from '../wire/netaddr.js';
import type { Logger } from '../log/logger.js';
import { FramingError, type DecodeError } from '../wire/errors.js';
import { asPeerError, PeerError } from './errors.js';
import { V2Error } from '../transport/errors.js';
import type { Transport, TransportKind } from '../transport/transport.js';
import { v1Transport } from '../transport/v1.js';
import { v2Transport } from '../transport/v2-transport.js';
import { Connection, type ConnectionOptions, type EventSink } from './connection.js';
import { afterPendingReads, randomNonce, type SessionEvent } from './session.js';
import { SendBuffer } from './send-buffer.js';

/**
 * How long a TCP connection may take to complete: Core's DEFAULT_CONNECT_TIMEOUT (src/netbase.h,
 * 5000 ms, the -timeout option), separate from the version handshake's deadline.
 */
export { DEFAULT_CONNECT_TIMEOUT_MS };

export interface SessionOptions {
  readonly network: NetworkParams;
  /** DEFAULT_CONNECT_TIMEOUT_MS unless given; for direct connections (a given `open` has its own). */
  readonly connectTimeoutMs?: number;
  /** How to reach the peer (lib/net/dialer.ts: direct, SOCKS5, I2P SAM); direct TCP unless given. */
  readonly open?: Opener;
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly userAgent: string;
  readonly log: Logger;
  /** Told of every message, both ways, with its size on the wire (metrics). */
  /** Each message in or out, with the bytes it took on the wire over its transport (v1 header + payload, or the v2 packet). */
  readonly onTraffic?: (direction: 'in' | 'out', command: string, bytes: number, transport: TransportKind) => void;
  /** Told of every message skipped as undecodable or corrupt (metrics). */
  readonly onBadMessage?: (command: string) => void;
  /** The clock read when a socket's bytes arrive (ms since the epoch): Date.now unless given. */
  readonly clock?: () => number;
}

const IPV6_ANY = new Uint8Array(16);

function ourVersion(remoteIp: string | undefined, port: number, userAgent: string): VersionMessage {
  let ip: Uint8Array = IPV6_ANY;
  try {
    if (remoteIp !== undefined) ip = ipToBytes16(remoteIp);
  } catch {
    // Not an IP literal: Core does not rely on addr_recv, zeros are what it sends too.
  }
  return {
    command: 'version',
    version: PROTOCOL_VERSION,
    // NODE_NONE: we serve nothing, and claiming services would invite requests we cannot answer.
    services: 0n,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    addrRecv: { services: 0n, ip, port },
    addrFrom: { services: 0n, ip: IPV6_ANY, port: 0 },
    nonce: randomNonce(),
    userAgent,
    startHeight: 0,
    // relay = true is required: with 0, Core announces no transactions to us (ARCHITECTURE.md, "Protocol facts").
    relay: true,
  };
}

/**
 * One peer: a connection (direct TCP unless `opts.open` goes through a proxy or bridge, see
 * lib/net/dialer.ts) turned into a stream of session events — `ready` after the handshake, then
 * every message, plus `rtt` from the liveness pings — over the transport asked for (v1 plaintext
 * or BIP 324 v2). A failed dial, framing errors, misbehaviour, timeouts and the socket closing all
 * end the stream with a PeerError; a single bad message is skipped (see MessageDecoder). A v2
 * attempt that fails before the peer's version packet ends with `v2-handshake`, for the caller to
 * try v1 (see dialPeer). Unsubscribing closes the socket.
 */
export function connectPeer(host: string, port: number, opts: SessionOptions, kind: TransportKind = 'v1'): Observable<SessionEvent> {
  // A dead address must not hold a slot until the handshake deadline (Core: -timeout, netbase.cpp ConnectSocketDirectly).
  const open = opts.open ?? directOpener(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const peer = `${host}:${port}`;
  // What defer(open).pipe(catchError(asPeerError), switchMap(session)) would do, with the session
  // telling the caller's subscriber straight: the one observable at the edge of a connection.
  return new Observable<SessionEvent>((subscriber) => {
    // A person watching a peer that accepts TCP and never speaks sees where it stands.
    opts.log.info('connecting', { peer, transport: kind });
    let ending: (() => void) | undefined;
    let dialling: Subscription | undefined;
    try {
      dialling = open(host, port).subscribe({
        next: (stream) => {
          opts.log.info('connected, handshaking', { peer });
          ending = session(stream, host, port, opts, kind, subscriber);
          // Ended while starting (its first write failed): the teardown ran before it was known.
          if (subscriber.closed) ending();
        },
        error: (err: unknown) => subscriber.error(asPeerError(err)),
        complete: () => {
          // Let go of the finished dial (its subscriber would live as long as the session).
          dialling = undefined;
          if (ending === undefined) subscriber.complete();
        },
      });
    } catch (err) {
      subscriber.error(asPeerError(err));
    }
    return () => {
      dialling?.unsubscribe();
      ending?.();
    };
  });
}

/**
 * The Bitcoin session on an open stream: a Connection (connection.ts) fed by the socket, its
 * events and its end told to `sink`. Returns how to end it (unsubscribing: the socket closes).
 *
 * The socket's chunks go in as they are read; the clock read there is the read time of every
 * message the chunk completes (Node calls the read callback straight after its read(2), however
 * long the pipeline then takes over them). What a chunk's messages make us send (the handshake's
 * wtxidrelay, sendaddrv2, verack, the first ping; pongs) goes out in one write when the chunk is
 * done, not one each (socket writes were 4% of the crawler's CPU in a 5,000-peer profile, mostly
 * handshakes); past SEND_PAUSE_BYTES unsent, the socket is not read until the peer takes them.
 */
function session(stream: OpenedStream, host: string, port: number, opts: SessionOptions, kind: TransportKind, sink: EventSink): () => void {
  const live = new SocketSession(stream, host, port, opts, kind);
  const conn = new Connection(live, sink);
  live.attach(conn);
  return () => live.end();
}

/**
 * A Connection's options and hooks on a socket, as one object whose hooks are methods (no
 * closure a hook: at 10,000 peers each closure and its context is memory a peer).
 */
class SocketSession implements ConnectionOptions {
  readonly transport: Transport;
  readonly ours: VersionMessage;
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  /** Deadlines decide only once what was received meanwhile is read (issue 19). */
  readonly later = afterPendingReads;
  /** When the chunk being handled was read; the head (bytes a proxy handshake read past its end) was read just now. */
  private readAt: number;
  private readonly out: SendBuffer;
  private readonly clock: () => number;
  private conn: Connection | undefined;
  private readonly onData = (chunk: Uint8Array): void => {
    this.readAt = this.clock();
    const conn = this.conn;
    if (conn) this.out.batch(() => conn.receive(chunk));
  };
  private readonly onError = (err: NodeJS.ErrnoException): void => this.conn?.fail(new PeerError('closed', err.code ? `${err.code}: ${err.message}` : err.message));
  private readonly onClose = (): void => this.conn?.fail(new PeerError('closed', 'connection closed by peer'));

  constructor(
    private readonly stream: OpenedStream,
    private readonly host: string,
    private readonly port: number,
    private readonly opts: SessionOptions,
    private readonly kind: TransportKind,
  ) {
    const { socket } = stream;
    // What we queue for the peer is bounded (SEND_PAUSE_BYTES): the one way to write to it.
    const out = (this.out = new SendBuffer(socket, opts.pingTimeoutMs, (err) => this.conn?.fail(err)));
    const write = (bytes: Uint8Array): void => out.write(bytes);
    this.transport = kind === 'v2' ? v2Transport(opts.network.magic, write) : v1Transport(opts.network.magic, write);
    // Through a proxy the socket's far end is the proxy, not the peer: Core then sends an empty
    // addr_you (net_processing.cpp PushNodeVersion: !IsProxy(addr)).
    this.ours = ourVersion(stream.direct ? (isIP(host) ? host : socket.remoteAddress) : undefined, port, opts.userAgent);
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs;
    this.pingIntervalMs = opts.pingIntervalMs;
    this.pingTimeoutMs = opts.pingTimeoutMs;
    this.clock = opts.clock ?? Date.now;
    this.readAt = this.clock();
  }

  /** Starts `conn` on the socket: its first bytes, the head, then every chunk as it is read. */
  attach(conn: Connection): void {
    const { socket, head } = this.stream;
    this.conn = conn;
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.out.batch(() => {
      conn.start();
      if (head.length > 0) conn.receive(head);
    });
    this.stream.onChunk(this.onData);
  }

  /** ConnectionOptions.resume: the transport's later work, its writes gathered as a chunk's are. */
  resume(work: () => void): void {
    this.out.batch(work);
  }

  /** Unsubscribed: timers stopped, listeners off, the socket closed. */
  end(): void {
    const { socket } = this.stream;
    this.conn?.stop();
    this.stream.onChunk(ignoreChunk);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    this.out.close();
    socket.destroy();
  }

  private get where(): string {
    return `${this.host}:${this.port}`;
  }

  readTime(): number {
    return this.readAt;
  }

  onBad(command: string, err: DecodeError): void {
    this.opts.log.info('bad message skipped', { peer: this.where, command, error: err.message });
    this.opts.onBadMessage?.(command);
  }

  onFrame(f: Frame): void {
    this.opts.onTraffic?.('in', f.command, f.wireBytes ?? HEADER_BYTES + f.payload.length, this.kind);
  }

  onSend(msg: Message, bytes: number): void {
    if (this.opts.log.isDebug()) this.opts.log.debug('send', { peer: this.where, command: msg.command });
    this.opts.onTraffic?.('out', msg.command, bytes, this.kind);
  }

  describe(err: unknown, ready: boolean): PeerError {
    return (ready ? undefined : wrongNetwork(err)) ?? transportError(err, this.transport);
  }

  close(): void {
    this.stream.socket.destroy();
  }
}

const ignoreChunk = (): void => {};

/**
 * A first message with another network's magic: the node is of that network (Core only logs
 * "Header error: Wrong MessageStart", net.cpp V1Transport::readHeader; a person is better served by
 * the --network to use). After the handshake the same bytes are just a broken stream (framing).
 */
export function wrongNetwork(err: unknown): PeerError | undefined {
  const v1 = err instanceof FramingError && err.reason === 'bad-magic';
  const v2 = err instanceof V2Error && (err.reason === 'wrong-network-v1' || err.reason === 'wrong-network-v2');
  if (!(v1 || v2) || err.magic === undefined) return undefined;
  const name = networkOfMagic(err.magic);
  if (name === undefined) return undefined;
  return new PeerError('wrong-network', `this is a ${name} node; use --network ${name}`);
}

/**
 * Why a connection ended, as a PeerError. A v2 attempt that never got the peer's version packet
 * is `v2-handshake` (auto then redials over v1) when the peer hung up or said nothing until the
 * deadline, as Core does (net.cpp V2Transport::ShouldReconnectV1: nothing received, at least a v1
 * header's worth sent), and also when its first bytes were a v1 version or no v2 handshake at
 * all: bcoin speaks first, and Core would lose it.
 */
function transportError(err: unknown, transport: Transport): PeerError {
  const e = asPeerError(err);
  if (transport.kind !== 'v2' || transport.established) return e;
  const failed = e.reason === 'closed' || e.reason === 'framing' || (e.reason === 'handshake-timeout' && !transport.heardFrom);
  return failed ? new PeerError('v2-handshake', `v2 handshake failed: ${e.message}`) : e;
}

/**
 * `--transport`: `v1`, `v2` (never falls back), or `auto`: v2 first with peers that may speak it
 * (they advertise NODE_P2P_V2, or we do not know their services), then, when the v2 handshake
 * fails, once more over v1 on a fresh connection, as Core does (net.cpp: ShouldReconnectV1, the
 * outbound connection retried with v1).
 */
export type TransportChoice = 'auto' | TransportKind;

/** NODE_P2P_V2 (protocol.h): the node accepts BIP 324 connections. */
export const NODE_P2P_V2 = 1n << 11n;

export function dialPeer(host: string, port: number, opts: SessionOptions, choice: TransportChoice, services?: bigint): Observable<SessionEvent> {
  if (choice === 'v1' || (choice === 'auto' && services !== undefined && (services & NODE_P2P_V2) === 0n)) return connectPeer(host, port, opts, 'v1');
  const v2 = connectPeer(host, port, opts, 'v2');
  if (choice === 'v2') return v2;
  return v2.pipe(
    catchError((err: unknown) => {
      if (!(err instanceof PeerError) || err.reason !== 'v2-handshake') return throwError(() => err);
      // Between the two `connecting` lines, why there is a second (Core logs its v1 retry too).
      opts.log.info('v2 handshake failed, trying v1', { peer: `${host}:${port}`, error: err.message });
      return connectPeer(host, port, opts, 'v1');
    }),
  );
}
