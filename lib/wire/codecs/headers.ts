import { BLOCK_HEADER_BYTES, readBlockHeader, writeBlockHeader } from '../block.js';
import { DecodeError } from '../errors.js';
import { MAX_HEADERS } from '../limits.js';
import type { BlockHeader } from '../model.js';
import { checkOutgoing, MAX_COMPACT_SIZE_BYTES, type Codec } from './codec.js';

/** A headers entry: the header and a CompactSize transaction count, always 0 (one byte). */
export const HEADERS_ENTRY_BYTES = BLOCK_HEADER_BYTES + 1;
/** Count + MAX_HEADERS_RESULTS (net_processing.cpp) entries = 162,009 bytes. */
export const MAX_HEADERS_PAYLOAD = MAX_COMPACT_SIZE_BYTES + MAX_HEADERS * HEADERS_ENTRY_BYTES;

/**
 * `headers`: a vector of blocks without transactions. Core disconnects a peer that sends more
 * than MAX_HEADERS_RESULTS. Core reads the per-header tx count and ignores it ("assume it is
 * 0", net_processing.cpp); every implementation sends 0, so anything else is refused here as a
 * malformed message.
 */
export const headersCodec: Codec<'headers'> = {
  command: 'headers',
  maxPayload: MAX_HEADERS_PAYLOAD,
  decode(r) {
    const n = r.limitedCount(HEADERS_ENTRY_BYTES, MAX_HEADERS, 'headers');
    const headers: BlockHeader[] = [];
    for (let i = 0; i < n; i++) {
      headers.push(readBlockHeader(r));
      const at = r.offset;
      const txCount = r.compactSize('headers tx count');
      if (txCount !== 0) throw new DecodeError(`headers entry with tx count ${txCount} (should be 0)`, at);
    }
    return { command: 'headers', headers };
  },
  encode(m, w) {
    checkOutgoing(m.headers.length, MAX_HEADERS, 'headers');
    w.compactSize(m.headers.length);
    for (const h of m.headers) {
      writeBlockHeader(h, w);
      w.compactSize(0);
    }
  },
};
