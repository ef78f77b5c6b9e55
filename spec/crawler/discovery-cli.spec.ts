/** Discovery through the real `crawl` command: scripted peers on several 127.0.0.x addresses. */
import { describe, expect, it } from 'vitest';
import { crawlFixtures } from '../support/fixtures.js';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';
import { coreHandshake, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer.js';


function ipv4(host: string, port: number): AddrV2Entry {
  return { time: 1_700_000_000, services: 0x409n, networkId: AddrNetwork.IPV4, addr: Uint8Array.from(host.split('.').map(Number)), port };
}
const ONION: AddrV2Entry = { time: 1_700_000_000, services: 0x409n, networkId: AddrNetwork.TORV3, addr: new Uint8Array(32).fill(9), port: 8333 };

/**
 * Peers that answer getaddr with the next peer's address (a chain: 1 → 2 → 3 → 4), as addrv2,
 * plus a Tor address that must be recorded but not dialled.
 */
async function chain(n: number): Promise<ScriptedPeer[]> {
  const next: Array<() => AddrV2Entry[]> = [];
  const out: ScriptedPeer[] = [];
  for (let i = 0; i < n; i++) {
    const p = await listen(async (c: ScriptedConnection) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs: next[i]() });
      }
    }, `127.0.0.${i + 2}`);
    out.push(p);
  }
  for (let i = 0; i < n; i++) next.push(() => (i + 1 < n ? [ipv4(`127.0.0.${i + 3}`, out[i + 1].port), ONION] : [ONION]));
  return out;
}

const { listen, crawl } = crawlFixtures();

describe('discovery', () => {
  it('starting from one peer, finds and connects to all of them, and prints each address once', async () => {
    const ps = await chain(4);
    const c = crawl('--peers', ps[0].address, '--discover', '--emit', 'peer,addr');
    for (const p of ps) await c.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === p.address, `up ${p.address}`);
    const addrs = c.lines.all.filter((l) => l.event === 'addr');
    expect(addrs.filter((a) => a.network === 'ipv4').map((a) => `${a.address}:${a.port}`)).toEqual(ps.slice(1).map((p) => p.address));
    // The onion address is learned (once) but never dialled.
    // Named as peer lines, the census and --onlynet name it (Core's "onion"), not BIP 155's "torv3".
    expect(addrs.filter((a) => a.network === 'onion')).toHaveLength(1);
    expect(addrs.filter((a) => a.network === 'torv3')).toHaveLength(0);
    expect(addrs[0]).toMatchObject({ services: '0x0000000000000409', time: 1_700_000_000, seen: { peer: ps[0].address } });
    for (const p of ps) expect((await p.connection()).socket.remoteAddress).toBe('127.0.0.1');
  });

  it('stays within --max-peers', async () => {
    const ps = await chain(3);
    const c = crawl('--peers', ps[0].address, '--discover', '--max-peers', '2', '--emit', 'peer,addr');
    await c.waitLine((l) => l.event === 'peer' && l.state === 'up' && l.peer === ps[1].address, 'second peer up');
    await c.waitLine((l) => l.event === 'addr' && l.port === ps[2].port, 'third address learned');
    // The third address is known but its slot never frees: no connection may come (bounded wait).
    const third = await Promise.race([ps[2].connection().then(() => 'connected'), new Promise((r) => setTimeout(() => r('none'), 750))]);
    expect(third).toBe('none');
    expect(c.lines.all.filter((l) => l.event === 'peer' && l.state === 'up')).toHaveLength(2);
  });

  it('--census visits every node once, reports version and RTT, and ends by itself', async () => {
    const ps = await chain(4);
    const c = crawl('--peers', ps[0].address, '--census');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    const visits = c.lines.all.filter((l) => l.event === 'peer');
    expect(visits.map((l) => l.peer).sort()).toEqual(ps.map((p) => p.address).sort());
    for (const v of visits) {
      expect(v).toMatchObject({ state: 'visited', version: 70016, user_agent: '/Satoshi:27.0.0/', start_height: 850_000 });
      expect(v.rtt_ms).toEqual(expect.any(Number));
    }
    // The configured peer (services unknown) is tried over v2 first and speaks it; the learned ones
    // were gossiped without NODE_P2P_V2, so they are dialled over v1 at once.
    expect(visits.map((v) => [v.peer, v.transport])).toEqual(expect.arrayContaining([[ps[0].address, 'v2']]));
    expect(visits.filter((v) => v.transport === 'v1')).toHaveLength(3);
    expect(c.logs.all).toContain('crawl: census: 4 nodes visited (1 over v2, 25%), 0 unreachable');
    // Every visit ended with the connection closed by us.
    for (const p of ps) await (await p.connection()).closed;
  });

  it('--census visits beyond --max-peers at once, reports every unreachable node once with why, and exits 0', async () => {
    // Two silent nodes (they accept and never speak) and a refused address, gossiped by the seed node.
    const silent = [await listen(() => new Promise<void>(() => {}), '127.0.0.3'), await listen(() => new Promise<void>(() => {}), '127.0.0.4')];
    const gone = await listen(async () => {}, '127.0.0.5');
    const refusedPort = gone.port;
    await gone.close();
    const first = await listen(async (c) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs: [ipv4('127.0.0.3', silent[0].port), ipv4('127.0.0.4', silent[1].port), ipv4('127.0.0.5', refusedPort)] });
      }
    }, '127.0.0.2');
    const c = crawl('--peers', first.address, '--census', '--max-peers', '1', '--census-concurrency', '3', '--visit-timeout', '2');
    // Both silent nodes are being visited at once: neither visit had ended when the second began.
    await silent[0].connection();
    await silent[1].connection();
    expect(c.lines.all.filter((l) => l.state === 'unreachable' && String(l.peer).startsWith('127.0.0.'))).toEqual(
      c.lines.all.filter((l) => l.peer === `127.0.0.5:${refusedPort}`),
    );
    expect(await c.exited).toEqual({ code: 0, signal: null });
    const lines = c.lines.all.filter((l) => l.event === 'peer');
    expect(lines.filter((l) => l.state === 'visited').map((l) => l.peer)).toEqual([first.address]);
    const unreachable = lines.filter((l) => l.state === 'unreachable');
    expect(unreachable.map((l) => [l.peer, l.reason]).sort()).toEqual(
      [
        [silent[0].address, 'visit-timeout'],
        [silent[1].address, 'visit-timeout'],
        [`127.0.0.5:${refusedPort}`, 'refused'],
      ].sort(),
    );
    expect(c.logs.all).toContain('crawl: census: 1 nodes visited (1 over v2, 100%), 3 unreachable (visit-timeout 2, refused 1)');
  });
});
