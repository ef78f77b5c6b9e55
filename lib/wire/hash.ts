import { sha256 } from '@noble/hashes/sha2.js';
import { createHash } from 'node:crypto';

/**
 * Double SHA-256 (Bitcoin's hash256). Node's OpenSSL binding is used on the hot path: for the
 * 200–2,000 byte inputs that transactions are it is several times faster than pure JS
 * (scripts/bench-decode.ts measures this). @noble/hashes serves tiny inputs, where the native
 * call overhead dominates; a test checks that the two agree.
 */
export function sha256d(data: Uint8Array): Uint8Array {
  if (data.length < 64) return sha256(sha256(data));
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

/** Double SHA-256 over several slices without concatenating them (the txid of a segwit tx). */
export function sha256dParts(parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return createHash('sha256').update(h.digest()).digest();
}

/** The 4-byte checksum in a message header: SHA-256d(payload)[0..4] as a little-endian u32. */
export function checksum(payload: Uint8Array): number {
  const d = sha256d(payload);
  return (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
}
