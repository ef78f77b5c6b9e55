/** Valid regtest blocks made from real transactions: a coinbase, a witness commitment, proof of work. */
import { merkleRoot } from '../../lib/tx/block.js';
import { decodeBlock, encodeBlock, writeBlockHeader } from '../../lib/wire/block.js';
import { checkProofOfWork, POW_LIMITS, validateBlock, WITNESS_COMMITMENT_PREFIX } from '../../lib/tx/pow.js';
import { decodeTx, encodeTx, hasWitness } from '../../lib/wire/transaction.js';
import type { Block, BlockHeader, DecodedTx } from '../../lib/wire/model.js';
import { sha256d } from '../../lib/wire/hash.js';
import { ByteWriter } from '../../lib/wire/writer.js';
import { hashKey } from '../../lib/wire/hex.js';
import { ANCHORS, anchorBytes } from '../../lib/chain/params.js';
import { ByteReader } from '../../lib/wire/reader.js';
import { readBlockHeader } from '../../lib/wire/block.js';

/** Regtest's easiest target (Core's powLimit: 0x207fffff): one hash in two meets it. */
export const REGTEST_BITS = 0x207fffff;

export function headerHash(h: Omit<BlockHeader, 'hash'>): Uint8Array {
  const w = new ByteWriter(80);
  writeBlockHeader({ ...h, hash: new Uint8Array(32) }, w);
  return sha256d(w.finish());
}

/** A coinbase for `height` (BIP 34), with the BIP 141 commitment when any of `txs` has a witness. */
function coinbase(txs: readonly DecodedTx[], height: number): DecodedTx {
  const reserved = new Uint8Array(32);
  const witness = txs.some(hasWitness);
  const outputs = [{ value: 50n * 100_000_000n, script: Uint8Array.of(0x51) }];
  if (witness) {
    const root = merkleRoot([new Uint8Array(32), ...txs.map((t) => t.wtxid)]);
    const preimage = new Uint8Array(64);
    preimage.set(root);
    preimage.set(reserved, 32);
    outputs.push({ value: 0n, script: Uint8Array.from([...WITNESS_COMMITMENT_PREFIX, ...sha256d(preimage)]) });
  }
  const heightPush = Uint8Array.of(3, height & 0xff, (height >> 8) & 0xff, (height >> 16) & 0xff);
  return decodeTx(
    encodeTx({
      version: 2,
      inputs: [{ prevTxid: new Uint8Array(32), prevIndex: 0xffffffff, scriptSig: heightPush, sequence: 0xffffffff, witness: witness ? [reserved] : [] }],
      outputs,
      locktime: 0,
    }),
  );
}

/** Regtest's genesis header (chainparams.cpp CRegTestParams), as the crawler's header tree is anchored. */
export const REGTEST_GENESIS: BlockHeader = readBlockHeader(new ByteReader(anchorBytes(ANCHORS.regtest)));

/** A block of a coinbase and `txs` that Core's CheckBlock would accept on regtest (on a made-up parent unless given one). */
export function mineBlock(txs: readonly DecodedTx[], opts: { prevBlock?: Uint8Array; time?: number; height?: number } = {}): Block {
  const all = [coinbase(txs, opts.height ?? 1), ...txs];
  const base = { version: 0x20000000, prevBlock: opts.prevBlock ?? new Uint8Array(32).fill(7), merkleRoot: merkleRoot(all.map((t) => t.txid)), time: opts.time ?? 1_700_000_000, bits: REGTEST_BITS };
  let nonce = 0;
  while (!checkProofOfWork(headerHash({ ...base, nonce }), base.bits, POW_LIMITS.regtest)) nonce++;
  const header = { ...base, nonce, hash: headerHash({ ...base, nonce }) };
  const block = decodeBlock(encodeBlock({ header, txs: all, raw: new Uint8Array(0), size: 0, strippedSize: 0, weight: 0 }));
  const check = validateBlock(block, POW_LIMITS.regtest);
  if (!check.ok) throw new Error(`mineBlock made an invalid block: ${check.why}`);
  return block;
}

/** `block` with a changed header (its hash recomputed): another nonce, other bits. */
export function withHeader(block: Block, change: Partial<Omit<BlockHeader, 'hash'>>): Block {
  const { hash: _hash, ...fields } = block.header;
  void _hash;
  const h = { ...fields, ...change };
  return decodeBlock(encodeBlock({ ...block, header: { ...h, hash: headerHash(h) } }));
}

/** A header on `prev` with proof of work for `bits` (regtest's easiest unless given): ~2 hashes. */
export function mineHeader(prev: BlockHeader, opts: { time?: number; bits?: number; merkleRoot?: Uint8Array; version?: number } = {}): BlockHeader {
  const base = { version: opts.version ?? 0x20000000, prevBlock: prev.hash, merkleRoot: opts.merkleRoot ?? new Uint8Array(32).fill(1), time: opts.time ?? prev.time + 600, bits: opts.bits ?? REGTEST_BITS };
  let nonce = 0;
  while (!checkProofOfWork(headerHash({ ...base, nonce }), base.bits, POW_LIMITS.regtest)) nonce++;
  return { ...base, nonce, hash: headerHash({ ...base, nonce }) };
}

/**
 * `n` regtest blocks on genesis, ten minutes apart from 1,700,000,000, each with its BIP 34
 * height; `txs(i)` gives block i+1's transactions after the coinbase.
 */
export function mineChain(n: number, txs: (i: number) => readonly DecodedTx[] = () => []): Block[] {
  const blocks: Block[] = [];
  let prev = REGTEST_GENESIS;
  for (let i = 0; i < n; i++) {
    const b = mineBlock(txs(i), { prevBlock: prev.hash, time: 1_700_000_000 + i * 600, height: i + 1 });
    blocks.push(b);
    prev = b.header;
  }
  return blocks;
}

/**
 * What a node with `headers` (genesis's children first) answers to getheaders (net_processing.cpp):
 * the headers after the first locator hash it knows (after genesis if none), at most 2,000.
 */
export function headersAfter(headers: readonly BlockHeader[], locator: readonly Uint8Array[]): BlockHeader[] {
  const at = new Map(headers.map((h, i) => [hashKey(h.hash), i + 1]));
  at.set(hashKey(REGTEST_GENESIS.hash), 0);
  const known = locator.map((h) => at.get(hashKey(h))).find((i) => i !== undefined) ?? 0;
  return headers.slice(known, known + 2_000);
}
