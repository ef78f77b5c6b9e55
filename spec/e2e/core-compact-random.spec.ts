/**
 * Compact blocks (BIP 152) against Bitcoin Core 31.1, driven by fast-check: four nodes in a mesh,
 * relaying at once (`-whitelist=noban@127.0.0.1`), one crawler dialling all four. Random steps:
 * the wallet sends transactions (relayed: the crawler prints them), or signs some it never relays
 * (hidden), or a random node mines a block (generateblock) of a random part of its mempool, closed
 * under ancestors, and every hidden one, at times cut off from the others while it mines (so that
 * the block comes from it). Whichever node delivers that block, a high-bandwidth peer
 * (cmpctblock unasked) or a low-bandwidth one (headers, then our getdata of MSG_CMPCT_BLOCK, as
 * Core's HeadersDirectFetchBlocks asks), it must be rebuilt: its line says `compact.missing` is
 * the number of hidden transactions in it (asked for by getblocktxn), `seen_txs` and `unseen_txs`
 * the relayed and hidden ones, its txids are Core's, and no node ever sends the crawler a whole
 * block. Runs when BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { connectCore, crawlerPeer, isolate, startCores, waitSameTip, type CoreNode } from '../support/core.js';
import { until } from '../support/harness.js';
import type { Rpc } from '../support/rpc-node.js';
import { CrawlProcess } from '../support/crawl-process.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-compact-random.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

const LINE_MS = 30_000;
/** More nodes than high-bandwidth peers (3): a block's miner is often a low-bandwidth peer of the crawler. */
const NODES = 4;

type Step = { kind: 'send'; n: number } | { kind: 'hide'; n: number } | { kind: 'mine'; node: number; share: number; seed: number; alone: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), n: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hide' as const), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mine' as const), node: fc.integer({ min: 0, max: NODES - 1 }), share: fc.integer({ min: 0, max: 100 }), seed: fc.nat(), alone: fc.boolean() }) },
);

/** A number in [0, 100) from a seed and a txid: which transactions a block takes. */
const draw = (seed: number, txid: string): number => ((Number.parseInt(txid.slice(0, 8), 16) ^ seed) >>> 0) % 100;

