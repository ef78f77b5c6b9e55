/**
 * BIP 152 short transaction ids (blockencodings.cpp FillShortTxIDSelector, GetShortID): the
 * SipHash-2-4 key is the first two little-endian 64-bit words of SHA-256(header || nonce), and a
 * transaction's short id is the low 6 bytes of SipHash(its wtxid) (compact block version 2).
 */
import { createHash } from 'node:crypto';
import { siphash24, readU64, type U64 } from './siphash.js';
import { ByteWriter } from './writer.js';
import { writeBlockHeader } from './block.js';
import type { BlockHeader } from './model.js';

/** SHORTTXIDS_LENGTH (blockencodings.h): bytes of a short id on the wire. */
export const SHORT_ID_BYTES = 6;

export interface ShortIdKey {
  readonly k0: U64;
  readonly k1: U64;
}

/** The SipHash key of one compact block. */
export function shortIdKey(header: BlockHeader, nonce: bigint): ShortIdKey {
  const w = new ByteWriter(88);
  writeBlockHeader(header, w);
  w.u64le(nonce);
  const digest = createHash('sha256').update(w.finish()).digest();
  return { k0: readU64(digest, 0), k1: readU64(digest, 8) };
}

/** A transaction's short id (< 2^48, exact in a number) from its wtxid in internal byte order (the 32 bytes at `at`). */
export function shortId(key: ShortIdKey, wtxid: Uint8Array, at = 0): number {
  const h = siphash24(key.k0, key.k1, wtxid, at, 32);
  return (h.hi & 0xffff) * 0x1_0000_0000 + h.lo;
}
