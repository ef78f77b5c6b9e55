/**
 * End to end against btcd 0.25 on regtest, the other full-node implementation: spends built and
 * signed here (btcd has no wallet), sent with `sendrawtransaction`, and what `crawl` prints
 * checked against btcd's own view and @scure/btc-signer's. btcd runs with `--v2transport`, so
 * the crawler's default `--transport auto` talks BIP 324 v2 to it and all of that goes over the
 * encrypted transport; a second btcd without it checks the fall back to v1. Runs when BTCD
 * names a btcd binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex } from '@scure/base';
import { until } from '../support/harness.js';
import { SPENDABLE_HEIGHT, startBtcd, type BtcdBlock, type BtcdChainInfo, type BtcdNode, type BtcdPeerInfo, type BtcdTx, type Signed } from '../support/btcd.js';
import { CrawlProcess, type JsonLine, type TxLine } from '../support/crawl-process.js';

const BTCD = process.env.BTCD;
if (!BTCD) console.log('spec/e2e/btcd.spec.ts skipped: set BTCD to the path of a btcd 0.25 binary to run it');

/**
 * btcd trickles inventory every 10 s by default (--trickleinterval); the nodes here do every
 * second, since how long btcd batches announcements is not what these tests are about.
 */
const TRICKLE = '--trickleinterval=1s';
const LINE_MS = 60_000;
const FEE = 2_000n;

const isUp = (peer: string) => (l: JsonLine) => l.event === 'peer' && l.state === 'up' && l.peer === peer;
/** NODE_P2P_V2 (BIP 324), service bit 11: btcd sets it only with --v2transport. */
const NODE_P2P_V2 = 1n << 11n;
const services = (l: JsonLine | undefined): bigint => BigInt(String(l?.services));

/** Every connection of a crawler, as a btcd node lists it. */
const crawlerPeers = async (node: BtcdNode): Promise<BtcdPeerInfo[]> =>
  (await node.rpc<BtcdPeerInfo[]>('getpeerinfo')).filter((p) => p.subver.startsWith('/bitcrawl:'));

