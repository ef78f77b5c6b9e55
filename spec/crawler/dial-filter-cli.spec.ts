/**
 * Learned addresses cannot steer us: the real `crawl` command on mainnet records every address a
 * peer gossips, but dials none that Core's addrman would not (loopback, private, bad ports). Its
 * peer is a scripted one on 127.0.0.1 (a configured peer is the user's choice and is dialled); the
 * addresses it gossips are loopback listeners that count the connections they accept.
 *
 * Only loopback is ever gossiped, so that even a broken filter could dial nothing else; private,
 * public and bad-port addresses are the pure filter's tests (spec/net).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BAD_PORTS } from '../../lib/net/ports.js';
import { AddrNetwork, type AddrV2Entry, type TimedNetAddr } from '../../lib/wire/messages.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { CrawlProcess } from '../support/crawl-process.js';
import { coreHandshake, scriptedPeer, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer.js';

/** A loopback service that counts the connections it accepts (and says nothing). */
interface Listener {
  readonly host: string;
  readonly port: number;
  readonly accepted: () => number;
  /** Resolves once `n` connections have been accepted. */
  readonly connections: (n: number) => Promise<void>;
  readonly close: () => Promise<void>;
}

let listeners: Listener[] = [];
let peers: ScriptedPeer[] = [];
let crawlers: CrawlProcess[] = [];
afterEach(async () => {
  await Promise.all(crawlers.map((c) => c.stop('SIGKILL')));
  await Promise.all([...peers, ...listeners].map((p) => p.close()));
  [listeners, peers, crawlers] = [[], [], []];
});

function bind(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
}

/** Listens on `host` at the first free port of `ports` (0: any). */
async function listen(host: string, ports: readonly number[] = [0]): Promise<Listener> {
  const sockets: Socket[] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const server = createServer((s) => {
    s.on('error', () => {});
    sockets.push(s);
    for (const w of waiting.filter((x) => x.n <= sockets.length)) w.resolve();
  });
  for (const port of ports) {
    if (!(await bind(server, host, port))) continue;
    const l: Listener = {
      host,
      port: (server.address() as { port: number }).port,
      accepted: () => sockets.length,
      connections: (n) => (n <= sockets.length ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
    listeners.push(l);
    return l;
  }
  throw new Error(`no free port on ${host} among ${ports.join(', ')}`);
}

/** A loopback listener on one of Core's bad ports that needs no privilege (≥ 1024), e.g. 1719. */
const onBadPort = (host: string): Promise<Listener> => listen(host, BAD_PORTS.filter((p) => p >= 1024));

const TIME = 1_700_000_000;
const ipv4 = (host: string, port: number): AddrV2Entry => ({
  time: TIME,
  services: 0x409n,
  networkId: AddrNetwork.IPV4,
  addr: Uint8Array.from(host.split('.').map(Number)),
  port,
});
/** The same address as a legacy `addr` entry: IPv4-mapped IPv6. */
const legacy = (e: AddrV2Entry): TimedNetAddr => ({ time: e.time, services: e.services, ip: Uint8Array.from([...new Array<number>(10).fill(0), 0xff, 0xff, ...e.addr]), port: e.port });
const entryOf = (l: Listener): AddrV2Entry => ipv4(l.host, l.port);

const BARRIER = [0xadd1n, 0xadd2n] as const;

/**
 * A peer that answers the crawler's getaddr with `addrs` (as addrv2, or legacy addr), then pings
 * twice, one after the other: the second pong proves the crawler handled the addresses (messages
 * are handled in order) and went once more round its event loop, so any dial it started is out.
 */
function gossiping(addrs: readonly AddrV2Entry[], asLegacy: boolean): { script: (c: ScriptedConnection) => Promise<void>; handled: Promise<void> } {
  let resolve!: () => void;
  const handled = new Promise<void>((r) => (resolve = r));
  const script = async (c: ScriptedConnection): Promise<void> => {
    await coreHandshake(c);
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getaddr') {
        c.send(asLegacy ? { command: 'addr', addrs: addrs.map(legacy) } : { command: 'addrv2', addrs });
        c.send({ command: 'ping', nonce: BARRIER[0] });
      }
      if (m.command === 'pong' && m.nonce === BARRIER[0]) c.send({ command: 'ping', nonce: BARRIER[1] });
      if (m.command === 'pong' && m.nonce === BARRIER[1]) resolve();
    }
  };
  return { script, handled };
}

