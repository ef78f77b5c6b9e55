/** How the key pool and its worker talk (key-pool.ts ⇄ key-worker.ts). No secret crosses it. */

/** An X coordinate the worker encodes (32 bytes), and its ElligatorSwift encoding back (64). */
export const X_BYTES = 32;
export const ENCODING_BYTES = 64;
/**
 * Keys one request asks for at most: ~8 ms of the worker's time, so that keys come steadily (a
 * message costs the main thread tens of microseconds: 8 a request was 0.7% of its time).
 */
export const MAX_KEYS_PER_REQUEST = 32;

/** Encode these X coordinates (n × X_BYTES): answered by one ArrayBuffer of n × ENCODING_BYTES, in order. */
export interface EncodeMessage {
  readonly xs: ArrayBuffer;
}

/** Decode these peers' encodings (n × ENCODING_BYTES, ellswift_decode): answered by a DecodedMessage of n × X_BYTES, in order. */
export interface DecodeMessage {
  readonly ells: ArrayBuffer;
}

export interface DecodedMessage {
  readonly decoded: ArrayBuffer;
}

/** Peers' keys one request carries at most (~50 µs of the worker's time each), so that answers come steadily. */
export const MAX_DECODES_PER_REQUEST = 64;
