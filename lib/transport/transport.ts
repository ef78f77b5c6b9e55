import type { Frame, Message } from '../wire/messages.js';

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
  receive(chunk: Uint8Array, sink: FrameSink): void;
  /** Returns the bytes the message takes on the wire (v2: its packet, also while it waits for the keys). */
  send(msg: Message): number;
  /** v2: the peer's version packet arrived (the handshake is done); always true for v1. */
  readonly established: boolean;
  /** v2: any byte arrived from the peer; always true for v1. */
  readonly heardFrom: boolean;
  /** v2: the BIP 324 session id once known, as Core's getpeerinfo shows it. */
  readonly sessionId?: Uint8Array;
}

/** What a transport's receive() hands on. */
export interface FrameSink {
  frame(frame: Frame): void;
  /**
   * An authentic message that names no type we can read (v2: an unknown short id or a malformed
   * command): skipped, as Core skips it, but a bad message all the same.
   */
  dropped(reason: string): void;
  /**
   * Runs transport work that goes on outside receive() (v2: once the shared secret computed in a
   * worker is known), with receive()'s handling: its errors end the connection, its writes go
   * out together; not at all once the connection has ended.
   */
  resume(work: () => void): void;
}

/** Writes bytes to the socket. */
export type Write = (bytes: Uint8Array) => void;
