/**
 * Header sync and the "is this block new?" gate (issue 19, item 4), a pure state machine over
 * lib/chain's header tree: it answers with actions (send getheaders, fetch blocks, drop a peer,
 * print a block) and does no I/O. Follows net_processing.cpp: initial headers sync from one peer
 * at a time, every new peer once our best header is recent; getheaders again while a full batch
 * (MAX_HEADERS_RESULTS) comes back; getheaders on an inv of an unknown block; a peer whose
 * headers break consensus is dropped; unconnecting announcements get a getheaders, and a peer
 * that keeps sending them is dropped (MAX_NUM_UNCONNECTING_HEADERS_MSGS).
 *
 * A block is printed only when its header is in the tree and its branch leaves the best chain at
 * most MAX_NEW_BLOCK_DEPTH below the best tip: a best-chain block that deep at most, or a competing
 * block forked off there, printed as `stale` (not on the best header chain when printed). When the
 * best header tip moves to another branch, a `reorg` action says from which tip to which and how
 * many headers left the best chain (lib/chain/tips.ts). A block whose parent is unknown waits
 * (bounded) while we ask its sender for headers; it is printed if they connect it, and never
 * otherwise. The fetcher hands each block over once, so each is printed at most once.
 */
import type { HeaderTree} from '../chain/tree.js';
import { INVALID_HEADER, type HeaderNode, type HeaderResult } from '../chain/tree.js';
import { forkDepth, reorgFrom, type Reorg } from '../chain/tips.js';
import { MAX_HEADERS, MAX_PAYLOAD_BYTES } from '../wire/limits.js';
import { hashKey, toReversedHex } from '../wire/hex.js';
import type { Block, BlockHeader } from '../wire/model.js';
import type { PeerId } from './inventory.js';
import type { ReorgSummary } from '../output/lines.js';

/** net_processing.cpp MAX_BLOCKS_TO_ANNOUNCE: a headers message this short may be an announcement. */
export const MAX_BLOCKS_TO_ANNOUNCE = 8;
/** net_processing.cpp MAX_NUM_UNCONNECTING_HEADERS_MSGS: unconnecting announcements a peer may send. */
export const MAX_NUM_UNCONNECTING_HEADERS_MSGS = 10;
/** net_processing.cpp HEADERS_RESPONSE_TIME: no second getheaders to a peer within 2 minutes of the first, unanswered. */
export const HEADERS_RESPONSE_TIME_MS = 2 * 60 * 1000;
/** Core syncs headers from every peer once its best header is less than a day old (net_processing.cpp SendMessages). */
export const SYNCED_HEADER_AGE_S = 24 * 60 * 60;
/**
 * How far below the best tip a block may be and still be printed as new: net_processing.cpp
 * MAX_BLOCKTXN_DEPTH (10), the depth to which Core still serves a block as recent. Deeper is a
 * replay of an old block.
 */
export const MAX_NEW_BLOCK_DEPTH = 10;
/** Blocks waiting for their headers: at most this many ... */
export const MAX_PARKED_BLOCKS = 16;
/** ... and this many bytes (four maximal blocks, MAX_PROTOCOL_MESSAGE_LENGTH each); the oldest goes first. */
export const MAX_PARKED_BYTES = 4 * MAX_PAYLOAD_BYTES;
/** node/protocol_version.h SENDHEADERS_VERSION: peers from this version understand `sendheaders` (BIP 130). */
export const SENDHEADERS_VERSION = 70_012;

export type ChainAction =
  /** Ask the peer to announce new blocks by `headers` (BIP 130). */
  | { readonly type: 'sendheaders'; readonly peer: PeerId }
  | { readonly type: 'getheaders'; readonly peer: PeerId; readonly locator: Uint8Array[] }
  | { readonly type: 'fetch'; readonly peer: PeerId; readonly hashes: Uint8Array[] }
  | { readonly type: 'drop'; readonly peer: PeerId; readonly message: string }
  /**
   * `stale`: the block is off the best header chain (a competitor that has not won, or has lost).
   * `ancestors`: its ancestors' keys (hashKey), parent first, MAX_NEW_BLOCK_DEPTH + 1 at most (as
   * far as a printed block's branch can fork off, and the fork): where the mempool view finds
   * which of the blocks it applied left the chain (lib/mempool/applied.ts).
   */
  | { readonly type: 'block'; readonly peer: PeerId; readonly block: Block; readonly time: number; readonly height: number; readonly stale: boolean; readonly ancestors: readonly string[] }
  /** The best header tip moved to another branch, on a header `peer` sent at `time`. */
  | { readonly type: 'reorg'; readonly peer: PeerId; readonly reorg: Reorg; readonly time: number }
  | { readonly type: 'ignored'; readonly peer: PeerId; readonly hash: string; readonly why: string };

