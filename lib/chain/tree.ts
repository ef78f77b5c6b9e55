/**
 * A bounded tree of block headers, rooted at a compiled-in anchor (params.ts), checked as Core
 * checks a header before it enters its block index (validation.cpp
 * ChainstateManager::AcceptBlockHeader): proof of work against the header's own bits
 * (CheckBlockHeader, "high-hash"), a known parent ("prev-blk-not-found"), then
 * ContextualCheckBlockHeader: bits equal to GetNextWorkRequired ("bad-diffbits"), time above the
 * median of the last 11 ("time-too-old"), testnet4's BIP 94 timewarp rule
 * ("time-timewarp-attack") and at most 2 hours ahead of the caller's clock ("time-too-new").
 * Chain work accumulates as in CBlockIndex::nChainWork; the best tip is the most work, first seen
 * winning a tie (Core's nSequenceId). Pure: time is passed in.
 */
import { checkProofOfWork } from '../tx/pow.js';
import { readBlockHeader } from '../wire/block.js';
import { hashKey } from '../wire/hex.js';
import type { BlockHeader } from '../wire/model.js';
import { ByteReader } from '../wire/reader.js';
import { anchorBytes, type ChainParams } from './params.js';
import { blockProof, compactFromTarget, nextWorkRequired } from './work.js';

/** validation.cpp / chain.h MAX_FUTURE_BLOCK_TIME: 2 hours. */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** consensus/consensus.h MAX_TIMEWARP (BIP 94): 600 seconds. */
export const MAX_TIMEWARP = 600;
/** chain.h CBlockIndex::nMedianTimeSpan. */
export const MEDIAN_TIME_SPAN = 11;
/**
 * Headers kept below the best tip: two retarget periods, so that any header that forks off the
 * kept part of the best chain still finds its period's first header. (Core keeps every header;
 * a crawler needs only the recent ones.)
 */
export const KEEP_DEPTH = 2 * 2016;
/**
 * The tree's bound in headers (each ~300 bytes with its index entry): the kept depth plus room
 * for forks and for the 2,000 headers of one `headers` message (net_processing.cpp
 * MAX_HEADERS_RESULTS). Older headers are pruned past it; when forks alone fill it, a header
 * that does not extend the best tip is refused ('tree-full').
 */
export const MAX_TREE_HEADERS = 10_000;

export interface HeaderNode {
  readonly header: BlockHeader;
  readonly key: string;
  readonly height: number;
  /** Work of the chain up to and including this header (CBlockIndex::nChainWork). */
  readonly chainwork: bigint;
  /** The parent's key; undefined for the anchor. The parent itself may have been pruned. */
  readonly parentKey: string | undefined;
  /** GetNextWorkRequired's min-difficulty walk-back, cached: the last bits not at powLimit in this period. */
  readonly lastRealBits: number;
}

export type HeaderRefusal =
  | 'high-hash'
  | 'prev-blk-not-found'
  | 'bad-diffbits'
  | 'time-too-old'
  | 'time-timewarp-attack'
  | 'time-too-new'
  /** Its parent is known but the period's first header, needed for a retarget, was pruned. */
  | 'fork-too-deep'
  | 'tree-full';

export type HeaderResult = { readonly ok: true; readonly node: HeaderNode; readonly added: boolean } | { readonly ok: false; readonly why: HeaderRefusal };

/** Refusals that mean the header breaks consensus (Core punishes the sender: BLOCK_INVALID_HEADER and the like). */
export const INVALID_HEADER: ReadonlySet<HeaderRefusal> = new Set<HeaderRefusal>(['high-hash', 'bad-diffbits', 'time-too-old', 'time-timewarp-attack']);

export interface TreeLimits {
  readonly maxHeaders: number;
  readonly keepDepth: number;
}

export class HeaderTree {
  private readonly nodes = new Map<string, HeaderNode>();
  private bestNode: HeaderNode;
  private readonly limitBits: number;

  constructor(
    private readonly params: ChainParams,
    private readonly limits: TreeLimits = { maxHeaders: MAX_TREE_HEADERS, keepDepth: KEEP_DEPTH },
  ) {
    if (limits.keepDepth < params.retargetInterval || limits.maxHeaders <= limits.keepDepth) {
      throw new RangeError('a header tree keeps at least one retarget period and has room above it');
    }
    this.limitBits = compactFromTarget(params.powLimit);
    const header = readBlockHeader(new ByteReader(anchorBytes(params.anchor)));
    const anchor: HeaderNode = { header, key: hashKey(header.hash), height: params.anchor.height, chainwork: params.anchor.chainwork, parentKey: undefined, lastRealBits: header.bits };
    this.nodes.set(anchor.key, anchor);
    this.bestNode = anchor;
  }

  /** The tip with the most work. */
  get best(): HeaderNode {
    return this.bestNode;
  }

  get size(): number {
    return this.nodes.size;
  }

  get(hash: Uint8Array): HeaderNode | undefined {
    return this.nodes.get(hashKey(hash));
  }

  parent(node: HeaderNode): HeaderNode | undefined {
    return node.parentKey === undefined ? undefined : this.nodes.get(node.parentKey);
  }

  /** The ancestor of `node` at `height` (CBlockIndex::GetAncestor), if still kept. */
  ancestor(node: HeaderNode, height: number): HeaderNode | undefined {
    if (height > node.height || height < 0) return undefined;
    let n: HeaderNode | undefined = node;
    while (n !== undefined && n.height > height) n = this.parent(n);
    return n;
  }

