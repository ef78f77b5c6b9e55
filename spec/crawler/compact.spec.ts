/**
 * Compact block reconstruction and the choice of high-bandwidth peers, as pure state: Core's
 * PartiallyDownloadedBlock (InitData, FillBlock) and MaybeSetPeerAsAnnouncingHeaderAndIDs.
 */
import { describe, expect, it } from 'vitest';
import { CompactState, initData, MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK, MAX_RECONSTRUCTIONS_IN_FLIGHT } from '../../lib/crawler/compact-state.js';
import { HighBandwidthPeers } from '../../lib/crawler/hb-peers.js';
import { TxStore } from '../../lib/crawler/tx-store.js';
import { validateBlock, POW_LIMITS, isCoinbase } from '../../lib/tx/pow.js';
import { toHex } from '../../lib/wire/hex.js';
import type { CmpctBlockMessage } from '../../lib/wire/messages.js';
import { mineBlock } from '../support/blocks.js';
import { compactOf } from '../support/compact.js';
import { distinctTxs, typicalTxs } from '../support/txs.js';

const TXS = distinctTxs(6, typicalTxs().filter((t) => !isCoinbase(t)));
const BLOCK = mineBlock(TXS);
const storeOf = (txs = TXS): TxStore => {
  const s = new TxStore();
  for (const t of txs) s.add(t);
  return s;
};

