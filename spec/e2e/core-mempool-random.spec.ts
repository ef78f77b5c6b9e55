/**
 * The mempool monitor against Bitcoin Core 31.1, driven by fast-check: random sequences of what
 * wallets and miners do (sends of every output type, bumpfee, full-RBF replacements of any
 * transaction, CPFP children, version 3 (TRUC) parents and children, a second child evicting the
 * first, blocks, a double spend mined with generateblock, a reorg as another miner's longer
 * branch arrives). The expected lines are not written per action: they come from Core's own
 * mempool before and after each step (getrawmempool true), so that whatever the sequence, every
 * transaction Core took gets a tx line, every one that left gets one line saying how (replaced,
 * with its fee and BIP 125 signal as Core had them; confirmed in that block; evicted for a
 * conflict), and then the view's count and vsize are Core's. Two crawlers watch: one with --rpc
 * (every fee Core's), one without (a fee exactly when every input spends a transaction it saw:
 * one in the mempool, or of a block it received, coinbases included). Runs when BITCOIND names a
 * bitcoind binary.
 *
 * Core trickles announcements to an inbound peer (5 s on average); a peer with the noban
 * permission gets them at once (net_processing.cpp SendMessages: fSendTrickle), so the node
 * whitelists loopback and a step takes a fraction of a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connectCore, startCores, waitSameTip, type CoreNode, type CoreTx } from '../support/core.js';
import { until } from '../support/harness.js';
import { RPC_PASSWORD, RPC_USER, type Rpc } from '../support/rpc-node.js';
import { CrawlProcess, type JsonLine } from '../support/crawl-process.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-mempool-random.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

const LINE_MS = 30_000;
const sats = (btc: number): number => Math.round(btc * 1e8);
const btc = (s: number): number => +(s / 1e8).toFixed(8);

/** getrawmempool true: the fields read here. */
interface Entry {
  readonly vsize: number;
  readonly fees: { readonly base: number; readonly ancestor: number; readonly descendant: number };
  readonly ancestorsize: number;
  readonly spentby: readonly string[];
  /** Its parents in the mempool. */
  readonly depends: readonly string[];
  readonly ancestorcount: number;
  readonly 'bip125-replaceable': boolean;
}
type Mempool = Record<string, Entry>;

type Action =
  | { kind: 'send'; type: string; replaceable: boolean; feeRate: number; cents: number }
  | { kind: 'bump'; pick: number }
  | { kind: 'rbf'; pick: number }
  | { kind: 'cpfp'; pick: number; feeRate: number }
  | { kind: 'mine' }
  | { kind: 'conflict'; pick: number }
  | { kind: 'reorg'; share: number; seed: number }
  | { kind: 'truc'; pick: number; fee: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), type: fc.constantFrom('bech32', 'legacy', 'p2sh-segwit', 'bech32m'), replaceable: fc.boolean(), feeRate: fc.integer({ min: 1, max: 40 }), cents: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bump' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rbf' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cpfp' as const), pick: fc.nat(), feeRate: fc.integer({ min: 20, max: 200 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'mine' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('conflict' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reorg' as const), share: fc.integer({ min: 0, max: 100 }), seed: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truc' as const), pick: fc.nat(), fee: fc.integer({ min: 500, max: 30_000 }) }) },
);

