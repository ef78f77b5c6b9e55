/**
 * What a BIP 324 session (v2.ts) takes and gives: its options, its outputs, and what computing
 * the shared secret outside it takes.
 */
import type { V2Contents } from './v2-contents.js';

export interface V2SessionOptions {
  /** We dialled out (BIP 324 initiator) or accepted (responder). */
  readonly initiator: boolean;
  /** The network's 4 message-start bytes as a little-endian u32, as NetworkParams.magic. */
  readonly magic: number;
  /** Our ephemeral key; random when absent. */
  readonly privkey?: Uint8Array;
  /** Our 64-byte encoding of privkey's public key; created from privkey when absent. */
  readonly ellswift?: Uint8Array;
  /** What follows our key, 0..MAX_GARBAGE_LEN bytes; random bytes of random length when absent. */
  readonly garbage?: Uint8Array;
  /**
   * The shared secret is the caller's to compute (key-pool.ts: in a worker): once their key is in,
   * receive() outputs `agree` with what v2Ecdh needs and holds what follows until agreed(secret).
   */
  readonly agreeOutside?: boolean;
}

/** What v2Ecdh (ellswift.ts) takes: our key, both encodings, and our side. */
export interface AgreeRequest {
  readonly privkey: Uint8Array;
  readonly theirs: Uint8Array;
  readonly ours: Uint8Array;
  readonly initiator: boolean;
}

/**
 * Bytes held while the shared secret is computed outside: their garbage, terminator and version
 * packet fit many times over (4,131 bytes at most before decoys). Core computes it at once.
 */
export const MAX_HELD_BEFORE_AGREED = 65_536;

export type V2Output =
  /** Bytes to write to the peer (our garbage terminator and version packet). */
  | { readonly kind: 'send'; readonly bytes: Uint8Array }
  /** agreeOutside: compute v2Ecdh(request) and pass the secret to agreed(). */
  | { readonly kind: 'agree'; readonly request: AgreeRequest }
  /** Their version packet was read: the session is up (its contents are ignored, BIP 324). */
  | { readonly kind: 'ready'; readonly sessionId: Uint8Array }
  /**
   * A message, or an authentic packet that names no message type we can read: Core's
   * GetMessageType returns nullopt, GetReceivedMessage sets reject_message and
   * CNode::ReceiveMsgBytes drops just that message, keeping the connection. So do we; `dropped`
   * says so, for counting.
   */
  | V2Contents;
