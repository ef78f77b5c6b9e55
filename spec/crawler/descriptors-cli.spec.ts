/**
 * Running out of file descriptors (EMFILE) is our limit, not the peer's fault: the real `crawl`
 * under a low `ulimit -n` is told of it once, waits, and dials again every learned address it
 * could not open a socket for; none is lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AddrNetwork, type AddrV2Entry } from '../../lib/wire/messages.js';
import { CrawlProcess } from '../support/crawl-process.js';
import { coreHandshake, scriptedPeer, type ScriptedPeer } from '../support/scripted-peer.js';

/** Enough for Node to load the crawler (measured: 64 loads, 48 does not), and ~50 sockets. */
const FD_LIMIT = 80;
/** More learned peers than the limit leaves room for at once. */
const LEARNED = 120;

let peers: ScriptedPeer[] = [];
let crawler: CrawlProcess | undefined;
afterEach(async () => {
  await crawler?.stop('SIGKILL');
  await Promise.all(peers.map((p) => p.close()));
  peers = [];
});

describe('out of file descriptors', () => {
  it('warns once, waits, and dials again every learned address it had no descriptor for', async () => {
    // Learned peers: each completes the handshake, then hangs up (freeing the descriptor).
    const handshakes = new Map<string, number>();
    let allReached!: () => void;
    const reachedAll = new Promise<void>((r) => (allReached = r));
    const learned: ScriptedPeer[] = [];
    for (let i = 0; i < LEARNED; i++) {
      const host = `127.0.1.${i + 1}`;
      learned.push(
        await scriptedPeer(async (c) => {
          await coreHandshake(c);
          handshakes.set(host, (handshakes.get(host) ?? 0) + 1);
          if (handshakes.size === LEARNED) allReached();
          c.close();
        }, host),
      );
    }
    peers.push(...learned);
    const addrs: AddrV2Entry[] = learned.map((p, i) => ({ time: 1_700_000_000, services: 0x409n, networkId: AddrNetwork.IPV4, addr: Uint8Array.of(127, 0, 1, i + 1), port: p.port }));
    const gossip = await scriptedPeer(async (c) => {
      await coreHandshake(c);
      for (;;) {
        const m = await c.next();
        if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
        if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs });
      }
    });
    peers.push(gossip);
    crawler = new CrawlProcess(['--network', 'regtest', '--peers', gossip.address, '--discover', '--transport', 'v1', '--max-peers', '200'], {}, { fdLimit: FD_LIMIT });
    await crawler.waitLog(/--max-peers 200 needs about \d+ file descriptors, more than the soft limit of 80/);
    await crawler.waitLog(/out of file descriptors \(EMFILE\)/, 30_000);
    // Every learned address ends up with a completed handshake: none was burnt by our own limit.
    await reachedAll;
    expect(handshakes.size).toBe(LEARNED);
    expect(crawler.logs.all.filter((l) => /out of file descriptors/.test(l))).toHaveLength(1);
    expect(crawler.child.exitCode).toBe(null);
  }, 60_000);
});
