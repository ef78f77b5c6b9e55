/** Block and header serialization, next to the model (model.ts); merkle roots and views are in lib/tx/block.ts. */
import { sha256d } from './hash.js';
import { MAX_COMPACT_SIZE } from './limits.js';
import { ByteReader } from './reader.js';
import { ByteWriter } from './writer.js';
import type { Block, BlockHeader, DecodedTx } from './model.js';
import { readTx, writeTx } from './transaction.js';

/** The serialized block header (primitives/block.h CBlockHeader). */
export const BLOCK_HEADER_BYTES = 80;
/** Smallest serialized transaction: version, input count, output count, locktime. */
export const MIN_TX_BYTES = 10;

export function readBlockHeader(r: ByteReader): BlockHeader {
  const start = r.offset;
  const version = r.i32le('block version');
  const prevBlock = r.hash('previous block hash');
  const merkleRoot = r.hash('merkle root');
  const time = r.u32le('block time');
  const bits = r.u32le('bits');
  const nonce = r.u32le('nonce');
  return { version, prevBlock, merkleRoot, time, bits, nonce, hash: sha256d(r.data.subarray(start, start + BLOCK_HEADER_BYTES)) };
}

export function writeBlockHeader(h: BlockHeader, w: ByteWriter): void {
  w.i32le(h.version).bytes(h.prevBlock).bytes(h.merkleRoot).u32le(h.time).u32le(h.bits).u32le(h.nonce);
}

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** Size of a transaction without its witness (BIP 141 base size). */
export function baseSize(tx: DecodedTx): number {
  return (tx.weight - tx.size) / 3;
}

export function readBlock(r: ByteReader): Block {
  const start = r.offset;
  const header = readBlockHeader(r);
  const n = r.count(MIN_TX_BYTES, MAX_COMPACT_SIZE, 'transactions');
  const txs = new Array<DecodedTx>(n);
  let strippedSize = BLOCK_HEADER_BYTES + compactSizeLength(n);
  for (let i = 0; i < n; i++) {
    txs[i] = readTx(r);
    strippedSize += baseSize(txs[i]);
  }
  const raw = r.data.subarray(start, r.offset);
  return { header, txs, raw, size: raw.length, strippedSize, weight: strippedSize * 3 + raw.length };
}

export function writeBlock(b: Block, w: ByteWriter): void {
  writeBlockHeader(b.header, w);
  w.compactSize(b.txs.length);
  for (const tx of b.txs) writeTx(tx, w, true);
}

/** One whole block; anything after it is an error. */
export function decodeBlock(bytes: Uint8Array): Block {
  const r = new ByteReader(bytes);
  const block = readBlock(r);
  r.finish('block');
  return block;
}

export function encodeBlock(b: Block): Uint8Array {
  const w = new ByteWriter(b.raw.length || 1024);
  writeBlock(b, w);
  return w.finish();
}