  /** Whether the header with this hash is on the best chain (an ancestor of the best tip, or it). */
  isOnBestChain(hash: Uint8Array): boolean {
    const node = this.get(hash);
    return node !== undefined && this.ancestor(this.bestNode, node.height)?.key === node.key;
  }

  /** How far below the best tip a header on the best chain is (0 for the tip); undefined off it or unknown. */
  depth(hash: Uint8Array): number | undefined {
    return this.isOnBestChain(hash) ? this.bestNode.height - (this.get(hash) as HeaderNode).height : undefined;
  }

  /** The last common ancestor of two kept headers (LastCommonAncestor in chain.cpp), if kept. */
  forkPoint(a: HeaderNode, b: HeaderNode): HeaderNode | undefined {
    let x: HeaderNode | undefined = this.ancestor(a, Math.min(a.height, b.height));
    let y: HeaderNode | undefined = this.ancestor(b, Math.min(a.height, b.height));
    while (x !== undefined && y !== undefined && x.key !== y.key) {
      x = this.parent(x);
      y = this.parent(y);
    }
    return x !== undefined && y !== undefined ? x : undefined;
  }

  /** CBlockIndex::GetMedianTimePast over the kept ancestors (fewer than 11 near the root, as Core near genesis). */
  medianTimePast(node: HeaderNode): number {
    const times: number[] = [];
    for (let n: HeaderNode | undefined = node; n !== undefined && times.length < MEDIAN_TIME_SPAN; n = this.parent(n)) times.push(n.header.time);
    times.sort((p, q) => p - q);
    return times[Math.floor(times.length / 2)];
  }

  /**
   * A block locator from `from` (the best tip unless given) (chain.cpp LocatorEntries): ten steps of one, then doubling,
   * ending at the oldest kept header of the best chain. At most ~30 hashes for the kept depth,
   * below net_processing.cpp MAX_LOCATOR_SZ (101).
   */
  locator(from: HeaderNode = this.bestNode): Uint8Array[] {
    const hashes: Uint8Array[] = [];
    let step = 1;
    let n: HeaderNode | undefined = from;
    let last: HeaderNode = from;
    while (n !== undefined) {
      hashes.push(n.header.hash);
      last = n;
      if (hashes.length >= 10) step *= 2;
      const target = n.height - step;
      let m: HeaderNode | undefined = n;
      while (m !== undefined && m.height > target) m = this.parent(m);
      n = m;
    }
    let oldest = last;
    for (let p = this.parent(oldest); p !== undefined; p = this.parent(p)) oldest = p;
    if (oldest.key !== last.key) hashes.push(oldest.header.hash);
    return hashes;
  }

  /** Checks `header` and, if it passes, adds it. `now` is the caller's clock, seconds since the epoch. */
  add(header: BlockHeader, now: number): HeaderResult {
    const key = hashKey(header.hash);
    const known = this.nodes.get(key);
    if (known !== undefined) return { ok: true, node: known, added: false };
    if (!checkProofOfWork(header.hash, header.bits, this.params.powLimit)) return { ok: false, why: 'high-hash' };
    const prev = this.nodes.get(hashKey(header.prevBlock));
    if (prev === undefined) return { ok: false, why: 'prev-blk-not-found' };
    const height = prev.height + 1;
    const work = nextWorkRequired(
      { height: prev.height, time: prev.header.time, bits: prev.header.bits, lastRealBits: prev.lastRealBits, periodFirst: () => this.ancestor(prev, prev.height - (this.params.retargetInterval - 1))?.header },
      header.time,
      this.params,
    );
    if ('missing' in work) return { ok: false, why: 'fork-too-deep' };
    if (header.bits !== work.bits) return { ok: false, why: 'bad-diffbits' };
    if (header.time <= this.medianTimePast(prev)) return { ok: false, why: 'time-too-old' };
    if (this.params.enforceBip94 && height % this.params.retargetInterval === 0 && header.time < prev.header.time - MAX_TIMEWARP) {
      return { ok: false, why: 'time-timewarp-attack' };
    }
    if (header.time > now + MAX_FUTURE_BLOCK_TIME) return { ok: false, why: 'time-too-new' };
    if (this.nodes.size >= this.limits.maxHeaders && prev.key !== this.bestNode.key) return { ok: false, why: 'tree-full' };
    const periodStart = height % this.params.retargetInterval === 0;
    const node: HeaderNode = {
      // Copies: a decoded header's fields are views into its message, which must not stay alive with it.
      header: { ...header, prevBlock: header.prevBlock.slice(), merkleRoot: header.merkleRoot.slice(), hash: header.hash.slice() },
      key,
      height,
      chainwork: prev.chainwork + blockProof(header.bits),
      parentKey: prev.key,
      lastRealBits: periodStart || header.bits !== this.limitBits ? header.bits : prev.lastRealBits,
    };
    this.nodes.set(key, node);
    if (node.chainwork > this.bestNode.chainwork) this.bestNode = node;
    if (this.nodes.size > this.limits.maxHeaders) this.prune();
    return { ok: true, node, added: true };
  }

  /** Drops every header more than keepDepth below the best tip. */
  private prune(): void {
    const floor = this.bestNode.height - this.limits.keepDepth;
    for (const [k, n] of this.nodes) if (n.height < floor) this.nodes.delete(k);
  }
}
