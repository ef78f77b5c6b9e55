/**
 * A simulated network on loopback: K Core-like peers, one global transaction stream, the real
 * `crawl` command connected to all of them.
 *
 * ONE listener on 0.0.0.0:PORT serves every 127.x.y.z, so the crawler dials K distinct addresses
 * (127.0.x.y:PORT) and this process holds K sockets, not 2K. Each accepted connection is a peer
 * as Bitcoin Core 27+ is one: v1 and BIP 324 v2 told apart by the first bytes (ResponderTransport
 * 'both'), Core's inbound handshake (version, wtxidrelay, sendaddrv2, verack; then sendcmpct, ping,
 * feefilter), pings answered. All peers announce the SAME stream of R new transactions per second,
 * each by wtxid (MSG_WTX; by txid to a peer that did not send wtxidrelay) after its own delay (0–2 s,
 * fixed per peer) on its own trickle (one inv every 0.5–1.5 s, fixed per peer, batching whatever
 * became due since the last), and serve every getdata at once, strictly: only what that peer has
 * announced, by the id kind it announced; notfound otherwise.
 *
 * Phases: dial and handshakes (until the simulator has received K veracks: "handshake time");
 * the stream starts; after STREAM_WARM_S seconds the measured window of SECONDS opens; the stream
 * stops when it closes, and the benchmark waits until every transaction of the window has been
 * printed (at most DRAIN_S), plus a little for late duplicates.
 *
 * Reported, per transport:
 * - printed once: every transaction created in the window printed exactly once (stdout, NDJSON);
 *   duplicates (lines beyond the first of any transaction) and missing ones;
 * - getdata items the peers received for the window's transactions ÷ those transactions;
 * - latency: from the first inv that carried a transaction (the earliest any peer sent it) to the
 *   moment this process read its line: p50/p99/max (it includes this process's event-loop delay,
 *   reported next to it);
 * - the crawler's CPU (user + sys, /proc/PID/stat) over the window, as % of one core; its peak
 *   RSS (VmHWM); and its CPU during the handshakes;
 * - this process's own CPU over the window (it competes for the same cores).
 *
 *   node --import tsx scripts/bench-network.ts K R SECONDS [--transport v1|v2]   (both when omitted, v1 first)
 *   BENCH_CRAWL_BIN=file …   runs that build of `crawl` instead of dist/bin/crawl.js
 *   BENCH_CRAWL_ARGS='…'     adds these options to the crawler's command line
 *
 * Only loopback is dialled. Bounded: the stream is R × (STREAM_WARM_S + SECONDS) transactions, the
 * handshakes get at most HANDSHAKE_LIMIT_S, a watchdog ends everything; the crawler is killed and the
 * listener closed at the end (and on SIGINT/SIGTERM).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createServer, type Server, type Socket } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { encodeTx, decodeTx } from '../lib/tx/transaction.js';
import type { DecodedTx } from '../lib/tx/types.js';
import { toHex, toReversedHex } from '../lib/wire/hex.js';
import { InvType, type InvItem, type Message } from '../lib/wire/messages.js';
import { CRAWL_BIN } from '../spec/helpers/crawl-process.js';
import { ResponderTransport } from '../spec/helpers/peer-transport.js';
import { INV_BATCH, REGTEST, versionOf } from '../spec/helpers/scripted-peer.js';
import { typicalTxs } from '../spec/helpers/txs.js';

type Transport = 'v1' | 'v2';

const USAGE = 'usage: node --import tsx scripts/bench-network.ts K R SECONDS [--transport v1|v2]';
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--transport');
const tIndex = process.argv.indexOf('--transport');
const only = tIndex >= 0 ? process.argv[tIndex + 1] : undefined;
if (only !== undefined && only !== 'v1' && only !== 'v2') throw new Error(USAGE);
const K = Number(positional[0] ?? 1_000);
const R = Number(positional[1] ?? 20);
const SECONDS = Number(positional[2] ?? 30);
if (![K, R, SECONDS].every((x) => Number.isInteger(x) && x > 0) || K > 10_000) throw new Error(`${USAGE} (K ≤ 10,000, the crawler's bound)`);
const TRANSPORTS: Transport[] = only === undefined ? ['v1', 'v2'] : [only];

/** The stream runs this long before the window opens: each peer's delay (≤ 2 s) plus trickle (≤ 1.5 s) fills. */
const STREAM_WARM_S = 5;
/** After the window: wait at most this long for its transactions (delay + trickle + getdata + decode). */
const DRAIN_S = 20;
/** …and this long after the last one, for late duplicates. */
const LATE_DUPLICATES_S = 3;
/** The handshakes of all K peers get at most this long; the run goes on with those that made it. */
const HANDSHAKE_LIMIT_S = Math.max(60, Math.ceil(K / 50));
/** Per-peer announcement delay and trickle period (fixed per peer, uniform in these ranges). */
const DELAY_MS: [number, number] = [0, 2_000];
const TRICKLE_MS: [number, number] = [500, 1_500];

