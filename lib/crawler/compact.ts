/**
 * The compact block room (BIP 152): `sendcmpct(false, 2)` to every peer after its handshake (as
 * Core does on VERACK), high-bandwidth mode asked of the three peers that last delivered a new
 * block first (hb-peers.ts), and each `cmpctblock` rebuilt from the transactions our peers
 * delivered (tx-store.ts, compact-state.ts): `getblocktxn` for what is missing, the whole block
 * through the fetcher when that fails. A rebuilt block is checked as a downloaded one
 * (validateBlock) and handed on to the header sync.
 */
import type { Logger } from '../log/logger.js';
import { PeerError } from '../peer/errors.js';
import { validateBlock } from '../tx/pow.js';
import { hashKey, toReversedHex } from '../wire/hex.js';
import type { CmpctBlockMessage } from '../wire/messages.js';
import type { Block, BlockHeader, DecodedTx } from '../wire/model.js';
import { evictOldest } from './bounded-set.js';
import { CompactState, type CompactAction } from './compact-state.js';
import type { Fetcher } from './fetcher.js';
import { CMPCTBLOCKS_VERSION, HighBandwidthPeers } from './hb-peers.js';
import type { Announcements, PeerId } from './inventory.js';
import type { Router } from './router.js';
import { TxStore } from './tx-store.js';

/** How a printed block came: rebuilt from a compact block (`missing` transactions asked for, `ms` from cmpctblock to block) or whole. */
export type BlockArrival = { readonly missing: number; readonly ms: number } | false;

/** What a block line says of a block's arrival: how, and its first announcement. */
export interface ArrivalInfo {
  readonly compact: BlockArrival;
  readonly first: { readonly peer: PeerId; readonly time: number };
}

/** Arrivals kept until the header sync prints (or ignores) their block: the parked blocks' bound and room to spare (headers.ts MAX_PARKED_BLOCKS). */
export const MAX_ARRIVALS_REMEMBERED = 64;

export interface CompactRoomDeps {
  readonly router: Router;
  readonly fetcher: Fetcher;
  /** The network's proof-of-work limit (validateBlock). */
  readonly powLimit: bigint;
  /** A new header announced by cmpctblock: to the header sync; answers whether the block is worth rebuilding. */
  readonly header: (peer: PeerId, header: BlockHeader, now: number) => boolean;
  /** A block that passed its checks: to the header sync. */
  readonly block: (peer: PeerId, block: Block, now: number) => void;
  /** Our deadline for a blocktxn (the fetcher's request timeout). */
  readonly timeoutMs: number;
  readonly log: Logger;
}

export class CompactRoom {
  readonly store = new TxStore();
  readonly state: CompactState;
  readonly hb = new HighBandwidthPeers();
  private readonly arrivals = new Map<string, ArrivalInfo>();

  constructor(private readonly deps: CompactRoomDeps) {
    this.state = new CompactState(this.store, deps.timeoutMs);
    deps.router
      .onUp((peer) => deps.router.send(peer, { command: 'sendcmpct', announce: false, version: CMPCTBLOCKS_VERSION }))
      .onDown((peer) => {
        this.hb.down(peer);
        this.state.down(peer);
      })
      .on('sendcmpct', (peer, msg) => this.hb.offered(peer, msg.version))
      .on('cmpctblock', (peer, msg, now) => this.cmpctblock(peer, msg, now))
      .on('blocktxn', (peer, msg, now) => this.act(this.state.blocktxn(peer, msg.hash, msg.txs), now));
  }

  /** A transaction a peer delivered: kept for rebuilding blocks. */
  tx(tx: DecodedTx): void {
    this.store.add(tx);
  }

  /** A whole block arrived and passed its checks: its transactions are confirmed, its reconstructions end. */
  downloaded(peer: PeerId, block: Block, now: number, a: Announcements | undefined): void {
    this.arrived(block, { compact: false, first: a?.first ?? { peer, time: now } });
  }

  /** How the block came, for its line (once). */
  take(hash: Uint8Array): ArrivalInfo | undefined {
    const key = hashKey(hash);
    const a = this.arrivals.get(key);
    this.arrivals.delete(key);
    return a;
  }

  /** `peer` delivered a new block first: Core's choice of high-bandwidth peers. */
  deliveredFirst(peer: PeerId): void {
    for (const s of this.hb.delivered(peer)) this.deps.router.send(s.peer, { command: 'sendcmpct', announce: s.announce, version: CMPCTBLOCKS_VERSION });
  }

  /** Overdue blocktxn answers: the whole block instead. */
  tick(now: number): void {
    this.act(this.state.expire(now), now);
  }

  private cmpctblock(peer: PeerId, msg: CmpctBlockMessage, now: number): void {
    const hash = msg.header.hash;
    if (this.deps.fetcher.inventory.isSeen(hash)) return this.deps.log.debug('cmpctblock for a block we have', { peer, hash: toReversedHex(hash) });
    if (!this.deps.header(peer, msg.header, now)) return this.deps.log.debug('cmpctblock not rebuilt: its header is not in the tree', { peer, hash: toReversedHex(hash) });
    this.act(this.state.cmpctblock(peer, msg, now), now);
  }

  private act(actions: readonly CompactAction[], now: number): void {
    const { router, fetcher, log } = this.deps;
    for (const a of actions) {
      switch (a.type) {
        case 'getblocktxn':
          router.send(a.peer, { command: 'getblocktxn', hash: a.hash, indexes: a.indexes });
          break;
        case 'rebuilt': {
          const hash = a.block.header.hash;
          const check = validateBlock(a.block, this.deps.powLimit);
          // Core's FillBlock: a mutated block may be a short id collision (READ_STATUS_FAILED): the whole block, from the same peer.
          if (!check.ok) {
            this.act([{ type: 'fallback', peer: a.peer, hash, why: `rebuilt block fails ${check.why}` }], now);
            break;
          }
          const seen = fetcher.obtained(hash, now);
          const announced = { peer: a.peer, time: a.receivedAt };
          const first = seen && seen.first.time <= announced.time ? seen.first : announced;
          log.debug('compact block rebuilt', { peer: a.peer, hash: toReversedHex(hash), missing: a.missing });
          this.arrived(a.block, { compact: { missing: a.missing, ms: now - a.receivedAt }, first });
          this.deps.block(a.peer, a.block, now);
          break;
        }
        case 'fallback':
          log.info('compact block not rebuilt: fetching it whole', { peer: a.peer, hash: toReversedHex(a.hash), why: a.why });
          fetcher.wholeBlock(a.peer, a.hash, now);
          break;
        case 'misbehaved':
          router.fail(a.peer, new PeerError('invalid-block', a.why));
          break;
        case 'ignored':
          log.info('compact block message ignored', { peer: a.peer, why: a.why });
      }
    }
  }

  private arrived(block: Block, info: ArrivalInfo): void {
    this.state.done(block.header.hash);
    this.arrivals.set(hashKey(block.header.hash), info);
    if (this.arrivals.size > MAX_ARRIVALS_REMEMBERED) evictOldest(this.arrivals, MAX_ARRIVALS_REMEMBERED);
  }
}
