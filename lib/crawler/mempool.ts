import type { DecodedTx } from '../wire/model.js';
import type { NetworkParams } from '../wire/network.js';
import { txLine, type FeeInfo } from '../tx/view.js';
import { toReversedHex } from '../wire/hex.js';
import type { RpcOutputs } from './fee-rpc.js';
import { MempoolView, type Left } from '../mempool/view.js';
import { feerateHistogram, nextBlockMinFeerate } from '../mempool/template.js';
import { confirmedLine, leftLine, mempoolLine } from '../output/mempool-lines.js';
import { unixSeconds } from '../output/lines.js';
import type { EmitKind } from './options.js';

/** `--emit mempool` without `--mempool-stats S`: a mempool line this often. */
export const DEFAULT_MEMPOOL_STATS_MS = 60_000;

/** How often relayed transactions run the view's expiry (and so do blocks and mempool lines). */
export const EXPIRE_EVERY_MS = 1_000;

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
    if (added !== undefined) this.left(added.left, time);
    if (added?.known !== undefined) return print(added.known);
    const missing = added === undefined || this.rpc === undefined ? [] : this.view.missingInputs(tx);
    if (this.rpc === undefined || missing.length === 0) return print(undefined);
    let done = false;
    const flush = (withFee: boolean): void => {
      if (done) return;
      done = true;
      this.held.delete(hold);
      print(withFee ? this.view.knownFee(tx) : undefined);
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

  /** A block: confirmed and evicted lines, unseen tx lines; returns how many it held and how many were unseen. */
  block(txs: readonly DecodedTx[], hash: string, height: number | undefined, blockTime: number, peer: string, time: number): { seen: number; unseen: number } {
    this.left(this.view.expire(time), time);
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

  /**
   * A stale block (off the best header chain as it arrives): counted against the view, not
   * applied. Core's mempool changes only as blocks connect to the active chain
   * (validation.cpp ConnectTip → removeForBlock); a side branch's transactions stay unconfirmed.
   */
  staleBlock(txs: readonly DecodedTx[]): { seen: number; unseen: number } {
    let seen = 0;
    for (const tx of txs) if (this.view.get(tx.txid)) seen++;
    // The coinbase is never announced, as with a block that connects (confirm's `unseen` excludes it).
    return { seen, unseen: Math.max(0, txs.length - 1 - seen) };
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
        nextBlockFeerate: nextBlockMinFeerate(this.view.store),
      },
      now,
    );
  }

  private left(left: readonly Left[], time: number): void {
    for (const l of left) if (this.opts.emit.has(l.reason === 'replaced' ? 'replaced' : 'evicted')) this.write(leftLine(l, time));
  }
}
