import { sha256d } from '../wire/hash.js';
import { toReversedHex } from '../wire/hex.js';
import type { Block } from '../wire/model.js';

export interface MerkleResult {
  readonly root: Uint8Array;
  /** Two equal siblings somewhere: the tree of a block whose tx list was padded by repetition. */
  readonly mutated: boolean;
}

/** Two byte strings are equal. */
export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Bitcoin's merkle root (consensus/merkle.cpp ComputeMerkleRoot): pairs hashed up, an odd last
 * hash paired with itself; with its `mutated` out-parameter (CVE-2012-2459): whether any level had
 * two equal hashes side by side, which is how [a, b, c] and [a, b, c, c] come to share a root.
 */
export function computeMerkleRoot(hashes: readonly Uint8Array[]): MerkleResult {
  if (hashes.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level = hashes.slice();
  let mutated = false;
  const pair = new Uint8Array(64);
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2) if (equalBytes(level[i], level[i + 1])) mutated = true;
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      pair.set(level[i], 0);
      pair.set(level[Math.min(i + 1, level.length - 1)], 32);
      next.push(sha256d(pair));
    }
    level = next;
  }
  return { root: level[0], mutated };
}

/** The merkle root alone (see computeMerkleRoot). */
export function merkleRoot(hashes: readonly Uint8Array[]): Uint8Array {
  return computeMerkleRoot(hashes).root;
}

export function blockMerkleOk(block: Block): boolean {
  return equalBytes(merkleRoot(block.txs.map((t) => t.txid)), block.header.merkleRoot);
}

/** BIP 34: the height as the first push of the coinbase scriptSig (a script number), if there. */
export function coinbaseHeight(block: Block): number | undefined {
  const script = block.txs[0]?.inputs[0]?.scriptSig;
  if (!script || script.length === 0) return undefined;
  const op = script[0];
  if (op === 0) return 0;
  if (op >= 0x51 && op <= 0x60) return op - 0x50;
  if (op < 1 || op > 8 || script.length < 1 + op) return undefined;
  let v = 0;
  for (let i = op; i >= 1; i--) v = v * 256 + script[i];
  // A script number's top bit is its sign; heights are positive.
  return script[op] & 0x80 ? undefined : v;
}

export interface BlockView {
  event: 'block';
  hash: string;
  prev_hash: string;
  height?: number;
  version: number;
  time: number;
  bits: number;
  nonce: number;
  merkle_root: string;
  merkle_ok: boolean;
  tx_count: number;
  size: number;
  stripped_size: number;
  weight: number;
  txids: string[];
}

export function blockView(block: Block): BlockView {
  const h = block.header;
  const view: BlockView = {
    event: 'block',
    hash: toReversedHex(h.hash),
    prev_hash: toReversedHex(h.prevBlock),
    version: h.version,
    time: h.time,
    bits: h.bits,
    nonce: h.nonce,
    merkle_root: toReversedHex(h.merkleRoot),
    merkle_ok: blockMerkleOk(block),
    tx_count: block.txs.length,
    size: block.size,
    stripped_size: block.strippedSize,
    weight: block.weight,
    txids: block.txs.map((t) => toReversedHex(t.txid)),
  };
  const height = coinbaseHeight(block);
  if (height !== undefined) view.height = height;
  return view;
}
