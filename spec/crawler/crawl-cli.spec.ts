/**
 * The real `crawl` command (a child process, as a user runs it) against scripted peers on real
 * loopback sockets.
 */
import { describe, expect, it } from 'vitest';
import { toReversedHex } from '../../lib/wire/hex.js';
import { encodeFrame } from '../../lib/wire/header.js';
import { InvType } from '../../lib/wire/messages.js';
import type { JsonLine } from '../support/crawl-process.js';
import { coreHandshake, REGTEST, servingPeer } from '../support/scripted-peer.js';
import { crawlFixtures } from '../support/fixtures.js';
import { distinctTxs, segwitTxs, typicalTxs } from '../support/txs.js';
import { rssBytes, STALLED_RSS_BOUND_BYTES } from '../support/memory.js';


const txid = (l: JsonLine): unknown => l.txid;

const { listen, crawl } = crawlFixtures();


describe('crawl against scripted peers', () => {
  it('asks a 70016 peer by wtxid (MSG_WTX) and prints each transaction with its peer', async () => {
    const txs = segwitTxs().slice(0, 5);
    const serving = servingPeer(txs);
    const p = await listen(serving.script);
    const c = crawl('--peers', p.address);
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), `tx ${toReversedHex(t.txid)}`);
    expect(serving.getdata.map((i) => i.type)).toEqual(txs.map(() => InvType.WTX));
    expect(serving.getdata.map((i) => toReversedHex(i.hash))).toEqual(txs.map((t) => toReversedHex(t.wtxid)));
    const line = c.txLines()[0];
    expect(line.wtxid).toBe(toReversedHex(txs[0].wtxid));
    expect(line.seen).toMatchObject({ peer: p.address });
    expect(line.vin).toBeInstanceOf(Array);
    // SIGTERM: peers closed, a one-line summary, status 0.
    expect(await c.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(c.logs.all.at(-1)).toMatch(/^crawl: 5 transactions, 0 blocks from 1 peers, 0 addresses learned in [\d.]+ s$/);
  });

  it('asks a 70015 peer by txid with witness (MSG_WITNESS_TX)', async () => {
    const txs = typicalTxs().slice(0, 4);
    const serving = servingPeer(txs, { version: 70015 });
    const p = await listen(serving.script);
    const c = crawl('--peers', p.address, '--raw');
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    expect(serving.getdata.every((i) => i.type === InvType.WITNESS_TX)).toBe(true);
    // --raw: the exact bytes, witness included.
    expect(c.txLines().map((l) => l.hex)).toEqual(txs.map((t) => Buffer.from(t.raw).toString('hex')));
  });

  it('asks only one of two peers announcing the same transactions and prints each once', async () => {
    const txs = distinctTxs(30);
    const a = servingPeer(txs);
    const b = servingPeer(txs);
    const pa = await listen(a.script);
    const pb = await listen(b.script);
    const c = crawl('--peers', `${pa.address},${pb.address}`);
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    await c.stop('SIGTERM');
    expect(a.getdata.length + b.getdata.length).toBe(txs.length);
    expect(new Set(c.txLines().map(txid)).size).toBe(txs.length);
    expect(c.txLines()).toHaveLength(txs.length);
  });

  it('asks the next announcer when the first answers notfound', async () => {
    const txs = distinctTxs(3);
    // A is asked first; B announces only then; A answers notfound only once B's inv is in.
    let aAsked!: () => void;
    let bAnnounced!: () => void;
    const asked = new Promise<void>((r) => (aAsked = r));
    const announced = new Promise<void>((r) => (bAnnounced = r));
    const a = servingPeer(txs, { notFound: () => true, onAsked: () => (aAsked(), announced) });
    const b = servingPeer(txs, { announceAfter: asked, onAnnounced: bAnnounced });
    const pa = await listen(a.script);
    const pb = await listen(b.script);
    const c = crawl('--peers', `${pa.address},${pb.address}`);
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    expect(a.getdata).toHaveLength(3);
    expect(b.getdata).toHaveLength(3);
    expect(c.txLines().map((l) => (l.seen as { peer: string }).peer)).toEqual([pb.address, pb.address, pb.address]);
  });

  it('asks each announcer of a legacy tx by its own id kind: MSG_WTX of a wtxid-relay peer, MSG_WITNESS_TX of a 70015 one', async () => {
    // A legacy transaction's wtxid is its txid: both peers announce the same hash, each its own way.
    const txs = distinctTxs(3, typicalTxs().filter((t) => !t.segwit));
    let aAsked!: () => void;
    let bAnnounced!: () => void;
    const asked = new Promise<void>((r) => (aAsked = r));
    const announced = new Promise<void>((r) => (bAnnounced = r));
    const a = servingPeer(txs, { version: 70016, notFound: () => true, onAsked: () => (aAsked(), announced) });
    const b = servingPeer(txs, { version: 70015, announceAfter: asked, onAnnounced: bAnnounced });
    const pa = await listen(a.script);
    const pb = await listen(b.script);
    const c = crawl('--peers', `${pa.address},${pb.address}`);
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    expect(new Set(a.getdata.map((i) => i.type))).toEqual(new Set([InvType.WTX]));
    // The strict 70015 peer answers MSG_WTX with notfound: asking it that way would lose them.
    expect(new Set(b.getdata.map((i) => i.type))).toEqual(new Set([InvType.WITNESS_TX]));
    expect(c.txLines().map((l) => (l.seen as { peer: string }).peer)).toEqual([pb.address, pb.address, pb.address]);
  });

  it('asks the next announcer when the first does not deliver in time', async () => {
    const txs = distinctTxs(4);
    const silent = servingPeer(txs, { silent: true });
    const good = servingPeer(txs);
    const ps = await listen(silent.script);
    const pg = await listen(good.script);
    const c = crawl('--peers', `${ps.address},${pg.address}`, '--request-timeout', '0.5');
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    expect(c.txLines()).toHaveLength(4);
    expect(c.txLines().every((l) => (l.seen as { peer: string }).peer === pg.address)).toBe(true);
  });

  it('drops a peer that sends a malformed frame, and only that peer', async () => {
    const txs = distinctTxs(5);
    const bad = await listen(async (conn) => {
      await coreHandshake(conn);
      conn.sendRaw(encodeFrame(REGTEST.magic, 'ping', new Uint8Array(8)).fill(0xee, 0, 4)); // bad magic
    });
    const good = servingPeer(txs);
    const pg = await listen(async (conn) => {
      await bad.connection();
      await good.script(conn);
    });
    const c = crawl('--peers', `${bad.address},${pg.address}`, '--emit', 'tx,peer', '--no-reconnect', '--transport', 'v1');
    const down = await c.waitLine((l) => l.event === 'peer' && l.state === 'down', 'peer down');
    expect(down).toMatchObject({ peer: bad.address, reason: 'framing' });
    await c.waitLog(/peer dropped.*reason=framing/);
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    expect(c.child.exitCode).toBe(null);
  });

  it('keeps every peer and loses no transaction while stdout is not read for 4× the ping timeout', async () => {
    // Both sides ping every second and give up after 2 s without a pong; requests time out after 2 s.
    const txs = distinctTxs(3_000);
    let pongSeen: () => void = () => {};
    const serving = servingPeer(txs, { announceAll: true, pingEveryMs: 1_000, pongTimeoutMs: 2_000, onPong: () => pongSeen() });
    const p = await listen(serving.script);
    const c = crawl('--peers', p.address, '--raw', '--emit', 'tx,peer', '--log-level', 'debug', '--ping-interval', '1', '--ping-timeout', '2', '--request-timeout', '2');
    c.child.stdout.pause(); // a paused `jq`
    await c.waitLog(/stdout blocked: holding getdata/);
    // A ping answered after that: any getdata sent before the hold has reached the peer by now.
    await new Promise<void>((r) => (pongSeen = r));
    const pongsBefore = serving.pongs.length;
    const askedBefore = serving.getdata.length;
    let peakRss = 0;
    // Blocked for 8 s, 4× the ping timeout: sample the crawler's memory once a second meanwhile.
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      peakRss = Math.max(peakRss, rssBytes(c.child.pid!));
    }
    // Control traffic kept flowing: the peer's pings were answered; no new getdata went out.
    expect(serving.pongs.length - pongsBefore).toBeGreaterThanOrEqual(5);
    expect(serving.getdata.length).toBe(askedBefore);
    expect(peakRss).toBeLessThan(STALLED_RSS_BOUND_BYTES);
    c.child.stdout.resume();
    await c.waitLog(/stdout drained: sending getdata again/);
    await c.waitLine((l) => l.txid === toReversedHex(txs[txs.length - 1].txid), 'last tx', 60_000);
    const ids = c.txLines().map(txid);
    expect(ids).toHaveLength(txs.length);
    expect(new Set(ids).size).toBe(txs.length);
    expect(c.lines.all.filter((l) => l.event === 'peer' && l.state === 'down')).toEqual([]);
  }, 60_000);
});
