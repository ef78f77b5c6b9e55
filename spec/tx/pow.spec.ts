/**
 * Proof of work, merkle mutation and the witness commitment against Bitcoin Core's own known
 * answers (src/test/arith_uint256_tests.cpp bignum_SetCompact, src/kernel/chainparams.cpp) and
 * every real block of spec/fixtures/vectors/blocks.ndjson.
 */
import { describe, expect, it } from 'vitest';
import { decodeBlock } from '../../lib/wire/block.js';
import {
  checkProofOfWork,
  checkWitnessCommitment,
  deriveTarget,
  hashToBigInt,
  isCoinbase,
  MAX_BLOCK_WEIGHT,
  POW_LIMITS,
  targetFromBits,
  validateBlock,
  WITNESS_COMMITMENT_PREFIX,
  witnessCommitmentIndex,
  witnessCommitmentOk,
} from '../../lib/tx/pow.js';
import { computeMerkleRoot } from '../../lib/tx/block.js';
import type { Block, DecodedTx, TxOutput } from '../../lib/wire/model.js';
import { sha256d } from '../../lib/wire/hash.js';
import { fromHex, fromReversedHex, toHex } from '../../lib/wire/hex.js';
import { NETWORK_NAMES, type NetworkName } from '../../lib/wire/network.js';
import { readVectors, type BlockVector } from '../support/vectors.js';

interface PowBlock extends BlockVector {
  header: { bits: string; nonce: number };
  checks: { powValid: boolean; merkleRootValid: boolean; witnessCommitment: string | null; witnessCommitmentValid: boolean | null };
}

const VECTORS = readVectors<PowBlock>('blocks.ndjson');
/** The vectors' README: `unknown` means mainnet. */
const networkOf = (v: PowBlock): NetworkName => (v.network === 'unknown' ? 'mainnet' : v.network);
const label = (v: PowBlock): string => `${v.network} ${v.height ?? '?'} ${v.hash.slice(0, 16)}… ${v.desc ?? ''}`.trim();
const decoded = new Map<PowBlock, Block>(VECTORS.map((v) => [v, decodeBlock(fromHex(v.hex))]));
const blockOf = (v: PowBlock): Block => decoded.get(v) as Block;
const SEGWIT = VECTORS.filter((v) => v.checks.witnessCommitment !== null);
/** Segwit blocks where a transaction other than the coinbase has a witness (924634's only witness is its coinbase's). */
const SEGWIT_SPENDS = SEGWIT.filter((v) => blockOf(v).txs.slice(1).some((t) => t.inputs.some((i) => i.witness.length > 0)));
const LEGACY_MULTI_TX = VECTORS.filter((v) => v.checks.witnessCommitment === null && blockOf(v).txs.length > 1);

/** A copy of the block's bytes with one change, decoded again. */
function redecode(block: Block, change: (bytes: Uint8Array) => void): Block {
  const bytes = Uint8Array.from(block.raw);
  change(bytes);
  return decodeBlock(bytes);
}
/** Where a view into block.raw (a script, a witness item) starts in it. */
const offsetIn = (block: Block, view: Uint8Array): number => view.byteOffset - block.raw.byteOffset;
const NONCE_OFFSET = 76;

