/**
 * A mainnet-shaped start from DNS seeds, in process with an injected lookup (never the internet):
 * every address is on 127.0.0.0/8, nodes share one port as mainnet's share 8333.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';
import { NETWORKS, type NetworkParams } from '../../lib/wire/network.js';
import { askSeeds } from '../../lib/net/seeds.js';
import { FIXED_SEEDS } from '../../lib/net/fixed-seeds.js';
import { parseEndpoint } from '../../lib/net/endpoint.js';
import { coreHandshake, scriptedPeer, type ScriptedConnection, type ScriptedPeer } from '../support/scripted-peer.js';
import { crawlOptions, runInProcess, type InProcessCrawl } from '../support/run-in-process.js';
import type { JsonLine } from '../support/crawl-process.js';

let peers: ScriptedPeer[] = [];
let crawls: InProcessCrawl[] = [];
afterEach(async () => {
  await Promise.all(crawls.map((c) => c.stop()));
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
  crawls = [];
});

const ipv4 = (host: string, port: number): AddrV2Entry => ({ time: 1_700_000_000, services: 0x409n, networkId: AddrNetwork.IPV4, addr: Uint8Array.from(host.split('.').map(Number)), port });

/** A node at host:port that completes Core's handshake and answers getaddr with `gossip`. */
async function node(host: string, port: number, gossip: AddrV2Entry[] = []): Promise<ScriptedPeer> {
  const p = await scriptedPeer(
    async (c: ScriptedConnection) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs: gossip });
      }
    },
    host,
    undefined,
    'v1',
    port,
  );
  peers.push(p);
  return p;
}

/** Peers up right now, from the peer lines so far. */
function upNow(lines: readonly JsonLine[]): Set<string> {
  const up = new Set<string>();
  for (const l of lines) {
    if (l.event !== 'peer') continue;
    if (l.state === 'up') up.add(String(l.peer));
    else up.delete(String(l.peer));
  }
  return up;
}

describe('DNS seeds', () => {
  it('are learned addresses: dead seed answers are dialled once, and learned peers fill --max-peers', async () => {
    // The seeded node, and four nodes only gossip leads to, all on the network's one port.
    const first = await node('127.0.0.2', 0);
    const port = first.port;
    const learned = ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
    await first.close();
    peers = [];
    await node('127.0.0.2', port, learned.map((h) => ipv4(h, port)));
    for (const h of learned) await node(h, port);
    // One seed answers with ten dead addresses (more than --max-peers, as mainnet's seeds answer
    // more than 125), the other with the live one.
    const dead = Array.from({ length: 10 }, (_, i) => `127.0.1.${i + 1}`);
    const network: NetworkParams = { ...NETWORKS.regtest, defaultPort: port, dnsSeeds: ['dead.seed.test', 'live.seed.test'] };
    const asked: string[] = [];
    const lookup = async (name: string): Promise<string[]> => {
      asked.push(name);
      return name === 'dead.seed.test' ? dead : ['127.0.0.2'];
    };
    const c = runInProcess(crawlOptions({ network, maxPeers: 3 }), { lookup });
    crawls.push(c);
    await c.until(() => [...upNow(c.lines)].filter((p) => learned.includes(p.split(':')[0])).length >= 2);
    const up = upNow(c.lines);
    expect(up.size).toBe(3);
    expect(asked.sort()).toEqual(['dead.seed.test', 'live.seed.test']);
    // Each dead seed address was dialled once, not redialled holding its slot.
    const downs = c.lines.filter((l) => l.event === 'peer' && l.state === 'down');
    for (const h of dead) expect(downs.filter((l) => l.peer === `${h}:${port}`)).toHaveLength(1);
    expect(c.logs.some((l) => l.includes('DNS seeds answered'))).toBe(true);
  });

  it('when every seed fails or times out, says so in one line and starts from the fixed seeds', async () => {
    const fixed = await node('127.0.0.2', 0);
    const network: NetworkParams = { ...NETWORKS.regtest, dnsSeeds: ['slow.seed.test', 'broken.seed.test'] };
    const lookup = (name: string): Promise<string[]> =>
      name === 'broken.seed.test' ? Promise.reject(new Error('queryA ENOTFOUND broken.seed.test')) : new Promise<string[]>(() => {});
    const c = runInProcess(crawlOptions({ network }), { lookup, dnsTimeoutMs: 200, fixedSeeds: [fixed.address] });
    crawls.push(c);
    await c.until(() => upNow(c.lines).has(fixed.address));
    const warned = c.logs.filter((l) => l.includes('every DNS seed failed'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('slow.seed.test: slow.seed.test: no answer within 0.2 s');
    expect(warned[0]).toContain('broken.seed.test: queryA ENOTFOUND broken.seed.test');
    expect(warned[0]).toContain('starting from 1 fixed seeds');
  });
});

describe('askSeeds', () => {
  it('keeps at most 32 distinct addresses a seed, and says why a seed gave none', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `127.0.2.${i}`);
    const answers = await askSeeds(['a', 'b'], async (n) => (n === 'a' ? [...many, ...many] : []), 1_000);
    expect(answers).toEqual([
      { seed: 'a', addresses: many.slice(0, 32) },
      { seed: 'b', addresses: [], error: 'no addresses' },
    ]);
  });
});

describe('fixed seeds', () => {
  it('are a few well-formed mainnet addresses (from Core\'s chainparamsseeds.h)', () => {
    expect(FIXED_SEEDS.mainnet.length).toBeGreaterThan(0);
    expect(FIXED_SEEDS.mainnet.length).toBeLessThanOrEqual(32);
    for (const s of FIXED_SEEDS.mainnet) expect(parseEndpoint(s, 8333).host).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
});
