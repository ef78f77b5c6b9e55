import { DecodeError } from './errors.js';

// Buffer's native hex codec is an order of magnitude faster than a JS loop; we only view the
// caller's memory through it, never copy.
function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toHex(bytes: Uint8Array): string {
  return view(bytes).toString('hex');
}

/** Hashes are shown byte-reversed (Bitcoin's convention for txids and block hashes). */
export function toReversedHex(hash: Uint8Array): string {
  const copy = Buffer.allocUnsafe(hash.length);
  for (let i = 0, n = hash.length; i < n; i++) copy[i] = hash[n - 1 - i];
  return copy.toString('hex');
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Strict hex: even length, hex digits only. Throws DecodeError with a clear reason otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new DecodeError('hex has an odd number of digits');
  if (!HEX_RE.test(hex)) throw new DecodeError('not hex: only 0-9 and a-f are allowed');
  const b = Buffer.from(hex, 'hex');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Parse a displayed (reversed) 32-byte hash back to internal byte order. */
export function fromReversedHex(hex: string): Uint8Array {
  if (hex.length !== 64) throw new DecodeError('a hash is 64 hex digits');
  return fromHex(hex).reverse();
}
