/**
 * Difficulty arithmetic: the work a header proves (src/chain.cpp GetBlockProof), the compact
 * encoding of a target (src/arith_uint256.cpp arith_uint256::GetCompact), and the difficulty a
 * header must carry (src/pow.cpp GetNextWorkRequired, CalculateNextWorkRequired). Pure: the
 * caller hands in the few ancestors the rules read.
 */
import { targetFromBits, UINT256_MASK } from '../tx/pow.js';
import type { ChainParams } from './params.js';

/** chain.cpp GetBlockProof: 2^256 / (target + 1), computed as ~target / (target + 1) + 1; 0 for an invalid target. */
export function blockProof(bits: number): bigint {
  const { target, negative, overflow } = targetFromBits(bits);
  if (negative || overflow || target === 0n) return 0n;
  return (~target & UINT256_MASK) / (target + 1n) + 1n;
}

/** arith_uint256::GetCompact (never negative here: targets are unsigned). */
export function compactFromTarget(target: bigint): number {
  let size = 0;
  for (let t = target; t > 0n; t >>= 8n) size++;
  let compact: number;
  if (size <= 3) compact = Number(target << BigInt(8 * (3 - size)));
  else compact = Number(target >> BigInt(8 * (size - 3)));
  // The mantissa's top bit is the sign: move a set one into the next byte.
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return ((size << 24) | compact) >>> 0;
}

/** What GetNextWorkRequired reads of the previous header (pindexLast) and its ancestors. */
export interface WorkContext {
  readonly height: number;
  readonly time: number;
  readonly bits: number;
  /**
   * For the min-difficulty rule (fPowAllowMinDifficultyBlocks): the bits of the last header at or
   * before this one that is at a period start or not at powLimit (the loop in GetNextWorkRequired).
   */
  readonly lastRealBits: number;
  /** The header at `height - (interval - 1)`, the period's first; undefined when it is not known. */
  readonly periodFirst: () => { readonly time: number; readonly bits: number } | undefined;
}

export type WorkVerdict = { readonly bits: number } | { readonly missing: true };

/**
 * pow.cpp GetNextWorkRequired for a header after `last`, with time `newTime`. `missing` when a
 * retarget needs the period's first header and the tree no longer (or never) held it.
 */
export function nextWorkRequired(last: WorkContext, newTime: number, params: ChainParams): WorkVerdict {
  const interval = params.retargetInterval;
  const limitBits = compactFromTarget(params.powLimit);
  if ((last.height + 1) % interval !== 0) {
    if (params.allowMinDifficultyBlocks) {
      // testnet: a block more than 2 × 10 minutes after the previous one may be at powLimit.
      if (newTime > last.time + params.targetSpacing * 2) return { bits: limitBits };
      return { bits: last.lastRealBits };
    }
    return { bits: last.bits };
  }
  if (params.noRetargeting) return { bits: last.bits };
  const first = last.periodFirst();
  if (first === undefined) return { missing: true };
  return { bits: calculateNextWorkRequired(last.bits, last.time, first.time, first.bits, params) };
}

/** pow.cpp CalculateNextWorkRequired: the timespan clamped to ×¼…×4, the target scaled, capped at powLimit. */
export function calculateNextWorkRequired(lastBits: number, lastTime: number, firstTime: number, firstBits: number, params: ChainParams): number {
  if (params.noRetargeting) return lastBits;
  const span = params.targetTimespan;
  const actual = Math.min(Math.max(lastTime - firstTime, span / 4), span * 4);
  // BIP 94 (testnet4): scale the period's first block's target, which the 20-minute rule cannot touch.
  const base = targetFromBits(params.enforceBip94 ? firstBits : lastBits).target;
  let target = ((base * BigInt(actual)) & UINT256_MASK) / BigInt(span);
  if (target > params.powLimit) target = params.powLimit;
  return compactFromTarget(target);
}
