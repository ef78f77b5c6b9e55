/**
 * A census of a simulated network with IPv4, onion and I2P nodes, through the real `crawl`
 * command: onion services behind a scripted SOCKS5 proxy, I2P destinations behind a scripted SAM
 * bridge, every node a scripted Core-like peer on loopback. The seed gossips the others (addrv2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { crawlFixtures } from '../support/fixtures.js';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';
import { formatTorV3 } from '../../lib/wire/netaddr.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { coreHandshake, scriptedPeer, servingPeer, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer.js';
import { scriptedSocks5, type ScriptedProxy } from '../support/socks5-proxy.js';
import { i2pPeer, scriptedSam, type I2pPeer, type ScriptedSam } from '../support/sam-bridge.js';
import { typicalTxs } from '../support/txs.js';
import { toReversedHex } from '../../lib/wire/hex.js';

const { listen, crawl } = crawlFixtures();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const entry = (networkId: number, addr: Uint8Array, port: number): AddrV2Entry => ({ time: 1_700_000_000, services: 0x409n, networkId, addr, port });
const ipv4 = (host: string, port: number): AddrV2Entry => entry(AddrNetwork.IPV4, Uint8Array.from(host.split('.').map(Number)), port);

/** A Core-like node: handshake, pongs, and `addrs` (perhaps none) in answer to getaddr. */
function node(addrs: () => AddrV2Entry[]): (c: ScriptedConnection) => Promise<void> {
  return async (c) => {
    await coreHandshake(c);
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs: addrs() });
    }
  };
}

interface Network {
  readonly seed: ScriptedPeer;
  readonly other: ScriptedPeer;
  readonly onions: Array<{ name: string; peer: ScriptedPeer }>;
  readonly i2ps: Array<{ dest: I2pPeer; peer: ScriptedPeer }>;
  readonly proxy: ScriptedProxy;
  readonly sam: ScriptedSam;
}

/** Two IPv4 nodes, two onion services, two I2P destinations; the seed knows them all. */
async function simulated(): Promise<Network> {
  const gossip: AddrV2Entry[] = [];
  const seed = await listen(node(() => gossip), '127.0.0.2');
  const other = await listen(node(() => []), '127.0.0.3');
  const onions: Network['onions'] = [];
  for (const fill of [0x11, 0x22]) {
    const key = new Uint8Array(32).fill(fill);
    onions.push({ name: formatTorV3(key), peer: await listen(node(() => [])) });
    gossip.push(entry(AddrNetwork.TORV3, key, 8333));
  }
  const i2ps: Network['i2ps'] = [];
  for (let i = 0; i < 2; i++) {
    const peer = await listen(node(() => []));
    const dest = i2pPeer({ host: '127.0.0.1', port: peer.port });
    i2ps.push({ dest, peer });
    gossip.push(entry(AddrNetwork.I2P, dest.hash, 0));
  }
  gossip.push(ipv4('127.0.0.3', other.port));
  const byName = new Map(onions.map((o) => [o.name, o.peer.port]));
  const proxy = await scriptedSocks5({
    route: (host) => {
      const port = byName.get(host);
      if (port !== undefined) return { host: '127.0.0.1', port };
      if (host === '127.0.0.2') return { host, port: seed.port };
      if (host === '127.0.0.3') return { host, port: other.port };
      return 0x04; // host unreachable
    },
  });
  const sam = await scriptedSam({ peers: i2ps.map((x) => x.dest) });
  closers.push(() => proxy.close(), () => sam.close());
  return { seed, other, onions, i2ps, proxy, sam };
}

