/**
 * Several vantage points on one bus, for real: a nats-server with JetStream on loopback, two
 * `crawl --nats` processes (vantages "east" and "west"), each with its own scripted peers that
 * announce the same transactions in an order the test decides, and `crawl merge` reading the stream.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsServer } from '../support/nats-server.js';
import { until } from '../support/harness.js';
import { toReversedHex } from '../../lib/wire/hex.js';
import type { DecodedTx } from '../../lib/wire/model.js';
import { CrawlProcess, type JsonLine } from '../support/crawl-process.js';
import { scriptedPeer, servingPeer, type ScriptedPeer } from '../support/scripted-peer.js';
import { distinctTxs } from '../support/txs.js';
import { NATS_SERVER, storedMessages } from '../support/nats.js';

const TXS = distinctTxs(9);
const txidOf = (t: DecodedTx): string => toReversedHex(t.txid);

/** A promise and the function that keeps it. */
function trigger(): { fired: Promise<void>; fire: () => void } {
  let fire = (): void => {};
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fired, fire };
}

/** One crawler's peers: one per batch, each announcing its batch once its trigger fires. */
async function peersFor(batches: readonly (readonly DecodedTx[])[]): Promise<{ peers: ScriptedPeer[]; go: Array<() => void> }> {
  const peers: ScriptedPeer[] = [];
  const go: Array<() => void> = [];
  for (const b of batches) {
    const t = trigger();
    peers.push(await scriptedPeer(servingPeer(b, { announceAfter: t.fired }).script));
    go.push(t.fire);
  }
  return { peers, go };
}

