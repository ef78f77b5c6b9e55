/**
 * One simulator process of the network benchmark: it shares the coordinator's listener on
 * 0.0.0.0 (which serves every 127.x.y.z, so K peers cost K descriptors) with the other
 * simulators, the kernel handing each accepted connection to one of them, and makes every
 * connection it accepts a SimPeer. Run by scripts/bench-network.ts through fork(), with IPC:
 *
 *   argv: N (stream length) R (tx/s) EXPECTED (connections all simulators should get)
 *   ← { serve } with the listening server's handle;  → { listening }
 *   → { handshakes, n } as they complete (at most every 100 ms)
 *   ← { stream, start }: announce transaction i from start + i / R (epoch ms) on
 *   ← { stop }: stop announcing;  ← { report }: → { report, … } and exit.
 *
 * Several of these share the peers between them, so that the simulated network is never what
 * limits the crawler on a 2-core machine.
 */
import type { Server, Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SimPeer, newTally, type Clock } from '../../spec/support/network/sim-peer.js';
import { buildStream, characterOf, type FromSimulator, type ToSimulator } from '../../spec/support/network/stream.js';
import { ellswiftCreate, randomPrivateKey } from '../../lib/transport/v2-ecdh.js';

const [n, rate, expected] = process.argv.slice(2).map(Number);
if (![n, rate, expected].every((x) => Number.isInteger(x) && x > 0)) throw new Error('usage: simulator.ts N R EXPECTED (run by bench-network.ts)');
const send = (m: FromSimulator): void => {
  process.send?.(m);
};

const stream = buildStream(n);
const tally = newTally(n);
const clock: Clock = { start: undefined, rate, stopped: false };
const peers = new Set<SimPeer>();
const sockets = new Set<Socket>();
let accepted = 0;
let closedDuringRun = 0;
let running = true;
let handshakes = 0;
let reported = 0;
const loop = monitorEventLoopDelay({ resolution: 10 });
/**
 * BENCH_SIM_KEYS v2 keys made before this simulator listens (bench-network.ts sets it for a v2
 * run): each simulated node stands for a Core node with a CPU of its own, which makes its key
 * there, not on the two cores the crawler is measured on. One key a connection, none reused; past
 * them a connection makes its own.
 */
const keys = Array.from({ length: Number(process.env.BENCH_SIM_KEYS ?? 0) }, () => {
  const privkey = randomPrivateKey();
  return { privkey, ellswift: ellswiftCreate(privkey) };
});
const nextKey = (): { privkey: Uint8Array; ellswift: Uint8Array } | undefined => keys.pop();

const reportHandshakes = setInterval(() => {
  if (handshakes !== reported) send({ kind: 'handshakes', n: (reported = handshakes) });
}, 100);

let server: Server | undefined;
const onConnection = (socket: Socket): void => {
  accepted++;
  sockets.add(socket);
  socket.setNoDelay(true);
  const address = socket.localAddress ? socket.localAddress.split('.').reduce((a, x) => a * 256 + Number(x), 0) : accepted;
  const { delayMs, trickleMs } = characterOf(address);
  const peer = new SimPeer(socket, stream, clock, tally, delayMs, trickleMs, () => handshakes++, undefined, nextKey);
  peers.add(peer);
  socket.on('data', (chunk: Buffer) => peer.receive(chunk));
  socket.on('error', () => {});
  socket.on('close', () => {
    if (running) closedDuringRun++;
    peer.stop();
    peers.delete(peer);
    sockets.delete(socket);
  });
};

process.on('message', (m: ToSimulator, handle: unknown) => {
  switch (m.kind) {
    case 'serve':
      server = handle as Server;
      server.maxConnections = expected + 100;
      server.on('connection', onConnection);
      send({ kind: 'listening' });
      return;
    case 'stream':
      clock.start = m.start;
      loop.enable();
      for (const p of peers) if (p.ready) p.startTrickle();
      return;
    case 'stop':
      clock.stopped = true;
      loop.disable();
      return;
    case 'report':
      running = false;
      for (const p of peers) p.stop();
      send({
        kind: 'report',
        report: {
          firstInv: Array.from(tally.firstInv),
          asked: Array.from(tally.asked),
          askedAt: Array.from(tally.askedAt),
          notfoundItems: tally.notfoundItems,
          accepted,
          closedDuringRun,
          protocolErrors: tally.protocolErrors,
          invsSent: tally.invsSent,
          invItemsSent: tally.invItemsSent,
          loopDelayP99Ms: loop.percentile(99) / 1e6,
          loopDelayMaxMs: loop.max / 1e6,
          rssMb: process.memoryUsage().rss / 2 ** 20,
        },
      });
      clearInterval(reportHandshakes);
      for (const s of sockets) s.destroy();
      server?.close();
      process.disconnect();
      return;
  }
});
// The coordinator gone (killed, crashed): nothing is left to simulate for.
process.on('disconnect', () => process.exit(0));
