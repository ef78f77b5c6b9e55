/**
 * Compact block reconstruction (BIP 152), pure: Core's PartiallyDownloadedBlock
 * (blockencodings.cpp InitData, FillBlock) and the cmpctblock/blocktxn handling of
 * net_processing.cpp, with time passed in. It answers with actions; the room (compact.ts) sends,
 * validates and hands blocks on.
 */
import { hashKey, toReversedHex } from '../wire/hex.js';
import type { Block, DecodedTx } from '../wire/model.js';
import type { CmpctBlockMessage } from '../wire/messages.js';
import { shortId, shortIdKey } from '../wire/short-id.js';
import { decodeTx } from '../wire/transaction.js';
import { baseSize, BLOCK_HEADER_BYTES, writeBlockHeader } from '../wire/block.js';
import { ByteWriter } from '../wire/writer.js';
import { MAX_TX_INDEX } from '../wire/codecs/compact.js';
import type { PeerId } from './inventory.js';
import { TxStore } from './tx-store.js';

/** net_processing.cpp MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK: peers rebuilding one block at once. */
export const MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK = 3;
/**
 * Reconstructions waiting for a blocktxn, over all blocks and peers. Each holds the short ids'
 * slots and its prefilled transactions (at most one 4 MB message), so 8 is ≤ 32 MB; new blocks
 * near the tip come one at a time, a few peers each.
 */
export const MAX_RECONSTRUCTIONS_IN_FLIGHT = 8;
/** One reconstruction per peer at once (ours; Core tracks each peer's blocks in flight, MAX_BLOCKS_IN_TRANSIT_PER_PEER). */
export const MAX_RECONSTRUCTIONS_PER_PEER = 1;

export type CompactAction =
  | { readonly type: 'getblocktxn'; readonly peer: PeerId; readonly hash: Uint8Array; readonly indexes: number[] }
  /** Rebuilt: still to be validated (proof of work, merkle root, witness commitment) like a downloaded block. */
  | { readonly type: 'rebuilt'; readonly peer: PeerId; readonly block: Block; readonly missing: number; readonly receivedAt: number }
  /** Ask for the whole block (a short id collision, a reconstruction that did not check out, no answer in time). */
  | { readonly type: 'fallback'; readonly peer: PeerId; readonly hash: Uint8Array; readonly why: string }
  /** What Core calls Misbehaving: the peer is dropped. */
  | { readonly type: 'misbehaved'; readonly peer: PeerId; readonly why: string }
  | { readonly type: 'ignored'; readonly peer: PeerId; readonly why: string };

interface Pending {
  readonly peer: PeerId;
  readonly msg: CmpctBlockMessage;
  /** Each slot's transaction; undefined where it is missing. */
  readonly slots: (DecodedTx | undefined)[];
  readonly missing: number[];
  readonly receivedAt: number;
}

type InitResult = { readonly ok: true; readonly slots: (DecodedTx | undefined)[] } | { readonly ok: false; readonly invalid: boolean; readonly why: string };

/**
 * PartiallyDownloadedBlock::InitData: the prefilled transactions placed, each short id looked up
 * among the stored transactions. READ_STATUS_INVALID (the peer misbehaved) or READ_STATUS_FAILED
 * (short ids that collide within the block: fall back to the whole block).
 */
