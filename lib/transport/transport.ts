import type { OperatorFunction } from 'rxjs';
import type { Frame, Message } from '../wire/messages.js';

export type TransportKind = 'v1' | 'v2';

/**
 * Bytes ⇄ messages on one connection. `frames` turns received chunks into frames (writing
 * whatever the transport itself must answer, such as BIP 324's handshake bytes); `send` encodes
 * and writes one message, queueing it until the transport can (v2: until the keys are known).
 * Errors (FramingError, V2Error, or anything thrown) end the frames stream.
 */
export interface Transport {
  readonly kind: TransportKind;
  readonly frames: OperatorFunction<Uint8Array, Frame>;
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
