import type { DecodedTx, TxInput } from '../wire/model.js';
import { hashKey } from '../wire/hex.js';

/** consensus/consensus.h MAX_BLOCK_WEIGHT (BIP 141). */
export const MAX_BLOCK_WEIGHT = 4_000_000;
/** consensus/consensus.h WITNESS_SCALE_FACTOR. */
export const WITNESS_SCALE_FACTOR = 4;
/** A coinbase input spends output 0xffffffff of the all-zero txid (COutPoint::IsNull). */
export const NULL_INDEX = 0xffffffff;
/** consensus/amount.h: 21,000,000 BTC in satoshis. */
export const MAX_MONEY = 2_100_000_000_000_000n;
const MAX_MONEY_SATS = Number(MAX_MONEY);
/** A value at or past 2^63 is negative as Core reads it (CAmount, int64). */
const INT64_NEGATIVE = 1n << 63n;
/** A coinbase's scriptSig: 2 to 100 bytes (CheckTransaction, bad-cb-length). */
const COINBASE_SCRIPT_MIN = 2;
const COINBASE_SCRIPT_MAX = 100;
/** Inputs compared pairwise up to this many (one comparison for the common two); a Set of their outpoints past it. */
export const PAIRWISE_MAX = 8;

/**
 * Core's CheckTransaction (consensus/tx_check.cpp): what makes a transaction invalid whatever its
 * context, Core's reject reason, undefined if none. Run on every transaction of a block (CheckBlock)
 * and on a relayed one before anything else (MemPoolAccept::PreChecks, which then refuses a
 * coinbase). Linear in the inputs and outputs (~24,000 inputs fit the 1,000,000 bytes without
 * witness it allows; a 4 MB message holds ~100,000, refused as oversize first).
 */
export function checkTransaction(tx: DecodedTx): string | undefined {
  const { inputs, outputs } = tx;
  const shape = shapeProblem(tx);
  if (shape !== undefined) return shape;
  let total = 0;
  for (const o of outputs) {
    const v = Number(o.value);
    total += v;
    const why = valueProblem(o.value, v, total);
    if (why !== undefined) return why;
  }
  if (inputs.length > PAIRWISE_MAX ? spendsTwice(inputs) : inputs.some((_, i) => spentBefore(inputs, i))) return 'bad-txns-inputs-duplicate';
  if (isCoinbase(tx)) {
    const n = inputs[0].scriptSig.length;
    return n < COINBASE_SCRIPT_MIN || n > COINBASE_SCRIPT_MAX ? 'bad-cb-length' : undefined;
  }
  for (const input of inputs) if (isNull(input)) return 'bad-txns-prevout-null';
  return undefined;
}

/*
 * The parts, for a caller that walks the inputs and outputs anyway: the mempool view's add() checks
 * in its own loops (a pass of their own, and each value converted to a number twice more, cost it
 * ~650 instructions an arrival: BENCHMARKS.md, "Checks and settles in one pass").
 */

/** What CheckTransaction refuses of the whole: no inputs, no outputs, oversize. */
export function shapeProblem(tx: DecodedTx): string | undefined {
  if (tx.inputs.length === 0) return 'bad-txns-vin-empty';
  if (tx.outputs.length === 0) return 'bad-txns-vout-empty';
  // Its size without witness: weight = base size × 3 + total size (BIP 141).
  if (((tx.weight - tx.size) / 3) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) return 'bad-txns-oversize';
  return undefined;
}

/**
 * An output's value (`v`, Number(value)) and the outputs' running total with it: the reason if
 * refused. As numbers: BigInt compares and sums (an allocation each) cost ~2,500 instructions a
 * transaction (counted as BENCHMARKS.md says). A value past MAX_MONEY as a number is one as a
 * BigInt (MAX_MONEY < 2^53: exact); a sum of values up to MAX_MONEY stays below 2^53, exact too.
 */
export function valueProblem(value: bigint, v: number, total: number): string | undefined {
  if (v > MAX_MONEY_SATS) return value >= INT64_NEGATIVE ? 'bad-txns-vout-negative' : 'bad-txns-vout-toolarge';
  return total > MAX_MONEY_SATS ? 'bad-txns-txouttotal-toolarge' : undefined;
}

/** Whether input `i` spends what an input before it spends (pairwise: for up to PAIRWISE_MAX inputs; spendsTwice past it). */
export function spentBefore(inputs: readonly TxInput[], i: number): boolean {
  for (let j = 0; j < i; j++) if (inputs[i].prevIndex === inputs[j].prevIndex && sameTxid(inputs[i].prevTxid, inputs[j].prevTxid)) return true;
  return false;
}

/** CTransaction::IsCoinBase. */
export function isCoinbase(tx: Pick<DecodedTx, 'inputs'>): boolean {
  return tx.inputs.length === 1 && isNull(tx.inputs[0]);
}

/** COutPoint::IsNull: a coinbase's input (in any other transaction, bad-txns-prevout-null). */
export function isNull(input: TxInput): boolean {
  if (input.prevIndex !== NULL_INDEX) return false;
  for (let k = 0; k < 32; k++) if (input.prevTxid[k] !== 0) return false;
  return true;
}

/** Whether two of `inputs` spend one outpoint (bad-txns-inputs-duplicate), for more than PAIRWISE_MAX: a Set of their outpoints. */
export function spendsTwice(inputs: readonly TxInput[]): boolean {
  const seen = new Set<string>();
  for (const input of inputs) {
    const key = `${hashKey(input.prevTxid)}${input.prevIndex}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

function sameTxid(a: Uint8Array, b: Uint8Array): boolean {
  for (let k = 0; k < 32; k++) if (a[k] !== b[k]) return false;
  return true;
}