describe.skipIf(!BITCOIND)('the mempool monitor against Bitcoin Core 31.1, random wallet and miner steps', () => {
  let core: CoreNode;
  /** Another miner, with core's chain and mempool (it dials core), whose branch wins a reorg. */
  let other: CoreNode;
  let wallet: Rpc;
  let mineTo: string;
  /** With --rpc to core, and without. */
  let withRpc: CrawlProcess;
  let plain: CrawlProcess;
  /** What each kind of step did (skipped: nothing to do it to, or Core refused it), for the log. */
  const done: Record<string, number> = {};
  /** The version 3 (TRUC, BIP 431) parents made, with two outputs each. */
  const trucParents = new Set<string>();

  beforeAll(async () => {
    [core, other] = await startCores([0, 1].map(() => ({ bitcoind: BITCOIND!, args: ['-whitelist=noban@127.0.0.1'] })));
    await connectCore(other, core);
    await core.rpc('createwallet', { wallet_name: 'w' });
    wallet = core.wallet('w');
    mineTo = await wallet<string>('getnewaddress', ['', 'bech32']);
    // 200 blocks: 100 mature coinbases.
    await core.rpc('generatetoaddress', [200, mineTo]);
    await waitSameTip([core, other]);
    const args = ['--network', 'regtest', '--peers', core.p2p, '--emit', 'tx,block,replaced,confirmed,evicted', '--mempool-stats', '0.2'];
    withRpc = new CrawlProcess([...args, '--rpc', `http://${RPC_USER}:${RPC_PASSWORD}@127.0.0.1:${core.rpcPort}/`]);
    plain = new CrawlProcess(args);
    await Promise.all([withRpc, plain].map((c) => c.waitLine((l) => l.event === 'mempool', 'first mempool line', LINE_MS)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([withRpc?.stop(), plain?.stop()]);
    await Promise.all([core?.stop(), other?.stop()]);
  });

  const mempool = (): Promise<Mempool> => core.rpc<Mempool>('getrawmempool', [true]);
  /** Any transaction of the wallet's, in the mempool or confirmed (the node keeps no txindex). */
  const tx = async (txid: string): Promise<CoreTx> => (await wallet<{ decoded: CoreTx }>('gettransaction', [txid, false, true])).decoded;
  /** A raw transaction spending `txid`'s first input's outpoint alone, paying `fee` satoshis; undefined if its value cannot pay it. */
  const spendSame = async (txid: string, fee: number): Promise<string | undefined> => {
    const input = (await tx(txid)).vin[0];
    if (input.txid === undefined || input.vout === undefined) return undefined;
    const value = sats((await tx(input.txid)).vout[input.vout].value);
    // (Well above dust: what is left pays a P2WPKH output.)
    if (value - fee < 10_000) return undefined;
    const raw = await core.rpc<string>('createrawtransaction', [[{ txid: input.txid, vout: input.vout, sequence: 0xffffffff }], [{ [mineTo]: btc(value - fee) }]]);
    return (await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw])).hex;
  };
  /** Core refused it (a bump with nothing to bump with, a replacement its rules refuse): the step did nothing. */
  const refused = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

  /** Does the step to Core; the hashes of the blocks it mined (whose confirmed lines name them). */
  async function step(a: Action, before: Mempool): Promise<{ blocks: string[]; did: boolean }> {
    const txids = Object.keys(before).sort();
    const pick = (n: number, from: string[]): string | undefined => (from.length === 0 ? undefined : from[n % from.length]);
    switch (a.kind) {
      case 'send': {
        const to = await wallet<string>('getnewaddress', ['', a.type]);
        const r = await refused(wallet<{ txid: string }>('send', { outputs: [{ [to]: a.cents / 100 }], options: { fee_rate: a.feeRate, replaceable: a.replaceable } }));
        return { blocks: [], did: r !== undefined };
      }
      case 'bump': {
        const t = pick(a.pick, txids.filter((t) => before[t]['bip125-replaceable'] && before[t].spentby.length === 0));
        return { blocks: [], did: t !== undefined && (await refused(wallet('bumpfee', [t]))) !== undefined };
      }
      case 'rbf': {
        // Full RBF (Core 28+): any transaction, signalling or not, with a fee paying for what leaves.
        const t = pick(a.pick, txids);
        const hex = t && (await spendSame(t, 2 * sats(before[t].fees.descendant) + 50_000));
        return { blocks: [], did: hex !== undefined && (await refused(core.rpc('sendrawtransaction', [hex]))) !== undefined };
      }
      case 'cpfp': {
        const unconfirmed = await wallet<{ txid: string; vout: number }[]>('listunspent', [0, 0]);
        const u = unconfirmed.length === 0 ? undefined : unconfirmed[a.pick % unconfirmed.length];
        const to = await wallet<string>('getnewaddress');
        const r = u && (await refused(wallet('sendall', { recipients: [to], fee_rate: a.feeRate, options: { inputs: [{ txid: u.txid, vout: u.vout }] } })));
        return { blocks: [], did: r !== undefined };
      }
      case 'mine':
        return { blocks: await core.rpc<string[]>('generatetoaddress', [1, mineTo]), did: true };
      case 'conflict': {
        // A block with a double spend of a view transaction that spends a confirmed output (the block must be valid without it).
        const t = pick(a.pick, txids.filter((t) => before[t].fees.ancestor === before[t].fees.base));
        const hex = t && (await spendSame(t, 10_000));
        if (hex === undefined) return { blocks: [], did: false };
        const { hash } = await core.rpc<{ hash: string }>('generateblock', [mineTo, [hex]]);
        return { blocks: [hash], did: true };
      }
      case 'truc': {
        // A child of a TRUC parent in the mempool, paying `fee` (a second child evicts the first
        // if it pays enough: Core's sibling eviction; one spending the first child's output
        // replaces it); with none, a new parent of a confirmed coin.
        const v3 = async (inputs: { txid: string; vout: number }[], outputs: Record<string, number>[]): Promise<string | undefined> => {
          const raw = await core.rpc<string>('createrawtransaction', [inputs, outputs, 0, false, 3]);
          return refused(core.rpc<string>('sendrawtransaction', [(await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw])).hex]));
        };
        const parent = pick(a.pick, txids.filter((t) => trucParents.has(t)));
        if (parent !== undefined) {
          const vout = a.fee % 2;
          const value = sats((await tx(parent)).vout[vout].value);
          if (value - a.fee < 10_000) return { blocks: [], did: false };
          return { blocks: [], did: (await v3([{ txid: parent, vout }], [{ [await wallet<string>('getnewaddress')]: btc(value - a.fee) }])) !== undefined };
        }
        const coins = await wallet<{ txid: string; vout: number; amount: number }[]>('listunspent', [1]);
        if (coins.length === 0) return { blocks: [], did: false };
        const c = coins[a.pick % coins.length];
        const half = btc(Math.floor((sats(c.amount) - a.fee) / 2));
        const made = await v3([c], [{ [await wallet<string>('getnewaddress')]: half }, { [await wallet<string>('getnewaddress')]: half }]);
        if (made !== undefined) trucParents.add(made);
        return { blocks: [], did: made !== undefined };
      }
      case 'reorg': {
        // As a P2P observer meets one: core mines a block of its mempool while the other miner
        // mines two on the same tip, the first with `share` percent of that mempool (and their
        // ancestors); core then takes the longer branch in one ActivateBestChain: its block's
        // transactions come back, those the branch confirmed leave. (invalidateblock would not
        // do: Core trims its mempool at the lower tip it stops at, which no peer ever sees.)
        const held = new Set(txids);
        await until('the other miner holding core\'s mempool', LINE_MS, async () => {
          const its = await other.rpc<string[]>('getrawmempool');
          return its.length === held.size && its.every((t) => held.has(t)) ? true : undefined;
        });
        let x = a.seed;
        const shared = new Set(txids.filter(() => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 100) < a.share));
        // With their mempool ancestors (a block holds a child after its parent: by ancestor count).
        const queue = [...shared];
        while (queue.length > 0) {
          for (const p of before[queue.pop()!].depends) {
            if (shared.has(p)) continue;
            shared.add(p);
            queue.push(p);
          }
        }
        const ordered = [...shared].sort((p, q) => before[p].ancestorcount - before[q].ancestorcount);
        await other.rpc('setnetworkactive', [false]);
        // (Its connections close after the call returns: core's block must not reach it.)
        await until('the other miner offline', LINE_MS, async () => ((await other.rpc<number>('getconnectioncount')) === 0 ? true : undefined));
        const [first] = await core.rpc<string[]>('generatetoaddress', [1, mineTo]);
        const to = await wallet<string>('getnewaddress');
        await other.rpc('generateblock', [to, ordered]);
        const { hash } = await other.rpc<{ hash: string }>('generateblock', [to, []]);
        await other.rpc('setnetworkactive', [true]);
        await connectCore(other, core);
        await waitSameTip([core, other]);
        return { blocks: [first, hash], did: true };
      }
    }
  }

  /** The transactions of the blocks `crawler` printed (their outputs it knows without --rpc). */
  const received = (crawler: CrawlProcess): Set<string> => new Set(crawler.lines.all.flatMap((l) => (l.event === 'block' ? (l.txids as string[]) : [])));

  /**
   * After a step from line `from` of `crawler`'s: the lines say what Core did, and the view is
   * Core's mempool. `rpc`: the crawler asks core for outputs (every fee is known).
   */
  async function check(crawler: CrawlProcess, rpc: boolean, a: Action, before: Mempool, after: Mempool, blocks: readonly string[], from: number): Promise<void> {
    const what = `${JSON.stringify(a)} (${rpc ? 'with' : 'without'} --rpc)`;
    const wait = (match: (l: JsonLine) => boolean, w: string): Promise<JsonLine> => crawler.waitLine(match, `${w} after ${what}`, LINE_MS, from);
    let last = from;
    const seen = (l: JsonLine): void => void (last = Math.max(last, crawler.lines.all.indexOf(l)));
    for (const hash of blocks) seen(await wait((l) => l.event === 'block' && l.hash === hash, `block ${hash}`));
    /** Each mined transaction's block. */
    const mined = new Map<string, string>();
    for (const hash of blocks) for (const t of (await core.rpc<{ tx: string[] }>('getblock', [hash, 1])).tx) mined.set(t, hash);
    // A reorg's transactions come back to Core's mempool without a tx line (the view takes them back too).
    const added = a.kind === 'reorg' ? [] : Object.keys(after).filter((t) => !(t in before));
    for (const t of added) {
      const l = await wait((l) => l.event === 'tx' && l.txid === t, `tx ${t}`);
      seen(l);
      const e = after[t];
      // Without --rpc, known exactly when every input spends a transaction the crawler saw.
      const parents = (await core.rpc<CoreTx>('getrawtransaction', [t, 1])).vin.map((v) => v.txid ?? '');
      const known = rpc || parents.every((p) => p in before || p in after || received(crawler).has(p));
      expect(l.fee, `fee of ${t} after ${what}`).toBe(known ? sats(e.fees.base) : undefined);
      if (e.fees.ancestor !== e.fees.base && known && (rpc || l.effective_feerate !== undefined)) expect(l.effective_feerate, `effective feerate of ${t} after ${what}`).toBeCloseTo(sats(e.fees.ancestor) / e.ancestorsize, 2);
      else if (e.fees.ancestor === e.fees.base) expect(l.effective_feerate, `${t} has no unconfirmed parent after ${what}`).toBeUndefined();
    }
    const left = a.kind === 'reorg' ? [] : Object.keys(before).filter((t) => !(t in after));
    for (const t of left) {
      const l = await wait((l) => (l.event === 'replaced' || l.event === 'confirmed' || l.event === 'evicted') && l.txid === t, `the line of ${t} leaving`);
      seen(l);
      if (mined.has(t)) expect(l, `${t} mined after ${what}`).toMatchObject({ event: 'confirmed', block: mined.get(t) });
      else if (blocks.length > 0) expect(l, `${t} conflicting with a block after ${what}`).toMatchObject({ event: 'evicted', reason: 'conflict', by: expect.toSatisfy((by: string) => mined.has(by)) });
      else expect(l, `${t} replaced after ${what}`).toMatchObject({ event: 'replaced', rbf_signaled: before[t]['bip125-replaceable'] });
      // A replaced or evicted line's fee, when printed, is Core's (with --rpc, always printed; a confirmed line has none).
      if (l.event !== 'confirmed' && (rpc || l.fee !== undefined)) expect(l.fee, `fee of ${t} leaving after ${what}`).toBe(sats(before[t].fees.base));
      if (l.event === 'replaced') {
        expect(added, `${t} replaced by a transaction Core took after ${what}`).toContain(l.by);
        if (rpc || l.by_fee !== undefined) expect(l.by_fee, `the fee of what replaced ${t} after ${what}`).toBe(sats(after[l.by as string].fees.base));
      }
      // A descendant names the ancestor it left with, which left too.
      if (l.ancestor !== undefined) expect(left, `${t}'s ancestor after ${what}`).toContain(l.ancestor);
    }
    const info = await core.rpc<{ size: number; bytes: number }>('getmempoolinfo');
    const stats = await crawler.waitLine((l) => l.event === 'mempool', `a mempool line after ${what}`, LINE_MS, last + 1);
    expect({ count: stats.count, vsize: stats.vsize }, `the view after ${what}`).toEqual({ count: info.size, vsize: info.bytes });
    // One line for each that left, none for any other (up to the mempool line: the step's work is done by then).
    const gone = crawler.lines.all.slice(from, crawler.lines.all.indexOf(stats)).filter((l) => l.event === 'replaced' || l.event === 'evicted' || l.event === 'confirmed');
    if (a.kind !== 'reorg') expect(gone.map((l) => l.txid).sort(), `lines of what left after ${what}`).toEqual([...left].sort());
  }

  it('prints what Core did at every step, and holds what Core holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 14 }), async (actions) => {
        for (const a of actions) {
          const before = await mempool();
          const from = [withRpc.lines.all.length, plain.lines.all.length];
          const { blocks, did } = await step(a, before);
          const key = `${a.kind}${did ? '' : ' (skipped)'}`;
          done[key] = (done[key] ?? 0) + 1;
          const after = await mempool();
          if (Object.keys(before).some((t) => !(t in after))) done[`${a.kind}, some left`] = (done[`${a.kind}, some left`] ?? 0) + 1;
          await check(withRpc, true, a, before, after, blocks, from[0]);
          await check(plain, false, a, before, after, blocks, from[1]);
        }
      }),
      { numRuns: 12, endOnFailure: true },
    );
    console.log(`core-mempool-random: steps ${JSON.stringify(done)}`);
    // The runs did each kind of thing (~100 steps: each of these is missing with a chance below 1e-5).
    const n = (...kinds: string[]): number => kinds.reduce((sum, k) => sum + (done[k] ?? 0), 0);
    expect({ sends: n('send') > 0, replacements: n('bump', 'rbf') > 0, children: n('cpfp') > 0, blocks: n('mine', 'conflict', 'reorg') > 0 }).toEqual({ sends: true, replacements: true, children: true, blocks: true });
  }, 600_000);
});