/** A reorg action as its line shows it (lib/output/lines.ts reorgLine). */
export function reorgSummary(a: Extract<ChainAction, { type: 'reorg' }>): ReorgSummary {
  const tip = (n: HeaderNode) => ({ hash: toReversedHex(n.header.hash), height: n.height });
  const { oldTip, newTip, fork, depth } = a.reorg;
  return { peer: a.peer, time: a.time, oldTip: tip(oldTip), newTip: tip(newTip), fork: fork && tip(fork), depth };
}

interface PeerState {
  /** When we last sent it getheaders that it has not answered yet. */
  askedAt: number | undefined;
  unconnecting: number;
  /**
   * It has sent a headers message short of a full batch: it has no more. Headers it sends after
   * that announce blocks mined while we watch, whose blocks we fetch; those of its first answers
   * are the chain so far, and are not new.
   */
  caughtUp: boolean;
  /** It understands `sendheaders` and has not been sent one yet. */
  sendheaders: boolean;
}

interface Parked {
  readonly peer: PeerId;
  readonly block: Block;
  readonly time: number;
}

export class HeaderSync {
  private readonly peers = new Map<PeerId, PeerState>();
  private syncPeer: PeerId | undefined;
  private readonly parked = new Map<string, Parked>();
  /** Our best header became recent once: every peer has been asked for headers since. */
  private everSynced = false;
  private parkedBytes = 0;

  constructor(readonly tree: HeaderTree) {}

  /** A handshake finished with a peer of this protocol `version`. `now` in milliseconds. */
  ready(peer: PeerId, now: number, version: number = SENDHEADERS_VERSION): ChainAction[] {
    this.peers.set(peer, { askedAt: undefined, unconnecting: 0, caughtUp: false, sendheaders: version >= SENDHEADERS_VERSION });
    // A sync peer that has left our getheaders unanswered past HEADERS_RESPONSE_TIME is replaced by the
    // next peer (Core disconnects it: HEADERS_DOWNLOAD_TIMEOUT_BASE; a crawler keeps it for its invs).
    const askedAt = this.syncPeer === undefined ? undefined : this.peers.get(this.syncPeer)?.askedAt;
    const stalled = askedAt !== undefined && now - askedAt >= HEADERS_RESPONSE_TIME_MS;
    if (this.syncPeer !== undefined && !stalled && !this.synced(now)) return [];
    if (this.syncPeer === undefined || stalled) this.syncPeer = peer;
    return this.ask(peer, now, true);
  }

  down(peer: PeerId, now: number): ChainAction[] {
    this.peers.delete(peer);
    if (this.syncPeer !== peer) return [];
    this.syncPeer = undefined;
    const next = this.peers.keys().next();
    if (next.done === true) return [];
    this.syncPeer = next.value;
    return this.ask(next.value, now, true);
  }

  /** Blocks announced by inv: any we have no header for makes us ask the peer for headers. */
  announced(peer: PeerId, hashes: readonly Uint8Array[], now: number): ChainAction[] {
    return hashes.some((h) => this.tree.get(h) === undefined) ? this.ask(peer, now, false) : [];
  }

