/**
 * Compact blocks (BIP 152) against Bitcoin Core 31.1 on regtest: two connected nodes, one crawler
 * dialling both. A lone new block announced by headers is asked for as a compact block
 * (low-bandwidth mode, as Core's HeadersDirectFetchBlocks asks). Once a node has delivered a new
 * block to the crawler first, the crawler asks it for high-bandwidth mode (Core's getpeerinfo:
 * bip152_hb_from); a block then mined with wallet
 * transactions the crawler had already printed arrives as cmpctblock and is rebuilt with nothing
 * missing, and Core sends no `block` message for it. Runs when BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlerPeer, startWalletPair, type CoreNode } from '../support/core.js';
import type { Rpc } from '../support/rpc-node.js';
import { until } from '../support/harness.js';
import { CrawlProcess, type JsonLine } from '../support/crawl-process.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-compact.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

/** Core trickles transaction invs to inbound peers, 5 s on average. */
const LINE_MS = 60_000;
/** Coinbases mined to the wallet; 10 mature (COINBASE_MATURITY is 100). */
const INITIAL_BLOCKS = 110;

const isUp = (peer: string) => (l: JsonLine) => l.event === 'peer' && l.state === 'up' && l.peer === peer;
const isBlock = (hash: string) => (l: JsonLine) => l.event === 'block' && l.hash === hash;


describe.skipIf(!BITCOIND)('compact blocks against Bitcoin Core 31.1', () => {
  let a: CoreNode;
  let b: CoreNode;
  let wallet: Rpc;
  let mineTo: string;
  let crawler: CrawlProcess;
  /** The node the crawler asked for high-bandwidth mode. */
  let hb: CoreNode;

  beforeAll(async () => {
    ({ a, b, wallet, mineTo } = await startWalletPair(BITCOIND!, INITIAL_BLOCKS));
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', `${a.p2p},${b.p2p}`, '--emit', 'tx,peer,block']);
    await Promise.all([crawler.waitLine(isUp(a.p2p), 'a up', 30_000), crawler.waitLine(isUp(b.p2p), 'b up', 30_000)]);
    // Core announces a block by headers (and so learns that we hold it: its pindexBestHeaderSent,
    // which a cmpctblock for the next one needs, net_processing.cpp NewPoWValidBlock) only once it
    // has our sendheaders; we send it after the first headers exchange, as Core's
    // MaybeSendSendHeaders does. Mining before that is a race this test does not mean to run.
    for (const node of [a, b]) {
      await until(`${node.p2p} has our sendheaders`, 30_000, async () => (((await crawlerPeer(node))?.bytesrecv_per_msg.sendheaders ?? 0) > 0 ? true : undefined));
    }
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('asks a lone new block announced by headers as a compact block (low-bandwidth mode), then the node that delivered it first for high-bandwidth mode (bip152_hb_from)', async () => {
    // Before any block: low-bandwidth only.
    expect((await crawlerPeer(a))?.bip152_hb_from).toBe(false);
    const [hash] = await a.rpc<string[]>('generatetoaddress', [1, mineTo]);
    const line = await crawler.waitLine(isBlock(hash), 'the first block', LINE_MS);
    // Announced by headers to a low-bandwidth peer and asked for by getdata(MSG_CMPCT_BLOCK), as
    // Core asks (HeadersDirectFetchBlocks): its one transaction, the coinbase, came prefilled.
    expect(line).toMatchObject({ height: INITIAL_BLOCKS + 1, compact: { missing: 0 } });
    for (const node of [a, b]) {
      const info = await crawlerPeer(node);
      // Neither node sent a whole block; the one that delivered it sent a cmpctblock.
      expect(info?.bytessent_per_msg.block ?? 0, node.p2p).toBe(0);
      if (node.p2p === (line.seen as { peer: string }).peer) expect(info?.bytessent_per_msg.cmpctblock ?? 0).toBeGreaterThan(0);
    }
    const from = line.seen as { peer: string };
    const deliverer = from.peer === a.p2p ? a : b;
    await until('Core listing the crawler as asking for high-bandwidth compact blocks', LINE_MS, async () => ((await crawlerPeer(deliverer))?.bip152_hb_from ? true : undefined));
    hb = deliverer;
  }, 2 * LINE_MS);

  it('rebuilds a block of transactions it had printed from the cmpctblock, missing none, and Core sends no block message for it', async () => {
    const txids: string[] = [];
    for (const amount of [0.1, 0.2, 0.3]) txids.push(await wallet<string>('sendtoaddress', [mineTo, amount]));
    for (const txid of txids) await crawler.waitLine((l) => l.event === 'tx' && l.txid === txid, `tx ${txid}`, LINE_MS);
    // Mined by the high-bandwidth node (it announces new blocks to us by cmpctblock), once the wallet's transactions reached it.
    await until('the transactions in the miner\'s mempool', LINE_MS, async () => {
      const pool = await hb.rpc<string[]>('getrawmempool');
      return txids.every((t) => pool.includes(t)) ? true : undefined;
    });
    const before = await crawlerPeer(hb);
    const [hash] = await hb.rpc<string[]>('generatetoaddress', [1, mineTo]);
    const line = await crawler.waitLine(isBlock(hash), 'the block of three transactions', LINE_MS);
    expect(line).toMatchObject({ height: INITIAL_BLOCKS + 2, tx_count: 4, merkle_ok: true, compact: { missing: 0 }, seen: { peer: hb.p2p } });
    expect(line.txids).toEqual(expect.arrayContaining(txids));
    const after = await crawlerPeer(hb);
    expect(after?.bytessent_per_msg.cmpctblock ?? 0).toBeGreaterThan(before?.bytessent_per_msg.cmpctblock ?? 0);
    expect(after?.bytessent_per_msg.block ?? 0).toBe(before?.bytessent_per_msg.block ?? 0);
    expect(after?.bytesrecv_per_msg.getdata ?? 0).toBe(before?.bytesrecv_per_msg.getdata ?? 0);
  }, 6 * LINE_MS);

  it('asks getblocktxn for a transaction it never saw (mined by generateblock, never relayed), and prints the block with compact.missing 1', async () => {
    const [coin] = await wallet<{ txid: string; vout: number; amount: number }[]>('listunspent');
    const raw = await wallet<string>('createrawtransaction', [[{ txid: coin.txid, vout: coin.vout }], { [mineTo]: Number((coin.amount - 0.0001).toFixed(8)) }]);
    const { hex } = await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw]);
    const { txid } = await hb.rpc<{ txid: string }>('decoderawtransaction', [hex]);
    const before = await crawlerPeer(hb);
    const { hash } = await hb.rpc<{ hash: string }>('generateblock', [mineTo, [hex]]);
    const line = await crawler.waitLine(isBlock(hash), 'the block of an unseen transaction', LINE_MS);
    expect(line).toMatchObject({ tx_count: 2, merkle_ok: true, compact: { missing: 1 }, seen: { peer: hb.p2p } });
    expect(line.txids).toContain(txid);
    const after = await crawlerPeer(hb);
    expect(after?.bytessent_per_msg.blocktxn ?? 0).toBeGreaterThan(before?.bytessent_per_msg.blocktxn ?? 0);
    expect(after?.bytessent_per_msg.block ?? 0).toBe(before?.bytessent_per_msg.block ?? 0);
  }, 2 * LINE_MS);
});