const CRAWL = process.env.BENCH_CRAWL_BIN ?? CRAWL_BIN;
/** More crawler options (space-separated), e.g. BENCH_CRAWL_ARGS='--handshake-timeout 600'. */
const EXTRA_ARGS = (process.env.BENCH_CRAWL_ARGS ?? '').split(' ').filter((x) => x !== '');
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
/** Linux's MAX_ARG_STRLEN is 128 KiB per argument or environment string: longer peer lists go in several --peers. */
const MAX_ARG_CHARS = 100_000;

/** K distinct loopback addresses: 127.0.x.y with x ≥ 1, y in 1..254 (never 127.0.0.1). */
function hostOf(i: number): string {
  return `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;
}

/** mulberry32: the same delays and trickle periods for the same peer in every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** CPU seconds the whole machine has been busy (all cores: /proc/stat's cpu line, all but idle and iowait). */
function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0)) / CLOCK_TICKS;
}

function ownCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The global stream: transactions made distinct by their locktime (as distinctTxs does), built before any clock runs. */
interface Stream {
  readonly txs: DecodedTx[];
  readonly byWtxid: Map<string, number>;
  readonly byTxid: Map<string, number>;
  /** Display txid (the line's "txid") → index. */
  readonly byLineTxid: Map<string, number>;
}

function buildStream(n: number): Stream {
  const base = typicalTxs();
  const txs: DecodedTx[] = [];
  const byWtxid = new Map<string, number>();
  const byTxid = new Map<string, number>();
  const byLineTxid = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = decodeTx(encodeTx({ ...base[i % base.length], locktime: 500_000_000 + i }));
    txs.push(t);
    byWtxid.set(toHex(t.wtxid), i);
    byTxid.set(toHex(t.txid), i);
    byLineTxid.set(toReversedHex(t.txid), i);
  }
  return { txs, byWtxid, byTxid, byLineTxid };
}

interface Peer {
  readonly socket: Socket;
  readonly transport: ResponderTransport;
  readonly delayMs: number;
  readonly trickleMs: number;
  verack: boolean;
  wtxidRelay: boolean;
  /** Announced: stream indices [start, next). */
  start: number;
  next: number;
  timer: NodeJS.Timeout | undefined;
}

interface Result {
  readonly transport: Transport;
  readonly handshakes: number;
  readonly handshakeS: number;
  readonly handshakeCrawlerCpuS: number;
  readonly handshakeSimCpuS: number;
  readonly window: number;
  readonly printedOnce: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly unknownLines: number;
  readonly getdataPerTx: number;
  readonly getdataItems: number;
  readonly notfoundItems: number;
  readonly latency: { p50: number; p99: number; max: number };
  /** First inv sent → first getdata received (the crawler's inv handling and request). */
  readonly firstInvToGetdata: { p50: number; p99: number; max: number };
  /** First getdata received → line read (serving, the crawler's decode and print, our reading). */
  readonly getdataToLine: { p50: number; p99: number; max: number };
  readonly crawlerCpuPct: number;
  readonly simCpuPct: number;
  /** The rest of the machine (other engineers' work) over the window, in % of one core. */
  readonly othersCpuPct: number;
  readonly simLoopDelayP99Ms: number;
  readonly simLoopDelayMaxMs: number;
  readonly crawlerHwmMb: number;
  readonly crawlerRssMb: number;
  readonly simRssMb: number;
  readonly accepted: number;
  readonly closedDuringRun: number;
  readonly protocolErrors: number;
  readonly invsSent: number;
  readonly invItemsSent: number;
  readonly stderr: string[];
  readonly exit: string;
}

const quantile = (xs: readonly number[], q: number): number => (xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let current: { child: ChildProcess | undefined; server: Server | undefined; sockets: Set<Socket> } = { child: undefined, server: undefined, sockets: new Set() };

function cleanUp(): void {
  const c = current.child;
  if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of current.sockets) s.destroy();
  current.server?.close();
}

for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    cleanUp();
    process.exit(130);
  });

async function run(transport: Transport, stream: Stream): Promise<Result> {
  const nWarm = R * STREAM_WARM_S;
  const nTotal = stream.txs.length;
  const windowIdx = { from: nWarm, to: nTotal };
  const created: number[] = [];
  const firstInv = new Float64Array(nTotal).fill(NaN);
  const readAt = new Float64Array(nTotal).fill(NaN);
  const printed = new Uint32Array(nTotal);
  const asked = new Uint32Array(nTotal);
  /** When the first getdata for each transaction reached a peer: splits the latency into asking and delivering. */
  const askedAt = new Float64Array(nTotal).fill(NaN);
  let unknownLines = 0;
  let notfoundItems = 0;
  let accepted = 0;
  let closedDuringRun = 0;
  let protocolErrors = 0;
  let invsSent = 0;
  let invItemsSent = 0;
  let handshakes = 0;
  let allHandshakes: () => void = () => {};
  const handshakesDone = new Promise<void>((r) => (allHandshakes = r));
  let streaming = false;
  let running = true;
  const peers = new Set<Peer>();
  const sockets = new Set<Socket>();

  const announce = (p: Peer): void => {
    const now = performance.now();
    const items: InvItem[] = [];
    const first = p.next;
    while (p.next < created.length && created[p.next] + p.delayMs <= now) {
      const t = stream.txs[p.next];
      items.push(p.wtxidRelay ? { type: InvType.WTX, hash: t.wtxid } : { type: InvType.TX, hash: t.txid });
      p.next++;
    }
    if (items.length === 0 || p.socket.destroyed) return;
    p.socket.cork();
    for (let i = 0; i < items.length; i += INV_BATCH) {
      p.socket.write(p.transport.encode({ command: 'inv', items: items.slice(i, i + INV_BATCH) }));
      invsSent++;
    }
    p.socket.uncork();
    invItemsSent += items.length;
    const sent = performance.now();
    for (let i = first; i < p.next; i++) if (!(firstInv[i] <= sent)) firstInv[i] = sent;
  };

  const startTrickle = (p: Peer): void => {
    // A random phase, then every trickleMs.
    p.timer = setTimeout(() => {
      announce(p);
      p.timer = setInterval(() => announce(p), p.trickleMs);
    }, Math.random() * p.trickleMs);
  };

  const handle = (p: Peer, m: Message): void => {
    const send = (msg: Message): void => {
      if (!p.socket.destroyed) p.socket.write(p.transport.encode(msg));
    };
    switch (m.command) {
      case 'version':
        send(versionOf(70016));
        if (m.version >= 70016) {
          send({ command: 'wtxidrelay' });
          send({ command: 'sendaddrv2' });
        }
        send({ command: 'verack' });
        return;
      case 'wtxidrelay':
      case 'sendaddrv2':
        // Core disconnects a peer that sends these after its verack.
        if (p.verack) {
          protocolErrors++;
          p.socket.destroy();
        } else if (m.command === 'wtxidrelay') p.wtxidRelay = true;
        return;
      case 'verack':
        if (p.verack) return;
        p.verack = true;
        send({ command: 'sendcmpct', announce: false, version: 2n });
        send({ command: 'ping', nonce: 77n });
        send({ command: 'feefilter', feerate: 1000n });
        // Announces only what is created from now on, as a fresh Core connection would.
        p.start = p.next = created.length;
        if (streaming) startTrickle(p);
        if (++handshakes === K) allHandshakes();
        return;
      case 'ping':
        send({ command: 'pong', nonce: m.nonce });
        return;
      case 'getdata': {
        const missing: InvItem[] = [];
        p.socket.cork();
        for (const item of m.items) {
          const kindOk = p.wtxidRelay ? item.type === InvType.WTX : item.type === InvType.TX || item.type === InvType.WITNESS_TX;
          const i = kindOk ? (p.wtxidRelay ? stream.byWtxid : stream.byTxid).get(toHex(item.hash)) : undefined;
          if (i !== undefined && asked[i]++ === 0) askedAt[i] = performance.now();
          if (i === undefined || i < p.start || i >= p.next) missing.push(item);
          else send({ command: 'tx', tx: stream.txs[i] });
        }
        if (missing.length > 0) {
          notfoundItems += missing.length;
          send({ command: 'notfound', items: missing });
        }
        p.socket.uncork();
        return;
      }
      default:
        return;
    }
  };

  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.setNoDelay(true);
    // The peer's fixed character, from the address the crawler dialled.
    const rnd = random(socket.localAddress ? socket.localAddress.split('.').reduce((a, x) => a * 256 + Number(x), 0) : accepted);
    const p: Peer = {
      socket,
      transport: new ResponderTransport(REGTEST.magic, 'both', (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      }),
      delayMs: DELAY_MS[0] + rnd() * (DELAY_MS[1] - DELAY_MS[0]),
      trickleMs: TRICKLE_MS[0] + rnd() * (TRICKLE_MS[1] - TRICKLE_MS[0]),
      verack: false,
      wtxidRelay: false,
      start: 0,
      next: 0,
      timer: undefined,
    };
    peers.add(p);
    socket.on('data', (chunk: Buffer) => {
      let messages: Message[];
      try {
        messages = p.transport.receive(chunk);
      } catch {
        protocolErrors++;
        socket.destroy();
        return;
      }
      for (const m of messages) handle(p, m);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (running) closedDuringRun++;
      clearTimeout(p.timer);
      clearInterval(p.timer);
      peers.delete(p);
      sockets.delete(socket);
    });
  });
  server.maxConnections = K + 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '0.0.0.0', backlog: 4096 }, resolve);
  });
  const port = (server.address() as { port: number }).port;

  // The peer list, in arguments of < 128 KiB each (the CLI joins repeated --peers with commas).
  const addresses = Array.from({ length: K }, (_, i) => `${hostOf(i)}:${port}`);
  const peerArgs: string[] = [];
  for (let i = 0; i < addresses.length; ) {
    const chunk: string[] = [];
    let len = 0;
    while (i < addresses.length && len + addresses[i].length + 1 <= MAX_ARG_CHARS) {
      len += addresses[i].length + 1;
      chunk.push(addresses[i++]);
    }
    peerArgs.push('--peers', chunk.join(','));
  }
  const args = [
    CRAWL,
    '--network', 'regtest',
    ...peerArgs,
    '--max-peers', String(K),
    '--transport', transport,
    '--emit', 'tx',
    '--ping-interval', '120',
    '--log-level', 'warn',
    ...EXTRA_ARGS,
  ];
  const t0 = performance.now();
  const sim0 = ownCpu();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  current = { child, server, sockets };
  const pid = child.pid ?? 0;
  const stderr: string[] = [];
  let stderrLines = 0;
  createInterface({ input: child.stderr }).on('line', (l) => {
    if (++stderrLines <= 50) stderr.push(l);
  });
  createInterface({ input: child.stdout }).on('line', (l) => {
    const at = performance.now();
    let txid: unknown;
    try {
      txid = (JSON.parse(l) as { txid?: unknown }).txid;
    } catch {
      unknownLines++;
      return;
    }
    const i = typeof txid === 'string' ? stream.byLineTxid.get(txid) : undefined;
    if (i === undefined) {
      unknownLines++;
      return;
    }
    if (printed[i]++ === 0) readAt[i] = at;
  });
  let exit = 'running';
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = `${code ?? signal}`;
      resolve();
    }),
  );
  // Watchdog: the whole run is bounded whatever happens.
  const watchdog = setTimeout(
    () => {
      console.error(`bench-network: watchdog expired (${transport}); killing the crawler`);
      cleanUp();
      process.exit(1);
    },
    (HANDSHAKE_LIMIT_S + STREAM_WARM_S + SECONDS + DRAIN_S + LATE_DUPLICATES_S + 60) * 1000,
  );

  // 1. Handshakes.
  const limit = sleep(HANDSHAKE_LIMIT_S * 1000).then(() => 'limit' as const);
  const why = await Promise.race([handshakesDone.then(() => 'all' as const), limit, exited.then(() => 'exited' as const)]);
  if (why === 'exited') {
    clearTimeout(watchdog);
    cleanUp();
    throw new Error(`crawl exited (${exit}) during the handshakes:\n${stderr.join('\n')}`);
  }
  const handshakeS = (performance.now() - t0) / 1000;
  const handshakeCrawlerCpuS = cpuSeconds(pid);
  const handshakeSimCpuS = ownCpu() - sim0;
  const handshakesAtStart = handshakes;
  if (why === 'limit') console.error(`bench-network: only ${handshakes} of ${K} handshakes within ${HANDSHAKE_LIMIT_S} s; going on with those`);

  // 2. The stream: R per second, paced by the clock (each created on time, not drifting).
  streaming = true;
  for (const p of peers) if (p.verack) startTrickle(p);
  const s0 = performance.now();
  let windowOpen: { crawler: number; sim: number; machine: number; at: number } | undefined;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const generator = setInterval(() => {
    const due = Math.min(nTotal, Math.floor(((performance.now() - s0) / 1000) * R) + 1);
    while (created.length < due) {
      if (created.length === windowIdx.from) {
        windowOpen = { crawler: cpuSeconds(pid), sim: ownCpu(), machine: machineBusySeconds(), at: performance.now() };
        loop.enable();
      }
      created.push(performance.now());
    }
  }, 10);
  await sleep(((STREAM_WARM_S + SECONDS) * 1000) + 20);
  clearInterval(generator);
  while (created.length < nTotal) created.push(performance.now());
  const windowClose = { crawler: cpuSeconds(pid), sim: ownCpu(), machine: machineBusySeconds(), at: performance.now() };
  loop.disable();
  const hwm = statusKb(pid, 'VmHWM');
  const rss = statusKb(pid, 'VmRSS');
  const simRss = process.memoryUsage().rss;
  if (!windowOpen) throw new Error('the window never opened');

  // 3. Drain: until every transaction of the window is printed (bounded), then a little for duplicates.
  const drainEnd = performance.now() + DRAIN_S * 1000;
  const allPrinted = (): boolean => {
    for (let i = windowIdx.from; i < windowIdx.to; i++) if (printed[i] === 0) return false;
    return true;
  };
  while (!allPrinted() && performance.now() < drainEnd && exit === 'running') await sleep(100);
  await sleep(LATE_DUPLICATES_S * 1000);

  // 4. Clean up.
  running = false;
  for (const p of peers) {
    clearTimeout(p.timer);
    clearInterval(p.timer);
  }
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (exit === 'running') child.kill('SIGKILL');
  await exited;
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  clearTimeout(watchdog);

  let once = 0;
  let duplicates = 0;
  let missing = 0;
  let getdataItems = 0;
  const lat: number[] = [];
  const toAsk: number[] = [];
  const toLine: number[] = [];
  for (let i = 0; i < nTotal; i++) duplicates += Math.max(0, printed[i] - 1);
  for (let i = windowIdx.from; i < windowIdx.to; i++) {
    if (printed[i] === 1) once++;
    if (printed[i] === 0) missing++;
    getdataItems += asked[i];
    if (printed[i] > 0) {
      lat.push(readAt[i] - firstInv[i]);
      toAsk.push(askedAt[i] - firstInv[i]);
      toLine.push(readAt[i] - askedAt[i]);
    }
  }
  for (const xs of [lat, toAsk, toLine]) xs.sort((a, b) => a - b);
  const dist = (xs: number[]): { p50: number; p99: number; max: number } => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: xs[xs.length - 1] ?? NaN });
  const windowS = (windowClose.at - windowOpen.at) / 1000;
  const n = windowIdx.to - windowIdx.from;
  return {
    transport,
    handshakes: handshakesAtStart,
    handshakeS,
    handshakeCrawlerCpuS,
    handshakeSimCpuS,
    window: n,
    printedOnce: once,
    duplicates,
    missing,
    unknownLines,
    getdataPerTx: getdataItems / n,
    getdataItems,
    notfoundItems,
    latency: dist(lat),
    firstInvToGetdata: dist(toAsk),
    getdataToLine: dist(toLine),
    crawlerCpuPct: ((windowClose.crawler - windowOpen.crawler) / windowS) * 100,
    simCpuPct: ((windowClose.sim - windowOpen.sim) / windowS) * 100,
    othersCpuPct: ((windowClose.machine - windowOpen.machine - (windowClose.crawler - windowOpen.crawler) - (windowClose.sim - windowOpen.sim)) / windowS) * 100,
    simLoopDelayP99Ms: loop.percentile(99) / 1e6,
    simLoopDelayMaxMs: loop.max / 1e6,
    crawlerHwmMb: hwm / 1024,
    crawlerRssMb: rss / 1024,
    simRssMb: simRss / 2 ** 20,
    accepted,
    closedDuringRun,
    protocolErrors,
    invsSent,
    invItemsSent,
    stderr,
    exit,
  };
}

function conditions(): string {
  const load = readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
  let top = '';
  try {
    top = execFileSync('ps', ['-eo', 'pid,pcpu,etimes,args', '--sort=-pcpu'], { encoding: 'utf8' })
      .split('\n')
      .slice(1, 6)
      .map((l) => l.trim().slice(0, 140))
      .join('\n    ');
  } catch {
    top = '(ps failed)';
  }
  return `load average ${load}; top processes by CPU (lifetime average):\n    ${top}`;
}

const ms = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)}` : '—');
const stream = buildStream(R * (STREAM_WARM_S + SECONDS));
console.log(`bench-network: K = ${K} peers, R = ${R} tx/s, window ${SECONDS} s (after ${STREAM_WARM_S} s of stream), transports ${TRANSPORTS.join(', ')}`);
console.log(`crawl: ${CRAWL}${EXTRA_ARGS.length > 0 ? ` (extra options: ${EXTRA_ARGS.join(' ')})` : ''}`);
const results: Result[] = [];
try {
  for (const t of TRANSPORTS) {
    console.log(`\n[${t}] before: ${conditions()}`);
    const r = await run(t, stream);
    results.push(r);
    console.log(`[${t}] after:  ${conditions()}`);
    console.log(
      `[${t}] handshakes ${r.handshakes}/${K} in ${r.handshakeS.toFixed(1)} s (crawler CPU ${r.handshakeCrawlerCpuS.toFixed(1)} s, simulator ${r.handshakeSimCpuS.toFixed(1)} s); ` +
        `accepted ${r.accepted} connections, ${r.closedDuringRun} closed during the run, ${r.protocolErrors} protocol errors; crawl exit ${r.exit}`,
    );
    console.log(
      `[${t}] window: ${r.window} txs; printed once ${r.printedOnce}, duplicates ${r.duplicates}, missing ${r.missing}, unknown lines ${r.unknownLines}; ` +
        `getdata ${r.getdataItems} items = ${r.getdataPerTx.toFixed(3)}/tx, notfound ${r.notfoundItems}; invs sent ${r.invsSent} (${r.invItemsSent} items)`,
    );
    console.log(
      `[${t}] latency first inv → line read: p50 ${ms(r.latency.p50)} ms, p99 ${ms(r.latency.p99)} ms, max ${ms(r.latency.max)} ms; ` +
        `crawler CPU ${r.crawlerCpuPct.toFixed(1)}% of a core, VmHWM ${r.crawlerHwmMb.toFixed(0)} MB (RSS at window end ${r.crawlerRssMb.toFixed(0)} MB); ` +
        `simulator CPU ${r.simCpuPct.toFixed(1)}%, everything else on the machine ${r.othersCpuPct.toFixed(0)}% of a core (of ${cpus().length * 100}%), event-loop delay p99 ${r.simLoopDelayP99Ms.toFixed(1)} ms / max ${r.simLoopDelayMaxMs.toFixed(1)} ms, RSS ${r.simRssMb.toFixed(0)} MB`,
    );
    console.log(
      `[${t}] latency split: first inv → getdata at the peer p50 ${ms(r.firstInvToGetdata.p50)} / p99 ${ms(r.firstInvToGetdata.p99)} / max ${ms(r.firstInvToGetdata.max)} ms; ` +
        `getdata → line read p50 ${ms(r.getdataToLine.p50)} / p99 ${ms(r.getdataToLine.p99)} / max ${ms(r.getdataToLine.max)} ms`,
    );
    if (r.stderr.length > 0) console.log(`[${t}] crawler stderr (first ${r.stderr.length} lines):\n    ${r.stderr.join('\n    ')}`);
  }
} finally {
  cleanUp();
}

