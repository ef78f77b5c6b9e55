/**
 * The mempool view through a reorg, against Bitcoin Core 31.1 on regtest: a block confirming the
 * wallet's transactions is invalidated (`invalidateblock`: Core gives them back to its mempool),
 * and a competing branch wins, its first block confirming a double spend of one of them
 * (`generateblock`). The view gives back what left the chain and evicts the double-spent one and
 * its child, and after each step holds what Core's mempool holds (getmempoolinfo: count and
 * vsize). Runs when BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCores, type CoreNode, type CoreTx } from '../support/core.js';
import type { Rpc } from '../support/rpc-node.js';
import { CrawlProcess, type JsonLine } from '../support/crawl-process.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-mempool-reorg.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

/** Core trickles announcements to inbound peers, 5 s on average. */
const LINE_MS = 60_000;

interface MempoolInfo {
  readonly size: number;
  readonly bytes: number;
}

describe.skipIf(!BITCOIND)('the mempool view through a reorg, against Bitcoin Core 31.1', () => {
  let node: CoreNode;
  let wallet: Rpc;
  let mineTo: string;
  let crawler: CrawlProcess;
  const blockLine = (hash: string) => crawler.waitLine((l) => l.event === 'block' && l.hash === hash, `block ${hash}`, LINE_MS);
  const confirmed = (txid: string, block: string) => crawler.lines.all.filter((l) => l.event === 'confirmed' && l.txid === txid && l.block === block);
  /** The first mempool line after `line` holds what Core's mempool holds. */
  const sameAsCore = async (line: JsonLine, what: string): Promise<void> => {
    const info = await node.rpc<MempoolInfo>('getmempoolinfo');
    const stats = await crawler.lines.wait((l) => l.event === 'mempool', LINE_MS, `mempool line (${what})`, crawler.lines.all.indexOf(line) + 1);
    expect({ count: stats.count, vsize: stats.vsize }, what).toEqual({ count: info.size, vsize: info.bytes });
  };

  beforeAll(async () => {
    [node] = await startCores([{ bitcoind: BITCOIND! }]);
    await node.rpc('createwallet', { wallet_name: 'w', load_on_startup: true });
    wallet = node.wallet('w');
    mineTo = await wallet<string>('getnewaddress', ['', 'bech32']);
    await node.rpc('generatetoaddress', [110, mineTo]);
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', node.p2p, '--emit', 'tx,peer,block,reorg,confirmed,evicted', '--mempool-stats', '0.3']);
    await crawler.waitLine((l) => l.event === 'peer' && l.state === 'up', 'peer up', 30_000);
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await node?.stop();
  });

  it('gives back an invalidated block\'s transactions when a competing branch wins, evicting the one that branch double-spent, and its child', async () => {
    const send = async (inputs: { txid: string; vout: number }[] | undefined, amount: number): Promise<string> =>
      (await wallet<{ txid: string }>('send', { outputs: [{ [mineTo]: amount }], options: inputs ? { inputs, add_inputs: false } : {} })).txid;
    const [c1, c2, c3] = (await wallet<{ txid: string; vout: number; amount: number }[]>('listunspent', [100])).sort((x, y) => x.txid.localeCompare(y.txid));
    const t1 = await send([c1], 1);
    const t2 = await send([c2], 1);
    const t3 = await send([c3], 1);
    const out = (await node.rpc<CoreTx>('decoderawtransaction', [await node.rpc<string>('getrawtransaction', [t2])])).vout.findIndex((o) => Math.abs(o.value - 1) < 1e-9);
    const child = await send([{ txid: t2, vout: out }], 0.5);
    const txids = [t1, t2, t3, child];
    for (const t of txids) await crawler.waitLine((l) => l.event === 'tx' && l.txid === t, `tx ${t}`, LINE_MS);

    // X1 confirms them all.
    const [x1] = await node.rpc<string[]>('generatetoaddress', [1, mineTo]);
    const x1Line = await blockLine(x1);
    expect(x1Line.seen_txs).toBe(4);
    await sameAsCore(x1Line, 'after X1');
    for (const t of txids) expect(confirmed(t, x1), t).toHaveLength(1);

    // Core drops X1: its transactions are back in Core's mempool. Then Y1 on X1's parent confirms a double spend of t2's input, and Y2 makes that branch the longer.
    await node.rpc('invalidateblock', [x1]);
    expect((await node.rpc<MempoolInfo>('getmempoolinfo')).size).toBe(4);
    const raw = await node.rpc<string>('createrawtransaction', [[{ txid: c2.txid, vout: c2.vout }], [{ [mineTo]: +(c2.amount - 0.001).toFixed(8) }]]);
    const signed = await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw]);
    const doubleSpend = (await node.rpc<CoreTx>('decoderawtransaction', [signed.hex])).txid;
    const { hash: y1 } = await node.rpc<{ hash: string }>('generateblock', [mineTo, [signed.hex]]);
    // Equal work with X1, which the crawler saw first: off its best chain, the view unchanged.
    expect((await blockLine(y1)).stale).toBe(true);
    const { hash: y2 } = await node.rpc<{ hash: string }>('generateblock', [mineTo, []]);
    const y2Line = await blockLine(y2);
    expect(y2Line.stale).toBeUndefined();
    const reorg = await crawler.waitLine((l) => l.event === 'reorg', 'the reorg', LINE_MS);
    expect(reorg).toMatchObject({ old_tip: x1, new_tip: y2, depth: 1 });
    // X1 left: t1, t3 are back; t2 and its child came back and left again, evicted by Y1's double spend.
    const evicted = crawler.lines.all.filter((l) => l.event === 'evicted');
    expect(evicted.map((l) => [l.txid, l.reason, l.by])).toEqual([
      [t2, 'conflict', doubleSpend],
      [child, 'conflict', doubleSpend],
    ]);
    await sameAsCore(y2Line, 'after the reorg');
    expect((await node.rpc<string[]>('getrawmempool')).sort()).toEqual([t1, t3].sort());

    // Z confirms what is left: confirmed again, in Z.
    const [z] = await node.rpc<string[]>('generatetoaddress', [1, mineTo]);
    const zLine = await blockLine(z);
    expect(zLine.seen_txs).toBe(2);
    await sameAsCore(zLine, 'after Z');
    for (const t of [t1, t3]) expect(confirmed(t, z), t).toHaveLength(1);
  }, 300_000);
});
