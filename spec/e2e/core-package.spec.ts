/**
 * Package relay against Bitcoin Core 31.1 regtest nodes: a zero-fee TRUC (version 3) parent with a
 * P2A anchor (ephemeral dust, Core 29+: policy/ephemeral_policy.cpp) and the child that spends the
 * anchor and pays for both, submitted together (`submitpackage`): neither enters Core's mempool
 * alone. The crawler sees them relayed, gives the parent its zero fee and the child its fee and
 * package feerate as Core counts them, holds what Core holds, and a block confirms both. Then a
 * replacement of the child (a higher-fee child spending the same anchor) replaces it alone, as
 * Core does, the parent staying. Runs when BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWalletPair, type CoreNode, type CoreTx } from '../support/core.js';
import type { Rpc } from '../support/rpc-node.js';
import { CrawlProcess, type JsonLine } from '../support/crawl-process.js';
import { decodeTx, encodeTx } from '../../lib/wire/transaction.js';
import { fromHex, fromReversedHex, toHex, toReversedHex } from '../../lib/wire/hex.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core-package.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

/** Core trickles announcements to inbound peers, 5 s on average. */
const LINE_MS = 60_000;
const sats = (btc: number): number => Math.round(btc * 1e8);
/** P2A (pay to anchor): OP_1 OP_PUSHBYTES_2 4e73, Core 28's standard anchor output. */
const P2A = '51024e73';

interface MempoolEntry {
  readonly vsize: number;
  readonly fees: { readonly base: number; readonly ancestor: number };
  readonly ancestorsize: number;
}