describe.skipIf(!BITCOIND)('compact blocks against Bitcoin Core 31.1, random sends, hidden transactions and miners', () => {
  let nodes: CoreNode[];
  let wallet: Rpc;
  let mineTo: string;
  let crawler: CrawlProcess;
  const done: Record<string, number> = {};

  beforeAll(async () => {
    nodes = await startCores(Array.from({ length: NODES }, () => ({ bitcoind: BITCOIND!, args: ['-whitelist=noban@127.0.0.1'] })));
    for (let i = 1; i < NODES; i++) for (let j = 0; j < i; j++) await connectCore(nodes[i], nodes[j]);
    await nodes[0].rpc('createwallet', { wallet_name: 'w' });
    wallet = nodes[0].wallet('w');
    mineTo = await wallet<string>('getnewaddress', ['', 'bech32']);
    // 200 blocks: 100 mature coinbases to send and hide from.
    await nodes[0].rpc('generatetoaddress', [200, mineTo]);
    await waitSameTip(nodes);
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', nodes.map((n) => n.p2p).join(','), '--emit', 'tx,block']);
    // Blocks are announced by headers only once the crawler has sent sendheaders (after its headers sync).
    for (const node of nodes) await until(`${node.p2p} has our sendheaders`, LINE_MS, async () => (((await crawlerPeer(node))?.bytesrecv_per_msg.sendheaders ?? 0) > 0 ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    console.log(`core-compact-random: steps ${JSON.stringify(done)}`);
  });

  /** Signed, never relayed: hex and txid. */
  let hidden: { hex: string; txid: string }[] = [];

  async function run(s: Step): Promise<void> {
    if (s.kind === 'send') {
      const txids: string[] = [];
      for (let i = 0; i < s.n; i++) txids.push(await wallet<string>('sendtoaddress', [mineTo, (i + 1) / 1000]));
      for (const t of txids) await crawler.waitLine((l) => l.event === 'tx' && l.txid === t, `tx ${t}`, LINE_MS);
      done.send = (done.send ?? 0) + 1;
      return;
    }
    if (s.kind === 'hide') {
      for (let i = 0; i < s.n; i++) {
        const [coin] = await wallet<{ txid: string; vout: number; amount: number }[]>('listunspent', [1]);
        if (coin === undefined) break;
        const raw = await wallet<string>('createrawtransaction', [[{ txid: coin.txid, vout: coin.vout }], { [mineTo]: Number((coin.amount - 0.0001).toFixed(8)) }]);
        const { hex } = await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw]);
        // The wallet must not spend it again: it is spent only in the block to come.
        await wallet('lockunspent', [false, [{ txid: coin.txid, vout: coin.vout }]]);
        hidden.push({ hex, txid: (await nodes[0].rpc<{ txid: string }>('decoderawtransaction', [hex])).txid });
      }
      done.hide = (done.hide ?? 0) + 1;
      return;
    }
    const miner = nodes[s.node];
    // Every node holds what the wallet sent (the crawler printed it already).
    const pool = await until('the mempools alike', LINE_MS, async () => {
      const pools = await Promise.all(nodes.map((n) => n.rpc<Record<string, { depends: string[] }>>('getrawmempool', [true])));
      const keys = pools.map((p) => Object.keys(p).sort().join());
      return keys.every((k) => k === keys[0]) ? pools[s.node] : undefined;
    });
    // A random part, closed under ancestors, parents first.
    const taken: string[] = [];
    for (let grew = true; grew; ) {
      grew = false;
      for (const [txid, e] of Object.entries(pool).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (taken.includes(txid) || draw(s.seed, txid) >= s.share || !e.depends.every((d) => taken.includes(d))) continue;
        taken.push(txid);
        grew = true;
      }
    }
    const hid = hidden;
    hidden = [];
    // Which nodes push us new blocks unasked (we asked them for high-bandwidth mode), for the log.
    const hb = new Set<string>();
    for (const n of nodes) if ((await crawlerPeer(n))?.bip152_hb_from === true) hb.add(n.p2p);
    // Alone: cut off from the other nodes while it mines, so that the crawler has the block from
    // it first, pushed if it is a high-bandwidth peer, else announced by headers and asked for.
    if (s.alone) await isolate(miner);
    const { hash } = await miner.rpc<{ hash: string }>('generateblock', [mineTo, [...taken, ...hid.map((h) => h.hex)]]);
    const line = await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, `block ${hash} (mined by node ${s.node})`, LINE_MS);
    const block = await miner.rpc<{ tx: string[] }>('getblock', [hash, 1]);
    expect(line.txids).toEqual(block.tx);
    expect(line, `block ${hash}`).toMatchObject({ merkle_ok: true, compact: { missing: hid.length }, seen_txs: taken.length, unseen_txs: hid.length });
    if (s.alone) for (const n of nodes) if (n !== miner) await connectCore(miner, n);
    await waitSameTip(nodes);
    const from = (line.seen as { peer: string }).peer;
    const how = `mine (${s.alone ? 'alone, ' : ''}${from === miner.p2p ? 'its miner' : 'another node'}, ${hb.has(from) ? 'pushed' : 'asked for'}${hid.length > 0 ? ', some missing' : ''})`;
    done[how] = (done[how] ?? 0) + 1;
  }

  it('rebuilds every block from a cmpctblock, asked for or not, missing exactly the transactions it was never sent; no node sends a whole block', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        for (const s of steps) await run(s);
        // What was hidden and not mined yet goes into the next run's first block.
      }),
      { numRuns: Number(process.env.COMPACT_RANDOM_RUNS ?? 6), endOnFailure: true },
    );
    for (const node of nodes) expect((await crawlerPeer(node))?.bytessent_per_msg.block ?? 0, node.p2p).toBe(0);
  }, 600_000);
});
