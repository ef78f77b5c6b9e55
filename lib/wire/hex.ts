import { DecodeError } from './errors.js';

/**
 * Buffer's native hex codec, called on the caller's memory as it is. `Buffer.from(arrayBuffer,
 * offset, length).toString('hex')` made a Buffer view and went through toString's encoding lookup
 * for every call: ~2 µs per 32-byte hash against ~0.3 µs for the codec itself, and the inventory
 * keys every announced hash (200,000 a second at 10,000 peers × 20 tx/s; see BENCHMARKS.md).
 * `hexSlice` is the method Buffer's own toString('hex') ends in; it reads any Uint8Array.
 */
const hexSlice = (Buffer.prototype as unknown as { hexSlice: (this: Uint8Array, start: number, end: number) => string }).hexSlice;

export function toHex(bytes: Uint8Array): string {
  return hexSlice.call(bytes, 0, bytes.length);
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/**
 * An exact Map/Set key for bytes: one character per byte (latin1 maps 0–255 to U+0000–U+00FF,
 * one to one), so two keys are equal exactly when the bytes are; a 32-byte hash is a 32-character
 * one-byte string, half of hex's 64, which is what a look-up hashes and compares. Measured on
 * views of 32-byte hashes (scripts/bench-inventory.ts's traffic; BENCHMARKS.md, "Inventory"):
 * key + Set.has ≈ 0.13 µs against 0.23 µs with toHex; a salted numeric hash of the 8 words with a
 * full compare on a hit was no faster and needs its own table. Not for display: use toHex.
 */
export function bytesKey(bytes: Uint8Array): string {
  return latin1Slice.call(bytes, 0, bytes.length);
}

/** Hashes are shown byte-reversed (Bitcoin's convention for txids and block hashes). */
export function toReversedHex(hash: Uint8Array): string {
  const copy = new Uint8Array(hash.length);
  for (let i = 0, n = hash.length; i < n; i++) copy[i] = hash[n - 1 - i];
  return hexSlice.call(copy, 0, copy.length);
}

/**
 * Strict hex: even length, hex digits only (either case). Throws DecodeError with a clear reason
 * otherwise.
 *
 * Validation without a regex (a regex over a 750-digit line cost 4× the decode itself; this is
 * the first thing `crawl decode` does to every line): Node's hex decoder stops at the first pair
 * that is not two hex digits (documented: "data truncated when first non-hexadecimal value is
 * encountered"), so a full-length result means every ASCII pair was valid. It reads only the low
 * byte of each UTF-16 unit, though ('İ' is U+0130 and decodes as '0'), so text with any non-ASCII
 * character is refused by its UTF-8 length, which then differs from its length.
 */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 === 0) {
    const b = Buffer.from(hex, 'hex');
    if (b.length * 2 === hex.length && Buffer.byteLength(hex, 'utf8') === hex.length) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  throw new DecodeError(hexProblem(hex));
}

/** Why `hex` is not strict hex (only called once it failed: the slow path may use a regex). */
function hexProblem(hex: string): string {
  if (/^0x/i.test(hex)) return 'not hex: drop the "0x" prefix';
  const at = hex.search(/[^0-9a-fA-F]/);
  if (at >= 0) {
    const c = String.fromCodePoint(hex.codePointAt(at)!);
    return `not hex: ${JSON.stringify(c)} at character ${at + 1} (only 0-9, a-f and A-F are allowed)`;
  }
  return `hex has an odd number of digits (${hex.length})`;
}

/** Parse a displayed (reversed) 32-byte hash back to internal byte order. */
export function fromReversedHex(hex: string): Uint8Array {
  if (hex.length !== 64) throw new DecodeError('a hash is 64 hex digits');
  return fromHex(hex).reverse();
}
