import { defer, type OperatorFunction } from 'rxjs';
import type { Frame, Message } from '../wire/messages.js';
import { emitEach } from './emit-each.js';

export type TransportKind = 'v1' | 'v2';

/**
 * Bytes ⇄ messages on one connection. `start` writes what the transport says first (v2: our key
 * and garbage), once, before any chunk; `receive` turns one received chunk into the frames it
 * completes, in order (writing whatever the transport itself must answer, such as BIP 324's
 * handshake bytes), and throws when the byte stream cannot be trusted any more (FramingError,
 * V2Error); `send` encodes and writes one message, queueing it until the transport can (v2: until
 * the keys are known). A chunk is valid only during `receive` (sockets share one read buffer):
 * what a transport keeps of it, it copies.
 */
export interface Transport {
  readonly kind: TransportKind;
  start(): void;
  /**
   * `dropped` hears of each authentic message that names no type we can read (v2: an unknown
   * short id or a malformed command): skipped, as Core skips it, but a bad message all the same.
   */
  receive(chunk: Uint8Array, emit: (frame: Frame) => void, dropped?: (reason: string) => void): void;
  /** Returns the bytes the message takes on the wire (v2: its packet, also while it waits for the keys). */
  send(msg: Message): number;
  /** v2: the peer's version packet arrived (the handshake is done); always true for v1. */
  readonly established: boolean;
  /** v2: any byte arrived from the peer; always true for v1. */
  readonly heardFrom: boolean;
  /** v2: the BIP 324 session id once known, as Core's getpeerinfo shows it. */
  readonly sessionId?: Uint8Array;
}

/** Writes bytes to the socket. */
export type Write = (bytes: Uint8Array) => void;

/**
 * A transport's receiving side as an operator: chunks → frames, `start` on subscribe. Anything
 * thrown inside is the stream's error (emitEach), never the process's.
 */
export function frames(transport: Transport): OperatorFunction<Uint8Array, Frame> {
  return (source) =>
    defer(() => {
      transport.start();
      return source.pipe(emitEach<Uint8Array, Frame>((chunk, emit) => transport.receive(chunk, emit)));
    });
}