console.log('\n| K | transport | printed once | dup | missing | getdata/tx | latency p50 / p99 / max (ms) | crawler CPU | crawler VmHWM | handshake time | simulator CPU | others\' CPU |');
console.log('|---:|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${K.toLocaleString('en')} | ${r.transport} | ${r.printedOnce === r.window ? 'yes' : 'NO'} (${r.printedOnce}/${r.window}) | ${r.duplicates} | ${r.missing} | ${r.getdataPerTx.toFixed(3)} | ` +
      `${ms(r.latency.p50)} / ${ms(r.latency.p99)} / ${ms(r.latency.max)} | ${r.crawlerCpuPct.toFixed(1)}% | ${r.crawlerHwmMb.toFixed(0)} MB | ${r.handshakeS.toFixed(1)} s | ${r.simCpuPct.toFixed(1)}% | ${r.othersCpuPct.toFixed(0)}% |`,
  );
const v1 = results.find((r) => r.transport === 'v1');
const v2 = results.find((r) => r.transport === 'v2');
if (v1 && v2)
  console.log(
    `\nv2 / v1 crawler CPU over the window: ${(v2.crawlerCpuPct / v1.crawlerCpuPct).toFixed(2)}; during the handshakes: ${(v2.handshakeCrawlerCpuS / v1.handshakeCrawlerCpuS).toFixed(2)} ` +
      `(${v1.handshakeCrawlerCpuS.toFixed(1)} → ${v2.handshakeCrawlerCpuS.toFixed(1)} s)`,
  );
