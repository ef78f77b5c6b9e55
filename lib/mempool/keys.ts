import { randomInt } from 'node:crypto';

/**
 * Short Map keys for txids and outpoints: 8 bytes of the 32-byte hash as four UTF-16 code units
 * (an outpoint adds its index as two more). A view of 300,000 transactions keeps ~1,000,000 such
 * keys; full 64-digit hex keys would cost ~60 bytes more each. 64 bits make an accidental
 * collision among a million keys a 1-in-10^7 event over the crawler's whole life; the 8 bytes are
 * read at an offset drawn per process (as TxidHistory does), so a peer cannot grind a
 * transaction whose key equals one it wants to displace.
 */
export class KeyMaker {
  constructor(private readonly offset: number = randomInt(0, 25)) {}

  /** The key of a txid (internal byte order, as decoded). */
  tx(hash: Uint8Array): string {
    const b = hash;
    const o = this.offset;
    return String.fromCharCode(b[o] | (b[o + 1] << 8), b[o + 2] | (b[o + 3] << 8), b[o + 4] | (b[o + 5] << 8), b[o + 6] | (b[o + 7] << 8));
  }

  /** The key of output `index` of the transaction whose key is `txKey`. */
  static outpoint(txKey: string, index: number): string {
    return txKey + String.fromCharCode(index & 0xffff, index >>> 16);
  }

  /** The transaction key of an outpoint key. */
  static txOf(outpointKey: string): string {
    return outpointKey.slice(0, 4);
  }
}