describe.skipIf(!BITCOIND)('package relay against Bitcoin Core 31.1 regtest nodes', () => {
  let a: CoreNode;
  let b: CoreNode;
  let wallet: Rpc;
  let mineTo: string;
  let crawler: CrawlProcess;

  const isTx = (txid: string) => (l: JsonLine) => l.event === 'tx' && l.txid === txid;
  const sameAsCore = async (what: string): Promise<void> => {
    const info = await a.rpc<{ size: number; bytes: number }>('getmempoolinfo');
    const from = crawler.lines.all.length;
    const line = await crawler.lines.wait((l) => l.event === 'mempool', LINE_MS, `mempool line (${what})`, from);
    expect({ count: line.count, vsize: line.vsize }, what).toEqual({ count: info.size, vsize: info.bytes });
  };
  /** A signed version 3 transaction: `outputs` as hex scripts and satoshis; the wallet signs the inputs it can (a P2A input needs no signature). */
  const v3 = async (
    inputs: { txid: string; vout: number }[],
    outputs: { script: string; value: number }[],
    /** Outputs spent that are in neither the chain nor the mempool (the package's parent's): the wallet signs with them given. */
    prevtxs: { txid: string; vout: number; scriptPubKey: string; amount: number }[] = [],
  ): Promise<{ hex: string; txid: string }> => {
    const unsigned = encodeTx({
      version: 3,
      inputs: inputs.map((i) => ({ prevTxid: fromReversedHex(i.txid), prevIndex: i.vout, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] })),
      outputs: outputs.map((o) => ({ value: BigInt(o.value), script: fromHex(o.script) })),
      locktime: 0,
    });
    const signed = await wallet<{ hex: string }>('signrawtransactionwithwallet', [toHex(unsigned), prevtxs]);
    return { hex: signed.hex, txid: toReversedHex(decodeTx(fromHex(signed.hex)).txid) };
  };

  beforeAll(async () => {
    ({ a, b, wallet, mineTo } = await startWalletPair(BITCOIND!, 110));
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', `${a.p2p},${b.p2p}`, '--emit', 'tx,block,replaced,confirmed,evicted,peer', '--mempool-stats', '0.3']);
    // Both handshakes done before the first block: one mined before would be taken as the chain it joined, not announced.
    for (const p of [a.p2p, b.p2p]) await crawler.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === p, `peer ${p} up`, 60_000);
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('a zero-fee TRUC parent with an anchor and its child, submitted as a package: fees and package feerate as Core counts them, confirmed together; a child replaced alone', async () => {
    // A coin the crawler saw created: a wallet send, mined.
    const fund = await wallet<string>('sendtoaddress', [await wallet<string>('getnewaddress', ['', 'bech32']), 1]);
    const [fundBlock] = await a.rpc<string[]>('generatetoaddress', [1, mineTo]);
    await crawler.waitLine((l) => l.event === 'block' && l.hash === fundBlock, 'the funding block', LINE_MS);
    const fundTx = await a.rpc<CoreTx>('decoderawtransaction', [await a.rpc<string>('getrawtransaction', [fund, false, fundBlock])]);
    const vout = fundTx.vout.findIndex((o) => Math.abs(o.value - 1) < 1e-9);
    const keep = await wallet<string>('getnewaddress', ['', 'bech32']);
    const keepScript = (await wallet<{ scriptPubKey: string }>('getaddressinfo', [keep])).scriptPubKey;
    // The parent pays no fee: 1 BTC in, 1 BTC out, and a zero-value anchor (ephemeral dust).
    const parent = await v3([{ txid: fund, vout }], [
      { script: keepScript, value: sats(1) },
      { script: P2A, value: 0 },
    ]);
    const child = async (value: number): Promise<{ hex: string; txid: string }> =>
      v3(
        [
          { txid: parent.txid, vout: 1 },
          { txid: parent.txid, vout: 0 },
        ],
        [{ script: keepScript, value }],
        [{ txid: parent.txid, vout: 0, scriptPubKey: keepScript, amount: 1 }],
      );
    const c1 = await child(sats(1) - 5_000);
    const r = await a.rpc<{ package_msg: string }>('submitpackage', [[parent.hex, c1.hex]]);
    expect(r.package_msg, JSON.stringify(r)).toBe('success');

    const pl = await crawler.waitLine(isTx(parent.txid), 'the parent', LINE_MS);
    const cl = await crawler.waitLine(isTx(c1.txid), 'the child', LINE_MS);
    const pe = await a.rpc<MempoolEntry>('getmempoolentry', [parent.txid]);
    const ce = await a.rpc<MempoolEntry>('getmempoolentry', [c1.txid]);
    expect(pe.fees.base).toBe(0);
    expect(pl.fee).toBe(0);
    expect(pl.feerate).toBe(0);
    expect((pl.vout as { scriptpubkey_type: string }[])[1].scriptpubkey_type).toBe('anchor');
    expect(cl.fee).toBe(sats(ce.fees.base));
    // The anchor input's prevout: the zero-value P2A output.
    expect((cl.vin as { prevout: { value: number; scriptpubkey_type: string } }[])[0].prevout).toMatchObject({ value: 0, scriptpubkey_type: 'anchor' });
    expect(cl.effective_feerate).toBeCloseTo(sats(ce.fees.ancestor) / ce.ancestorsize, 2);
    await sameAsCore('after the package');

    // A child paying more replaces the first, spending the same anchor; the parent stays.
    const signals = (await a.rpc<Record<string, unknown>>('getmempoolentry', [c1.txid]))['bip125-replaceable'];
    const c2 = await child(sats(1) - 20_000);
    await a.rpc<string>('sendrawtransaction', [c2.hex]);
    const c2l = await crawler.waitLine(isTx(c2.txid), 'the second child', LINE_MS);
    expect(c2l.fee).toBe(20_000);
    const rep = await crawler.waitLine((l) => l.event === 'replaced' && l.txid === c1.txid, 'the first child replaced', LINE_MS);
    expect(rep).toMatchObject({ by: c2.txid, rbf_signaled: signals, fee: 5_000, by_fee: 20_000 });
    expect(crawler.lines.all.some((l) => l.event === 'replaced' && l.txid === parent.txid)).toBe(false);
    await sameAsCore('after the child was replaced');

    const [hash] = await a.rpc<string[]>('generatetoaddress', [1, mineTo]);
    for (const txid of [parent.txid, c2.txid]) await crawler.waitLine((l) => l.event === 'confirmed' && l.txid === txid && l.block === hash, `confirmed ${txid}`, LINE_MS);
    await sameAsCore('after the block');
  }, 300_000);
});
