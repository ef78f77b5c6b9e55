/**
 * Is a block what its header claims? Proof of work (src/pow.cpp CheckProofOfWorkImpl,
 * DeriveTarget; src/arith_uint256.cpp arith_uint256::SetCompact), the merkle root with Core's
 * CVE-2012-2459 mutation check (src/consensus/merkle.cpp ComputeMerkleRoot), and the BIP 141
 * witness commitment (src/validation.cpp CheckWitnessMalleation, src/consensus/validation.h
 * GetWitnessCommitmentIndex). Context-free: no chain, so no difficulty retarget, no BIP 34 height,
 * no script or signature checks.
 */
import { sha256d } from '../wire/hash.js';
import { toReversedHex } from '../wire/hex.js';
import type { NetworkName } from '../wire/network.js';
import { computeMerkleRoot, equalBytes, merkleRoot } from './block.js';
import { hasWitness } from '../wire/transaction.js';
import { checkTransaction, isCoinbase, MAX_BLOCK_WEIGHT, WITNESS_SCALE_FACTOR } from './check.js';
import type { Block } from '../wire/model.js';

// --- Compact targets (nBits) -------------------------------------------------------------------

/** arith_uint256 is 256 bits wide; SetCompact's left shift drops what falls off the top. */
export const UINT256_MASK = (1n << 256n) - 1n;
/** The sign bit of a compact number's 23-bit mantissa. */
export const COMPACT_SIGN_BIT = 0x00800000;
/** The mantissa bits. */
export const COMPACT_MANTISSA_MASK = 0x007fffff;

export interface CompactTarget {
  readonly target: bigint;
  readonly negative: boolean;
  readonly overflow: boolean;
}

/**
 * arith_uint256::SetCompact: bits = size (1 byte) | mantissa (3 bytes, top bit the sign);
 * target = mantissa × 256^(size−3). Negative and overflow are only flagged for a non-zero
 * mantissa (after the right shift when size < 3), exactly as Core does.
 */
export function targetFromBits(bits: number): CompactTarget {
  const compact = bits >>> 0;
  const size = compact >>> 24;
  let word = compact & COMPACT_MANTISSA_MASK;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & UINT256_MASK;
  }
  const negative = word !== 0 && (compact & COMPACT_SIGN_BIT) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

/**
 * A hash as the number Core compares (UintToArith256): the 32 bytes of sha256d as computed,
 * read little-endian. It is the byte-reversed hex that explorers show.
 */
export function hashToBigInt(hash: Uint8Array): bigint {
  if (hash.length !== 32) throw new RangeError(`a block hash needs 32 bytes, got ${hash.length}`);
  return BigInt(`0x${toReversedHex(hash)}`);
}

/**
 * Each network's easiest allowed target, consensus.powLimit in src/kernel/chainparams.cpp
 * (CMainParams, CTestNetParams, CTestNet4Params, SigNetParams, CRegTestParams).
 */
export const POW_LIMITS: Readonly<Record<NetworkName, bigint>> = {
  mainnet: 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
  testnet: 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
  testnet4: 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
  signet: 0x00000377ae000000000000000000000000000000000000000000000000000000n,
  regtest: 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
};

/** pow.cpp DeriveTarget: the target bits encodes, or undefined if negative, zero, overflowing or above powLimit. */
export function deriveTarget(bits: number, powLimit: bigint): bigint | undefined {
  const { target, negative, overflow } = targetFromBits(bits);
  if (negative || target === 0n || overflow || target > powLimit) return undefined;
  return target;
}

/**
 * pow.cpp CheckProofOfWorkImpl. `hash` is the header's sha256d in internal byte order, as
 * lib/wire/block.ts stores `header.hash`.
 */
export function checkProofOfWork(hash: Uint8Array, bits: number, powLimit: bigint): boolean {
  const target = deriveTarget(bits, powLimit);
  return target !== undefined && hashToBigInt(hash) <= target;
}

// --- Witness commitment (BIP 141) --------------------------------------------------------------

/** OP_RETURN, push 36, then the commitment header aa21a9ed (BIP 141; GetWitnessCommitmentIndex). */
export const WITNESS_COMMITMENT_PREFIX: readonly number[] = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];
/** consensus/validation.h MINIMUM_WITNESS_COMMITMENT: prefix + 32-byte hash. */
export const MINIMUM_WITNESS_COMMITMENT = 38;
/** The coinbase's single witness item, the witness reserved value (CheckWitnessMalleation). */
export const WITNESS_RESERVED_VALUE_BYTES = 32;
/** consensus/validation.h NO_WITNESS_COMMITMENT. */
export const NO_WITNESS_COMMITMENT = -1;

