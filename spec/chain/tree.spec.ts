/** The header tree (lib/chain): Core's header rules, chain work, the best tip, its bound. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ANCHORS, CHAIN_PARAMS, anchorBytes, type ChainParams } from '../../lib/chain/params.js';
import { HeaderTree, MAX_FUTURE_BLOCK_TIME } from '../../lib/chain/tree.js';
import { blockProof, calculateNextWorkRequired, compactFromTarget } from '../../lib/chain/work.js';
import { checkProofOfWork, targetFromBits } from '../../lib/tx/pow.js';
import { readBlockHeader } from '../../lib/wire/block.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import type { BlockHeader } from '../../lib/wire/model.js';
import { ByteReader } from '../../lib/wire/reader.js';
import { NETWORK_NAMES } from '../../lib/wire/network.js';
import { mineHeader, REGTEST_GENESIS } from '../support/blocks.js';

const NOW = 1_800_000_000;
const regtest = CHAIN_PARAMS.regtest;

/** `n` headers on `prev`, ten minutes apart. */
function chainOn(prev: BlockHeader, n: number, opts: { bits?: number; spacing?: number; nonceSalt?: number } = {}): BlockHeader[] {
  const out: BlockHeader[] = [];
  for (let i = 0; i < n; i++) {
    const h = mineHeader(prev, { time: prev.time + (opts.spacing ?? 600), bits: opts.bits, merkleRoot: new Uint8Array(32).fill(opts.nonceSalt ?? 1) });
    out.push(h);
    prev = h;
  }
  return out;
}

function addAll(tree: HeaderTree, headers: readonly BlockHeader[], now = NOW): void {
  for (const h of headers) {
    const r = tree.add(h, now);
    if (!r.ok) throw new Error(`refused: ${r.why}`);
  }
}

describe('compiled-in anchors', () => {
  // The hashes block explorers and Core's chainparams.cpp give for these blocks.
  const expected = {
    mainnet: '000000000000000000001daacd23f9cb40c69ba923085618a5f9dbdd4d97e93a',
    testnet: '000000000000005c71b09ca1e576a87a65c0ce9ae5ffb1e490d9689037cfee09',
    testnet4: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
    signet: '000000dfc3bdbc9c5feff26524c26cc542e47a0ff13f5944ccc5a3292a746b70',
    regtest: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  };
  it.each(NETWORK_NAMES)('%s: a real header at a retarget boundary that proves its own work', (net) => {
    const a = ANCHORS[net];
    const h = readBlockHeader(new ByteReader(anchorBytes(a)));
    expect(toReversedHex(h.hash)).toBe(expected[net]);
    expect(a.height % 2016).toBe(0);
    expect(checkProofOfWork(h.hash, h.bits, CHAIN_PARAMS[net].powLimit)).toBe(true);
    expect(a.chainwork).toBeGreaterThanOrEqual(blockProof(h.bits));
    expect(new HeaderTree(CHAIN_PARAMS[net]).best.height).toBe(a.height);
  });
});

describe('the mainnet anchor against Core', () => {
  it("its chain work plus blocks 822,529–824,000 (one period, same bits) is Core's nMinimumChainWork at 824,000", () => {
    // src/kernel/chainparams.cpp (v27): nMinimumChainWork 0x…63c4ebd298db40af57541800, defaultAssumeValid block 824,000.
    const anchor = readBlockHeader(new ByteReader(anchorBytes(ANCHORS.mainnet)));
    expect(ANCHORS.mainnet.chainwork + BigInt(824_000 - 822_528) * blockProof(anchor.bits)).toBe(0x63c4ebd298db40af57541800n);
  });
});