export function initData(msg: CmpctBlockMessage, store: TxStore): InitResult {
  const n = msg.shortIds.length + msg.prefilled.length;
  if (n === 0) return { ok: false, invalid: true, why: 'a compact block without transactions' };
  const slots = new Array<DecodedTx | undefined>(n);
  for (let i = 0; i < msg.prefilled.length; i++) {
    const { index, tx } = msg.prefilled[i];
    if (index > MAX_TX_INDEX) return { ok: false, invalid: true, why: `prefilled index ${index} overflows 16 bits` };
    // An index past every short id and prefilled tx so far leaves a slot that nothing fills.
    if (index > msg.shortIds.length + i) return { ok: false, invalid: true, why: `prefilled index ${index} out of range` };
    slots[index] = tx;
  }
  const position = new Map<number, number>();
  let offset = 0;
  for (let i = 0; i < msg.shortIds.length; i++) {
    while (slots[i + offset] !== undefined) offset++;
    position.set(msg.shortIds[i], i + offset);
  }
  // Core: "TODO: in the shortid-collision case, we should instead request both transactions" — it falls back to the block.
  if (position.size !== msg.shortIds.length) return { ok: false, invalid: false, why: 'short id collision within the block' };
  const key = shortIdKey(msg.header, msg.nonce);
  // Each slot's stored entry (its offset in the store's ring), or null when two claim it.
  const found = new Map<number, number | null>();
  let matched = 0;
  store.scan((ring, at) => {
    const slot = position.get(shortId(key, ring, TxStore.wtxidAt(at)));
    if (slot === undefined) return true;
    const first = found.get(slot);
    if (first === undefined) {
      found.set(slot, at);
      // Core's early exit: every short id matched.
      return ++matched !== position.size;
    }
    // The same transaction delivered twice is one candidate; two different ones: neither is used,
    // the slot is asked for (as Core).
    if (first !== null && !sameEntry(ring, first, at)) {
      matched--;
      found.set(slot, null);
    }
    return true;
  });
  for (const [slot, at] of found) if (at !== null) slots[slot] = decodeTx(store.raw(at));
  return { ok: true, slots };
}

/** PartiallyDownloadedBlock::FillBlock's assembly: the header and every slot, as one block. */
export function assemble(msg: CmpctBlockMessage, txs: readonly DecodedTx[]): Block {
  let size = BLOCK_HEADER_BYTES;
  for (const tx of txs) size += tx.raw.length;
  const w = new ByteWriter(size + 9);
  writeBlockHeader(msg.header, w);
  w.compactSize(txs.length);
  const countBytes = w.finish().length - BLOCK_HEADER_BYTES;
  let strippedSize = BLOCK_HEADER_BYTES + countBytes;
  for (const tx of txs) {
    w.bytes(tx.raw);
    strippedSize += baseSize(tx);
  }
  const raw = w.finish();
  return { header: msg.header, txs, raw, size: raw.length, strippedSize, weight: strippedSize * 3 + raw.length };
}

export class CompactState {
  /** By block hash: each peer's reconstruction of it. */
  private readonly pending = new Map<string, Map<PeerId, Pending>>();
  private count = 0;

  constructor(
    private readonly store: TxStore,
    private readonly timeoutMs: number,
  ) {}

  /** Reconstructions waiting for blocktxn. */
  get inFlight(): number {
    return this.count;
  }

  /** Some peer is rebuilding this block (a whole-block fetch of it would be redundant). */
  has(hash: Uint8Array): boolean {
    return this.pending.has(hashKey(hash));
  }

  /** A cmpctblock whose header the header sync accepted as new. */
  cmpctblock(peer: PeerId, msg: CmpctBlockMessage, now: number): CompactAction[] {
    const hash = msg.header.hash;
    const forBlock = this.pending.get(hashKey(hash));
    if (forBlock?.has(peer)) return [{ type: 'ignored', peer, why: `a second cmpctblock for ${toReversedHex(hash)}` }];
    if ((forBlock?.size ?? 0) >= MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK) return [{ type: 'ignored', peer, why: `${MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK} peers already rebuild ${toReversedHex(hash)}` }];
    const init = initData(msg, this.store);
    if (!init.ok) return [init.invalid ? { type: 'misbehaved', peer, why: `invalid compact block: ${init.why}` } : { type: 'fallback', peer, hash, why: init.why }];
    const missing: number[] = [];
    // A for loop: forEach would skip the holes, which are the missing slots.
    for (let i = 0; i < init.slots.length; i++) if (init.slots[i] === undefined) missing.push(i);
    if (missing.length === 0) return [{ type: 'rebuilt', peer, block: assemble(msg, init.slots as DecodedTx[]), missing: 0, receivedAt: now }];
    if (this.count >= MAX_RECONSTRUCTIONS_IN_FLIGHT || this.ofPeer(peer) >= MAX_RECONSTRUCTIONS_PER_PEER) {
      return [{ type: 'fallback', peer, hash, why: `${missing.length} transactions missing and no room to wait for them` }];
    }
    this.add({ peer, msg, slots: init.slots, missing, receivedAt: now });
    return [{ type: 'getblocktxn', peer, hash, indexes: missing }];
  }