describe('a census over IPv4, onion and I2P', () => {
  it('reaches all three networks through the proxy and the bridge, and reports them per network', async () => {
    const n = await simulated();
    const c = crawl('--peers', n.seed.address, '--census', '--onion', n.proxy.address, '--i2psam', n.sam.address);
    expect(await c.exited).toEqual({ code: 0, signal: null });
    const visits = c.lines.all.filter((l) => l.event === 'peer' && l.state === 'visited');
    const byNet = (net: string): unknown[] => visits.filter((v) => v.network === net).map((v) => v.peer).sort();
    expect(byNet('ipv4')).toEqual([n.seed.address, n.other.address].sort());
    expect(byNet('onion')).toEqual(n.onions.map((o) => `${o.name}:8333`).sort());
    expect(byNet('i2p')).toEqual(n.i2ps.map((x) => `${x.dest.name}:0`).sort());
    expect(visits).toHaveLength(6);
    expect(c.logs.all).toContain('crawl: census: 6 nodes visited (1 over v2, 17%), 0 unreachable');
    expect(c.logs.all).toContain('crawl: census: reachable by network: ipv4 2, onion 2, i2p 2');
    expect(c.logs.all.filter((l) => l.includes('not visited'))).toEqual([]);
    // Onion names went to the proxy as names, each connection with its own credentials; IPv4 did not go through it.
    const connects = n.proxy.exchanges.map((e) => e.connect);
    expect(connects.map((x) => [x?.atyp, x?.host, x?.port]).sort()).toEqual(n.onions.map((o) => [3, o.name, 8333]).sort());
    expect(new Set(n.proxy.exchanges.map((e) => e.auth?.username)).size).toBe(2);
    // One SAM session; one stream per I2P peer, each after a lookup of its name.
    expect(n.sam.conversations.filter((l) => l[1]?.startsWith('SESSION CREATE STYLE=STREAM'))).toHaveLength(1);
    const lookups = n.sam.conversations.flatMap((l) => l.filter((x) => x.startsWith('NAMING LOOKUP')));
    expect(lookups.sort()).toEqual(n.i2ps.map((x) => `NAMING LOOKUP NAME=${x.dest.name}`).sort());
  });

  it('with --proxy alone, IPv4 goes through the proxy too; I2P addresses are learned and printed, not dialled', async () => {
    const n = await simulated();
    const c = crawl('--peers', n.seed.address, '--census', '--proxy', n.proxy.address, '--emit', 'addr');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.logs.all).toContain('crawl: census: reachable by network: ipv4 2, onion 2');
    // The I2P addresses it learned and could not visit are counted, with the flag that reaches them.
    expect(c.logs.all).toContain('crawl: census: learned but not visited: i2p 2 (reach them with --i2psam)');
    expect(n.proxy.exchanges.map((e) => e.connect?.host).sort()).toEqual(['127.0.0.2', '127.0.0.3', ...n.onions.map((o) => o.name)].sort());
    const i2pAddrs = c.lines.all.filter((l) => l.event === 'addr' && l.network === 'i2p');
    expect(i2pAddrs.map((a) => [a.address, a.port]).sort()).toEqual(n.i2ps.map((x) => [x.dest.name, 0]).sort());
    expect(n.sam.conversations).toHaveLength(0);
  });

  it('--onlynet onion: the configured IPv4 seed is still visited (as Core, manual peers are not limited), learned IPv4 is not', async () => {
    const n = await simulated();
    const c = crawl('--peers', n.seed.address, '--census', '--onion', n.proxy.address, '--i2psam', n.sam.address, '--onlynet', 'onion');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.logs.all).toContain('crawl: census: reachable by network: ipv4 1, onion 2');
    expect(c.logs.all).toContain('crawl: census: learned but not visited: ipv4 1 (not in --onlynet), i2p 2 (not in --onlynet)');
    expect(n.sam.conversations).toHaveLength(0);
  });

  it('counts an onion service the proxy cannot reach as unreachable on its network, with the proxy’s reason', async () => {
    const n = await simulated();
    await n.onions[1].peer.close();
    const c = crawl('--peers', n.seed.address, '--census', '--onion', n.proxy.address, '--emit', 'peer');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.logs.all).toContain('crawl: census: reachable by network: ipv4 2, onion 1 (1 unreachable)');
    const down = c.lines.all.find((l) => l.event === 'peer' && l.state === 'unreachable');
    expect(down).toMatchObject({ peer: `${n.onions[1].name}:8333`, network: 'onion', reason: 'connect-failed' });
    expect(String(down?.message)).toContain(`SOCKS5 proxy ${n.proxy.address}:`);
  });
});

