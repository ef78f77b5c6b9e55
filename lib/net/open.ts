/**
 * Opening a byte stream to a peer: directly over TCP, through a SOCKS5 proxy, or through an I2P
 * SAM bridge. Thin socket glue around the pure handshakes (socks5.ts, sam.ts): each opener is an
 * Observable that emits the connected stream once, with whatever the peer already sent, and fails
 * with a DialError (one dial's failure, with its reason). Unsubscribing before that closes the
 * socket; after it, the socket belongs to the subscriber.
 */
import { formatHostPort } from '../wire/netaddr.js';
import { Observable, timeout, throwError } from 'rxjs';
import { connect as netConnect, type Socket } from 'node:net';
import { DialError } from './errors.js';
import { ProxyError, type Negotiation } from './negotiation.js';
import { Socks5Client, type Socks5Credentials } from './socks5.js';
import type { HostPort } from './reach.js';

export interface OpenedStream {
  readonly socket: Socket;
  /** Bytes the peer sent that arrived with the proxy's last reply. */
  readonly head: Uint8Array;
  /** False when a proxy or bridge stands between us and the peer (its address is not the peer's). */
  readonly direct: boolean;
  /**
   * Where the socket's bytes go from now on (the socket emits no 'data' events). A chunk is valid
   * only while `handler` runs: it lives in the one buffer every socket reads into, so whatever is
   * kept must be copied (the v1 framer and the v2 session copy each byte once anyway).
   */
  onChunk(handler: (chunk: Uint8Array) => void): void;
}

/**
 * The buffer every outbound socket reads into (Node's `onread`), one for the process: libuv calls
 * each socket's read callback with it, one at a time, and the chunk is consumed before the next
 * read. Node's default gives each read(2) a buffer of its own and pushes it through a Readable
 * stream, which at 10,000 peers was a buffer and a stream turn per inv message (BENCHMARKS.md).
 */
export const READ_BUFFER_BYTES = 64 * 1024;
const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/** Opens a stream to host:port. */
export type Opener = (host: string, port: number) => Observable<OpenedStream>;

const where = (h: HostPort): string => formatHostPort(h.host, h.port);

/** A socket error as a DialError: EMFILE/ENFILE are our own limit, the rest the connection's. */
export function socketDialError(err: NodeJS.ErrnoException, what: string): DialError {
  // Node's message names the code already ("connect ECONNREFUSED 127.0.0.1:8333"): said once, first.
  const text = err.code ? `${err.code}: ${err.message.replace(` ${err.code}`, '')}` : err.message;
  if (err.code === 'EMFILE' || err.code === 'ENFILE') return new DialError('no-descriptors', text);
  if (what !== 'peer') return new DialError('proxy-failed', `${what}: ${text}`);
  return new DialError(err.code === 'ECONNREFUSED' ? 'refused' : 'connect-failed', text);
}

/**
 * A TCP connection that reads into the shared buffer and hands each chunk to whoever is set. Its
 * own function, so that the read callback keeps only `reader` and the socket alive, not the
 * dial's closures (which share one context in openWith).
 */
function readingSocket(to: HostPort): { socket: Socket; setReader: (reader: ((chunk: Uint8Array) => void) | undefined) => void } {
  let reader: ((chunk: Uint8Array) => void) | undefined;
  const socket = netConnect({
    host: to.host,
    port: to.port,
    noDelay: true,
    onread: {
      buffer: readBuffer,
      callback: (n: number, buf: Uint8Array): boolean => {
        // A throw here would escape Node's read callback: it ends this socket instead.
        try {
          reader?.(buf.subarray(0, n));
        } catch (err) {
          socket.destroy(err instanceof Error ? err : new Error(String(err)));
        }
        // false would pause the socket; it is paused (or not) through pause()/resume() only.
        return true;
      },
    },
  });
  return { socket, setReader: (r) => (reader = r) };
}

