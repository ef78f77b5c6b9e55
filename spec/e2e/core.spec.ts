/**
 * End to end against Bitcoin Core 31.1 on regtest: two nodes connected to each other, one
 * `crawl` dialling both, Core's wallet making every kind of transaction, and every printed field
 * checked against Core's own decoding. Core 31.1 accepts BIP 324 by default, so the crawler's
 * default `--transport auto` talks v2 to it: everything below runs over the encrypted transport,
 * and Core's `getpeerinfo` says so. Runs when BITCOIND names a bitcoind binary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectCore,
  crawlerPeer,
  crawlerPeers,
  startCores,
  waitSameTip,
  type CoreBlock,
  type CoreNode,
  type CoreTx,
  type CoreVout,
} from '../support/core.js';
import type { Rpc } from '../support/rpc-node.js';
import { until } from '../support/harness.js';
import { CrawlProcess, type JsonLine, type TxLine } from '../support/crawl-process.js';

const BITCOIND = process.env.BITCOIND;
if (!BITCOIND) console.log('spec/e2e/core.spec.ts skipped: set BITCOIND to the path of a Bitcoin Core 31.1 bitcoind to run it');

/** Lines are waited for this long: Core trickles tx announcements to inbound peers, 5 s on average. */
const LINE_MS = 60_000;
/** Coinbases mined to the wallet: 10 of them mature (COINBASE_MATURITY is 100). */
const INITIAL_BLOCKS = 110;

/** Core's `scriptPubKey.type` → our `scriptpubkey_type`. */
const TYPES: Readonly<Record<string, string>> = {
  pubkey: 'p2pk',
  pubkeyhash: 'p2pkh',
  scripthash: 'p2sh',
  witness_v0_keyhash: 'v0_p2wpkh',
  witness_v0_scripthash: 'v0_p2wsh',
  witness_v1_taproot: 'v1_p2tr',
  nulldata: 'op_return',
  multisig: 'multisig',
  anchor: 'anchor',
};

/** OP_1 <4e73> on regtest (BIP 431 pay-to-anchor). */
const P2A_REGTEST = 'bcrt1pfeesnyr2tx';
/** A witness v2 program of 32 bytes 0x07: standard to pay, unknown to everyone today. */
const WITNESS_V2_REGTEST = 'bcrt1zqurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurszqtpkz';

/** An output as Core's getrawtransaction gives it, in our line's terms (the type by TYPES). */
const coreVout = (o: CoreVout): Pick<TxLine['vout'][number], 'scriptpubkey' | 'scriptpubkey_address' | 'value'> & { scriptpubkey_type: string } => ({
  scriptpubkey: o.scriptPubKey.hex,
  scriptpubkey_type: TYPES[o.scriptPubKey.type] ?? 'unknown',
  scriptpubkey_address: o.scriptPubKey.address,
  value: Math.round(o.value * 1e8),
});

/** Every field of our line against Core's `decoderawtransaction` of the same transaction. */
function expectSameAsCore(line: TxLine, core: CoreTx): void {
  expect({ txid: line.txid, wtxid: line.wtxid, size: line.size, vsize: line.vsize, weight: line.weight, version: line.version, locktime: line.locktime }).toEqual({
    txid: core.txid,
    wtxid: core.hash,
    size: core.size,
    vsize: core.vsize,
    weight: core.weight,
    version: core.version,
    locktime: core.locktime,
  });
  expect(line.vin.map(({ txid, vout, is_coinbase, scriptsig, witness, sequence }) => ({ txid, vout, is_coinbase, scriptsig, witness, sequence }))).toEqual(
    core.vin.map((i) => ({ txid: i.txid, vout: i.vout, is_coinbase: false, scriptsig: i.scriptSig?.hex ?? '', witness: i.txinwitness ?? [], sequence: i.sequence })),
  );
  expect(line.vout.map(({ scriptpubkey, scriptpubkey_type, scriptpubkey_address, value }) => ({ scriptpubkey, scriptpubkey_type, scriptpubkey_address, value }))).toEqual(
    core.vout.map(coreVout),
  );
}

const isTx = (txid: string) => (l: JsonLine) => l.event === 'tx' && l.txid === txid;
const isUp = (peer: string) => (l: JsonLine) => l.event === 'peer' && l.state === 'up' && l.peer === peer;