  headers(peer: PeerId, headers: readonly BlockHeader[], now: number): ChainAction[] {
    const state = this.peers.get(peer);
    if (state === undefined) return [];
    state.askedAt = undefined;
    const announcing = state.caughtUp;
    if (headers.length < MAX_HEADERS) state.caughtUp = true;
    if (headers.length === 0) return this.hello(peer, state);
    for (let i = 1; i < headers.length; i++) {
      if (hashKey(headers[i].prevBlock) !== hashKey(headers[i - 1].hash)) return [{ type: 'drop', peer, message: 'non-continuous headers sequence' }];
    }
    if (this.tree.get(headers[0].prevBlock) === undefined) {
      if (headers.length > MAX_BLOCKS_TO_ANNOUNCE) {
        // Headers from below our anchor (a node still syncing, or another chain): nothing to check them against.
        return [{ type: 'ignored', peer, hash: toReversedHex(headers[0].hash), why: `${headers.length} headers that do not connect to ours` }];
      }
      if (++state.unconnecting >= MAX_NUM_UNCONNECTING_HEADERS_MSGS) return [{ type: 'drop', peer, message: `${state.unconnecting} headers messages that do not connect` }];
      return this.ask(peer, now, true);
    }
    state.unconnecting = 0;
    const actions: ChainAction[] = this.hello(peer, state);
    const added: HeaderNode[] = [];
    let last: HeaderNode | undefined;
    for (const h of headers) {
      const r = this.add(peer, h, now, actions);
      if (!r.ok) {
        if (INVALID_HEADER.has(r.why)) return [{ type: 'drop', peer, message: `header ${toReversedHex(h.hash)}: ${r.why}` }];
        // Not the peer's fault (too far ahead of our clock, a fork deeper than we keep, a full tree): stop here, ask no more.
        actions.push({ type: 'ignored', peer, hash: toReversedHex(h.hash), why: r.why });
        last = undefined;
        break;
      }
      last = r.node;
      if (r.added) added.push(r.node);
    }
    if (headers.length === MAX_HEADERS) {
      if (last !== undefined) actions.push(...this.ask(peer, now, true, last));
    } else if (announcing) {
      // New blocks announced by a peer we are in sync with: fetch those near the tip (Core's direct fetch).
      const fresh = added.filter((n) => this.isNew(n)).map((n) => n.header.hash);
      if (fresh.length > 0) actions.push({ type: 'fetch', peer, hashes: fresh });
    }
    return [...actions, ...this.release(now), ...this.askTheRest(now)];
  }

  /**
   * A block arrived (valid on its own, requested, not seen before): print it, drop its sender,
   * ignore it, or park it and ask for headers. `time` is when it was read, in milliseconds.
   */
  block(peer: PeerId, block: Block, time: number): ChainAction[] {
    const hash = block.header.hash;
    const out: ChainAction[] = [];
    if (this.tree.get(hash) === undefined) {
      const r = this.add(peer, block.header, time, out);
      if (!r.ok && INVALID_HEADER.has(r.why)) return [{ type: 'drop', peer, message: `block ${toReversedHex(hash)}: ${r.why}` }];
      if (!r.ok && r.why === 'prev-blk-not-found') {
        this.park({ peer, block, time });
        return this.ask(peer, time, false);
      }
      if (!r.ok) return [{ type: 'ignored', peer, hash: toReversedHex(hash), why: r.why }];
    }
    out.push(this.verdict({ peer, block, time }));
    return out;
  }

  /**
   * Once a peer's headers connect to ours and it has no more (caught up), new blocks by `headers`
   * (BIP 130). Core sends sendheaders at that point, not at verack: net_processing.cpp
   * MaybeSendSendHeaders waits until the peer's best known block has the minimum chain work, as
   * announcements during the initial headers sync confuse its state tracking (ours too: caughtUp).
   */
  private hello(peer: PeerId, state: PeerState): ChainAction[] {
    if (!state.caughtUp || !state.sendheaders) return [];
    state.sendheaders = false;
    return [{ type: 'sendheaders', peer }];
  }

  /**
   * The first time our best header is recent, every peer that has not been asked is: Core syncs
   * headers from every peer from then on (net_processing.cpp SendMessages, "fetch headers from
   * everyone" once m_best_header is within a day), and so they get to announce by headers too.
   */
  private askTheRest(now: number): ChainAction[] {
    if (this.everSynced || !this.synced(now)) return [];
    this.everSynced = true;
    const out: ChainAction[] = [];
    for (const [peer, state] of this.peers) if (!state.caughtUp && state.askedAt === undefined) out.push(...this.ask(peer, now, false));
    return out;
  }

