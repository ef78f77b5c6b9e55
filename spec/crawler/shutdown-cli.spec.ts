/** Slow consumers and shutdown, through the real `crawl` command. */
import { describe, expect, it } from 'vitest';
import { toReversedHex } from '../../lib/wire/hex.js';
import { servingPeer } from '../support/scripted-peer.js';
import { crawlFixtures } from '../support/fixtures.js';
import { distinctTxs } from '../support/txs.js';
import { rssBytes, STALLED_RSS_BOUND_BYTES } from '../support/memory.js';


const { listen, crawl } = crawlFixtures();

describe('slow consumers and shutdown', () => {
  it('loses nothing when stdout is blocked for 10 seconds during 10,000 transactions, and stays small', async () => {
    const txs = distinctTxs(10_000);
    const serving = servingPeer(txs);
    const p = await listen(serving.script);
    const c = crawl('--peers', p.address, '--raw', '--log-level', 'debug');
    c.child.stdout.pause(); // a paused `jq`
    await c.waitLog(/stdout blocked: holding getdata/);
    let peakRss = 0;
    for (let i = 0; i < 10; i++) {
      // The issue asks for a reader blocked for 10 s: sample memory once a second meanwhile.
      await new Promise((r) => setTimeout(r, 1_000));
      peakRss = Math.max(peakRss, rssBytes(c.child.pid!));
    }
    // getdata was held: the peer was not asked for everything while nobody read.
    const askedWhileBlocked = serving.getdata.length;
    expect(askedWhileBlocked).toBeLessThan(txs.length);
    expect(peakRss).toBeLessThan(STALLED_RSS_BOUND_BYTES);
    c.child.stdout.resume();
    await c.waitLine((l) => l.txid === toReversedHex(txs[txs.length - 1].txid), 'last tx', 60_000);
    await c.stop('SIGINT');
    const ids = c.txLines().map((l) => l.txid);
    expect(ids).toHaveLength(txs.length);
    expect(new Set(ids).size).toBe(txs.length);
    expect(serving.getdata).toHaveLength(txs.length);
  }, 90_000);

  it('exits 0 on SIGINT after closing its peers, with a summary', async () => {
    const txs = distinctTxs(3);
    const serving = servingPeer(txs);
    const p = await listen(serving.script);
    const c = crawl('--peers', p.address);
    for (const t of txs) await c.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    const conn = await p.connection();
    expect(await c.stop('SIGINT')).toEqual({ code: 0, signal: null });
    await conn.closed;
    expect(c.logs.all.at(-1)).toMatch(/^crawl: 3 transactions, 0 blocks from 1 peers/);
  });

  it('logs and ignores SIGHUP, as bitcoind does, and still stops cleanly on SIGTERM', async () => {
    const txs = distinctTxs(2);
    const p = await listen(servingPeer(txs).script);
    const c = crawl('--peers', p.address);
    await c.waitLine((l) => l.txid === toReversedHex(txs[0].txid), 'tx');
    c.child.kill('SIGHUP');
    await c.waitLog(/SIGHUP ignored/);
    await c.waitLine((l) => l.txid === toReversedHex(txs[1].txid), 'second tx');
    expect(await c.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(c.logs.all.at(-1)).toMatch(/^crawl: 2 transactions/);
  });

  it('exits at once on a second SIGINT, even while stdout is blocked', async () => {
    const txs = distinctTxs(3_000);
    const p = await listen(servingPeer(txs).script);
    const c = crawl('--peers', p.address, '--raw', '--log-level', 'debug');
    c.child.stdout.pause();
    await c.waitLog(/stdout blocked: holding getdata/);
    c.child.kill('SIGINT'); // waits for stdout to drain, which never comes…
    await c.waitLog(/stopping/);
    c.child.kill('SIGINT'); // …so the second one ends it
    expect(await c.exited).toEqual({ code: 130, signal: null });
  });

  it('exits 0 on one SIGTERM while stdout is never read, once it has taken nothing for 10 s, saying what was not written', async () => {
    const txs = distinctTxs(3_000);
    const p = await listen(servingPeer(txs).script);
    const c = crawl('--peers', p.address, '--raw', '--log-level', 'debug');
    c.child.stdout.pause(); // a `jq` stopped for good
    await c.waitLog(/stdout blocked: holding getdata/);
    c.child.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.logs.all.at(-1)).toMatch(/^crawl: \d+ transactions, .*; stdout not read for 10 s: \d+ bytes of output not written$/);
  }, 60_000);
});
