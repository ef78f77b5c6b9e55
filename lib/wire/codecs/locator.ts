import { MAX_LOCATOR_HASHES } from '../limits.js';
import { checkOutgoing, HASH_BYTES, MAX_COMPACT_SIZE_BYTES, type Codec, type FamilyCodec } from './codec.js';

interface LocatorFields {
  readonly version: number;
  readonly locator: readonly Uint8Array[];
  readonly stop: Uint8Array;
}

/** u32 version, the locator (count + MAX_LOCATOR_SZ hashes), the stop hash = 3,277 bytes. */
export const MAX_LOCATOR_PAYLOAD = 4 + MAX_COMPACT_SIZE_BYTES + MAX_LOCATOR_HASHES * HASH_BYTES + HASH_BYTES;

/**
 * getheaders and getblocks: a CBlockLocator (chain.h: version, then the hashes) and a stop hash.
 * Core disconnects a peer whose locator has more than MAX_LOCATOR_SZ (101) hashes
 * (net_processing.cpp). Hashes are views into the payload.
 */
function locatorCodec<C extends 'getheaders' | 'getblocks'>(command: C): FamilyCodec<C, LocatorFields> {
  return {
    command,
    maxPayload: MAX_LOCATOR_PAYLOAD,
    decode(r) {
      const version = r.u32le('locator version');
      const n = r.limitedCount(HASH_BYTES, MAX_LOCATOR_HASHES, 'locator hashes');
      const locator: Uint8Array[] = [];
      for (let i = 0; i < n; i++) locator.push(r.hash('locator hash'));
      const stop = r.hash('stop hash');
      return { command, version, locator, stop };
    },
    encode(m, w) {
      checkOutgoing(m.locator.length, MAX_LOCATOR_HASHES, 'locator hashes');
      w.u32le(m.version).compactSize(m.locator.length);
      for (const hash of [...m.locator, m.stop]) {
        if (hash.length !== HASH_BYTES) throw new RangeError(`cannot encode ${command}: a hash must be ${HASH_BYTES} bytes`);
        w.bytes(hash);
      }
    },
  };
}

export const getheadersCodec: Codec<'getheaders'> = locatorCodec('getheaders');
export const getblocksCodec: Codec<'getblocks'> = locatorCodec('getblocks');