describe('targetFromBits (arith_uint256::SetCompact, Core arith_uint256_tests bignum_SetCompact)', () => {
  // [bits, target as 64 hex digits (GetHex), negative, overflow]
  const CORE: [number, string, boolean, boolean][] = [
    [0x00000000, '0', false, false],
    [0x00123456, '0', false, false],
    [0x01003456, '0', false, false],
    [0x02000056, '0', false, false],
    [0x03000000, '0', false, false],
    [0x04000000, '0', false, false],
    [0x00923456, '0', false, false],
    [0x01803456, '0', false, false],
    [0x02800056, '0', false, false],
    [0x03800000, '0', false, false],
    [0x04800000, '0', false, false],
    [0x01123456, '12', false, false],
    [0x01fedcba, '7e', true, false],
    [0x02123456, '1234', false, false],
    [0x03123456, '123456', false, false],
    [0x04123456, '12345600', false, false],
    [0x04923456, '12345600', true, false],
    [0x05009234, '92340000', false, false],
    [0x20123456, '1234560000000000000000000000000000000000000000000000000000000000', false, false],
  ];
  const hex8 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
  it.each(CORE.map(([bits, ...rest]) => [hex8(bits), bits, ...rest] as const))('%s', (_, bits, hex, negative, overflow) => {
    expect(targetFromBits(bits)).toEqual({ target: BigInt(`0x${hex}`), negative, overflow });
  });

  it('0xff123456 overflows and is not negative (Core: only the flags are checked)', () => {
    const t = targetFromBits(0xff123456);
    expect([t.negative, t.overflow]).toEqual([false, true]);
  });

  it('overflow boundaries: a 1-byte mantissa fits up to size 34, 2 bytes to 33, 3 bytes to 32', () => {
    expect(targetFromBits(0x220000ff)).toEqual({ target: 0xffn << 248n, negative: false, overflow: false });
    expect(targetFromBits(0x230000ff).overflow).toBe(true);
    expect(targetFromBits(0x2100ffff)).toEqual({ target: 0xffffn << 240n, negative: false, overflow: false });
    expect(targetFromBits(0x22000100).overflow).toBe(true);
    expect(targetFromBits(0x207fffff).overflow).toBe(false);
    expect(targetFromBits(0x21010000).overflow).toBe(true);
    // A zero mantissa never overflows, whatever the size.
    expect(targetFromBits(0xff000000)).toEqual({ target: 0n, negative: false, overflow: false });
  });

  it('difficulty 1 (0x1d00ffff) is 0xffff × 256^26', () => {
    expect(targetFromBits(0x1d00ffff).target).toBe(0x00000000ffff0000000000000000000000000000000000000000000000000000n);
  });
});

describe('POW_LIMITS (src/kernel/chainparams.cpp consensus.powLimit)', () => {
  it('has every network of lib/wire/network.ts', () => {
    expect(Object.keys(POW_LIMITS).sort()).toEqual([...NETWORK_NAMES].sort());
  });

  it("each genesis block's bits are within its network's limit", () => {
    // CreateGenesisBlock(…, nBits, …) in each CChainParams.
    const genesisBits: Record<NetworkName, number> = {
      mainnet: 0x1d00ffff,
      testnet: 0x1d00ffff,
      testnet4: 0x1d00ffff,
      signet: 0x1e0377ae,
      regtest: 0x207fffff,
    };
    for (const n of NETWORK_NAMES) expect(deriveTarget(genesisBits[n], POW_LIMITS[n]), n).toBeDefined();
    // Signet's genesis bits encode its limit exactly.
    expect(targetFromBits(0x1e0377ae).target).toBe(POW_LIMITS.signet);
  });

  it('regtest bits are above every other limit', () => {
    for (const n of ['mainnet', 'testnet', 'testnet4', 'signet'] as const) expect(deriveTarget(0x207fffff, POW_LIMITS[n])).toBeUndefined();
  });
});

