/** How the key pool's worker hands keys over (key-worker.ts → key-pool.ts). */

/** A key's secret (32 bytes) then its ElligatorSwift encoding (64). */
export const KEY_RECORD_BYTES = 32 + 64;
/** Keys one request asks for at most: a few milliseconds of the worker's time, so that keys come steadily. */
export const MAX_KEYS_PER_REQUEST = 8;
