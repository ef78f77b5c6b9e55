/** Prometheus metrics, scraped over HTTP from the real `crawl` command. */
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../lib/wire/header.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import { crawlFixtures } from '../support/fixtures.js';
import { series } from '../support/prometheus.js';
import { coreHandshake, REGTEST, servingPeer } from '../support/scripted-peer.js';
import { distinctTxs } from '../support/txs.js';

const { listen, crawl } = crawlFixtures();

describe('--metrics-port', () => {
  it('serves peers, messages and bytes by command and direction, transactions, drops by reason and RTT', async () => {
    const txs = distinctTxs(3);
    const good = servingPeer(txs);
    const pg = await listen(good.script);
    const bad = await listen(async (c) => {
      await coreHandshake(c);
      // A bad checksum costs that message (counted), then a wrong magic costs the peer.
      c.sendRaw(encodeFrame(REGTEST.magic, 'ping', new Uint8Array(8)).fill(0xee, 20, 24));
      c.send({ command: 'ping', nonce: 0x5eedn });
      while ((await c.next('pong')).nonce !== 0x5eedn);
      c.sendRaw(encodeFrame(REGTEST.magic, 'ping', new Uint8Array(8)).fill(0xee, 0, 4));
    });
    const crawler = crawl('--peers', `${pg.address},${bad.address}`, '--metrics-port', '0', '--no-reconnect', '--log-level', 'debug', '--transport', 'v1');
    const url = (await crawler.waitLog(/metrics url=/)).match(/url=(\S+)/)![1];
    for (const t of txs) await crawler.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    await crawler.waitLog(/peer dropped.*reason=framing/);
    await crawler.waitLog(/pong .*rtt_ms=/); // the first ping's answer, observed in the RTT histogram
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(series(text, 'bitcrawl_transactions_total')).toBe(3);
    expect(series(text, 'bitcrawl_messages_total{command="tx",direction="in"}')).toBe(3);
    expect(series(text, 'bitcrawl_messages_total{command="getdata",direction="out"}')).toBeGreaterThanOrEqual(1);
    expect(series(text, 'bitcrawl_message_bytes_total{command="tx",direction="in",transport="v1"}')).toBe(txs.reduce((a, t) => a + 24 + t.size, 0));
    // prom-client's own metrics under bitcrawl_, not bitcrawl_process_process_.
    expect(series(text, 'bitcrawl_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(text).not.toMatch(/process_process_|bitcrawl_process_nodejs_/);
    expect(series(text, 'bitcrawl_peer_drops_total{reason="framing"}')).toBe(1);
    expect(series(text, 'bitcrawl_bad_messages_total{command="ping"}')).toBe(1);
    expect(series(text, 'bitcrawl_peers{state="connected"}')).toBe(1);
    // Held: all but the second, a coinbase (a vector's), which Core's mempool refuses (printed all the same, above).
    expect(txs[1].inputs[0].prevIndex).toBe(0xffffffff);
    expect(series(text, 'bitcrawl_mempool_transactions')).toBe(2);
    expect(series(text, 'bitcrawl_ping_rtt_seconds_count')).toBeGreaterThanOrEqual(1);
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('over v2 counts the bytes on the wire: every packet, our version too, under transport="v2"', async () => {
    const txs = distinctTxs(3);
    const pg = await listen(servingPeer(txs).script);
    const crawler = crawl('--peers', pg.address, '--metrics-port', '0', '--transport', 'v2');
    const url = (await crawler.waitLog(/metrics url=/)).match(/url=(\S+)/)![1];
    for (const t of txs) await crawler.waitLine((l) => l.txid === toReversedHex(t.txid), 'tx');
    const text = await (await fetch(url)).text();
    // A v2 packet: 3 length bytes, 1 header byte, the 1-byte short id, the payload, a 16-byte tag (BIP 324).
    const packet = (payload: number): number => 3 + 1 + 1 + payload + 16;
    expect(series(text, 'bitcrawl_message_bytes_total{command="tx",direction="in",transport="v2"}')).toBe(txs.reduce((a, t) => a + packet(t.size), 0));
    const version = series(text, 'bitcrawl_message_bytes_total{command="version",direction="out",transport="v2"}') as number;
    // Our version: 86 bytes and the user agent, in one packet; sent before the keys were known, counted all the same.
    expect(version).toBeGreaterThan(packet(86));
    expect(series(text, 'bitcrawl_message_bytes_total{command="version",direction="in",transport="v2"}')).toBeGreaterThan(packet(86));
    expect(text).not.toMatch(/transport="v1"/);
  });
});
