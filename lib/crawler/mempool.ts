import type { Block, DecodedTx } from '../wire/model.js';
import { decodeBlock } from '../wire/block.js';
import type { NetworkParams } from '../wire/network.js';
import { txLine, type FeeInfo } from '../tx/view.js';
import { hashKey, toReversedHex } from '../wire/hex.js';
import type { RpcOutputs } from './fee-rpc.js';
import { MempoolView, type Left } from '../mempool/view.js';
import { AppliedChain, RECENT_BLOCK_BYTES_MAX } from '../mempool/applied.js';
import { feerateHistogram } from '../mempool/template.js';
import { projectedBlocks } from '../mempool/projected.js';
import { confirmedLine, leftLine, mempoolLine } from '../output/mempool-lines.js';
import { unixSeconds } from '../output/lines.js';
import type { EmitKind } from './options.js';
import { MAX_NEW_BLOCK_DEPTH } from './headers.js';

/** `--emit mempool` without `--mempool-stats S`: a mempool line this often. */
export const DEFAULT_MEMPOOL_STATS_MS = 60_000;

/** How often relayed transactions run the view's expiry (and so do blocks and mempool lines). */
export const EXPIRE_EVERY_MS = 1_000;

/**
 * How deep a reorg the view follows: as deep as a printed block's branch may fork off the best
 * chain (headers.ts MAX_NEW_BLOCK_DEPTH), and the fork. Blocks held for it: twice that (the
 * applied ones and their competitors), within applied.ts RECENT_BLOCK_BYTES_MAX.
 */
export const REORG_DEPTH = MAX_NEW_BLOCK_DEPTH + 1;

/**
 * A reorg reads the blocks it moves again. On regtest, proof of work costs nothing, and a peer
 * flipping between two branches with tiny blocks could make each of them move the 20 MB held.
 * So the bytes reorgs move are charged to a budget: this much at first, refilled by twice the
 * bytes of each block received, up to this much. A reorg past it is not followed (the block's log
 * line says `skipped`): reorgs cost at most 40 MB and twice what peers sent. Real reorgs, rare and
 * a block or two deep, are always followed.
 */
export const REORG_BUDGET_MAX = 2 * RECENT_BLOCK_BYTES_MAX;

/** A block held for a reorg: its bytes (a copy: the message's may be a larger buffer's) and what its lines say of it. */
interface HeldBlock {
  readonly raw: Uint8Array;
  readonly hash: string;
  readonly height: number | undefined;
  readonly blockTime: number;
  readonly peer: string;
}

/** What a reorg did to the view, for the block's log line. */
export interface ReorgDone {
  /** Blocks that left the chain, transactions that came back from them, blocks of theirs no longer held. */
  readonly disconnected: number;
  readonly returned: number;
  readonly lost: number;
  /** Blocks of the new branch that had arrived off the best chain, applied now. */
  readonly joined: number;
  /** Not followed: past REORG_BUDGET_MAX. */
  readonly skipped?: true;
}

export interface MonitorOptions {
  readonly emit: ReadonlySet<EmitKind>;
  readonly network: NetworkParams;
  readonly raw: boolean;
}

/**
 * The mempool view (lib/mempool) fed with the crawl's transactions and blocks, and the lines it
 * prints: replaced, evicted, confirmed, unseen tx lines and mempool summaries, each kind only when
 * asked for with --emit.
 */
export class MempoolMonitor {
  readonly view = new MempoolView();
  /** The blocks applied to the view, and their competitors, to follow a reorg as Core's mempool does. */
  private readonly chain = new AppliedChain<HeldBlock>(REORG_DEPTH, 2 * REORG_DEPTH);
  /** Bytes of blocks a reorg may still read again (decode, give back, confirm). */
  private budget = REORG_BUDGET_MAX;
  private expiredAt = -Infinity;
  /** Lines waiting for Core's answer (--rpc): printed without fee at close. */
  private readonly held = new Set<() => void>();

  constructor(
    private readonly opts: MonitorOptions,
    private readonly write: (line: string) => void,
    private readonly rpc?: RpcOutputs,
  ) {}

  get size(): number {
    return this.view.size;
  }

  /**
   * A relayed transaction: `print` gets what its line says of its fee (undefined while an input is
   * unknown): at once, or with --rpc, once Core has said what the unknown inputs spend (within
   * --rpc-timeout).
   */
  tx(tx: DecodedTx, time: number, print: (fee: FeeInfo | undefined) => void): void {
    // Expiry once a second at most: finding the oldest entry walks what deletions left at the Map's front.
    if (time - this.expiredAt >= EXPIRE_EVERY_MS) {
      this.expiredAt = time;
      this.left(this.view.expire(time), time);
    }
    const added = this.view.add(tx, time);
    if (added === undefined) return print(undefined);
    const missing = added.known !== undefined || this.rpc === undefined ? [] : this.view.missingInputs(tx);
    if (this.rpc === undefined || missing.length === 0) {
      this.left(added.left, time);
      return print(added.known);
    }
    let done = false;
    // What it replaced is printed with it, once Core has told its fee: that is their by_fee.
    const flush = (withFee: boolean): void => {
      if (done) return;
      done = true;
      this.held.delete(hold);
      const known = withFee ? this.view.knownFee(tx) : undefined;
      this.left(known === undefined ? added.left : added.left.map((l) => (l.reason === 'replaced' ? { ...l, byFee: known.fee } : l)), time);
      print(known);
    };
    const hold = (): void => flush(false);
    this.held.add(hold);
    void this.rpc.outputs(missing.map((i) => ({ txid: toReversedHex(tx.inputs[i].prevTxid), vout: tx.inputs[i].prevIndex }))).then((outs) => {
      outs.forEach((o, j) => {
        if (o) this.view.learnOutput(tx.inputs[missing[j]].prevTxid, tx.inputs[missing[j]].prevIndex, o);
      });
      flush(true);
    });
  }