describe('transactions through Tor', () => {
  it('a crawl of an onion peer prints its transactions, seen from the onion address', async () => {
    const txs = typicalTxs().slice(0, 3);
    const onionPeer = await listen(servingPeer(txs).script);
    const name = formatTorV3(new Uint8Array(32).fill(0x33));
    const proxy = await scriptedSocks5({ route: (host) => (host === name ? { host: '127.0.0.1', port: onionPeer.port } : 0x04) });
    closers.push(() => proxy.close());
    const c = crawl('--peers', `${name}:8333`, '--proxy', proxy.address);
    for (const t of txs) await c.waitLine((l) => l.event === 'tx' && l.txid === toReversedHex(t.txid), `tx ${toReversedHex(t.txid)}`);
    expect(c.txLines().every((l) => (l.seen as { peer: string }).peer === `${name}:8333`)).toBe(true);
    expect(proxy.exchanges[0].connect).toMatchObject({ atyp: 3, host: name, port: 8333 });
  });
});

describe('DNS seeds through the proxy', () => {
  it('with --proxy, the seeds’ names go to the proxy unresolved (Core: an address fetch to each seed), never to our resolver', async () => {
    const mainnet = NETWORKS.mainnet;
    const seedNode = await scriptedPeer(node(() => []), '127.0.0.1', mainnet.magic);
    closers.push(() => seedNode.close());
    const proxy = await scriptedSocks5({ route: () => ({ host: '127.0.0.1', port: seedNode.port }) });
    closers.push(() => proxy.close());
    const c = crawl('--network', 'mainnet', '--census', '--proxy', proxy.address);
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(proxy.exchanges.map((e) => [e.connect?.atyp, e.connect?.host, e.connect?.port]).sort()).toEqual(mainnet.dnsSeeds.map((s) => [3, s, 8333]).sort());
    expect(c.logs.all).toContain(`crawl: census: reachable by network: name ${mainnet.dnsSeeds.length}`);
  });
});

describe('flags', () => {
  it('refuses what Core refuses: -onlynet of an unreachable network; and peers with no way to them', async () => {
    const run = async (...args: string[]) => {
      const c = crawl(...args);
      const exit = await c.exited;
      return { code: exit.code, err: c.logs.all.join('\n') };
    };
    expect(await run('--onlynet', 'onion', '--peers', '127.0.0.1')).toEqual({ code: 2, err: 'crawl: --onlynet onion needs a proxy to reach Tor: --proxy or --onion' });
    expect(await run('--onlynet', 'i2p', '--peers', '127.0.0.1')).toEqual({ code: 2, err: 'crawl: --onlynet i2p needs --i2psam' });
    expect(await run('--onlynet', 'cjdns', '--peers', '127.0.0.1')).toEqual({ code: 2, err: 'crawl: --onlynet cjdns needs --cjdns-reachable' });
    expect(await run('--onlynet', 'moon', '--peers', '127.0.0.1')).toEqual({ code: 2, err: 'crawl: --onlynet takes ipv4, ipv6, onion, i2p, cjdns, not "moon"' });
    const onion = formatTorV3(new Uint8Array(32).fill(1));
    expect(await run('--peers', onion)).toEqual({ code: 2, err: `crawl: peer ${onion}:18444 is on onion: it needs --proxy or --onion` });
    expect(await run('--proxy', 'no such host:1', '--peers', '127.0.0.1')).toEqual({ code: 2, err: 'crawl: --proxy takes host:port, [ipv6]:port or host, not "no such host:1"' });
    expect(await run('--i2p-key', '/tmp/k', '--peers', '127.0.0.1')).toEqual({ code: 2, err: 'crawl: --i2p-key needs --i2psam' });
  });

  it('without a proxy or a bridge: the onion and I2P addresses learned are counted as not visited, with the flags that reach them', async () => {
    const n = await simulated();
    const c = crawl('--peers', n.seed.address, '--census');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.logs.all).toContain('crawl: census: reachable by network: ipv4 2');
    expect(c.logs.all).toContain('crawl: census: learned but not visited: onion 2 (reach them with --proxy or --onion), i2p 2 (reach them with --i2psam)');
  });
});
