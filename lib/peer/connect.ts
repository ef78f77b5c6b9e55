import { Observable, tap } from 'rxjs';
import { connect as netConnect, type Socket } from 'node:net';
import type { Message, VersionMessage } from '../wire/messages.js';
import { encodeMessage } from '../wire/registry.js';
import { HEADER_BYTES, PROTOCOL_VERSION } from '../wire/limits.js';
import type { NetworkParams } from '../wire/network.js';
import { ipToBytes16 } from '../wire/netaddr.js';
import type { Logger } from '../log.js';
import type { DecodeError } from '../wire/errors.js';
import { PeerError } from './errors.js';
import { decodeFrames, frames } from './framing.js';
import { answerPings, handshake, liveness, randomNonce, type PeerLink, type SessionEvent } from './session.js';

export interface SessionOptions {
  readonly network: NetworkParams;
  readonly handshakeTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly userAgent: string;
  readonly log: Logger;
  /** Told of every message, both ways, with its size on the wire (metrics). */
  readonly onTraffic?: (direction: 'in' | 'out', command: string, bytes: number) => void;
  /** Told of every message skipped as undecodable or corrupt (metrics). */
  readonly onBadMessage?: (command: string) => void;
}

const IPV6_ANY = new Uint8Array(16);

function ourVersion(socket: Socket, host: string, port: number, userAgent: string): VersionMessage {
  let ip: Uint8Array = IPV6_ANY;
  try {
    ip = ipToBytes16(socket.remoteAddress ?? host);
  } catch {
    // A host name not yet resolved: Core does not rely on addr_recv, zeros are what it sends too.
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
    // relay = true is required: with 0, Core announces no transactions to us (PROTOCOL.md).
    relay: true,
  };
}

/** A socket's data as an observable; its end or error ends the stream with a PeerError. */
function socketChunks(socket: Socket): Observable<Uint8Array> {
  return new Observable<Uint8Array>((subscriber) => {
    let connected = false;
    const onConnect = (): void => {
      connected = true;
    };
    const onData = (chunk: Buffer): void => subscriber.next(chunk);
    const onError = (err: NodeJS.ErrnoException): void => {
      subscriber.error(new PeerError(connected ? 'closed' : 'connect-failed', err.code ? `${err.code}: ${err.message}` : err.message));
    };
    const onClose = (): void => subscriber.error(new PeerError('closed', 'connection closed by peer'));
    socket.on('connect', onConnect);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    return () => {
      socket.off('connect', onConnect);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
  });
}

/**
 * One peer: a TCP connection turned into a stream of session events — `ready` after the
 * handshake, then every message, plus `rtt` from the liveness pings. Framing errors, misbehaviour,
 * timeouts and the socket closing all end the stream with a PeerError; a single bad message is
 * skipped (see decodeFrames). Unsubscribing closes the
 * socket.
 */
export function connectPeer(host: string, port: number, opts: SessionOptions): Observable<SessionEvent> {
  return new Observable<SessionEvent>((subscriber) => {
    const { network, log } = opts;
    const socket = netConnect({ host, port, noDelay: true });
    const where = `${host}:${port}`;
    const link: PeerLink = {
      send(msg: Message) {
        if (socket.destroyed) return;
        if (log.isDebug()) log.debug('send', { peer: where, command: msg.command });
        const bytes = encodeMessage(network.magic, msg);
        opts.onTraffic?.('out', msg.command, bytes.length);
        socket.write(bytes);
      },
      fail(err: PeerError) {
        subscriber.error(err);
        socket.destroy();
      },
      close: () => socket.destroy(),
    };
    const onBad = (command: string, err: DecodeError): void => {
      log.info('bad message skipped', { peer: where, command, error: err.message });
      opts.onBadMessage?.(command);
    };
    const sub = socketChunks(socket)
      .pipe(
        frames(network.magic),
        tap((f) => opts.onTraffic?.('in', f.command, HEADER_BYTES + f.payload.length)),
        decodeFrames(onBad),
        handshake(link, ourVersion(socket, host, port, opts.userAgent), opts.handshakeTimeoutMs),
        answerPings(link.send),
        liveness(link.send, opts.pingIntervalMs, opts.pingTimeoutMs),
      )
      .subscribe(subscriber);
    return () => {
      sub.unsubscribe();
      socket.destroy();
    };
  });
}
