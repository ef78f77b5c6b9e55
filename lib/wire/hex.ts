import { DecodeError } from './errors.js';

/**
 * Buffer's native hex codec, called on the caller's memory as it is. `Buffer.from(arrayBuffer,
 * offset, length).toString('hex')` made a Buffer view and went through toString's encoding lookup
 * for every call: ~2 µs per 32-byte hash against ~0.3 µs for the codec itself (the inventory then
 * keyed every announced hash in hex, 200,000 a second at 10,000 peers × 20 tx/s; it uses hashKey
 * below now; see BENCHMARKS.md).
 * `hexSlice` is the method Buffer's own toString('hex') ends in; it reads any Uint8Array.
 */
const hexSlice = (Buffer.prototype as unknown as { hexSlice: (this: Uint8Array, start: number, end: number) => string }).hexSlice;

export function toHex(bytes: Uint8Array): string {
  return hexSlice.call(bytes, 0, bytes.length);
}

/** toHex of bytes[start, end), without a view of them. */
export function hexAt(bytes: Uint8Array, start: number, end: number): string {
  if (start < 0 || end > bytes.length || start > end) throw new RangeError(`hexAt: [${start}, ${end}) outside ${bytes.length} bytes`);
  return hexSlice.call(bytes, start, end);
}

/**
 * An exact Map/Set key for a 32-byte hash: its 16 little-endian 16-bit words as the 16 UTF-16
 * code units of a string (any code unit is allowed, lone surrogates included, and strings are
 * compared and hashed by code unit), so two keys are equal exactly when the hashes are. Not
 * truncated, not salted: an attacker can grind a prefix, not the whole hash. Measured in
 * scripts/bench-inventory.ts (BENCHMARKS.md, "Inventory"; the key plus the Set look-up of a
 * fresh string, which hashes it, are most of an announced item's cost): ~160 ns an item with this
 * key, ~190–225 with Buffer's ucs2Slice (the same string, through a C++ call), ~230–280 with
 * latin1Slice (32 one-byte characters), ~290 with hex (64); a salted numeric hash of the 8 words
 * with a full compare on a hit was no faster in a micro-benchmark and needs its own table. Not for
 * display: use toHex.
 */
export function hashKey(hash: Uint8Array): string {
  if (hash.length !== 32) throw new RangeError(`hashKey: a hash is 32 bytes, got ${hash.length}`);
  const b = hash;
  return String.fromCharCode(
    b[0] | (b[1] << 8), b[2] | (b[3] << 8), b[4] | (b[5] << 8), b[6] | (b[7] << 8),
    b[8] | (b[9] << 8), b[10] | (b[11] << 8), b[12] | (b[13] << 8), b[14] | (b[15] << 8),
    b[16] | (b[17] << 8), b[18] | (b[19] << 8), b[20] | (b[21] << 8), b[22] | (b[23] << 8),
    b[24] | (b[25] << 8), b[26] | (b[27] << 8), b[28] | (b[29] << 8), b[30] | (b[31] << 8),
  );
}

/** An inv item's hashKey, made once and kept on the item (InvItem.key) for every room that looks it up. */
export function invKey(item: { readonly hash: Uint8Array; key?: string }): string {
  return (item.key ??= hashKey(item.hash));
}

/** toReversedHex's scratch for reversedHexAt (synchronous, so one serves every caller). */
const REVERSED = new Uint8Array(64);

/** Hashes are shown byte-reversed (Bitcoin's convention for txids and block hashes). */
export function toReversedHex(hash: Uint8Array): string {
  if (hash.length <= REVERSED.length) return reversedHexAt(hash, 0, hash.length);
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


/** toReversedHex of bytes[at, at + n) (n ≤ 64), without a view of them or a fresh array. */
export function reversedHexAt(bytes: Uint8Array, at: number, n: number): string {
  if (n > REVERSED.length) throw new RangeError(`reversedHexAt: at most ${REVERSED.length} bytes, got ${n}`);
  for (let i = 0; i < n; i++) REVERSED[i] = bytes[at + n - 1 - i];
  return hexSlice.call(REVERSED, 0, n);
}