describe('difficulty arithmetic (src/test/pow_tests.cpp, real mainnet retargets)', () => {
  const main = CHAIN_PARAMS.mainnet;
  it.each([
    // [last block's bits, its time, the period's first block's time, expected bits]
    ['get_next_work (block 32255)', 0x1d00ffff, 1262152739, 1261130161, 0x1d00d86a],
    ['get_next_work_pow_limit (block 2015)', 0x1d00ffff, 1233061996, 1231006505, 0x1d00ffff],
    ['get_next_work_lower_limit_actual (block 68543)', 0x1c05a3f4, 1279297671, 1279008237, 0x1c0168fd],
    ['get_next_work_upper_limit_actual (block 46367)', 0x1c387f6f, 1269211443, 1263163443, 0x1d00e1fd],
  ])('%s', (_name, bits, lastTime, firstTime, want) => {
    expect(calculateNextWorkRequired(bits, lastTime, firstTime, bits, main).toString(16)).toBe(want.toString(16));
  });

  it('GetCompact inverts SetCompact on normalized targets, and block proof is 2^256 / (target + 1)', () => {
    for (const bits of [0x1d00ffff, 0x1703e8b3, 0x207fffff, 0x1e014e2a, 0x1a00ffff]) expect(compactFromTarget(targetFromBits(bits).target)).toBe(bits);
    // Each powLimit as the compact bits GetNextWorkRequired compares (nProofOfWorkLimit).
    expect(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest'].map((n) => compactFromTarget(CHAIN_PARAMS[n as 'mainnet'].powLimit).toString(16))).toEqual(['1d00ffff', '1d00ffff', '1d00ffff', '1e0377ae', '207fffff']);
    expect(blockProof(0x1d00ffff)).toBe(0x100010001n);
    expect(blockProof(0x207fffff)).toBe(2n);
    expect(blockProof(0x01810000)).toBe(0n); // negative
  });
});

describe('HeaderTree', () => {
  it('accepts a chain on its anchor, adds up the work and moves the best tip', () => {
    const tree = new HeaderTree(regtest);
    const hs = chainOn(REGTEST_GENESIS, 20);
    addAll(tree, hs);
    expect(tree.best.height).toBe(20);
    expect(tree.best.chainwork).toBe(2n * 21n);
    expect(tree.isOnBestChain(hs[5].hash)).toBe(true);
    expect(tree.depth(hs[5].hash)).toBe(14);
    expect(tree.add(hs[3], NOW)).toMatchObject({ ok: true, added: false });
    const loc = tree.locator().map(toReversedHex);
    expect(loc[0]).toBe(toReversedHex(hs[19].hash));
    expect(loc.at(-1)).toBe(toReversedHex(REGTEST_GENESIS.hash));
    expect(loc.length).toBeLessThan(21);
  });

  it('follows the branch with more work, and tells the fork point', () => {
    const tree = new HeaderTree(regtest);
    const main = chainOn(REGTEST_GENESIS, 5);
    addAll(tree, main);
    const side = chainOn(main[1], 4, { nonceSalt: 9 }); // heights 3..6
    addAll(tree, side.slice(0, 3));
    expect(toReversedHex(tree.best.header.hash)).toBe(toReversedHex(main[4].hash)); // a tie keeps the first seen
    expect(tree.isOnBestChain(side[0].hash)).toBe(false);
    addAll(tree, side.slice(3));
    expect(tree.best.height).toBe(6);
    expect(tree.isOnBestChain(main[4].hash)).toBe(false);
    const fork = tree.forkPoint(tree.get(main[4].hash)!, tree.best);
    expect(fork && toReversedHex(fork.header.hash)).toBe(toReversedHex(main[1].hash));
  });

  it('refuses what Core refuses, with its reasons', () => {
    const tree = new HeaderTree(regtest);
    const hs = chainOn(REGTEST_GENESIS, 12);
    addAll(tree, hs);
    const tip = hs[11];
    // A random parent.
    expect(tree.add(mineHeader({ ...tip, hash: new Uint8Array(32).fill(7) }), NOW)).toEqual({ ok: false, why: 'prev-blk-not-found' });
    // Proof of work short of its own bits.
    let bad = mineHeader(tip);
    for (let n = bad.nonce + 1; checkProofOfWork(bad.hash, bad.bits, regtest.powLimit); n++) bad = { ...bad, nonce: n, hash: rehash({ ...bad, nonce: n }) };
    expect(tree.add(bad, NOW)).toEqual({ ok: false, why: 'high-hash' });
    // Harder bits than the rules ask (regtest never retargets).
    expect(tree.add(mineHeader(tip, { bits: 0x2000ffff }), NOW)).toEqual({ ok: false, why: 'bad-diffbits' });
    // Not after the median of the last 11 (times are 600 s apart: the median is the 6th from the tip).
    expect(tree.add(mineHeader(tip, { time: hs[6].time }), NOW)).toEqual({ ok: false, why: 'time-too-old' });
    expect(tree.add(mineHeader(tip, { time: hs[6].time + 1 }), NOW)).toMatchObject({ ok: true });
    // More than two hours ahead of our clock.
    expect(tree.add(mineHeader(tip, { time: NOW + MAX_FUTURE_BLOCK_TIME + 1 }), NOW)).toEqual({ ok: false, why: 'time-too-new' });
    expect(tree.add(mineHeader(tip, { time: NOW + MAX_FUTURE_BLOCK_TIME }), NOW)).toMatchObject({ ok: true });
  });

  /** Mainnet's rules on regtest's easy targets, with a short period, from an anchor at bits `anchorBits`. */
  function retargeting(over: Partial<ChainParams>, anchorBits = 0x2000ffff): { params: ChainParams; anchor: BlockHeader } {
    const anchor = mineHeader({ ...REGTEST_GENESIS, hash: new Uint8Array(32) }, { time: 1_700_000_000, bits: anchorBits });
    const hex = Buffer.from(serialize(anchor)).toString('hex');
    const params: ChainParams = {
      ...regtest,
      targetTimespan: 10 * 600,
      retargetInterval: 10,
      noRetargeting: false,
      allowMinDifficultyBlocks: false,
      anchor: { height: 0, header: hex, chainwork: blockProof(anchorBits) },
      ...over,
    };
    return { params, anchor };
  }

  it('retargets at a period boundary from the period first header (pow.cpp CalculateNextWorkRequired)', () => {
    const { params, anchor } = retargeting({});
    const tree = new HeaderTree(params, { maxHeaders: 100, keepDepth: 20 });
    // Blocks twice as fast as the target: the next period's target halves.
    const period = chainOn(anchor, 9, { bits: 0x2000ffff, spacing: 300 });
    addAll(tree, period);
    const want = calculateNextWorkRequired(0x2000ffff, period[8].time, anchor.time, 0x2000ffff, params);
    expect(want).not.toBe(0x2000ffff);
    expect(tree.add(mineHeader(period[8], { bits: 0x2000ffff }), NOW)).toEqual({ ok: false, why: 'bad-diffbits' });
    expect(tree.add(mineHeader(period[8], { bits: want }), NOW)).toMatchObject({ ok: true, node: { height: 10 } });
  });

  it("testnet's 20-minute rule: powLimit after a 20-minute gap, the period's real bits otherwise", () => {
    const { params, anchor } = retargeting({ allowMinDifficultyBlocks: true });
    const tree = new HeaderTree(params, { maxHeaders: 100, keepDepth: 20 });
    const slow = mineHeader(anchor, { time: anchor.time + 1201, bits: 0x207fffff });
    addAll(tree, [slow]);
    expect(tree.add(mineHeader(slow, { time: slow.time + 60, bits: 0x207fffff }), NOW)).toEqual({ ok: false, why: 'bad-diffbits' });
    expect(tree.add(mineHeader(slow, { time: slow.time + 60, bits: 0x2000ffff }), NOW)).toMatchObject({ ok: true });
  });

  it("testnet4's BIP 94: no timestamp at a period start more than 10 minutes before its parent's", () => {
    const { params, anchor } = retargeting({ allowMinDifficultyBlocks: true, enforceBip94: true });
    const tree = new HeaderTree(params, { maxHeaders: 100, keepDepth: 20 });
    const period = chainOn(anchor, 9, { bits: 0x2000ffff, spacing: 600 });
    addAll(tree, period);
    const last = period[8];
    const bits = calculateNextWorkRequired(0x2000ffff, last.time, anchor.time, 0x2000ffff, params);
    expect(tree.add(mineHeader(last, { time: last.time - 601, bits }), NOW)).toEqual({ ok: false, why: 'time-timewarp-attack' });
    expect(tree.add(mineHeader(last, { time: last.time - 600, bits }), NOW)).toMatchObject({ ok: true });
  });

  it('never throws and never outgrows its bound, whatever headers come (fast-check)', () => {
    const limits = { maxHeaders: 60, keepDepth: 20 };
    const { params, anchor } = retargeting({ allowMinDifficultyBlocks: true });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -4000, max: 9000 }), fc.constantFrom(0x2000ffff, 0x207fffff, 0x1d00ffff), fc.boolean()), { maxLength: 150 }),
        (steps) => {
          const tree = new HeaderTree(params, limits);
          const known: BlockHeader[] = [anchor];
          for (const [pick, dt, bits, garbage] of steps) {
            const prev = garbage ? { ...anchor, hash: Uint8Array.from({ length: 32 }, (_, i) => (pick + i) & 0xff) } : known[pick % known.length];
            const h = mineHeader(prev, { time: Math.max(0, prev.time + dt), bits: bits === 0x1d00ffff ? 0x2000ffff : bits, merkleRoot: Uint8Array.of(...new Array<number>(31).fill(0), pick & 0xff) });
            const r = tree.add(h, NOW);
            if (r.ok) known.push(h);
            expect(tree.size).toBeLessThanOrEqual(limits.maxHeaders + 1);
          }
          expect(tree.locator().length).toBeLessThanOrEqual(101);
        },
      ),
      { numRuns: 60 },
    );
  });
});

function serialize(h: BlockHeader): Uint8Array {
  const out = new Uint8Array(80);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, h.version, true);
  out.set(h.prevBlock, 4);
  out.set(h.merkleRoot, 36);
  dv.setUint32(68, h.time, true);
  dv.setUint32(72, h.bits, true);
  dv.setUint32(76, h.nonce, true);
  return out;
}

function rehash(h: Omit<BlockHeader, 'hash'>): Uint8Array {
  return readBlockHeader(new ByteReader(serialize({ ...h, hash: new Uint8Array(32) }))).hash;
}