describe('checkProofOfWork (pow.cpp CheckProofOfWorkImpl)', () => {
  const hashOf = (n: bigint): Uint8Array => fromReversedHex(n.toString(16).padStart(64, '0'));
  const limit = POW_LIMITS.mainnet;
  const target = targetFromBits(0x1d00ffff).target;

  it('reads the hash little-endian: the displayed hash is the number', () => {
    const genesis = fromReversedHex('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(hashToBigInt(genesis)).toBe(0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26fn);
  });

  it('hash equal to the target passes, one above fails', () => {
    expect(checkProofOfWork(hashOf(target), 0x1d00ffff, limit)).toBe(true);
    expect(checkProofOfWork(hashOf(target + 1n), 0x1d00ffff, limit)).toBe(false);
    expect(checkProofOfWork(hashOf(0n), 0x1d00ffff, limit)).toBe(true);
  });

  it('fails on a negative, zero or overflowing target, or one above powLimit, whatever the hash', () => {
    const zero = hashOf(0n);
    expect(checkProofOfWork(zero, 0x04923456, limit)).toBe(false); // negative
    expect(checkProofOfWork(zero, 0x01003456, limit)).toBe(false); // zero
    expect(checkProofOfWork(zero, 0xff123456, POW_LIMITS.regtest)).toBe(false); // overflow
    expect(checkProofOfWork(zero, 0x1d010000, limit)).toBe(false); // 0x10000 × 256^26 > powLimit
    expect(checkProofOfWork(zero, 0x207fffff, limit)).toBe(false);
    expect(checkProofOfWork(zero, 0x207fffff, POW_LIMITS.regtest)).toBe(true);
  });

  it('refuses a hash that is not 32 bytes', () => {
    expect(() => checkProofOfWork(new Uint8Array(31), 0x1d00ffff, limit)).toThrow(RangeError);
  });
});

describe('computeMerkleRoot (consensus/merkle.cpp ComputeMerkleRoot, CVE-2012-2459)', () => {
  const h = (b: number): Uint8Array => new Uint8Array(32).fill(b);

  it('gives every vector block\'s header merkle root, unmutated', () => {
    for (const v of VECTORS) {
      const block = blockOf(v);
      const { root, mutated } = computeMerkleRoot(block.txs.map((t) => t.txid));
      expect(toHex(root), label(v)).toBe(toHex(block.header.merkleRoot));
      expect(mutated, label(v)).toBe(false);
    }
  });

  it('[a, b, c] and [a, b, c, c] share a root; only the second is mutated', () => {
    const three = computeMerkleRoot([h(1), h(2), h(3)]);
    const four = computeMerkleRoot([h(1), h(2), h(3), h(3)]);
    expect(toHex(four.root)).toBe(toHex(three.root));
    expect([three.mutated, four.mutated]).toEqual([false, true]);
  });

  it('finds equal siblings at a higher level too, and none in an honest tree', () => {
    const six = [h(1), h(2), h(3), h(4), h(5), h(6)];
    const eight = [...six, h(5), h(6)]; // level 1: [h12, h34, h56, h56]
    expect(toHex(computeMerkleRoot(eight).root)).toBe(toHex(computeMerkleRoot(six).root));
    expect(computeMerkleRoot(eight).mutated).toBe(true);
    expect(computeMerkleRoot(six).mutated).toBe(false);
    expect(computeMerkleRoot([h(7)])).toEqual({ root: h(7), mutated: false });
    expect(computeMerkleRoot([])).toEqual({ root: new Uint8Array(32), mutated: false });
  });
});

describe('every vector block', () => {
  it.each(VECTORS.map((v) => [label(v), v] as const))('%s passes validateBlock with its network’s powLimit', (_, v) => {
    const block = blockOf(v);
    expect(v.checks.powValid && v.checks.merkleRootValid).toBe(true);
    expect(validateBlock(block, POW_LIMITS[networkOf(v)])).toEqual({ ok: true });
  });

  it.each(VECTORS.map((v) => [label(v), v] as const))('%s: another nonce fails proof of work', (_, v) => {
    const block = blockOf(v);
    const header = Uint8Array.from(block.raw.subarray(0, 80));
    const view = new DataView(header.buffer);
    view.setUint32(NONCE_OFFSET, (view.getUint32(NONCE_OFFSET, true) + 1) >>> 0, true);
    expect(checkProofOfWork(sha256d(header), block.header.bits, POW_LIMITS[networkOf(v)])).toBe(false);
  });

  it.each(VECTORS.map((v) => [label(v), v] as const))('%s: a changed transaction fails the merkle root', (_, v) => {
    // The last 4 bytes are the last transaction's locktime: part of its txid, still decodable.
    const changed = redecode(blockOf(v), (b) => {
      b[b.length - 1] ^= 0x01;
    });
    expect(validateBlock(changed, POW_LIMITS[networkOf(v)])).toEqual({ ok: false, why: 'bad-txnmrklroot' });
  });

  it('bits above powLimit fail, with the very hash that meets them', () => {
    for (const v of VECTORS) {
      const block = blockOf(v);
      const easy: Block = { ...block, header: { ...block.header, bits: 0x207fffff } };
      expect(validateBlock(easy, POW_LIMITS[networkOf(v)]), label(v)).toEqual({ ok: false, why: 'high-hash' });
      expect(validateBlock(easy, POW_LIMITS.regtest).ok, label(v)).toBe(true);
    }
  });

  it("a decoded block with another nonce is refused as 'high-hash'", () => {
    const v = VECTORS[0];
    const moved = redecode(blockOf(v), (b) => {
      b[NONCE_OFFSET] ^= 0x01;
    });
    expect(validateBlock(moved, POW_LIMITS[networkOf(v)])).toEqual({ ok: false, why: 'high-hash' });
  });

  it.each(SEGWIT.map((v) => [label(v), v] as const))('%s: the commitment is the one the vector records', (_, v) => {
    const block = blockOf(v);
    const script = block.txs[0].outputs[witnessCommitmentIndex(block)].script;
    expect(toHex(script.subarray(WITNESS_COMMITMENT_PREFIX.length, 38))).toBe(v.checks.witnessCommitment);
    expect(witnessCommitmentOk(block)).toBe(v.checks.witnessCommitmentValid);
  });
});

describe('witness commitment (validation.cpp CheckWitnessMalleation)', () => {
  const limitOf = (v: PowBlock): bigint => POW_LIMITS[networkOf(v)];
  const withCoinbase = (block: Block, change: (cb: DecodedTx) => Partial<DecodedTx>): Block => {
    const cb = block.txs[0];
    return { ...block, txs: [{ ...cb, ...change(cb) }, ...block.txs.slice(1)] };
  };
  const coinbaseWitness = (block: Block, witness: Uint8Array[]): Block =>
    withCoinbase(block, (cb) => ({ inputs: [{ ...cb.inputs[0], witness }] }));

  it.each(SEGWIT.map((v) => [label(v), v] as const))('%s: another witness reserved value fails (txids unchanged)', (_, v) => {
    const block = blockOf(v);
    const reserved = block.txs[0].inputs[0].witness[0];
    const changed = redecode(block, (b) => {
      b[offsetIn(block, reserved)] ^= 0x01;
    });
    expect(validateBlock(changed, limitOf(v))).toEqual({ ok: false, why: 'bad-witness-merkle-match' });
  });

  it.each(SEGWIT_SPENDS.map((v) => [label(v), v] as const))("%s: a changed witness of another tx fails (its wtxid moves, its txid doesn't)", (_, v) => {
    const block = blockOf(v);
    const tx = block.txs.slice(1).find((t) => t.inputs.some((i) => i.witness.length > 0)) as DecodedTx;
    const item = tx.inputs.flatMap((i) => i.witness).find((w) => w.length > 0) as Uint8Array;
    const changed = redecode(block, (b) => {
      b[offsetIn(block, item) + item.length - 1] ^= 0x01;
    });
    expect(validateBlock(changed, limitOf(v))).toEqual({ ok: false, why: 'bad-witness-merkle-match' });
  });

  it.each(SEGWIT.map((v) => [label(v), v] as const))('%s: a tampered commitment output fails', (_, v) => {
    const block = blockOf(v);
    const at = witnessCommitmentIndex(block);
    const script = block.txs[0].outputs[at].script;
    // In the bytes, the coinbase txid moves too, and Core checks the merkle root first.
    const bytes = redecode(block, (b) => {
      b[offsetIn(block, script) + 37] ^= 0x01;
    });
    expect(validateBlock(bytes, limitOf(v))).toEqual({ ok: false, why: 'bad-txnmrklroot' });
    expect(witnessCommitmentOk(bytes)).toBe(false);
    expect(checkWitnessCommitment(bytes)).toBe('bad-witness-merkle-match');
  });

  it('the LAST commitment-shaped output counts (GetWitnessCommitmentIndex)', () => {
    const block = blockOf(SEGWIT[0]);
    const at = witnessCommitmentIndex(block);
    const real = block.txs[0].outputs[at];
    const bogus: TxOutput = { value: 0n, script: Uint8Array.from([...WITNESS_COMMITMENT_PREFIX, ...new Array<number>(32).fill(7)]) };
    const before = withCoinbase(block, (cb) => ({ outputs: [bogus, ...cb.outputs] }));
    const after = withCoinbase(block, (cb) => ({ outputs: [...cb.outputs, bogus] }));
    expect(witnessCommitmentIndex(before)).toBe(at + 1);
    expect(witnessCommitmentOk(before)).toBe(true);
    expect(witnessCommitmentIndex(after)).toBe(block.txs[0].outputs.length);
    expect(checkWitnessCommitment(after)).toBe('bad-witness-merkle-match');
    // Shorter than 38 bytes is not a commitment at all.
    const short: TxOutput = { value: 0n, script: real.script.subarray(0, 37) };
    expect(witnessCommitmentIndex(withCoinbase(block, (cb) => ({ outputs: [...cb.outputs, short] })))).toBe(at);
  });

  it('the coinbase witness must be exactly one 32-byte item', () => {
    const block = blockOf(SEGWIT[0]);
    const reserved = block.txs[0].inputs[0].witness[0];
    expect(checkWitnessCommitment(coinbaseWitness(block, []))).toBe('bad-witness-nonce-size');
    expect(checkWitnessCommitment(coinbaseWitness(block, [reserved, reserved]))).toBe('bad-witness-nonce-size');
    expect(checkWitnessCommitment(coinbaseWitness(block, [reserved.subarray(1)]))).toBe('bad-witness-nonce-size');
    expect(checkWitnessCommitment(coinbaseWitness(block, [reserved]))).toBeUndefined();
  });

  it('a commitment is checked even where no transaction has a witness (Core, not only BIP 141)', () => {
    const block = blockOf(SEGWIT[0]);
    const bare: Block = { ...block, txs: block.txs.map((t) => ({ ...t, inputs: t.inputs.map((i) => ({ ...i, witness: [] })) })) };
    expect(checkWitnessCommitment(bare)).toBe('bad-witness-nonce-size');
  });

  it.each(LEGACY_MULTI_TX.map((v) => [label(v), v] as const))('%s: without a commitment, any witness is unexpected', (_, v) => {
    const block = blockOf(v);
    expect(witnessCommitmentOk(block)).toBe(true);
    expect(validateBlock(coinbaseWitness(block, [new Uint8Array(32)]), limitOf(v))).toEqual({ ok: false, why: 'unexpected-witness' });
    const tx = block.txs[1];
    const spent: Block = { ...block, txs: [block.txs[0], { ...tx, inputs: [{ ...tx.inputs[0], witness: [Uint8Array.of(1)] }, ...tx.inputs.slice(1)] }, ...block.txs.slice(2)] };
    expect(validateBlock(spent, limitOf(v))).toEqual({ ok: false, why: 'unexpected-witness' });
  });

  it('before segwit (expectWitnessCommitment false) a commitment is ignored and witnesses are unexpected', () => {
    const v = SEGWIT[0];
    expect(validateBlock(blockOf(v), limitOf(v), { expectWitnessCommitment: false })).toEqual({ ok: false, why: 'unexpected-witness' });
  });
});

describe('validateBlock: the rest of CheckBlock', () => {
  const v5 = VECTORS.find((v) => blockOf(v).txs.length === 5) as PowBlock;
  const v10 = VECTORS.find((v) => blockOf(v).txs.length === 10 && v.checks.witnessCommitment === null) as PowBlock;

  it("a repeated last transaction keeps the root and is refused as 'bad-txns-duplicate'", () => {
    const block = blockOf(v5);
    const padded: Block = { ...block, txs: [...block.txs, block.txs[4]] };
    expect(toHex(computeMerkleRoot(padded.txs.map((t) => t.txid)).root)).toBe(toHex(block.header.merkleRoot));
    expect(validateBlock(padded, POW_LIMITS[networkOf(v5)])).toEqual({ ok: false, why: 'bad-txns-duplicate' });
  });

  it('so is a repeated last pair (equal siblings one level up)', () => {
    const block = blockOf(v10);
    const padded: Block = { ...block, txs: [...block.txs, block.txs[8], block.txs[9]] };
    expect(validateBlock(padded, POW_LIMITS[networkOf(v10)])).toEqual({ ok: false, why: 'bad-txns-duplicate' });
  });

  /** The same block with its txs replaced and the header's root made to match (hash and bits untouched). */
  const rebuilt = (block: Block, txs: readonly DecodedTx[]): Block => ({
    ...block,
    txs,
    header: { ...block.header, merkleRoot: computeMerkleRoot(txs.map((t) => t.txid)).root },
  });

  it('the first transaction must be the only coinbase', () => {
    const block = blockOf(v5);
    const limit = POW_LIMITS[networkOf(v5)];
    expect(isCoinbase(block.txs[0])).toBe(true);
    expect(block.txs.slice(1).some(isCoinbase)).toBe(false);
    const [cb, ...rest] = block.txs;
    expect(validateBlock(rebuilt(block, [...rest, cb]), limit)).toEqual({ ok: false, why: 'bad-cb-missing' });
    expect(validateBlock(rebuilt(block, [cb, ...rest, { ...cb, txid: new Uint8Array(32).fill(9) }]), limit)).toEqual({ ok: false, why: 'bad-cb-multiple' });
  });

  it('each transaction must pass CheckTransaction: an outpoint spent twice (CVE-2018-17144), a value past 21 million BTC, a coinbase scriptSig of 1 byte', () => {
    const block = blockOf(v5);
    const limit = POW_LIMITS[networkOf(v5)];
    const [cb, t1, ...rest] = block.txs;
    const twice = { ...t1, inputs: [t1.inputs[0], t1.inputs[0]] };
    expect(validateBlock(rebuilt(block, [cb, twice, ...rest]), limit)).toEqual({ ok: false, why: 'bad-txns-inputs-duplicate' });
    const rich = { ...t1, outputs: [{ ...t1.outputs[0], value: 2_100_000_000_000_001n }] };
    expect(validateBlock(rebuilt(block, [cb, rich, ...rest]), limit)).toEqual({ ok: false, why: 'bad-txns-vout-toolarge' });
    const short = { ...cb, inputs: [{ ...cb.inputs[0], scriptSig: Uint8Array.of(1) }] };
    expect(validateBlock(rebuilt(block, [short, t1, ...rest]), limit)).toEqual({ ok: false, why: 'bad-cb-length' });
  });

  it('an empty block and an overweight one are refused', () => {
    const block = blockOf(v5);
    const limit = POW_LIMITS[networkOf(v5)];
    expect(validateBlock(rebuilt(block, []), limit)).toEqual({ ok: false, why: 'bad-blk-length' });
    expect(validateBlock({ ...block, strippedSize: MAX_BLOCK_WEIGHT / 4 + 1 }, limit)).toEqual({ ok: false, why: 'bad-blk-length' });
    expect(validateBlock({ ...block, weight: MAX_BLOCK_WEIGHT + 1 }, limit)).toEqual({ ok: false, why: 'bad-blk-weight' });
  });
});
