/**
 * A configured peer that gossips tens of thousands of closed loopback addresses, through the real
 * `crawl` command on regtest (where loopback is dialled): every one is a refused dial. Progress is
 * an event, not a time: after each round the peer gossips a marker listener, dialled only once every
 * address queued before it was (the dial queue is first in, first out).
 */
import { randomFillSync } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_PENDING_DIALS } from '../../lib/crawler/discovery.js';
import { MAX_ADDR_ENTRIES } from '../../lib/wire/limits.js';
import { AddrNetwork, InvType, type AddrV2Entry } from '../../lib/wire/messages.js';
import { crawlFixtures } from '../support/fixtures.js';
import { MB, rssBytes } from '../support/memory.js';
import { coreHandshake, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer.js';

const { listen, crawl } = crawlFixtures();

/**
 * RELIABILITY.md: the crawler's resident memory under a flood of refused dials. What it keeps is
 * bounded (the address book, the dial queue, the dialled set, the down log: 65,536 entries each).
 * Measured (loaded machine, three runs): 354–388 MB after 65,536 dials, 315–400 MB after 131,072.
 */
const REFUSED_FLOOD_RSS_BOUND_BYTES = 512 * MB;

/** One flood round: as many addresses as the dial queue holds, so each is queued and dialled. */
const ROUND = MAX_PENDING_DIALS;

const ipv4 = (v: number, port: number): AddrV2Entry => ({
  time: 1_700_000_000,
  services: 0x409n,
  networkId: AddrNetwork.IPV4,
  addr: Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255),
  port,
});
const hostOf = (host: string): number => host.split('.').reduce((a, b) => a * 256 + Number(b), 0);

/** A port nothing listens on (one that was free a moment ago): dials to 127.x.y.z there are refused at once. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `n` distinct closed addresses from 127.1.0.0 + `from` on, in addrv2 messages of MAX_ADDR_TO_SEND. */
function closedRound(from: number, n: number, port: number): AddrV2Entry[][] {
  const messages: AddrV2Entry[][] = [];
  for (let i = 0; i < n; i += MAX_ADDR_ENTRIES) {
    const batch: AddrV2Entry[] = [];
    for (let j = i; j < Math.min(n, i + MAX_ADDR_ENTRIES); j++) batch.push(ipv4(hostOf('127.1.0.0') + from + j, port));
    messages.push(batch);
  }
  return messages;
}

/** A listener whose first accepted connection marks the end of a round. */
const marker = (): Promise<ScriptedPeer> => listen(async (c) => c.close());

/**
 * The configured peer: Core's handshake, then on getaddr each round's gossip, its last message
 * ending with `tail()` (the marker; in the first round the peer's own address too), the next
 * round once the test says so. A second connection (a duplicate, which must never come) does the
 * handshake and closes, as the one that lost a transaction did.
 */
function flooder(rounds: ReadonlyArray<() => { gossip: AddrV2Entry[][]; tail: AddrV2Entry[] }>, next: Array<Promise<unknown>>) {
  const connections: ScriptedConnection[] = [];
  const script = async (c: ScriptedConnection): Promise<void> => {
    connections.push(c);
    await coreHandshake(c);
    if (connections.length > 1) return c.close();
    let round = 0;
    const send = async (): Promise<void> => {
      for (; round < rounds.length; round++) {
        if (round > 0) await next[round - 1];
        const { gossip, tail } = rounds[round]();
        for (const addrs of gossip) c.send({ command: 'addrv2', addrs });
        c.send({ command: 'addrv2', addrs: tail });
      }
    };
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getaddr') void send();
    }
  };
  return { script, connections };
}

describe('a peer gossiping closed loopback addresses', () => {
  it(`and then its own: never dialled twice, its session keeps its link; RSS under ${REFUSED_FLOOD_RSS_BOUND_BYTES / MB} MB through ${(2 * ROUND).toLocaleString('en')} refused dials`, async () => {
    const port = await closedPort();
    const ends = [await marker(), await marker()];
    /** The peer's own port, known once it listens (the gossip is built on getaddr, after that). */
    const own = { port: 0 };
    const here = (p: number): AddrV2Entry => ipv4(hostOf('127.0.0.1'), p);
    const rounds = [
      // Its own address after 65,536 others: it has left the dialled set's memory (65,536 keys).
      () => ({ gossip: closedRound(0, ROUND, port), tail: [here(own.port), here(ends[0].port)] }),
      () => ({ gossip: closedRound(ROUND, ROUND, port), tail: [here(ends[1].port)] }),
    ];
    let startSecond!: () => void;
    const f = flooder(rounds, [new Promise<void>((r) => (startSecond = r))]);
    const self = await listen(f.script);
    own.port = self.port;
    const c = crawl('--peers', self.address, '--discover', '--emit', 'peer', '--log-level', 'warn');
    await c.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === self.address, 'the configured peer up');
    const rss: number[] = [];
    // Every address gossiped before the marker has been dialled: the peer's own one too, were it dialled.
    await ends[0].connection(0);
    rss.push(rssBytes(c.child.pid ?? 0));
    expect(f.connections).toHaveLength(1);
    // Its session still has its link: a new transaction is asked for on it.
    const wtxid = randomFillSync(new Uint8Array(32));
    f.connections[0].send({ command: 'inv', items: [{ type: InvType.WTX, hash: wtxid }] });
    const getdata = await f.connections[0].next('getdata');
    expect(getdata.items.map((i) => Buffer.from(i.hash).toString('hex'))).toEqual([Buffer.from(wtxid).toString('hex')]);
    expect(c.lines.all.filter((l) => l.event === 'peer' && l.peer === self.address).map((l) => l.state)).toEqual(['up']);
    // A second round of as many: what the crawler keeps is at its bounds already.
    startSecond();
    await ends[1].connection(0);
    rss.push(rssBytes(c.child.pid ?? 0));
    console.log(`refused-dial flood: crawler RSS ${rss.map((b) => `${(b / MB).toFixed(0)} MB`).join(', then ')} after ${ROUND} and ${2 * ROUND} dials`);
    for (const b of rss) expect(b).toBeLessThan(REFUSED_FLOOD_RSS_BOUND_BYTES);
  }, 600_000);
});