describe('reconstruction (InitData, FillBlock)', () => {
  it('rebuilds a block from stored transactions, byte for byte, and it passes the block checks', () => {
    const acts = new CompactState(storeOf(), 60_000).cmpctblock('p', compactOf(BLOCK), 5);
    expect(acts).toHaveLength(1);
    const a = acts[0];
    if (a.type !== 'rebuilt') throw new Error(a.type);
    expect(a.missing).toBe(0);
    expect(toHex(a.block.raw)).toBe(toHex(BLOCK.raw));
    expect([a.block.size, a.block.strippedSize, a.block.weight]).toEqual([BLOCK.size, BLOCK.strippedSize, BLOCK.weight]);
    expect(validateBlock(a.block, POW_LIMITS.regtest)).toEqual({ ok: true });
  });

  it('asks for the missing ones by index and fills them in from blocktxn', () => {
    const state = new CompactState(storeOf([TXS[0], TXS[2], TXS[4]]), 60_000);
    // Prefilled: the coinbase and block tx 3 (TXS[2]); block txs 2, 4, 6 (TXS[1], TXS[3], TXS[5]) are missing.
    expect(state.cmpctblock('p', compactOf(BLOCK, 7n, [0, 3]), 100)).toEqual([{ type: 'getblocktxn', peer: 'p', hash: BLOCK.header.hash, indexes: [2, 4, 6] }]);
    expect(state.has(BLOCK.header.hash)).toBe(true);
    expect(state.blocktxn('q', BLOCK.header.hash, [TXS[1], TXS[3], TXS[5]])[0].type).toBe('ignored');
    const [a] = state.blocktxn('p', BLOCK.header.hash, [TXS[1], TXS[3], TXS[5]]);
    if (a.type !== 'rebuilt') throw new Error(a.type);
    expect([a.missing, a.receivedAt, toHex(a.block.raw)]).toEqual([3, 100, toHex(BLOCK.raw)]);
    expect(state.inFlight).toBe(0);
    // Now nothing is pending: a second answer was not asked for.
    expect(state.blocktxn('p', BLOCK.header.hash, [TXS[1], TXS[3], TXS[5]])[0].type).toBe('ignored');
  });

  it('drops a peer whose blocktxn does not match what was asked (READ_STATUS_INVALID)', () => {
    const state = new CompactState(storeOf([]), 60_000);
    state.cmpctblock('p', compactOf(BLOCK), 0);
    expect(state.blocktxn('p', BLOCK.header.hash, [TXS[0]])).toEqual([expect.objectContaining({ type: 'misbehaved', peer: 'p' })]);
  });

  it('falls back to the whole block on duplicate short ids in the block (READ_STATUS_FAILED)', () => {
    const m = compactOf(BLOCK);
    const dup: CmpctBlockMessage = { ...m, shortIds: [m.shortIds[0], ...m.shortIds.slice(0, -1)] };
    expect(new CompactState(storeOf(), 60_000).cmpctblock('p', dup, 0)).toEqual([expect.objectContaining({ type: 'fallback', why: 'short id collision within the block' })]);
  });

  it('asks for a slot two stored transactions claim, rather than guess (as Core)', () => {
    const m = compactOf(BLOCK);
    // A stored entry with TXS[0]'s wtxid (so its short id) and other bytes, met first: slot 1 has two candidates.
    const collide = storeOf([{ ...TXS[1], wtxid: TXS[0].wtxid }, ...TXS]);
    const r = initData(m, collide);
    expect(r.ok && Array.from(r.slots, (t) => t === undefined)).toEqual([false, true, false, false, false, false, false]);
    expect(new CompactState(collide, 60_000).cmpctblock('p', m, 0)).toEqual([expect.objectContaining({ type: 'getblocktxn', indexes: [1] })]);
  });

  it('takes a transaction delivered twice (two entries, one wtxid) as one candidate', () => {
    const twice = storeOf([...TXS, TXS[0], TXS[3]]);
    expect(twice.size).toBe(TXS.length + 2);
    const acts = new CompactState(twice, 60_000).cmpctblock('p', compactOf(BLOCK), 5);
    expect(acts).toEqual([expect.objectContaining({ type: 'rebuilt', missing: 0 })]);
  });

  it('refuses a compact block whose prefilled indexes leave a slot nothing fills, or that has no transactions', () => {
    const m = compactOf(BLOCK);
    expect(initData({ ...m, prefilled: [{ index: m.shortIds.length + 1, tx: BLOCK.txs[0] }] }, storeOf())).toMatchObject({ ok: false, invalid: true });
    expect(initData({ ...m, shortIds: [], prefilled: [] }, storeOf())).toMatchObject({ ok: false, invalid: true });
  });

  it('bounds reconstructions: one a peer, three a block, MAX_RECONSTRUCTIONS_IN_FLIGHT in all; an overdue one falls back', () => {
    const state = new CompactState(new TxStore(), 60_000);
    const m = compactOf(BLOCK);
    expect(state.cmpctblock('p', m, 0)[0].type).toBe('getblocktxn');
    expect(state.cmpctblock('p', m, 0)[0].type).toBe('ignored');
    for (let i = 1; i < MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK; i++) expect(state.cmpctblock(`q${i}`, m, 0)[0].type).toBe('getblocktxn');
    expect(state.cmpctblock('late', m, 0)[0].type).toBe('ignored');
    const others = Array.from({ length: MAX_RECONSTRUCTIONS_IN_FLIGHT }, (_, i) => mineBlock(TXS.slice(0, 1), { height: 10 + i }));
    const types = others.map((b, i) => state.cmpctblock(`r${i}`, compactOf(b), 10)[0].type);
    expect(state.inFlight).toBe(MAX_RECONSTRUCTIONS_IN_FLIGHT);
    expect(types.filter((t) => t === 'fallback')).toHaveLength(MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK);
    expect(state.expire(59_999)).toEqual([]);
    expect(state.expire(60_000).map((a) => a.type)).toEqual(['fallback', 'fallback', 'fallback']);
    expect(state.expire(60_010)).toHaveLength(MAX_RECONSTRUCTIONS_IN_FLIGHT - MAX_CMPCTBLOCKS_INFLIGHT_PER_BLOCK);
    expect(state.inFlight).toBe(0);
  });
});

describe('high-bandwidth peers (MaybeSetPeerAsAnnouncingHeaderAndIDs)', () => {
  it('asks the last three first deliverers that offered version 2, and tells the oldest when a fourth comes', () => {
    const hb = new HighBandwidthPeers();
    for (const p of ['a', 'b', 'c', 'd']) hb.offered(p, 2n);
    hb.offered('v1', 1n);
    expect(hb.delivered('v1')).toEqual([]);
    expect(hb.delivered('a')).toEqual([{ peer: 'a', announce: true }]);
    expect(hb.delivered('b')).toEqual([{ peer: 'b', announce: true }]);
    expect(hb.delivered('c')).toEqual([{ peer: 'c', announce: true }]);
    // a again: already chosen, now the newest; nothing sent.
    expect(hb.delivered('a')).toEqual([]);
    expect(hb.delivered('d')).toEqual([{ peer: 'b', announce: false }, { peer: 'd', announce: true }]);
    expect(hb.highBandwidth).toEqual(['c', 'a', 'd']);
    hb.down('a');
    expect(hb.highBandwidth).toEqual(['c', 'd']);
  });
});