/**
 * TCP to `to`, then (optionally) a handshake on it. Emits once the handshake is done. `what` names
 * the far end for error messages ("peer", or the proxy).
 */
export function openWith<T>(to: HostPort, what: string, handshake?: () => Negotiation<T>, onDone?: (value: T, socket: Socket) => void): Observable<OpenedStream> {
  return new Observable<OpenedStream>((subscriber) => {
    let handedOver = false;
    const { socket, setReader } = readingSocket(to);
    const fail = (err: DialError): void => {
      detach();
      // A late error from a socket being torn down must not become an unhandled 'error' event.
      socket.on('error', () => {});
      socket.destroy();
      subscriber.error(err);
    };
    const onError = (err: NodeJS.ErrnoException): void => fail(socketDialError(err, what));
    const onClose = (): void => fail(new DialError(what === 'peer' ? 'connect-failed' : 'proxy-failed', `${what}: closed the connection during the handshake`));
    let negotiation: Negotiation<T> | undefined;
    const hand = (head: Uint8Array): void => {
      detach();
      handedOver = true;
      subscriber.next({ socket, head, direct: handshake === undefined, onChunk: setReader });
      subscriber.complete();
    };
    const onData = (chunk: Uint8Array): void => {
      if (!negotiation) return;
      try {
        // A copy: the negotiation may keep bytes (its `rest`), and the chunk is the shared buffer.
        const step = negotiation.receive(new Uint8Array(chunk)); // (Buffer.slice() would be a view)
        if (step.send) socket.write(step.send);
        if (step.done) {
          onDone?.(step.done.value, socket);
          hand(step.done.rest);
        }
      } catch (err) {
        fail(proxyDialError(err, what));
      }
    };
    const onConnect = (): void => {
      if (!handshake) return hand(new Uint8Array(0));
      try {
        negotiation = handshake();
        socket.write(negotiation.start());
      } catch (err) {
        fail(proxyDialError(err, what));
      }
    };
    const detach = (): void => {
      setReader(undefined);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    setReader(onData);
    socket.on('connect', onConnect);
    socket.on('error', onError);
    socket.on('close', onClose);
    return () => {
      if (handedOver) return;
      detach();
      socket.on('error', () => {});
      socket.destroy();
    };
  });
}

function proxyDialError(err: unknown, what: string): DialError {
  if (err instanceof ProxyError) return new DialError(err.blame === 'peer' ? 'connect-failed' : 'proxy-failed', `${what}: ${err.message}`, err.code);
  return new DialError('proxy-failed', `${what}: ${err instanceof Error ? err.message : String(err)}`);
}

/** Bounds an opener by a deadline: past it, the dial fails with `connect-timeout`. */
export function withDeadline(open: Observable<OpenedStream>, ms: number, what: string): Observable<OpenedStream> {
  const text = what === 'peer' ? `no TCP connection within ${ms / 1000} s` : `${what}: no connection within ${ms / 1000} s`;
  return open.pipe(timeout({ first: ms, with: () => throwError(() => new DialError('connect-timeout', text)) }));
}

/** Straight TCP (Core: netbase.cpp ConnectDirectly, within -timeout). */
export function directOpener(timeoutMs: number): Opener {
  return (host, port) => withDeadline(openWith({ host, port }, 'peer'), timeoutMs, 'peer');
}

/**
 * Through a SOCKS5 proxy, the destination sent as a name. `credentials` is asked once per
 * connection: fresh ones each time isolate every connection on its own Tor circuit
 * (IsolateSOCKSAuth), as Core's -proxyrandomize does.
 */
export function socks5Opener(proxy: HostPort, timeoutMs: number, credentials?: () => Socks5Credentials): Opener {
  const what = `SOCKS5 proxy ${where(proxy)}`;
  return (host, port) => withDeadline(openWith(proxy, what, () => new Socks5Client(host, port, credentials?.())), timeoutMs, what);
}