describe.skipIf(!BTCD)('crawl against a btcd 0.25 regtest node', () => {
  /** btcd --v2transport, with mature coins. */
  let node: BtcdNode;
  /** btcd without --v2transport (v1 only), no blocks: for the fall back. */
  let plain: BtcdNode | undefined;
  let crawler: CrawlProcess;
  /** btcd's id for our connection when the crawler first connected. */
  let firstPeerId: number;

  const ourPeer = async (): Promise<BtcdPeerInfo | undefined> => (await crawlerPeers(node)).find((p) => p.id === firstPeerId);

  beforeAll(async () => {
    const started = await Promise.allSettled([startBtcd({ btcd: BTCD!, args: ['--v2transport', TRICKLE] }), startBtcd({ btcd: BTCD!, seed: 'bitcrawl btcd v1 only', args: [TRICKLE] })]);
    if (started[0].status === 'fulfilled') node = started[0].value;
    if (started[1].status === 'fulfilled') plain = started[1].value;
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    await node.generate(SPENDABLE_HEIGHT);
    const info = await node.rpc<BtcdChainInfo>('getblockchaininfo');
    expect(info.bip9_softforks.segwit.status).toBe('active');
    expect(info.bip9_softforks.taproot.status).toBe('active');
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', node.p2p, '--emit', 'tx,peer,block']);
    await crawler.waitLine(isUp(node.p2p), 'btcd up', 30_000);
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await Promise.all([node?.stop(), plain?.stop()]);
  });

  it('handshakes with btcd over BIP 324 v2 (addrv2, no wtxid relay) and btcd lists us as an inbound v2 peer', async () => {
    const up = crawler.lines.all.find(isUp(node.p2p));
    expect(up).toMatchObject({
      version: 70016,
      user_agent: '/btcwire:0.5.0/btcd:0.25.0/',
      relay: true,
      wtxid_relay: false,
      addrv2: true,
      start_height: SPENDABLE_HEIGHT,
      transport: 'v2',
    });
    expect(services(up) & NODE_P2P_V2).toBe(NODE_P2P_V2);
    // btcd adds a peer to the list getpeerinfo reads on another goroutine (server.go, peerHandler):
    // it may list us a moment after our handshake completed.
    const ours = await until('btcd listing the crawler', LINE_MS, async () => {
      const listed = await crawlerPeers(node);
      return listed.length > 0 ? listed : undefined;
    });
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ inbound: true, version: 70016, relaytxes: true, v2_connection: true });
    expect(ours[0].subver).toMatch(/^\/bitcrawl:[^/]+\/$/);
    firstPeerId = ours[0].id;
  });

  it('prints a P2WPKH, a P2TR key-path and a P2PKH spend once each, as btcd and the signer see them', async () => {
    const w = node.wallet;
    const coinbase = await w.coinbase();
    const amount = 100_000_000n;
    const v0 = w.sign(
      [coinbase],
      [
        { to: 'p2tr', amount },
        { to: 'p2pkh', amount },
        { to: 'p2wpkh', amount: coinbase.amount - 2n * amount - FEE },
      ],
    );
    const taproot = w.sign([v0.coin(0)], [{ to: 'p2wpkh', amount: amount - FEE }]);
    const legacy = w.sign([v0.coin(1)], [{ to: 'p2wpkh', amount: amount - FEE }]);
    const sent: Record<string, Signed> = { v0, taproot, legacy };
    for (const s of Object.values(sent)) expect(await node.rpc<string>('sendrawtransaction', [s.hex])).toBe(s.txid);

    for (const [kind, s] of Object.entries(sent)) {
      const line = (await crawler.waitLine((l) => l.event === 'tx' && l.txid === s.txid, `${kind} tx`, LINE_MS)) as unknown as TxLine;
      const theirs = await node.rpc<BtcdTx>('getrawtransaction', [s.txid, 1]);
      const ids = { txid: line.txid, wtxid: line.wtxid, size: line.size, vsize: line.vsize, weight: line.weight };
      expect(ids, `${kind} as the signer computed it`).toEqual({ txid: s.txid, wtxid: s.wtxid, size: s.size, vsize: s.vsize, weight: s.weight });
      expect(ids, `${kind} as btcd reports it`).toEqual({ txid: theirs.txid, wtxid: theirs.hash, size: theirs.size, vsize: theirs.vsize, weight: theirs.weight });
      expect({ version: line.version, locktime: line.locktime }).toEqual({ version: theirs.version, locktime: theirs.locktime });
      expect(line.vin.map(({ txid, vout, scriptsig, witness, sequence }) => ({ txid, vout, scriptsig, witness, sequence }))).toEqual(
        theirs.vin.map((i) => ({ txid: i.txid, vout: i.vout, scriptsig: i.scriptSig?.hex ?? '', witness: i.txinwitness, sequence: i.sequence })),
      );
      expect(line.vout.map((o) => [o.value, o.scriptpubkey])).toEqual(theirs.vout.map((o) => [Math.round(o.value * 1e8), o.scriptPubKey.hex]));
    }

    const line = (s: Signed): TxLine => crawler.txLines().find((l) => l.txid === s.txid) as unknown as TxLine;
    expect(line(v0).vout.map((o) => o.scriptpubkey_type)).toEqual(['v1_p2tr', 'p2pkh', 'v0_p2wpkh']);
    expect(line(v0).vout.map((o) => o.scriptpubkey_address)).toEqual([w.address('p2tr'), w.address('p2pkh'), w.address('p2wpkh')]);
    expect(line(v0).vin[0].witness).toHaveLength(2); // signature, public key
    expect(line(taproot).vin[0].witness).toHaveLength(1); // key path: one Schnorr signature
    expect(hex.decode(line(taproot).vin[0].witness?.[0] ?? '')).toHaveLength(64);
    expect(line(legacy).wtxid).toBe(legacy.txid);
    expect(line(legacy).vin[0].witness).toBeUndefined(); // absent without witness data, as in Esplora
    expect(line(legacy).vin[0].scriptsig).not.toBe('');
    for (const s of Object.values(sent)) expect(crawler.txLines().filter((l) => l.txid === s.txid)).toHaveLength(1);
  }, 90_000);

  it('prints a block from `generate 1` with its hash, height and transactions', async () => {
    const [hash] = await node.generate(1);
    const line = await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, 'block line', LINE_MS);
    const theirs = await node.rpc<BtcdBlock>('getblock', [hash, 1]);
    const raw = await node.rpc<string>('getblock', [hash, 0]);
    expect(line).toMatchObject({
      hash,
      prev_hash: theirs.previousblockhash,
      height: theirs.height,
      version: theirs.version,
      time: theirs.time,
      nonce: theirs.nonce,
      bits: parseInt(theirs.bits, 16),
      merkle_root: theirs.merkleroot,
      merkle_ok: true,
      tx_count: theirs.tx.length,
      txids: theirs.tx,
      size: raw.length / 2,
      stripped_size: theirs.strippedsize,
      weight: theirs.weight,
    });
    expect(theirs.size).toBe(raw.length / 2);
    // The three spends above were printed before the block confirmed them.
    expect(line.seen_txs).toBe(theirs.tx.length - 1);
  });

  it('stays connected: one peer line, no drop, and btcd still lists the same v2 connection', async () => {
    expect(crawler.lines.all.filter((l) => l.event === 'peer' && l.peer === node.p2p)).toHaveLength(1);
    const theirs = await ourPeer();
    expect(theirs).toMatchObject({ id: firstPeerId, inbound: true, v2_connection: true });
    // Every v2 packet of btcd's named a message we know (no unknown short id, no decoy trouble).
    expect(crawler.logs.all.filter((l) => l.includes('bad message skipped'))).toEqual([]);
  });

  it('with --transport v1 connects in plaintext to the same btcd, which lists it beside our v2 connection', async () => {
    const v1 = new CrawlProcess(['--network', 'regtest', '--peers', node.p2p, '--emit', 'peer', '--transport', 'v1']);
    try {
      const up = await v1.waitLine(isUp(node.p2p), 'v1 crawler up', 30_000);
      expect(up).toMatchObject({ transport: 'v1', user_agent: '/btcwire:0.5.0/btcd:0.25.0/' });
      const fresh = await until('btcd listing the v1 connection', LINE_MS, async () => {
        const added = (await crawlerPeers(node)).filter((p) => p.id !== firstPeerId && p.version > 0);
        return added.length > 0 ? added : undefined;
      });
      expect(fresh).toHaveLength(1);
      expect(fresh[0]).toMatchObject({ inbound: true, v2_connection: false });
      expect(await ourPeer()).toMatchObject({ v2_connection: true });
    } finally {
      await v1.stop();
    }
    // Above the waits: a slow step fails with the crawler's last log lines (waitLine), not vitest's bare timeout.
  }, 3 * LINE_MS);

  it('falls back to v1 with a btcd that has no --v2transport: the v2 attempt fails, a fresh connection speaks v1', async () => {
    const peer = plain!.p2p;
    const auto = new CrawlProcess(['--network', 'regtest', '--peers', peer, '--emit', 'peer', '--log-level', 'debug']);
    try {
      const up = await auto.waitLine(isUp(peer), 'crawler up on the v1-only btcd', 30_000);
      expect(up).toMatchObject({ transport: 'v1', user_agent: '/btcwire:0.5.0/btcd:0.25.0/', start_height: 0 });
      expect(services(up) & NODE_P2P_V2).toBe(0n);
      // btcd drops the connection at our key's first bytes (no v1 magic): v1 next, no `down` line between.
      // (stderr is a pipe of its own: its lines may come after stdout's.)
      await auto.logs.wait((l) => l.includes(`peer connected peer=${peer} `), LINE_MS, 'the connected log');
      const tried = auto.logs.all.findIndex((l) => l.includes('v2 handshake failed, trying v1') && l.includes(`peer=${peer} `));
      const connected = auto.logs.all.findIndex((l) => l.includes(`peer connected peer=${peer} `) && l.endsWith(' transport=v1'));
      expect(tried).toBeGreaterThanOrEqual(0);
      expect(connected).toBeGreaterThan(tried);
      expect(auto.lines.all.filter((l) => l.event === 'peer')).toEqual([up]);
      const theirs = await until('btcd listing the crawler', LINE_MS, async () => (await crawlerPeers(plain!)).find((p) => p.version > 0));
      expect(theirs).toMatchObject({ inbound: true, v2_connection: false });
    } finally {
      await auto.stop();
    }
  }, 3 * LINE_MS);
});