  /** The missing transactions, in the order asked (FillBlock). */
  blocktxn(peer: PeerId, hash: Uint8Array, txs: readonly DecodedTx[]): CompactAction[] {
    const p = this.pending.get(hashKey(hash))?.get(peer);
    if (p === undefined) return [{ type: 'ignored', peer, why: `blocktxn for ${toReversedHex(hash)}, which we did not ask it for` }];
    this.remove(p);
    // READ_STATUS_INVALID: Core's "invalid compact block/non-matching block transactions".
    if (txs.length !== p.missing.length) return [{ type: 'misbehaved', peer, why: `blocktxn with ${txs.length} transactions for ${p.missing.length} asked` }];
    p.missing.forEach((at, i) => (p.slots[at] = txs[i]));
    return [{ type: 'rebuilt', peer, block: assemble(p.msg, p.slots as DecodedTx[]), missing: p.missing.length, receivedAt: p.receivedAt }];
  }

  /** The block arrived (rebuilt or whole): every other reconstruction of it ends. */
  done(hash: Uint8Array): void {
    const forBlock = this.pending.get(hashKey(hash));
    if (forBlock === undefined) return;
    this.count -= forBlock.size;
    this.pending.delete(hashKey(hash));
  }

  /** Reconstructions whose blocktxn is overdue: the whole block from that peer instead. */
  expire(now: number): CompactAction[] {
    const out: CompactAction[] = [];
    for (const forBlock of this.pending.values()) {
      for (const p of forBlock.values()) {
        if (now - p.receivedAt < this.timeoutMs) continue;
        this.remove(p);
        out.push({ type: 'fallback', peer: p.peer, hash: p.msg.header.hash, why: `no blocktxn within ${this.timeoutMs / 1000} s` });
      }
    }
    return out;
  }

  /** A peer left: its reconstructions end (the block may come from another announcer). */
  down(peer: PeerId): void {
    for (const forBlock of [...this.pending.values()]) {
      const p = forBlock.get(peer);
      if (p) this.remove(p);
    }
  }

  private ofPeer(peer: PeerId): number {
    let n = 0;
    for (const forBlock of this.pending.values()) if (forBlock.has(peer)) n++;
    return n;
  }

  private add(p: Pending): void {
    const key = hashKey(p.msg.header.hash);
    const forBlock = this.pending.get(key) ?? new Map<PeerId, Pending>();
    forBlock.set(p.peer, p);
    this.pending.set(key, forBlock);
    this.count++;
  }

  private remove(p: Pending): void {
    const key = hashKey(p.msg.header.hash);
    const forBlock = this.pending.get(key);
    if (!forBlock?.delete(p.peer)) return;
    this.count--;
    if (forBlock.size === 0) this.pending.delete(key);
  }
}

/** Whether the entries at `a` and `b` of a store's ring are one transaction: one wtxid, the same bytes. */
function sameEntry(ring: Uint8Array, a: number, b: number): boolean {
  const len = TxStore.entryBytes(ring, a);
  if (TxStore.entryBytes(ring, b) !== len) return false;
  for (let i = 0; i < len; i++) if (ring[a + i] !== ring[b + i]) return false;
  return true;
}
