/**
 * BIP 152 compact block messages (Core: src/blockencodings.h, blockencodings.cpp). Every count is
 * checked before anything is allocated for it; the checks Core makes while deserialising are
 * made here (a DecodeError: the message is dropped, the connection kept, as Core only logs a
 * deserialisation failure). What Core checks later (PartiallyDownloadedBlock::InitData: index
 * ranges against the block) is the compact room's (lib/crawler/compact-state.ts).
 */
import { BLOCK_HEADER_BYTES, MIN_TX_BYTES, readBlockHeader, writeBlockHeader } from '../block.js';
import { DecodeError } from '../errors.js';
import { MAX_PAYLOAD_BYTES } from '../limits.js';
import type { DecodedTx } from '../model.js';
import type { PrefilledTx } from '../messages.js';
import type { ByteReader } from '../reader.js';
import { SHORT_ID_BYTES } from '../short-id.js';
import { readTx, writeTx } from '../transaction.js';
import { checkOutgoing, HASH_BYTES, type Codec } from './codec.js';

/**
 * Transactions in one compact block, at most: Core refuses a cmpctblock whose short ids plus
 * prefilled transactions overflow 16 bits ("indexes overflowed 16 bits", CBlockHeaderAndShortTxIDs
 * deserialisation); that is below InitData's MAX_BLOCK_WEIGHT / MIN_SERIALIZABLE_TRANSACTION_WEIGHT
 * (4,000,000 / 40 = 100,000), which therefore never binds.
 */
export const MAX_COMPACT_BLOCK_TXS = 0xffff;
/** A transaction index in getblocktxn and prefilledtxn is a uint16_t (blockencodings.h). */
export const MAX_TX_INDEX = 0xffff;

/**
 * A differential index as Core's DifferenceFormatter (getblocktxn) and the prefilled index's
 * COMPACTSIZE into a uint16_t read it: the running absolute index, which must stay within 16 bits
 * ("differential value overflow" / "CompactSize exceeds limit of type").
 */
function readDifferential(r: ByteReader, previous: number, what: string): number {
  const at = r.offset;
  const delta = r.compactSize(what);
  if (delta > MAX_TX_INDEX) throw new DecodeError(`${what} difference ${delta} exceeds 16 bits`, at);
  return previous + 1 + delta;
}

/** The wire's difference for `index` after `previous`; RangeError where the decoder would refuse it. */
function difference(index: number, previous: number, what: string): number {
  if (!Number.isInteger(index) || index <= previous || index - previous - 1 > MAX_TX_INDEX) {
    throw new RangeError(`cannot encode ${what}: indexes must increase by 1 to 65,536`);
  }
  return index - previous - 1;
}

export const cmpctblockCodec: Codec<'cmpctblock'> = {
  command: 'cmpctblock',
  maxPayload: MAX_PAYLOAD_BYTES,
  decode(r) {
    const header = readBlockHeader(r);
    const nonce = r.u64le('compact block nonce');
    const n = r.count(SHORT_ID_BYTES, MAX_COMPACT_BLOCK_TXS, 'short ids');
    const shortIds = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const lo = r.u32le('short id');
      shortIds[i] = r.u16le('short id') * 0x1_0000_0000 + lo;
    }
    // Each prefilled transaction is its index (1 byte at least) and a transaction.
    const p = r.count(1 + MIN_TX_BYTES, MAX_COMPACT_BLOCK_TXS - n, 'prefilled transactions');
    const prefilled = new Array<PrefilledTx>(p);
    let index = -1;
    for (let i = 0; i < p; i++) {
      index = readDifferential(r, index, 'prefilled index');
      prefilled[i] = { index, tx: readTx(r) };
    }
    return { command: 'cmpctblock', header, nonce, shortIds, prefilled };
  },
  encode(m, w) {
    checkOutgoing(m.shortIds.length + m.prefilled.length, MAX_COMPACT_BLOCK_TXS, 'compact block transactions');
    writeBlockHeader(m.header, w);
    w.u64le(m.nonce).compactSize(m.shortIds.length);
    for (const id of m.shortIds) {
      if (!Number.isInteger(id) || id < 0 || id >= 2 ** 48) throw new RangeError(`cannot encode short id ${id}`);
      w.u32le(id % 0x1_0000_0000).u16le(Math.floor(id / 0x1_0000_0000));
    }
    w.compactSize(m.prefilled.length);
    let previous = -1;
    for (const p of m.prefilled) {
      w.compactSize(difference(p.index, previous, 'prefilled index'));
      previous = p.index;
      writeTx(p.tx, w, true);
    }
  },
};

/** The smallest cmpctblock: header, nonce, two empty counts. */
export const MIN_CMPCTBLOCK_BYTES = BLOCK_HEADER_BYTES + 8 + 2;

export const getblocktxnCodec: Codec<'getblocktxn'> = {
  command: 'getblocktxn',
  maxPayload: MAX_PAYLOAD_BYTES,
  decode(r) {
    const hash = r.hash('block hash');
    const n = r.count(1, MAX_TX_INDEX + 1, 'getblocktxn indexes');
    const indexes = new Array<number>(n);
    let index = -1;
    for (let i = 0; i < n; i++) {
      const at = r.offset;
      indexes[i] = index = readDifferential(r, index, 'getblocktxn index');
      if (index > MAX_TX_INDEX) throw new DecodeError(`getblocktxn index ${index}: differential value overflow`, at);
    }
    return { command: 'getblocktxn', hash, indexes };
  },
  encode(m, w) {
    if (m.hash.length !== HASH_BYTES) throw new RangeError('cannot encode getblocktxn: block hash must be 32 bytes');
    const last = m.indexes.length === 0 ? 0 : m.indexes[m.indexes.length - 1];
    if (last > MAX_TX_INDEX) throw new RangeError(`cannot encode getblocktxn: index ${last} overflows 16 bits`);
    w.bytes(m.hash).compactSize(m.indexes.length);
    let previous = -1;
    for (const index of m.indexes) {
      w.compactSize(difference(index, previous, 'getblocktxn indexes'));
      previous = index;
    }
  },
};

export const blocktxnCodec: Codec<'blocktxn'> = {
  command: 'blocktxn',
  maxPayload: MAX_PAYLOAD_BYTES,
  decode(r) {
    const hash = r.hash('block hash');
    const n = r.count(MIN_TX_BYTES, MAX_COMPACT_BLOCK_TXS, 'blocktxn transactions');
    const txs = new Array<DecodedTx>(n);
    for (let i = 0; i < n; i++) txs[i] = readTx(r);
    return { command: 'blocktxn', hash, txs };
  },
  encode(m, w) {
    if (m.hash.length !== HASH_BYTES) throw new RangeError('cannot encode blocktxn: block hash must be 32 bytes');
    checkOutgoing(m.txs.length, MAX_COMPACT_BLOCK_TXS, 'blocktxn transactions');
    w.bytes(m.hash).compactSize(m.txs.length);
    for (const tx of m.txs) writeTx(tx, w, true);
  },
};