  /** At the end: lines still waiting for Core are printed without their fee. */
  close(): void {
    for (const hold of [...this.held]) hold();
  }

  /**
   * A block on the best chain. If the view's last block is not its parent, a reorg first (as Core's
   * ActivateBestChainStep): the blocks that left the chain give their transactions back (tip last
   * given, so oldest first: MaybeUpdateMempoolForReorg's order), the new branch's blocks that
   * arrived off the best chain are applied, in order. Then its own confirmed and evicted lines, and
   * unseen tx lines. Returns how many it held and how many were unseen, and what a reorg did.
   */
  block(block: Block, ancestors: readonly string[], hash: string, height: number | undefined, blockTime: number, peer: string, time: number): { seen: number; unseen: number; reorg?: ReorgDone } {
    this.left(this.view.expire(time), time);
    const held: HeldBlock = { raw: block.raw.slice(), hash, height, blockTime, peer };
    this.credit(held.raw.length);
    const plan = this.chain.connect(hashKey(block.header.hash), ancestors, held, held.raw.length);
    const moved = [...plan.disconnect, ...plan.connect].reduce((n, b) => n + b.raw.length, 0);
    let reorg: ReorgDone | undefined;
    if (moved > 0 || plan.lost > 0) {
      const followed = moved <= this.budget;
      let returned = 0;
      if (followed) {
        this.budget -= moved;
        for (const b of [...plan.disconnect].reverse()) {
          const r = this.view.unconfirm(decodeBlock(b.raw).txs, time);
          returned += r.returned;
          this.left(r.left, time);
        }
        // Their `confirmed` lines say when they joined the best chain (`time`), not when they arrived.
        for (const b of plan.connect) this.apply(decodeBlock(b.raw).txs, b, time);
      }
      reorg = { disconnected: plan.disconnect.length + plan.lost, returned, lost: plan.lost, joined: followed ? plan.connect.length : 0, ...(followed ? {} : { skipped: true }) };
    }
    const counts = plan.apply ? this.apply(block.txs, held, time) : this.count(block.txs);
    return reorg === undefined ? counts : { ...counts, reorg };
  }

  /** A block's bytes arrived: a reorg may read twice as many again (REORG_BUDGET_MAX at most). */
  private credit(bytes: number): void {
    this.budget = Math.min(REORG_BUDGET_MAX, this.budget + 2 * bytes);
  }

  /**
   * A stale block (off the best header chain as it arrives): counted against the view, not
   * applied. Core's mempool changes only as blocks connect to the active chain
   * (validation.cpp ConnectTip → removeForBlock); a side branch's transactions stay unconfirmed.
   * Held: if its branch becomes the best, block() applies it then.
   */
  staleBlock(block: Block, hash: string, height: number | undefined, blockTime: number, peer: string): { seen: number; unseen: number } {
    this.credit(block.raw.length);
    this.chain.hold(hashKey(block.header.hash), { raw: block.raw.slice(), hash, height, blockTime, peer }, block.raw.length);
    return this.count(block.txs);
  }

  /** How many of a block's transactions the view holds, and how many not (the coinbase is never announced: not counted). */
  private count(txs: readonly DecodedTx[]): { seen: number; unseen: number } {
    let seen = 0;
    for (const tx of txs) if (this.view.get(tx.txid)) seen++;
    return { seen, unseen: Math.max(0, txs.length - 1 - seen) };
  }

  /** A block's transactions confirmed: confirmed and evicted lines, unseen tx lines. */
  private apply(txs: readonly DecodedTx[], b: Omit<HeldBlock, 'raw'>, time: number): { seen: number; unseen: number } {
    const { hash, height, blockTime, peer } = b;
    const c = this.view.confirm(txs);
    if (this.opts.emit.has('confirmed')) for (const e of c.confirmed) this.write(confirmedLine(toReversedHex(txs[e.index].txid), e.time, hash, height, time));
    this.left(c.left, time);
    if (this.opts.emit.has('unseen')) {
      // In a block, so Esplora's confirmed status (electrs' TransactionStatus), as a jq filter on `.status.confirmed` expects.
      const status = height === undefined ? { confirmed: true, block_hash: hash, block_time: blockTime } : { confirmed: true, block_height: height, block_hash: hash, block_time: blockTime };
      for (const i of c.unseen) this.write(txLine(txs[i], this.opts.network, { raw: this.opts.raw, status, seen: { peer, time: unixSeconds(time), block: hash } }));
    }
    return { seen: c.confirmed.length, unseen: c.unseen.length };
  }

  /** The `mempool` line, after expiry. */
  statsLine(now: number): string {
    this.left(this.view.expire(now), now);
    return mempoolLine(
      {
        count: this.view.size,
        vsize: this.view.vsize,
        oldestAge: this.view.oldestAge(now),
        known: this.view.known,
        histogram: feerateHistogram(this.view.store),
        projected: projectedBlocks(this.view.store),
      },
      now,
    );
  }

  private left(left: readonly Left[], time: number): void {
    for (const l of left) if (this.opts.emit.has(l.reason === 'replaced' ? 'replaced' : 'evicted')) this.write(leftLine(l, time));
  }
}
