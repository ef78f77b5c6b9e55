/**
 * The next projected block against Bitcoin Core 31.1's own block template: a regtest mempool of
 * more than a block (large transactions at distinct feerates, small ones below them to fill the
 * tail, children paying for their parents), every fee known to the crawler (it saw the block that
 * created every coin spent). The first of the mempool line's `projected_blocks` must hold what
 * `getblocktemplate` holds: as many transactions, the same vsize, the same fees. Runs when
 * BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type CoreNode, type CoreUnspent } from '../support/core.js';
import type { Rpc } from '../support/rpc-node.js';
import { CrawlProcess } from '../support/crawl-process.js';
import { outputAddress } from '../../lib/tx/address.js';
import { NETWORKS } from '../../lib/wire/network.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-template.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

/** Core trickles announcements to inbound peers, 5 s on average, a few dozen at a time. */
const LINE_MS = 120_000;
/** Large transactions (each ~9.4 kvB: 300 outputs) and small ones: ~1.4 MvB together, more than a block. */
const LARGE = 140;
const SMALL = 80;
const OUTPUTS = 300;
/** Of the small coins, those spent by a parent a child pays for. */
const CPFP = 5;

interface Template {
  readonly transactions: readonly { readonly txid: string; readonly fee: number; readonly weight: number }[];
}

describe.skipIf(!BITCOIND)('the next projected block against Bitcoin Core 31.1\'s getblocktemplate', () => {
  let node: CoreNode;
  let wallet: Rpc;
  let crawler: CrawlProcess;

  beforeAll(async () => {
    node = await startCore({ bitcoind: BITCOIND! });
    await node.rpc('createwallet', { wallet_name: 'w' });
    wallet = node.wallet('w');
    const mineTo = await wallet<string>('getnewaddress', ['', 'bech32']);
    await node.rpc('generatetoaddress', [110, mineTo]);
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', node.p2p, '--emit', 'block', '--mempool-stats', '0.5']);
    await crawler.waitLine((l) => l.event === 'mempool', 'first mempool line', 30_000);
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await node?.stop();
  });

  it('holds as many transactions, the same vsize and the same fees as Core\'s template, of a mempool larger than a block', async () => {
    // The coins, in one block the crawler receives: then every spender's fee is known to it.
    const fund: Record<string, number>[] = [];
    for (let i = 0; i < LARGE + SMALL; i++) fund.push({ [await wallet<string>('getnewaddress', ['', 'bech32'])]: i < LARGE ? 1 : 0.01 });
    const funding = (await wallet<{ txid: string }>('send', { outputs: fund })).txid;
    const [hash] = await node.rpc<string[]>('generatetoaddress', [1, await wallet<string>('getnewaddress')]);
    await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, 'the funding block', LINE_MS);
    const coins = (await wallet<CoreUnspent[]>('listunspent', [1, 1])).filter((u) => u.txid === funding);
    const large = coins.filter((c) => c.amount === 1);
    const small = coins.filter((c) => c.amount === 0.01);
    expect([large.length, small.length]).toEqual([LARGE, SMALL]);
    // Addresses no wallet owns (P2WPKH of made-up key hashes): the wallet does not track 42,000 outputs of its own, which slowed every send after.
    const payees = Array.from({ length: OUTPUTS }, (_, i) => outputAddress(Uint8Array.of(0, 20, ...new Array<number>(18).fill(7), i >> 8, i & 0xff), NETWORKS.regtest)!);
    // Distinct feerates (sat/vB, 3 decimals): the large ones from 10 up, the small ones below them, so that a block takes the best large ones and fills its tail with small ones.
    for (const [i, c] of large.entries()) {
      await wallet('send', { outputs: payees.map((p) => ({ [p]: 0.003 })), options: { inputs: [{ txid: c.txid, vout: c.vout }], add_inputs: false, fee_rate: +(10 + i * 0.731).toFixed(3) } });
    }
    for (const [i, c] of small.slice(CPFP).entries()) {
      await wallet('send', { outputs: [{ [payees[i]]: 0.005 }], options: { inputs: [{ txid: c.txid, vout: c.vout }], add_inputs: false, fee_rate: +(2 + i * 0.097).toFixed(3) } });
    }
    // Children paying for their parents: a parent at 1 sat/vB (below anything a block takes alone), its one output spent at 150 (their package ~85, well inside the first block).
    const children: string[] = [];
    for (const [i, c] of small.slice(0, CPFP).entries()) {
      const pay = { add_inputs: false, subtract_fee_from_outputs: [0] };
      // The parent pays the wallet, which signs the child.
      const parent = (await wallet<{ txid: string }>('send', { outputs: [{ [await wallet<string>('getnewaddress', ['', 'bech32'])]: 0.01 }], options: { ...pay, inputs: [{ txid: c.txid, vout: c.vout }], fee_rate: 1 } })).txid;
      children.push((await wallet<{ txid: string }>('send', { outputs: [{ [payees[200 + i]]: 0.0099 }], options: { ...pay, inputs: [{ txid: parent, vout: 0 }], fee_rate: 150 } })).txid);
    }
    const held = (await node.rpc<string[]>('getrawmempool')).length;
    expect(held).toBe(LARGE + SMALL + CPFP);
    const line = await crawler.waitLine((l) => l.event === 'mempool' && l.count === held && l.known_fee_count === held, 'a mempool line with every transaction, every fee known', LINE_MS);
    const template = await node.rpc<Template>('getblocktemplate', [{ rules: ['segwit'] }]);
    const vsizes = template.transactions.map((t) => Math.ceil(t.weight / 4));
    // More than a block: Core left some out; it took the children with their parents.
    expect(template.transactions.length).toBeLessThan(held);
    const taken = template.transactions.map((t) => t.txid);
    for (const child of children) expect(taken).toContain(child);
    expect(template.transactions.length).toBeGreaterThan(LARGE / 2);
    const first = (line.projected_blocks as { n_tx: number; vsize: number; total_fee: number }[])[0];
    expect(first).toEqual(expect.objectContaining({ n_tx: template.transactions.length, vsize: vsizes.reduce((x, y) => x + y, 0), total_fee: template.transactions.reduce((x, t) => x + t.fee, 0) }));
    // The rest is in the next block.
    expect((line.projected_blocks as { n_tx: number }[]).reduce((n, b) => n + b.n_tx, 0)).toBe(held);
  }, 600_000);
});
