/**
 * The mempool monitor against Bitcoin Core 31.1 regtest nodes: a wallet sending every output
 * type, bumpfee twice, a full-RBF replacement of a transaction that did not signal, a CPFP child,
 * a TRUC sibling eviction, and a double spend of a view transaction mined with `generateblock`.
 * After each step the view's count and vsize equal Core's getmempoolinfo; every printed fee
 * equals getmempoolentry's fees.base. Runs when BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWalletPair, type CoreNode, type CoreTx } from '../support/core.js';
import type { Rpc } from '../support/rpc-node.js';
import { until } from '../support/harness.js';
import { CrawlProcess, runCrawl, type JsonLine } from '../support/crawl-process.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-mempool.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

/** Core trickles announcements to inbound peers, 5 s on average. */
const LINE_MS = 60_000;
const sats = (btc: number): number => Math.round(btc * 1e8);

interface MempoolInfo {
  readonly size: number;
  readonly bytes: number;
}
interface MempoolEntry {
  readonly vsize: number;
  readonly fees: { readonly base: number; readonly ancestor: number };
  readonly ancestorsize: number;
}
interface Unspent {
  readonly txid: string;
  readonly vout: number;
  readonly amount: number;
}

describe.skipIf(!BITCOIND)('the mempool monitor against Bitcoin Core 31.1 regtest nodes', () => {
  let a: CoreNode;
  let b: CoreNode;
  let wallet: Rpc;
  let mineTo: string;
  let crawler: CrawlProcess;
  /** Confirmed coins whose creating block the crawler received: spending them, the fee is known. */
  let coins: Unspent[] = [];
  /** Core's fee of every transaction we printed a fee for, read while it was in the mempool. */
  const coreFees = new Map<string, number>();
  /** Transactions every parent of which the crawler saw (a coin of a block it received, or a view transaction): each must have its fee. */
  const parentsSeen = new Set<string>();

  const isTx = (txid: string) => (l: JsonLine) => l.event === 'tx' && l.txid === txid;
  /** Waits for our line of `txid` and reads Core's entry at once (before a replacement removes it). */
  const seen = async (txid: string): Promise<JsonLine> => {
    const line = await crawler.waitLine(isTx(txid), `tx ${txid}`, LINE_MS);
    const entry = await a.rpc<MempoolEntry>('getmempoolentry', [txid]);
    coreFees.set(txid, sats(entry.fees.base));
    if (line.fee !== undefined) expect(line.fee, `fee of ${txid}`).toBe(sats(entry.fees.base));
    return line;
  };
  /** Our view after the last line so far equals Core's mempool. */
  const sameAsCore = async (what: string): Promise<void> => {
    const info = await a.rpc<MempoolInfo>('getmempoolinfo');
    const from = crawler.lines.all.length;
    const line = await crawler.lines.wait((l) => l.event === 'mempool', LINE_MS, `mempool line (${what})`, from);
    expect({ count: line.count, vsize: line.vsize }, what).toEqual({ count: info.size, vsize: info.bytes });
  };
  /** Every input of `txid` spends a coin of the first block (the crawler saw it created). */
  const spendsOnlySeen = async (txid: string): Promise<boolean> => {
    // The wallet's copy: a replaced one is no longer in the mempool.
    const tx = (await wallet<{ decoded: CoreTx }>('gettransaction', [txid, false, true])).decoded;
    return tx.vin.every((v) => firstBlockTxids.has(v.txid ?? ''));
  };
  /** The transactions of the first block the crawler received (the coins' creators). */
  const firstBlockTxids = new Set<string>();
  const coin = (): Unspent => {
    const c = coins.shift();
    if (!c) throw new Error('out of coins');
    return c;
  };
  /** A wallet send spending exactly `inputs`. */
  const send = async (inputs: readonly { txid: string; vout: number }[], amount: number, options: Record<string, unknown> = {}): Promise<string> => {
    const r = await wallet<{ txid: string }>('send', { outputs: [{ [mineTo]: amount }], options: { inputs, add_inputs: false, ...options } });
    return r.txid;
  };

  beforeAll(async () => {
    ({ a, b, wallet, mineTo } = await startWalletPair(BITCOIND!, 110));
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', `${a.p2p},${b.p2p}`, '--emit', 'tx,block,replaced,confirmed,evicted,unseen', '--mempool-stats', '0.3']);
    await crawler.waitLine((l) => l.event === 'mempool', 'first mempool line', 30_000);
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('sends every output type: the view holds what Core holds; a block confirms each, printing confirmed lines', async () => {
    const types = ['legacy', 'p2sh-segwit', 'bech32', 'bech32m'];
    const outputs: Record<string, number>[] = [];
    for (const t of types) for (let i = 0; i < 3; i++) outputs.push({ [await wallet<string>('getnewaddress', ['', t])]: 1 });
    const txids: string[] = [];
    for (const t of types) txids.push(await wallet<string>('sendtoaddress', [await wallet<string>('getnewaddress', ['', t]), 0.5]));
    txids.push((await wallet<{ txid: string }>('send', { outputs })).txid);
    for (const txid of txids) await seen(txid);
    await sameAsCore('after the sends');
    const [hash] = await a.rpc<string[]>('generatetoaddress', [1, mineTo]);
    const block = await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, 'block', LINE_MS);
    expect(block.seen_txs).toBe(txids.length);
    expect(block.unseen_txs).toBe(0);
    for (const txid of txids) await crawler.waitLine((l) => l.event === 'confirmed' && l.txid === txid && l.block === hash, `confirmed ${txid}`, LINE_MS);
    await sameAsCore('after the block');
    // The coins of that block's transactions: the crawler saw them created.
    const unspent = await wallet<Unspent[]>('listunspent', [1, 1]);
    coins = unspent.filter((u) => txids.includes(u.txid) && u.amount >= 0.5);
    for (const t of txids) firstBlockTxids.add(t);
    expect(coins.length).toBeGreaterThanOrEqual(8);
  }, 300_000);

  it('bumpfee twice: one replaced line per replaced transaction, rbf_signaled, with both fees', async () => {
    const t0 = await send([coin()], 0.3, { replaceable: true, fee_rate: 2 });
    parentsSeen.add(t0);
    const l0 = await seen(t0);
    expect(l0.fee).toBe(coreFees.get(t0));
    expect(l0.feerate).toBeCloseTo((l0.fee as number) / (l0.vsize as number), 3);
    expect((l0.vin as { prevout?: { value: number } }[])[0].prevout?.value).toBeGreaterThan(0);
    const t1 = (await wallet<{ txid: string }>('bumpfee', [t0])).txid;
    await seen(t1);
    const t2 = (await wallet<{ txid: string }>('bumpfee', [t1])).txid;
    await seen(t2);
    // A bump may add a wallet input the crawler never saw created: only those spending coins it saw count.
    for (const t of [t1, t2]) if (await spendsOnlySeen(t)) parentsSeen.add(t);
    for (const [old, by] of [
      [t0, t1],
      [t1, t2],
    ]) {
      const r = await crawler.waitLine((l) => l.event === 'replaced' && l.txid === old, `replaced ${old}`, LINE_MS);
      expect(r).toMatchObject({ by, rbf_signaled: true, fee: coreFees.get(old), by_fee: coreFees.get(by) });
    }
    await sameAsCore('after two bumps');
    expect(crawler.lines.all.filter((l) => l.event === 'replaced' && (l.txid === t0 || l.txid === t1))).toHaveLength(2);
  }, 300_000);

  it('replaces a transaction that did not signal (full RBF), and says it did not', async () => {
    const c = coin();
    const n0 = await send([c], 0.3, { replaceable: false, fee_rate: 2 });
    parentsSeen.add(n0);
    await seen(n0);
    const raw = await a.rpc<string>('createrawtransaction', [[{ txid: c.txid, vout: c.vout, sequence: 0xffffffff }], [{ [mineTo]: +(c.amount - 0.001).toFixed(8) }]]);
    const signed = await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw]);
    const n1 = await a.rpc<string>('sendrawtransaction', [signed.hex]);
    parentsSeen.add(n1);
    await seen(n1);
    const r = await crawler.waitLine((l) => l.event === 'replaced' && l.txid === n0, 'replaced n0', LINE_MS);
    expect(r).toMatchObject({ by: n1, rbf_signaled: false, fee: coreFees.get(n0), by_fee: coreFees.get(n1) });
    await sameAsCore('after the full-RBF replacement');
  }, 300_000);

  it('gives a CPFP child its fee and its package feerate, as Core counts its ancestors', async () => {
    const parent = await send([coin()], 0.3, { fee_rate: 1 });
    parentsSeen.add(parent);
    await seen(parent);
    const out = (await a.rpc<CoreTx>('decoderawtransaction', [await a.rpc<string>('getrawtransaction', [parent])])).vout.findIndex((o) => Math.abs(o.value - 0.3) < 1e-9);
    const child = await send([{ txid: parent, vout: out }], 0.29, { fee_rate: 50 });
    parentsSeen.add(child);
    const line = await seen(child);
    const entry = await a.rpc<MempoolEntry>('getmempoolentry', [child]);
    expect(line.fee).toBe(sats(entry.fees.base));
    expect(line.effective_feerate).toBeCloseTo(sats(entry.fees.ancestor) / entry.ancestorsize, 2);
    await sameAsCore('after the CPFP child');
  }, 300_000);

  it('TRUC (BIP 431): a second child of a version 3 parent evicts the first, as Core\'s sibling eviction does', async () => {
    const c = coin();
    const v3 = async (inputs: { txid: string; vout: number }[], outputs: Record<string, number>[]): Promise<string> => {
      const raw = await a.rpc<string>('createrawtransaction', [inputs, outputs, 0, false, 3]);
      return a.rpc<string>('sendrawtransaction', [(await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw])).hex]);
    };
    const parent = await v3([c], [{ [mineTo]: 0.2 }, { [await wallet<string>('getnewaddress')]: 0.2 }, { [await wallet<string>('getnewaddress')]: +(c.amount - 0.4 - 0.0001).toFixed(8) }]);
    parentsSeen.add(parent);
    await seen(parent);
    const first = await v3([{ txid: parent, vout: 0 }], [{ [mineTo]: 0.1999 }]);
    parentsSeen.add(first);
    await seen(first);
    // Not a conflict (another output of the parent), yet Core evicts the first child: TRUC allows one.
    const second = await v3([{ txid: parent, vout: 1 }], [{ [mineTo]: 0.199 }]);
    parentsSeen.add(second);
    await seen(second);
    const r = await crawler.waitLine((l) => l.event === 'replaced' && l.txid === first, 'the first child replaced', LINE_MS);
    expect(r).toMatchObject({ by: second, fee: coreFees.get(first), by_fee: coreFees.get(second) });
    expect(await a.rpc<string[]>('getrawmempool')).not.toContain(first);
    await sameAsCore('after the sibling eviction');
  }, 300_000);

  it('evicts a view transaction and its child when a block confirms a double spend of it (generateblock)', async () => {
    const c = coin();
    const v = await send([c], 0.3, { fee_rate: 2 });
    parentsSeen.add(v);
    await seen(v);
    const out = (await a.rpc<CoreTx>('decoderawtransaction', [await a.rpc<string>('getrawtransaction', [v])])).vout.findIndex((o) => Math.abs(o.value - 0.3) < 1e-9);
    const w = await send([{ txid: v, vout: out }], 0.29, { fee_rate: 2 });
    parentsSeen.add(w);
    await seen(w);
    await sameAsCore('before the double spend');
    const held = await a.rpc<string[]>('getrawmempool');
    const raw = await a.rpc<string>('createrawtransaction', [[{ txid: c.txid, vout: c.vout }], [{ [mineTo]: +(c.amount - 0.0005).toFixed(8) }]]);
    const signed = await wallet<{ hex: string }>('signrawtransactionwithwallet', [raw]);
    const conflict = (await a.rpc<CoreTx>('decoderawtransaction', [signed.hex])).txid;
    const { hash } = await a.rpc<{ hash: string }>('generateblock', [mineTo, [signed.hex]]);
    const block = await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, 'the double spend block', LINE_MS);
    // The double spend was never announced: the block says so, and --emit unseen prints it, naming the block.
    expect(block).toMatchObject({ seen_txs: 0, unseen_txs: 1 });
    const unseen = await crawler.waitLine((l) => l.event === 'tx' && l.txid === conflict, 'the unseen double spend', LINE_MS);
    expect(unseen.seen).toMatchObject({ block: hash });
    // Esplora's confirmed status, as Core knows the block.
    const mined = await a.rpc<{ height: number; time: number }>('getblockheader', [hash]);
    expect(unseen.status).toEqual({ confirmed: true, block_height: mined.height, block_hash: hash, block_time: mined.time });
    const ev = await crawler.waitLine((l) => l.event === 'evicted' && l.txid === v, 'v evicted', LINE_MS);
    expect(ev).toMatchObject({ reason: 'conflict', by: conflict });
    const child = await crawler.waitLine((l) => l.event === 'evicted' && l.txid === w, 'w evicted', LINE_MS);
    expect(child).toMatchObject({ reason: 'conflict', by: conflict, ancestor: v });
    await until('Core evicting them', LINE_MS, async () => ((await a.rpc<string[]>('getrawmempool')).includes(v) ? undefined : true));
    expect(held).toContain(v);
    await sameAsCore('after the double spend block');
    // One evicted line per conflict: the two.
    expect(crawler.lines.all.filter((l) => l.event === 'evicted')).toHaveLength(2);
  }, 300_000);

  it('confirms every transaction the view held when the rest are mined, and the view is empty as Core is', async () => {
    const held = await a.rpc<string[]>('getrawmempool');
    expect(held.length).toBeGreaterThan(0);
    const [hash] = await a.rpc<string[]>('generatetoaddress', [1, mineTo]);
    for (const txid of held) await crawler.waitLine((l) => l.event === 'confirmed' && l.txid === txid && l.block === hash, `confirmed ${txid}`, LINE_MS);
    await sameAsCore('after the last block');
    // Every fee we printed was Core's.
    for (const l of crawler.txLines()) if (l.fee !== undefined) expect(l.fee).toBe(coreFees.get(l.txid as string));
    // Fees where the crawler saw the parents: every transaction spending coins of the first block or view transactions.
    expect(parentsSeen.size).toBeGreaterThanOrEqual(8);
    for (const txid of parentsSeen) expect(crawler.txLines().find((l) => l.txid === txid)?.fee, `fee of ${txid}`).toBe(coreFees.get(txid));
  }, 300_000);

  it('with --rpc to a node, every wallet transaction has its fee, also those spending coinbases it never saw; the next projected block is Core\'s getblocktemplate', async () => {
    const withRpc = new CrawlProcess(['--network', 'regtest', '--peers', a.p2p, '--emit', 'tx,peer', '--mempool-stats', '0.3', '--rpc', `http://u:p@127.0.0.1:${a.rpcPort}/`]);
    try {
      await withRpc.waitLog(/--rpc: Core answers/, 30_000);
      // Core announces only what reaches its mempool after the handshake.
      await withRpc.waitLine((l) => l.event === 'peer' && l.state === 'up', 'peer up', 30_000);
      const txids: string[] = [];
      for (const t of ['legacy', 'p2sh-segwit', 'bech32', 'bech32m']) txids.push(await wallet<string>('sendtoaddress', [await wallet<string>('getnewaddress', ['', t]), 0.7]));
      for (const txid of txids) {
        const line = await withRpc.waitLine(isTx(txid), `tx ${txid} with --rpc`, LINE_MS);
        const entry = await a.rpc<MempoolEntry>('getmempoolentry', [txid]);
        expect(line.fee, txid).toBe(sats(entry.fees.base));
        // Each input's prevout is the output Core's wallet says it spent.
        const core = await a.rpc<CoreTx>('decoderawtransaction', [await a.rpc<string>('getrawtransaction', [txid])]);
        const prevouts = (line.vin as { prevout?: { value: number; scriptpubkey: string } }[]).map((v) => v.prevout);
        const spent = await Promise.all(
          core.vin.map(async (v) => {
            const o = (await wallet<{ decoded: CoreTx }>('gettransaction', [v.txid, false, true])).decoded.vout[v.vout!];
            return { value: sats(o.value), scriptpubkey: o.scriptPubKey.hex };
          }),
        );
        expect(prevouts.map((p) => p && { value: p.value, scriptpubkey: p.scriptpubkey })).toEqual(spent);
      }
      // Every fee known: the next projected block is Core's own block template (all fits in one).
      const template = await a.rpc<{ transactions: { txid: string; fee: number; weight: number; depends: number[] }[] }>('getblocktemplate', [{ rules: ['segwit'] }]);
      expect(template.transactions.map((t) => t.txid).sort()).toEqual([...txids].sort());
      const from = withRpc.lines.all.length;
      const stats = await withRpc.lines.wait((l) => l.event === 'mempool', LINE_MS, 'mempool line with --rpc', from);
      const blocks = stats.projected_blocks as { n_tx: number; vsize: number; total_fee: number; feerate_range: number[] }[];
      const vsizes = template.transactions.map((t) => Math.ceil(t.weight / 4));
      expect(blocks).toHaveLength(1);
      expect(blocks[0]).toMatchObject({ n_tx: txids.length, vsize: vsizes.reduce((x, y) => x + y, 0), total_fee: template.transactions.reduce((x, t) => x + t.fee, 0) });
      // None depends on another (the wallet spends confirmed coins): each one's feerate is its own.
      expect(template.transactions.every((t) => t.depends.length === 0)).toBe(true);
      const rates = template.transactions.map((t, i) => Math.round((t.fee / vsizes[i]) * 1000) / 1000);
      expect(stats.next_block_feerate).toBe(Math.min(...rates));
      expect(blocks[0].feerate_range[6]).toBe(Math.max(...rates));
    } finally {
      await withRpc.stop();
    }
  }, 300_000);

  it('--rpc with a wrong password, or no node there (port 1: nothing listens), is a one-line error and exit status 2', async () => {
    for (const url of [`http://u:wrong@127.0.0.1:${a.rpcPort}/`, 'http://u:p@127.0.0.1:1/']) {
      const r = await runCrawl(['--network', 'regtest', '--peers', a.p2p, '--rpc', url]);
      expect(r.code, `${url}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), url).toHaveLength(1);
      expect(r.stderr).toMatch(/^crawl: --rpc: /);
    }
  }, 60_000);
});