/** Runs `crawl --discover` against a gossiping peer on 127.0.0.1; resolves once `addrs` were handled. */
async function crawlGossip(networkArgs: readonly string[], addrs: readonly AddrV2Entry[], asLegacy = false, printed = addrs): Promise<CrawlProcess> {
  const network = networkArgs[networkArgs.indexOf('--network') + 1] as 'mainnet' | 'regtest';
  const g = gossiping(addrs, asLegacy);
  const peer = await scriptedPeer(g.script, '127.0.0.1', NETWORKS[network].magic);
  peers.push(peer);
  const crawler = new CrawlProcess([...networkArgs, '--peers', peer.address, '--discover', '--emit', 'addr,peer', '--log-level', 'debug']);
  crawlers.push(crawler);
  await crawler.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === peer.address, 'the configured loopback peer up');
  // Every address is recorded, dialled or not.
  for (const a of printed) {
    const host = a.addr.join('.');
    await crawler.waitLine((l) => l.event === 'addr' && l.network === 'ipv4' && l.address === host && l.port === a.port, `addr ${host}:${a.port}`);
  }
  await g.handled;
  // Connections the kernel completed before the pong are accepted in this turn's poll phase.
  await new Promise<void>((r) => setImmediate(r));
  return crawler;
}

const notDialled = (a: AddrV2Entry, why: string): RegExp =>
  new RegExp(`learned address not dialled .*address=${a.addr.join('\\.')} port=${a.port} why=${why}`);

describe('learned addresses cannot steer the crawler (mainnet)', () => {
  for (const asLegacy of [false, true]) {
    it(`records loopback addresses learned from ${asLegacy ? 'addr' : 'addrv2'} but dials none`, async () => {
      // Loopback only, even here: were the filter broken, anything else gossiped would be dialled.
      // Private, public and bad-port addresses are the pure filter's tests (spec/net).
      const local = [await listen('127.0.0.2'), await listen('127.0.0.3'), await onBadPort('127.0.0.4')];
      const crawler = await crawlGossip(['--network', 'mainnet'], local.map(entryOf), asLegacy);
      // The loopback services were never connected to (in the regtest test below, they are).
      expect(local.map((l) => l.accepted())).toEqual([0, 0, 0]);
      // And the log says why, for each.
      for (const l of local) await crawler.waitLog(notDialled(entryOf(l), 'unroutable'));
    });
  }
});

describe('where local addresses may be dialled, they are (so the tests above can fail)', () => {
  const cases: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['regtest (its nodes live on loopback)', ['--network', 'regtest']],
    ['mainnet --allow-local', ['--network', 'mainnet', '--allow-local']],
  ];
  for (const [name, args] of cases) {
    it(`${name}: learned loopback listeners are dialled, once each; a bad port still is not`, async () => {
      const good = [await listen('127.0.0.2'), await listen('127.0.0.3')];
      const bad = await onBadPort('127.0.0.4');
      const crawler = await crawlGossip(args, [...good.map(entryOf), entryOf(bad)]);
      await Promise.all(good.map((l) => l.connections(1)));
      expect([...good, bad].map((l) => l.accepted())).toEqual([1, 1, 0]);
      await crawler.waitLog(notDialled(entryOf(bad), 'bad-port'));
    });
  }
});

/** BIP 155 IPv6 entries holding what Core's UnserializeV2Stream reads as invalid: IPv4, Tor v2, an internal name. */
const ipv6 = (bytes: readonly number[], port: number): AddrV2Entry => ({ time: TIME, services: 0x409n, networkId: AddrNetwork.IPV6, addr: Uint8Array.from(bytes), port });
const EMBEDDED: readonly AddrV2Entry[] = [
  ipv6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2], 8333), // ::ffff:127.0.0.2
  ipv6([0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 8333), // TORV2_IN_IPV6_PREFIX
  ipv6([0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 8333), // INTERNAL_IN_IPV6_PREFIX
];

describe('addrv2 IPv6 entries that embed another network (Core: UnserializeV2Stream makes them invalid)', () => {
  it('are skipped and counted, not printed as "ipv6" with an IPv4 address; the entries beside them still are', async () => {
    const plain = ipv4('127.0.0.5', 8333);
    const crawler = await crawlGossip(['--network', 'mainnet'], [...EMBEDDED, plain], false, [plain]);
    // The whole addrv2 message was handled (crawlGossip's barrier): only the plain entry was printed.
    expect(crawler.lines.all.filter((l) => l.event === 'addr').map((l) => `${String(l.network)} ${String(l.address)}`)).toEqual(['ipv4 127.0.0.5']);
    await crawler.waitLog(/addresses skipped: IPv4, Tor v2 or internal inside IPv6, which Core ignores .*skipped=3/);
    await crawler.stop('SIGTERM');
    expect(crawler.logs.all.some((l) => /addresses skipped: .*Core ignores them.*skipped=3/.test(l))).toBe(true);
  });
});
