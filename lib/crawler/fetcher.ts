import type { Block, DecodedTx } from '../wire/model.js';
import { InvType, type InvItem } from '../wire/messages.js';
import { toReversedHex } from '../wire/hex.js';
import type { Logger } from '../log/logger.js';
import { PeerError } from '../peer/errors.js';
import { validateBlock } from '../tx/pow.js';
import { Inventory, type Announcements, type InventoryLimits, type PeerId } from './inventory.js';
import { GetdataOutbox } from './outbox.js';
import { askedFor } from './accept.js';
import { TxidHistory } from './txid-history.js';
import type { Router } from './router.js';

/** What the fetcher hands on: each transaction once, each valid block we asked for once. */
export interface FetcherOut {
  readonly tx: (peer: PeerId, tx: DecodedTx, now: number, announcements: Announcements) => void;
  /** A delivered transaction, printed or not (the propagation watch links its two ids). */
  readonly delivered?: (tx: DecodedTx) => void;
  /** A block that passed its own checks (proof of work, merkle root, witness commitment): the header sync places it. */
  readonly block: (peer: PeerId, block: Block, now: number, announcements: Announcements | undefined) => void;
}

export interface FetcherOptions {
  readonly limits: InventoryLimits;
  /** The network's proof-of-work limit: a block above it drops its peer. */
  readonly powLimit: bigint;
  /** The output buffer is over its bound (MAX_OUTPUT_BUFFER_BYTES): deliveries are asked again later, not taken. */
  readonly outputFull?: () => boolean;
}

/**
 * The fetching room: `inv` goes to the inventory, which answers with `getdata` (through the
 * outbox, one per burst); `tx`/`block` come out once each, if we asked for them; `notfound`,
 * request timeouts and dropped peers move requests to the next announcer.
 *
 * Stdout backpressure: while our output is blocked no getdata goes out and request deadlines
 * stand still, but every socket is still read, so pings, pongs and invs keep flowing.
 */
export class Fetcher {
  readonly inventory: Inventory;
  private readonly outbox: GetdataOutbox;
  /** Every transaction printed in the last two weeks: none is printed twice while it can be relayed. */
  private readonly printed = new TxidHistory();
  private pausedSince: number | undefined;
  /** Deliveries not taken while the output was full; asked again once it drains. */
  private refused = 0;

  constructor(
    router: Router,
    private readonly opts: FetcherOptions,
    private readonly log: Logger,
    private readonly out: FetcherOut,
  ) {
    this.inventory = new Inventory(opts.limits);
    this.outbox = new GetdataOutbox((peer, items) => router.send(peer, { command: 'getdata', items }));
    router
      .on('inv', (peer, msg, now) => this.announce(peer, msg.items, now))
      .on('notfound', (peer, msg, now) => this.outbox.add(this.inventory.notFound(peer, msg.items, now)))
      .on('tx', (peer, msg, now) => this.tx(peer, msg.tx, now))
      .on('block', (peer, msg, now) => this.block(peer, msg.block, now))
      .onDown((peer, now) => {
        this.outbox.forget(peer);
        this.outbox.add(this.inventory.dropPeer(peer, now));
      });
  }

  /** Announced items (by inv, or by the header sync for blocks worth fetching). */
  announce(peer: PeerId, items: readonly InvItem[], now: number): void {
    this.outbox.add(this.inventory.announce(peer, items, now));
  }

  /**
   * Blocks the header sync found worth fetching, announced by `peer`'s headers. As Core's
   * HeadersDirectFetchBlocks (net_processing.cpp): a lone new block, with no other block in flight,
   * is asked as a compact block (MSG_CMPCT_BLOCK: its transactions we hold are not sent again) of a
   * peer that offered compact blocks version 2 (`compact`); any other whole.
   */
  fetchBlocks(peer: PeerId, hashes: readonly Uint8Array[], compact: boolean, now: number): void {
    if (hashes.length === 0) return;
    const asCompact = compact && hashes.length === 1 && this.inventory.blocksInFlight === 0;
    this.outbox.add(this.inventory.announce(peer, hashes.map((hash) => ({ type: InvType.BLOCK, hash })), now, asCompact));
  }

  /** A compact block from `peer` could not be rebuilt: the whole block from it (Inventory.wholeBlock). */
  wholeBlock(peer: PeerId, hash: Uint8Array, now: number): void {
    this.outbox.add(this.inventory.wholeBlock(peer, hash, now));
  }

  /**
   * A block obtained otherwise (rebuilt from a compact block): seen, so that it is neither fetched
   * nor printed again, and no longer asked of anyone. Its announcements, if it was announced.
   */
  obtained(hash: Uint8Array, now: number): Announcements | undefined {
    const d = this.inventory.delivered([hash], now, true);
    this.outbox.add(d.requests);
    return d.announcements;
  }

  /** Request deadlines: checked each tick, except while our output is blocked. */
  tick(now: number): void {
    if (this.pausedSince === undefined) this.outbox.add(this.inventory.expire(now));
  }

  /** Stdout backpressure turned on or off. */
  pause(blocked: boolean, now: number): void {
    if (blocked && this.pausedSince === undefined) {
      this.pausedSince = now;
      this.outbox.hold();
    } else if (!blocked && this.pausedSince !== undefined) {
      this.inventory.postpone(now - this.pausedSince);
      this.pausedSince = undefined;
      if (this.refused > 0) this.log.warn('stdout drained: asking again for what the full output buffer refused', { refused: this.refused });
      this.refused = 0;
      this.outbox.release();
    }
  }

  close(): void {
    this.outbox.close();
  }

  private refuse(peer: PeerId, ids: readonly Uint8Array[]): void {
    if (this.refused++ === 0) this.log.warn('output buffer full: deliveries are asked again once stdout drains');
    this.outbox.add(this.inventory.askAgain(peer, ids));
  }

  private tx(peer: PeerId, tx: DecodedTx, now: number): void {
    // readTx gives a legacy tx one array for both ids.
    const ids = tx.txid === tx.wtxid ? [tx.txid] : [tx.txid, tx.wtxid];
    if (!askedFor(this.inventory, this.outbox, ids)) return this.log.debug('unsolicited tx ignored', { peer });
    if (this.opts.outputFull?.()) return this.refuse(peer, ids);
    const d = this.inventory.delivered(ids, now);
    this.outbox.add(d.requests);
    this.out.delivered?.(tx);
    if (d.announcements && d.fresh && this.printed.add(tx.txid, now)) this.out.tx(peer, tx, now, d.announcements);
  }

  private block(peer: PeerId, block: Block, now: number): void {
    const ids = [block.header.hash];
    if (!askedFor(this.inventory, this.outbox, ids)) return this.log.debug('unsolicited block ignored', { peer });
    if (this.opts.outputFull?.()) return this.refuse(peer, ids);
    // Core: an invalid block is misbehaviour (net_processing.cpp MaybePunishNodeForBlock).
    // Its other announcers stay: the same hash may yet come whole from one of them.
    const check = validateBlock(block, this.opts.powLimit);
    if (!check.ok) throw new PeerError('invalid-block', `block ${toReversedHex(block.header.hash)}: ${check.why}`);
    const d = this.inventory.delivered(ids, now);
    this.outbox.add(d.requests);
    if (d.fresh) this.out.block(peer, block, now, d.announcements);
  }
}
