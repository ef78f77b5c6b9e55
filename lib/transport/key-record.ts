/** How the key pool and its worker talk (key-pool.ts ⇄ key-worker.ts). */

/** A key's secret (32 bytes) then its ElligatorSwift encoding (64). */
export const KEY_RECORD_BYTES = 32 + 64;
/** Keys one request asks for at most: a few milliseconds of the worker's time, so that keys come steadily. */
export const MAX_KEYS_PER_REQUEST = 8;

/** v2Ecdh's inputs (AgreeRequest, v2-types.ts), numbered. */
export interface AgreeMessage {
  readonly id: number;
  readonly privkey: Uint8Array;
  readonly theirs: Uint8Array;
  readonly ours: Uint8Array;
  readonly initiator: boolean;
}

/** Its answer: the shared secret, or why there is none. */
export type AgreedMessage = { readonly id: number; readonly secret: Uint8Array } | { readonly id: number; readonly error: string };
