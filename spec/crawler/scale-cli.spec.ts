/**
 * Correctness at scale (no timing asserted): 2,000 simulated Core-like peers (the network
 * benchmark's, spec/support/network/sim-peer.ts) on 127.0.x.y, each announcing the same 40
 * transactions with its own delay and trickle; the real binary connected to all of them prints
 * every transaction exactly once, asking for each once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { SimPeer, newTally, type Clock } from '../support/network/sim-peer.js';
import { buildStream, characterOf, epochMs, hostOf } from '../support/network/stream.js';
import { CrawlProcess } from '../support/crawl-process.js';

const K = 2_000;
const N = 40;
const RATE = 20;

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

describe('2,000 peers', () => {
  it('every transaction printed once, one getdata per transaction', async () => {
    const stream = buildStream(N);
    const tally = newTally(N);
    const clock: Clock = { start: undefined, rate: RATE, stopped: false };
    const peers: SimPeer[] = [];
    const sockets = new Set<Socket>();
    let verack = 0;
    let done = 0;
    let allReady: () => void = () => {};
    let allDone: () => void = () => {};
    const ready = new Promise<void>((r) => (allReady = r));
    const finished = new Promise<void>((r) => (allDone = r));
    // One listener on the wildcard address serves every 127.0.x.y the crawler dials (only loopback is dialled).
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.setNoDelay(true);
      const address = (socket.localAddress ?? '0.0.0.0').split('.').reduce((a, x) => a * 256 + Number(x), 0);
      const { delayMs, trickleMs } = characterOf(address);
      const p = new SimPeer(socket, stream, clock, tally, delayMs, trickleMs, () => ++verack === K && allReady(), () => ++done === K && allDone());
      peers.push(p);
      socket.on('data', (chunk: Buffer) => p.receive(chunk));
      socket.on('error', () => {});
      socket.on('close', () => p.stop());
    });
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '0.0.0.0', backlog: 4096 }, resolve));
    cleanup.push(() => {
      for (const p of peers) p.stop();
      for (const s of sockets) s.destroy();
      server.close();
    });
    const port = (server.address() as { port: number }).port;
    const list = Array.from({ length: K }, (_, i) => `${hostOf(i)}:${port}`);
    const crawler = new CrawlProcess([
      '--network', 'regtest',
      '--peers', list.join(','),
      '--max-peers', String(K),
      '--transport', 'v1',
      '--emit', 'tx',
      '--ping-interval', '600',
      '--log-level', 'warn',
    ]);
    cleanup.push(() => void crawler.stop('SIGKILL'));
    await ready;
    clock.start = epochMs();
    for (const p of peers) p.startTrickle();
    // Every peer has announced the whole stream and the crawler has read all of it (a ping after).
    await finished;
    await crawler.lines.wait(() => crawler.txLines().length >= N, 60_000, `${N} tx lines`);
    const printed = new Map<string, number>();
    for (const l of crawler.txLines()) printed.set(String(l.txid), (printed.get(String(l.txid)) ?? 0) + 1);
    expect(printed.size).toBe(N);
    expect([...printed.values()].every((n) => n === 1)).toBe(true);
    expect(Array.from(tally.asked)).toEqual(new Array(N).fill(1));
    expect(tally.notfoundItems).toBe(0);
    expect(tally.invItemsSent).toBe(K * N);
    expect((await crawler.stop()).code).toBe(0);
  }, 120_000);
});