/** Counts what reaches the bus (a plain subscriber on bitcrawl.>): resolves once `n` lines came. */
class BusWatch {
  count = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private constructor(readonly nc: NatsConnection) {}
  static async open(url: string): Promise<BusWatch> {
    const w = new BusWatch(await connect({ servers: url }));
    w.nc.subscribe('bitcrawl.>', {
      callback: () => {
        w.count++;
        for (const x of w.waiters.filter((x) => x.n <= w.count)) x.resolve();
        w.waiters = w.waiters.filter((x) => x.n > w.count);
      },
    });
    await w.nc.flush();
    return w;
  }
  reached(n: number): Promise<void> {
    return n <= this.count ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

async function metric(c: CrawlProcess, name: string): Promise<number | undefined> {
  const url = /metrics url=(\S+)/.exec(await c.waitLog(/metrics url=/))?.[1] as string;
  const text = await (await fetch(url)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function crawler(vantage: string, peers: readonly ScriptedPeer[], url: string, extra: readonly string[] = []): CrawlProcess {
  return new CrawlProcess(['-n', 'regtest', '--peers', peers.map((p) => p.address).join(','), '--nats', url, '--vantage', vantage, ...extra]);
}

async function allPrinted(c: CrawlProcess, txs: readonly DecodedTx[]): Promise<JsonLine[]> {
  const out: JsonLine[] = [];
  for (const t of txs) out.push(await c.waitLine((l) => l.event === 'tx' && l.txid === txidOf(t), `tx ${txidOf(t)}`));
  return out;
}

const firstTime = (l: JsonLine): number => ((l.seen as { first: { time: number } }).first.time);

describe.skipIf(!NATS_SERVER)('two vantages on NATS, merged', () => {
  let server: NatsServer;
  const running: Array<CrawlProcess | ScriptedPeer | NatsConnection> = [];
  // A server of its own for each test (a stream on bitcrawl.> each, which may not overlap).
  beforeEach(async () => {
    server = await NatsServer.start(NATS_SERVER as string);
  });
  afterEach(async () => {
    for (const r of running.splice(0)) {
      if (r instanceof CrawlProcess) await r.stop('SIGKILL');
      else await r.close();
    }
    await server?.stop();
  });

  /** East and west crawlers publishing to `stream`, each with a peer per batch, both connected to the bus. */
  async function twoVantages(stream: string, batches: readonly (readonly DecodedTx[])[]) {
    const east = await peersFor(batches);
    const west = await peersFor(batches);
    running.push(...east.peers, ...west.peers);
    const watch = await BusWatch.open(server.url);
    running.push(watch.nc);
    const e = crawler('east', east.peers, server.url, ['--nats-stream', stream]);
    const w = crawler('west', west.peers, server.url, ['--nats-stream', stream]);
    running.push(e, w);
    await Promise.all([e.waitLog(/nats connected/), w.waitLog(/nats connected/)]);
    return { east, west, watch, e, w };
  }

  it('every transaction merged once, with both vantages, the right first vantage and spread', async () => {
    const stream = 'MERGE1';
    const x = TXS.slice(0, 3);
    const y = TXS.slice(3, 6);
    const { east, west, watch, e, w } = await twoVantages(stream, [x, y]);
    // x: east hears first, west only once east has printed them; y the other way round.
    east.go[0]();
    const eastX = await allPrinted(e, x);
    west.go[0]();
    const westX = await allPrinted(w, x);
    west.go[1]();
    const westY = await allPrinted(w, y);
    east.go[1]();
    const eastY = await allPrinted(e, y);
    await watch.reached(12);

    const m = new CrawlProcess(['merge', '-n', 'regtest', '--nats', server.url, '--nats-stream', stream, '--since', 'all', '--window', '1']);
    running.push(m);
    const merged = new Map<string, JsonLine>();
    for (const t of [...x, ...y]) merged.set(txidOf(t), await m.waitLine((l) => l.event === 'propagation' && l.txid === txidOf(t), `propagation ${txidOf(t)}`));
    const expectLine = (txid: string, first: JsonLine, second: JsonLine, firstName: string, secondName: string): void => {
      const line = merged.get(txid) as JsonLine;
      expect(firstTime(first)).toBeLessThanOrEqual(firstTime(second));
      expect(line).toEqual({
        event: 'propagation',
        kind: 'tx',
        txid,
        vantages: {
          [firstName]: { first: firstTime(first), peers: (first.seen as { peers: number }).peers },
          [secondName]: { first: firstTime(second), peers: (second.seen as { peers: number }).peers },
        },
        first_vantage: firstName,
        spread_ms: Math.round((firstTime(second) - firstTime(first)) * 1000),
      });
    };
    x.forEach((t, i) => expectLine(txidOf(t), eastX[i], westX[i], 'east', 'west'));
    y.forEach((t, i) => expectLine(txidOf(t), westY[i], eastY[i], 'west', 'east'));
    // Once each: the merge printed no other propagation line.
    await m.stop('SIGTERM');
    expect(m.lines.all.filter((l) => l.event === 'propagation')).toHaveLength(6);
    expect(m.logs.all.at(-1)).toMatch(/6 transactions, 0 blocks merged/);
  }, 90_000);

  it('a merge stopped and restarted under its durable name loses and repeats nothing', async () => {
    const stream = 'MERGE2';
    const batches = [TXS.slice(0, 2), TXS.slice(2, 4), TXS.slice(4, 6)];
    const { east, west, watch, e, w } = await twoVantages(stream, batches);
    const mergeArgs = ['merge', '-n', 'regtest', '--nats', server.url, '--nats-stream', stream, '--durable', 'lab', '--since', 'all', '--log-level', 'debug'];
    const publish = async (i: number, before: number): Promise<void> => {
      east.go[i]();
      west.go[i]();
      await Promise.all([allPrinted(e, batches[i]), allPrinted(w, batches[i])]);
      await watch.reached(before + 2 * batches[i].length);
    };
    const propagated = (m: CrawlProcess): string[] => m.lines.all.filter((l) => l.event === 'propagation').map((l) => String(l.txid));

    // First merge: prints batch 0, and is stopped.
    await publish(0, 0);
    const m1 = new CrawlProcess([...mergeArgs, '--window', '1']);
    running.push(m1);
    for (const t of batches[0]) await m1.waitLine((l) => l.txid === txidOf(t), 'batch 0');
    await m1.stop('SIGTERM');
    // Batch 1 while no merge runs; a second merge with a window of an hour receives it (and batch 2)
    // but prints none of it before it is stopped: what it held goes back to the stream.
    await publish(1, 4);
    const m2 = new CrawlProcess([...mergeArgs, '--window', '3600']);
    running.push(m2);
    for (const t of batches[1]) for (const v of ['east', 'west']) await m2.waitLog(new RegExp(`merge: line kind=tx id=${txidOf(t)} vantage=${v}`));
    await publish(2, 8);
    for (const t of batches[2]) for (const v of ['east', 'west']) await m2.waitLog(new RegExp(`merge: line kind=tx id=${txidOf(t)} vantage=${v}`));
    expect((await m2.stop('SIGTERM')).code).toBe(0);
    expect(propagated(m2)).toEqual([]);
    // A third merge under the same name prints batches 1 and 2, each with both vantages.
    const m3 = new CrawlProcess([...mergeArgs, '--window', '1']);
    running.push(m3);
    for (const t of [...batches[1], ...batches[2]]) {
      const l = await m3.waitLine((l) => l.txid === txidOf(t), 'batches 1 and 2');
      expect(Object.keys(l.vantages as object).sort()).toEqual(['east', 'west']);
    }
    await m3.stop('SIGTERM');
    const all = [...propagated(m1), ...propagated(m2), ...propagated(m3)];
    expect(all.sort()).toEqual(TXS.slice(0, 6).map(txidOf).sort());
  }, 120_000);

  it('the server stopped while crawling: nothing lost within the buffer, the drops beyond it counted', async () => {
    const stream = 'OUTAGE';
    const buffer = 4;
    const before = TXS.slice(0, 2);
    const during = TXS.slice(2, 2 + buffer + 3);
    const east = await peersFor([before, during]);
    running.push(...east.peers);
    const watch = await BusWatch.open(server.url);
    running.push(watch.nc);
    const e = crawler('east', east.peers, server.url, ['--nats-stream', stream, '--nats-buffer', String(buffer), '--metrics-port', '0']);
    running.push(e);
    await e.waitLog(/nats connected/);
    east.go[0]();
    await allPrinted(e, before);
    await watch.reached(before.length);
    await until('every line acknowledged', 15_000, async () => ((await metric(e, 'bitcrawl_nats_pending_lines')) === 0 ? true : undefined));
    await watch.nc.close();

    await server.pause();
    east.go[1]();
    // Stdout has them all: the crawl went on.
    const printed = await allPrinted(e, during);
    expect(await metric(e, 'bitcrawl_nats_dropped_total')).toBe(3);
    expect(await metric(e, 'bitcrawl_nats_pending_lines')).toBe(buffer);
    await e.waitLog(/nats: buffer full, dropping lines/);
    await server.resume();
    await e.waitLog(/nats reconnected/);
    await until('the buffer published', 30_000, async () => ((await metric(e, 'bitcrawl_nats_pending_lines')) === 0 ? true : undefined));
    await e.stop('SIGTERM');
    expect(e.logs.all.some((l) => /nats: published .*published=6 dropped=3 unsent=0/.test(l))).toBe(true);
    const stored = await storedMessages(server.url, stream);
    // The first `buffer` lines of the outage are kept (new ones are dropped when it is full), each once, in order.
    expect(stored.map((s) => s.json.txid)).toEqual([...before.map(txidOf), ...printed.slice(0, buffer).map((l) => l.txid)]);
    expect(stored.every((s) => s.json.vantage === 'east' && s.subject === 'bitcrawl.regtest.tx')).toBe(true);
  }, 120_000);
});

describe.skipIf(!NATS_SERVER)('--no-stdout', () => {
  it('publishes every line and prints none', async () => {
    const server = await NatsServer.start(NATS_SERVER as string);
    const txs = TXS.slice(0, 3);
    const peer = await scriptedPeer(servingPeer(txs).script);
    const watch = await BusWatch.open(server.url);
    const c = crawler('solo', [peer], server.url, ['--no-stdout']);
    try {
      await watch.reached(txs.length);
      await c.stop('SIGTERM');
      expect(c.lines.all).toEqual([]);
      const stored = await storedMessages(server.url, 'BITCRAWL');
      expect(stored.map((s) => s.json.txid).sort()).toEqual(txs.map(txidOf).sort());
    } finally {
      await c.stop('SIGKILL');
      await watch.nc.close();
      await peer.close();
      await server.stop();
    }
  }, 60_000);
});