/** A BIP 324 session id as Core shows it. */
const SESSION_ID = /^[0-9a-f]{64}$/;

/** Our info log's line for a connection: `peer connected peer=HOST:PORT … transport=v2`. */
const connectedLog = (peer: string, transport: 'v1' | 'v2') => (l: string) => l.includes(`peer connected peer=${peer} `) && l.endsWith(` transport=${transport}`);

describe.skipIf(!BITCOIND)('crawl against Bitcoin Core 31.1 regtest nodes', () => {
  let a: CoreNode;
  let b: CoreNode;
  /** -blocksonly, connected to a and b. */
  let c: CoreNode;
  let wallet: Rpc;
  let mineTo: string;
  let crawler: CrawlProcess;
  /** Core's BIP 324 session id of the crawler's first connection to each node. */
  const sessions = new Map<CoreNode, string>();

  const txLine = async (txid: string, what: string): Promise<TxLine> => (await crawler.waitLine(isTx(txid), what, LINE_MS)) as unknown as TxLine;
  const decoded = async (node: CoreNode, txid: string): Promise<CoreTx> => node.rpc<CoreTx>('decoderawtransaction', [await node.rpc<string>('getrawtransaction', [txid])]);
  const printed = (txid: string): number => crawler.txLines().filter((l) => l.txid === txid).length;

  beforeAll(async () => {
    const bitcoind = BITCOIND!;
    [a, b, c] = await startCores([{ bitcoind }, { bitcoind }, { bitcoind, args: ['-blocksonly'] }]);
    await a.rpc('createwallet', { wallet_name: 'w', load_on_startup: true });
    wallet = a.wallet('w');
    mineTo = await wallet<string>('getnewaddress', ['', 'bech32']);
    await Promise.all([connectCore(b, a), connectCore(c, a), connectCore(c, b)]);
    await a.rpc('generatetoaddress', [INITIAL_BLOCKS, mineTo]);
    await waitSameTip([a, b, c]);
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', `${a.p2p},${b.p2p}`, '--emit', 'tx,peer,block']);
    await Promise.all([crawler.waitLine(isUp(a.p2p), 'a up', 30_000), crawler.waitLine(isUp(b.p2p), 'b up', 30_000)]);
  }, 120_000);

  afterAll(async () => {
    await crawler?.stop();
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  });

  it('handshakes over BIP 324 v2 by default, as an inbound peer that relays transactions, and both nodes list it so', async () => {
    for (const node of [a, b]) {
      const up = crawler.lines.all.find(isUp(node.p2p));
      expect(up).toMatchObject({
        version: 70016,
        user_agent: '/Satoshi:31.1.0/',
        start_height: INITIAL_BLOCKS,
        relay: true,
        wtxid_relay: true,
        addrv2: true,
        transport: 'v2',
      });
      // NODE_WITNESS (bit 3) and NODE_P2P_V2 (bit 11, BIP 324 on by default since Core 27).
      expect(BigInt(String(up?.services)) & 0x808n).toBe(0x808n);
      // stderr is a pipe of its own: its line may come after stdout's.
      await crawler.logs.wait(connectedLog(node.p2p, 'v2'), LINE_MS, `${node.p2p} connected log`);
      expect(crawler.logs.all.filter(connectedLog(node.p2p, 'v2'))).toHaveLength(1);
      const ours = await crawlerPeers(node);
      expect(ours).toHaveLength(1);
      const theirs = ours[0];
      expect(theirs).toMatchObject({ inbound: true, connection_type: 'inbound', version: 70016, relaytxes: true, transport_protocol_type: 'v2' });
      expect(theirs.subver).toMatch(/^\/bitcrawl:[^/]+\/$/);
      expect(theirs.session_id).toMatch(SESSION_ID);
      sessions.set(node, theirs.session_id);
    }
    // One key exchange per connection.
    expect(sessions.get(a)).not.toBe(sessions.get(b));
  });

  it('with --transport v1 connects in plaintext: Core lists that connection as v1, beside our v2 one', async () => {
    const before = new Set((await crawlerPeers(a)).map((p) => p.id));
    const v1 = new CrawlProcess(['--network', 'regtest', '--peers', a.p2p, '--emit', 'peer', '--transport', 'v1']);
    try {
      const up = await v1.waitLine(isUp(a.p2p), 'v1 crawler up', 30_000);
      expect(up).toMatchObject({ version: 70016, user_agent: '/Satoshi:31.1.0/', transport: 'v1' });
      await v1.logs.wait(connectedLog(a.p2p, 'v1'), LINE_MS, 'v1 connected log');
      expect(v1.logs.all.filter(connectedLog(a.p2p, 'v1'))).toHaveLength(1);
      const fresh = await until('Core listing the v1 connection', LINE_MS, async () => {
        const added = (await crawlerPeers(a)).filter((p) => !before.has(p.id) && p.version > 0);
        return added.length > 0 ? added : undefined;
      });
      expect(fresh).toHaveLength(1);
      expect(fresh[0]).toMatchObject({ inbound: true, transport_protocol_type: 'v1', session_id: '' });
      // The default crawler's connection is still the v2 one it was.
      const kept = (await crawlerPeers(a)).filter((p) => before.has(p.id));
      expect(kept.map((p) => [p.transport_protocol_type, p.session_id])).toEqual([['v2', sessions.get(a)]]);
    } finally {
      await v1.stop();
    }
    // Gone before the next tests, which read "our" connection as the only crawler's.
    await until('Core dropping the v1 connection', LINE_MS, async () => ((await crawlerPeers(a)).length === 1 ? true : undefined));
    // Above the waits: a slow step fails with the crawler's last log lines (waitLine), not vitest's bare timeout.
  }, 4 * LINE_MS);

  it('counts announcements from both nodes: a transaction both relay shows seen.peers 2, printed once', async () => {
    // Our line counts the announcements that came before the transaction itself, and we fetch
    // it from the first announcer at once, so the second node's inv must already be waiting in
    // our socket when we read the first. Hold the crawler (SIGSTOP) until Core says both nodes
    // have announced it to us (getpeerinfo: nothing left to send us, inv bytes grown), then let go.
    const quiet = async (node: CoreNode): Promise<number | undefined> => {
      const p = await crawlerPeer(node);
      return p && p.inv_to_send === 0 ? (p.bytessent_per_msg.inv ?? 0) : undefined;
    };
    const invBytes = async (): Promise<[number, number] | undefined> => {
      const [ia, ib] = await Promise.all([quiet(a), quiet(b)]);
      return ia !== undefined && ib !== undefined ? [ia, ib] : undefined;
    };
    const before = await until('nothing left to announce to us', LINE_MS, invBytes);
    const pid = crawler.child.pid!;
    process.kill(pid, 'SIGSTOP');
    let txid = '';
    try {
      txid = await wallet<string>('sendtoaddress', [mineTo, 0.25]);
      // Straight to b as well: each node then announces it on its own trickle timer.
      await b.rpc('sendrawtransaction', [await a.rpc<string>('getrawtransaction', [txid])]);
      await until('both nodes announced it to us', LINE_MS, async () => {
        const now = await invBytes();
        return now && now[0] > before[0] && now[1] > before[1] ? true : undefined;
      });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const line = await txLine(txid, 'tx relayed by both');
    expect(line.seen.peers).toBe(2);
    expect(new Set([line.seen.first.peer, line.seen.last.peer])).toEqual(new Set([a.p2p, b.p2p]));
    expect([a.p2p, b.p2p]).toContain(line.seen.peer);
    expect(line.seen.first.time).toBeLessThanOrEqual(line.seen.last.time);
    expect(line.seen.last.time).toBeLessThanOrEqual(line.seen.time);
    expectSameAsCore(line, await decoded(a, txid));
    expect(printed(txid)).toBe(1);
  }, 120_000);

  it('prints each kind of wallet transaction once, every field as Core decodes it', async () => {
    const to = {
      legacy: await wallet<string>('getnewaddress', ['', 'legacy']),
      p2shSegwit: await wallet<string>('getnewaddress', ['', 'p2sh-segwit']),
      bech32: await wallet<string>('getnewaddress', ['', 'bech32']),
      bech32m: await wallet<string>('getnewaddress', ['', 'bech32m']),
    };
    const sent: Record<string, string> = {};
    for (const [kind, address] of Object.entries(to)) sent[kind] = await wallet<string>('sendtoaddress', [address, 1]);
    // Spend the coins just received at the taproot and P2SH-segwit addresses, and only them.
    for (const [kind, address] of [
      ['taprootSpend', to.bech32m],
      ['p2shSegwitSpend', to.p2shSegwit],
    ] as const) {
      const funding = await decoded(a, sent[kind === 'taprootSpend' ? 'bech32m' : 'p2shSegwit']);
      const vout = funding.vout.findIndex((o) => o.scriptPubKey.address === address);
      const r = await wallet<{ txid: string }>('send', { outputs: [{ [mineTo]: 0.5 }], options: { inputs: [{ txid: funding.txid, vout }], add_inputs: false } });
      sent[kind] = r.txid;
    }
    sent.opReturn = (await wallet<{ txid: string }>('send', { outputs: [{ data: Buffer.from('bitcrawl e2e').toString('hex') }] })).txid;
    // Pay-to-anchor (BIP 431's P2A, Core's `anchor`) and a future witness version (v2: `witness_unknown`).
    sent.anchorAndV2 = (await wallet<{ txid: string }>('send', { outputs: [{ [P2A_REGTEST]: 0.0001 }, { [WITNESS_V2_REGTEST]: 0.001 }] })).txid;

    for (const [kind, txid] of Object.entries(sent)) expectSameAsCore(await txLine(txid, `${kind} tx`), await decoded(a, txid));

    // What each one shows, besides matching Core.
    const line = async (kind: string): Promise<TxLine> => txLine(sent[kind], kind);
    const types = async (kind: string): Promise<string[]> => (await line(kind)).vout.map((o) => o.scriptpubkey_type);
    expect(await types('legacy')).toContain('p2pkh');
    expect(await types('p2shSegwit')).toContain('p2sh');
    expect(await types('bech32')).toContain('v0_p2wpkh');
    expect(await types('bech32m')).toContain('v1_p2tr');
    expect(await types('opReturn')).toContain('op_return');
    expect(await types('anchorAndV2')).toEqual(expect.arrayContaining(['anchor', 'unknown']));
    const taproot = (await line('taprootSpend')).vin[0];
    expect(taproot.scriptsig).toBe('');
    expect(taproot.witness).toHaveLength(1); // key path: one Schnorr signature
    expect(taproot.witness?.[0]).toMatch(/^[0-9a-f]{128}([0-9a-f]{2})?$/);
    const p2shSegwit = (await line('p2shSegwitSpend')).vin[0];
    expect(p2shSegwit.scriptsig).toMatch(/^160014[0-9a-f]{40}$/); // the P2WPKH program as the redeem script
    expect(p2shSegwit.witness).toHaveLength(2);
    for (const [kind, txid] of Object.entries(sent)) expect(printed(txid), kind).toBe(1);
  }, 120_000);

  it('prints a mined block as Core describes it', async () => {
    const [hash] = await a.rpc<string[]>('generatetoaddress', [1, mineTo]);
    const line = await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, 'block line', LINE_MS);
    const core = await a.rpc<CoreBlock>('getblock', [hash, 1]);
    expect(line).toMatchObject({
      hash: core.hash,
      prev_hash: core.previousblockhash,
      height: core.height,
      version: core.version,
      time: core.time,
      bits: parseInt(core.bits, 16),
      nonce: core.nonce,
      merkle_root: core.merkleroot,
      merkle_ok: true,
      tx_count: core.nTx,
      size: core.size,
      stripped_size: core.strippedsize,
      weight: core.weight,
      txids: core.tx,
    });
    // Every wallet transaction it confirms had been printed (the coinbase never is).
    expect(line.seen_txs).toBe(core.nTx - 1);
    expect(core.tx.slice(1).every((t) => printed(t) === 1)).toBe(true);
    await waitSameTip([a, b, c]);
  });

  it('redials a node restarted on the same port and prints what it relays next', async () => {
    const mark = crawler.lines.all.length;
    await b.restart();
    const down = await crawler.lines.wait((l) => l.event === 'peer' && l.state === 'down' && l.peer === b.p2p, LINE_MS, 'b down', mark);
    expect(down.reason).toBe('closed');
    const again = await crawler.lines.wait(isUp(b.p2p), LINE_MS, 'b up again', crawler.lines.all.indexOf(down) + 1);
    // The redial is a new BIP 324 session: v2 again, under a new session id.
    expect(again.transport).toBe('v2');
    const theirs = await crawlerPeer(b);
    expect(theirs?.transport_protocol_type).toBe('v2');
    expect(theirs?.session_id).toMatch(SESSION_ID);
    expect(theirs?.session_id).not.toBe(sessions.get(b));
    // The restarted node dials nobody: a transaction sent through it alone can only reach us from it.
    const { hex } = await wallet<{ hex: string }>('send', { outputs: [{ [mineTo]: 0.3 }], options: { add_to_wallet: false } });
    const spent = await a.rpc<CoreTx>('decoderawtransaction', [hex]);
    await wallet('lockunspent', [false, spent.vin.map((i) => ({ txid: i.txid, vout: i.vout }))]);
    const txid = await b.rpc<string>('sendrawtransaction', [hex]);
    const line = await txLine(txid, 'tx through the restarted node');
    expect(line.seen).toMatchObject({ peer: b.p2p, peers: 1 });
    expectSameAsCore(line, await decoded(b, txid));
    // Back in the network: b mines it, everyone follows.
    await Promise.all([connectCore(b, a), connectCore(c, b)]);
    const [hash] = await b.rpc<string[]>('generatetoaddress', [1, mineTo]);
    const block = await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, 'block from b', LINE_MS);
    expect(block.txids).toContain(txid);
    await waitSameTip([a, b, c]);
  }, 120_000);

  it('gets blocks from a -blocksonly node, whose peer line says relay: false', async () => {
    const only = new CrawlProcess(['--network', 'regtest', '--peers', c.p2p, '--emit', 'tx,peer,block']);
    try {
      const up = await only.waitLine(isUp(c.p2p), 'blocksonly node up', 30_000);
      expect(up).toMatchObject({ relay: false, version: 70016, wtxid_relay: true, transport: 'v2' });
      expect((await crawlerPeer(c))?.transport_protocol_type).toBe('v2');
      const [hash] = await c.rpc<string[]>('generatetoaddress', [1, mineTo]);
      const block = await only.waitLine((l) => l.event === 'block' && l.hash === hash, 'block from the blocksonly node', LINE_MS);
      expect(block.seen).toMatchObject({ peer: c.p2p });
      const core = await c.rpc<CoreBlock>('getblock', [hash, 1]);
      expect(block).toMatchObject({ height: core.height, tx_count: core.nTx, size: core.size, weight: core.weight });
      // It reaches the others, and through them the main crawler.
      await crawler.waitLine((l) => l.event === 'block' && l.hash === hash, 'blocksonly block via a or b', LINE_MS);
      expect(only.txLines()).toEqual([]);
    } finally {
      await only.stop();
    }
    // Its waits allow more than the default 30 s: on a loaded machine (CI runs specs side by side) they may need it.
  }, 120_000);

  it('printed no transaction twice, whoever announced it', () => {
    const txids = crawler.txLines().map((l) => l.txid);
    expect(txids.length).toBeGreaterThanOrEqual(9);
    expect(new Set(txids).size).toBe(txids.length);
  });

  it('exchanged nothing over v2 that either side could not name: Core counted no *other* bytes, we skipped nothing', async () => {
    // A wrong BIP 324 short id, or a bad 12-byte command, is dropped by Core and its bytes
    // counted under "*other*" (CNode::ReceiveMsgBytes, reject_message).
    for (const node of [a, b]) {
      const theirs = await crawlerPeer(node);
      expect(theirs?.transport_protocol_type).toBe('v2');
      expect(Object.keys(theirs?.bytesrecv_per_msg ?? {})).toEqual(expect.arrayContaining(['version', 'verack', 'ping', 'pong', 'getdata']));
      expect(theirs?.bytesrecv_per_msg).not.toHaveProperty('*other*');
    }
    // Nor the other way: no packet of Core's that we could not read (our `bad message skipped`).
    expect(crawler.logs.all.filter((l) => l.includes('bad message skipped'))).toEqual([]);
  });
});