  get parkedCount(): number {
    return this.parked.size;
  }

  private verdict(p: Parked): ChainAction {
    const node = this.tree.get(p.block.header.hash) as HeaderNode;
    if (this.isNew(node)) return { type: 'block', peer: p.peer, block: p.block, time: p.time, height: node.height, stale: !this.tree.isOnBestChain(node.header.hash), ancestors: this.ancestors(node) };
    const depth = this.tree.depth(node.header.hash);
    const why = depth === undefined ? `off the best header chain, forked more than ${MAX_NEW_BLOCK_DEPTH} below its tip` : `${depth} blocks below the best header: a replay`;
    return { type: 'ignored', peer: p.peer, hash: toReversedHex(node.header.hash), why };
  }

  /** The keys of `node`'s kept ancestors, parent first, MAX_NEW_BLOCK_DEPTH + 1 at most. */
  private ancestors(node: HeaderNode): string[] {
    const out: string[] = [];
    for (let n = this.tree.parent(node); n !== undefined && out.length <= MAX_NEW_BLOCK_DEPTH; n = this.tree.parent(n)) out.push(n.key);
    return out;
  }

  /** Near the best tip: its branch leaves the best chain at most MAX_NEW_BLOCK_DEPTH below it (0 for the tip). */
  private isNew(node: HeaderNode): boolean {
    return forkDepth(this.tree, node, MAX_NEW_BLOCK_DEPTH) !== undefined;
  }

  /** Adds a header to the tree; a move of the best tip to another branch goes to `out` as a reorg. `now` in milliseconds. */
  private add(peer: PeerId, header: BlockHeader, now: number, out: ChainAction[]): HeaderResult {
    const before = this.tree.best;
    const r = this.tree.add(header, Math.floor(now / 1000));
    const reorg = r.ok && r.added ? reorgFrom(this.tree, before) : undefined;
    if (reorg !== undefined) out.push({ type: 'reorg', peer, reorg, time: now });
    return r;
  }

  private park(p: Parked): void {
    const key = hashKey(p.block.header.hash);
    if (this.parked.has(key)) return;
    this.parked.set(key, p);
    this.parkedBytes += p.block.size;
    for (const [k, old] of this.parked) {
      if (this.parked.size <= MAX_PARKED_BLOCKS && this.parkedBytes <= MAX_PARKED_BYTES) break;
      this.parked.delete(k);
      this.parkedBytes -= old.block.size;
    }
  }

  /** Parked blocks whose parents are now in the tree: their headers checked and added, then printed or not. */
  private release(now: number): ChainAction[] {
    const out: ChainAction[] = [];
    for (const [k, p] of this.parked) {
      const h = p.block.header;
      if (this.tree.get(h.hash) === undefined && this.tree.get(h.prevBlock) === undefined) continue;
      this.parked.delete(k);
      this.parkedBytes -= p.block.size;
      const r = this.add(p.peer, h, now, out);
      if (!r.ok && INVALID_HEADER.has(r.why)) out.push({ type: 'drop', peer: p.peer, message: `block ${toReversedHex(h.hash)}: ${r.why}` });
      else if (!r.ok) out.push({ type: 'ignored', peer: p.peer, hash: toReversedHex(h.hash), why: r.why });
      else out.push(this.verdict(p));
    }
    return out;
  }

  private synced(now: number): boolean {
    return this.tree.best.header.time > now / 1000 - SYNCED_HEADER_AGE_S;
  }

  /** getheaders to `peer`, unless one is unanswered and recent (Core's MaybeSendGetHeaders); `force` after an answer. */
  private ask(peer: PeerId, now: number, force: boolean, from?: HeaderNode): ChainAction[] {
    const state = this.peers.get(peer);
    if (state === undefined) return [];
    if (!force && state.askedAt !== undefined && now - state.askedAt < HEADERS_RESPONSE_TIME_MS) return [];
    state.askedAt = now;
    return [{ type: 'getheaders', peer, locator: this.tree.locator(from) }];
  }
}