/** GetWitnessCommitmentIndex: the LAST coinbase output that looks like a commitment, or -1. */
export function witnessCommitmentIndex(block: Pick<Block, 'txs'>): number {
  const outputs = block.txs[0]?.outputs ?? [];
  let at = NO_WITNESS_COMMITMENT;
  outputs.forEach((o, i) => {
    const s = o.script;
    if (s.length >= MINIMUM_WITNESS_COMMITMENT && WITNESS_COMMITMENT_PREFIX.every((b, j) => s[j] === b)) at = i;
  });
  return at;
}

/** Core's reject reasons for CheckWitnessMalleation. */
export type WitnessRefusal = 'bad-witness-nonce-size' | 'bad-witness-merkle-match' | 'unexpected-witness';

/**
 * validation.cpp CheckWitnessMalleation. With `expectWitnessCommitment` (segwit active: always,
 * for any block a crawler meets today) a commitment, if present, must match: the coinbase
 * witness is one 32-byte item R, and the output holds SHA256d(witness merkle root ‖ R), the root
 * over wtxids with the coinbase's taken as zero. Whether or not any transaction has a witness.
 * Without a commitment no transaction may carry witness data.
 */
export function checkWitnessCommitment(block: Pick<Block, 'txs'>, expectWitnessCommitment = true): WitnessRefusal | undefined {
  const at = expectWitnessCommitment ? witnessCommitmentIndex(block) : NO_WITNESS_COMMITMENT;
  if (at !== NO_WITNESS_COMMITMENT) {
    const coinbase = block.txs[0];
    const stack = coinbase.inputs[0]?.witness ?? [];
    if (stack.length !== 1 || stack[0].length !== WITNESS_RESERVED_VALUE_BYTES) return 'bad-witness-nonce-size';
    const leaves = block.txs.map((t, i) => (i === 0 ? new Uint8Array(32) : t.wtxid));
    const preimage = new Uint8Array(64);
    preimage.set(merkleRoot(leaves), 0);
    preimage.set(stack[0], 32);
    const committed = coinbase.outputs[at].script.subarray(WITNESS_COMMITMENT_PREFIX.length, MINIMUM_WITNESS_COMMITMENT);
    return equalBytes(sha256d(preimage), committed) ? undefined : 'bad-witness-merkle-match';
  }
  return block.txs.some(hasWitness) ? 'unexpected-witness' : undefined;
}

export function witnessCommitmentOk(block: Pick<Block, 'txs'>, expectWitnessCommitment = true): boolean {
  return checkWitnessCommitment(block, expectWitnessCommitment) === undefined;
}

// --- The whole block ---------------------------------------------------------------------------

export { MAX_BLOCK_WEIGHT, WITNESS_SCALE_FACTOR, NULL_INDEX, isCoinbase } from './check.js';

export type BlockCheck = { readonly ok: true } | { readonly ok: false; readonly why: string };

export interface BlockCheckOptions {
  /** Segwit active (Core's expect_witness_commitment): true unless checking pre-2017 mainnet rules. */
  readonly expectWitnessCommitment?: boolean;
}

/**
 * The context-free checks of validation.cpp CheckBlock (header proof of work, merkle root and
 * its mutation, size, coinbase position, each transaction's CheckTransaction: check.ts), then
 * ContextualCheckBlock's witness commitment and weight limit. `why` is Core's reject reason.
 */
export function validateBlock(block: Block, powLimit: bigint, options: BlockCheckOptions = {}): BlockCheck {
  const h = block.header;
  if (!checkProofOfWork(h.hash, h.bits, powLimit)) return { ok: false, why: 'high-hash' };
  const { root, mutated } = computeMerkleRoot(block.txs.map((t) => t.txid));
  if (!equalBytes(root, h.merkleRoot)) return { ok: false, why: 'bad-txnmrklroot' };
  if (mutated) return { ok: false, why: 'bad-txns-duplicate' };
  const n = block.txs.length;
  if (n === 0 || n * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT || block.strippedSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
    return { ok: false, why: 'bad-blk-length' };
  }
  if (!isCoinbase(block.txs[0])) return { ok: false, why: 'bad-cb-missing' };
  if (block.txs.slice(1).some(isCoinbase)) return { ok: false, why: 'bad-cb-multiple' };
  for (const tx of block.txs) {
    const why = checkTransaction(tx);
    if (why !== undefined) return { ok: false, why };
  }
  const witness = checkWitnessCommitment(block, options.expectWitnessCommitment ?? true);
  if (witness !== undefined) return { ok: false, why: witness };
  if (block.weight > MAX_BLOCK_WEIGHT) return { ok: false, why: 'bad-blk-weight' };
  return { ok: true };
}
