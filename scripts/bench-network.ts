/**
 * A simulated network on loopback: K Core-like peers, one global transaction stream, the real
 * `crawl` command connected to all of them. The peers live in SIMULATORS child processes
 * (scripts/network/simulator.ts) sharing one listener on 0.0.0.0 at regtest's default port (it
 * serves every 127.x.y.z, and the peer list is bare addresses: 10,000 of them fit in one argument,
 * under Linux's 128 KiB; the CLI takes the last of repeated --peers), so that this process only
 * starts things, reads the crawler's stdout and counts; the crawler's CPU is read from /proc for
 * its process alone.
 *
 * Phases: dial and handshakes (until the simulators have received K veracks: "handshake time";
 * for v2 each simulator makes its share of responder keys before it listens, as each of K real
 * nodes would on a CPU of its own, so that the two cores here go to the crawler and the rest of
 * the handshakes);
 * the stream starts (transaction i at start + i / R); after STREAM_WARM_S seconds the measured
 * window of SECONDS opens; when it closes the benchmark waits until every transaction of the
 * window has been printed (at most DRAIN_S), plus a little for late duplicates; then SIGTERM, and
 * the time to the crawler's exit.
 *
 * Reported, per transport: every transaction of the window printed exactly once (duplicates,
 * missing); getdata items the peers received ÷ transactions; latency from the first inv that
 * carried a transaction to the moment this process read its line; the timestamp's error (the
 * line's seen.first.time against the first inv's send time); crawler CPU (user + sys) over the
 * window as % of one core and per transaction; its peak RSS (VmHWM); the simulators' CPU and the
 * rest of the machine's; SIGTERM → exit.
 *
 *   node --import tsx scripts/bench-network.ts K R SECONDS [--transport v1|v2] [--simulators S] [--burn B]
 *     --transport   one transport (both when omitted, v1 first)
 *     --simulators  simulator processes (default 2)
 *     --burn        B busy-looping processes for the whole run: CPU contention, to see degradation
 *   BENCH_CRAWL_BIN=file    runs that build of `crawl` instead of dist/bin/crawl.js
 *   BENCH_CRAWL_ARGS='…'    adds these options to the crawler's command line
 *   BENCH_CPU_PROF=dir      runs the crawler with --cpu-prof into dir
 *   BENCH_HEAP_SNAPSHOT=dir writes a heap snapshot of the crawler into dir once the handshakes are
 *                           done and it has settled (HEAP_SETTLE_S), before the stream: idle peers'
 *                           retained heap (scripts/heap-summary.ts reads it; run K and a small K
 *                           and divide the difference for the bytes a peer)
 *
 * Only loopback is dialled. Bounded: the stream is R × (STREAM_WARM_S + SECONDS) transactions, the
 * handshakes get at most HANDSHAKE_LIMIT_S, a watchdog ends everything; every child is killed at
 * the end (and on SIGINT/SIGTERM).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { readdirSync, statSync } from 'node:fs';
import { NETWORKS } from '../lib/wire/network.js';
import { createInterface } from 'node:readline';
import { CRAWL_BIN } from '../spec/support/crawl-process.js';
import { conditions, cpuSeconds, machineBusySeconds, statusKb } from './network/proc.js';
import { dist, printResult, printTable, type Result, type Transport } from './network/report.js';
import { STREAM_WARM_S, buildStream, createdAt, epochMs, hostOf, type FromSimulator, type SimulatorReport, type Stream, type ToSimulator } from '../spec/support/network/stream.js';

const USAGE = 'usage: node --import tsx scripts/bench-network.ts K R SECONDS [--transport v1|v2] [--simulators S] [--burn B]';
const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const positional = argv.filter((a, i) => !a.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--'));
const only = flag('--transport');
if (only !== undefined && only !== 'v1' && only !== 'v2') throw new Error(USAGE);
const K = Number(positional[0] ?? 1_000);
const R = Number(positional[1] ?? 20);
const SECONDS = Number(positional[2] ?? 30);
const SIMULATORS = Number(flag('--simulators') ?? 2);
const BURN = Number(flag('--burn') ?? 0);
if (![K, R, SECONDS, SIMULATORS].every((x) => Number.isInteger(x) && x > 0) || K > 10_000 || !Number.isInteger(BURN) || BURN < 0) {
  throw new Error(`${USAGE} (K ≤ 10,000, the crawler's bound)`);
}
const TRANSPORTS: Transport[] = only === undefined ? ['v1', 'v2'] : [only];

/** After the window: wait at most this long for its transactions (delay + trickle + getdata + decode). */
const DRAIN_S = 20;
/** …and this long after the last one, for late duplicates. */
const LATE_DUPLICATES_S = 3;
/** The handshakes of all K peers get at most this long; the run goes on with those that made it. */
const HANDSHAKE_LIMIT_S = Math.max(60, Math.ceil(K / 50));
/** SIGTERM → exit: after this long the crawler is killed (and the figure says so). */
const SHUTDOWN_LIMIT_S = 30;

const CRAWL = process.env.BENCH_CRAWL_BIN ?? CRAWL_BIN;
const EXTRA_ARGS = (process.env.BENCH_CRAWL_ARGS ?? '').split(' ').filter((x) => x !== '');
const CPU_PROF = process.env.BENCH_CPU_PROF;
const HEAP_SNAPSHOT = process.env.BENCH_HEAP_SNAPSHOT;
/** Before the heap snapshot: for the handshakes' garbage to be collected and the first pings answered. */
const HEAP_SETTLE_S = 5;
/** Linux's MAX_ARG_STRLEN: 128 KiB per argument. */
const MAX_ARG_CHARS = 131_071;
const SIMULATOR = new URL('./network/simulator.ts', import.meta.url).pathname;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const children = new Set<ChildProcess>();

function cleanUp(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    cleanUp();
    process.exit(130);
  });

interface Simulator {
  readonly child: ChildProcess;
  handshakes: number;
  report?: SimulatorReport;
}

async function startSimulator(server: Server, n: number, keys: number, onProgress: () => void): Promise<Simulator> {
  const env = { ...process.env, BENCH_SIM_KEYS: String(keys) };
  const child = fork(SIMULATOR, [String(n), String(R), String(K)], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  children.add(child);
  child.send({ kind: 'serve' } satisfies ToSimulator, server);
  return new Promise((resolve, reject) => {
    let sim: Simulator | undefined;
    child.on('message', (m: FromSimulator) => {
      if (m.kind === 'listening') resolve((sim = { child, handshakes: 0 }));
      else if (m.kind === 'handshakes' && sim) {
        sim.handshakes = m.n;
        onProgress();
      } else if (m.kind === 'report' && sim) sim.report = m.report;
    });
    child.once('exit', (code) => {
      children.delete(child);
      if (!sim) reject(new Error(`simulator exited (${code}) before listening`));
    });
  });
}

function tell(sim: Simulator, m: ToSimulator): void {
  if (sim.child.connected) sim.child.send(m);
}

async function collect(sims: readonly Simulator[]): Promise<SimulatorReport[]> {
  for (const s of sims) tell(s, { kind: 'report' });
  const deadline = Date.now() + 10_000;
  while (sims.some((s) => !s.report) && Date.now() < deadline) await sleep(50);
  const missing = sims.filter((s) => !s.report).length;
  if (missing > 0) throw new Error(`${missing} simulators did not report`);
  return sims.map((s) => s.report as SimulatorReport);
}

async function run(transport: Transport, stream: Stream): Promise<Result> {
  const nTotal = stream.txs.length;
  const from = R * STREAM_WARM_S;
  let onHandshake = (): void => {};
  const port = NETWORKS.regtest.defaultPort;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on 0.0.0.0:${port} (regtest's default port) for the simulated peers: ${err.message}`)));
    server.listen({ port, host: '0.0.0.0', backlog: 4096 }, resolve);
  });
  // For v2, each simulator's keys made before it listens (simulator.ts): 10% over its share of K.
  const keys = transport === 'v2' ? Math.ceil((1.1 * K) / SIMULATORS) : 0;
  const sims = await Promise.all(Array.from({ length: SIMULATORS }, () => startSimulator(server, nTotal, keys, () => onHandshake())));
  // The simulators hold the listener now; this process accepts nothing.
  server.close();
  const handshakes = (): number => sims.reduce((a, s) => a + s.handshakes, 0);
  const handshakesDone = new Promise<void>((resolve) => {
    onHandshake = () => {
      if (handshakes() >= K) resolve();
    };
  });

  // Bare addresses: the crawler dials regtest's default port, where the simulators listen.
  const peerList = Array.from({ length: K }, (_, i) => hostOf(i)).join(',');
  if (peerList.length > MAX_ARG_CHARS) throw new Error(`the peer list (${peerList.length} characters) does not fit in one argument`);
  const args = [
    ...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []),
    ...(HEAP_SNAPSHOT ? ['--heapsnapshot-signal=SIGUSR2', '--diagnostic-dir', HEAP_SNAPSHOT] : []),
    CRAWL,
    '--network', 'regtest',
    '--peers', peerList,
    '--max-peers', String(K),
    '--transport', transport,
    '--emit', 'tx',
    '--ping-interval', '120',
    '--log-level', 'warn',
    ...EXTRA_ARGS,
  ];
  const printed = new Uint32Array(nTotal);
  const readAt = new Float64Array(nTotal).fill(NaN);
  const firstSeen = new Float64Array(nTotal).fill(NaN);
  let unknownLines = 0;
  let otherLines = 0;
  const t0 = epochMs();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const pid = child.pid ?? 0;
  const stderr: string[] = [];
  let summaryAt = NaN;
  createInterface({ input: child.stderr }).on('line', (l) => {
    // The summary is written once finish() has closed every peer and flushed stdout.
    if (/^crawl: \d+ transactions/.test(l)) summaryAt = epochMs();
    if (stderr.length < 50) stderr.push(l);
  });
  createInterface({ input: child.stdout }).on('line', (l) => {
    const at = epochMs();
    let line: { event?: unknown; txid?: unknown; seen?: { first?: { time?: unknown } } };
    try {
      line = JSON.parse(l) as typeof line;
    } catch {
      unknownLines++;
      return;
    }
    // Other line kinds (BENCH_CRAWL_ARGS='--emit tx,propagation') are counted apart, not as tx lines.
    if (line.event !== 'tx') {
      otherLines++;
      return;
    }
    const i = typeof line.txid === 'string' ? stream.byLineTxid.get(line.txid) : undefined;
    if (i === undefined) {
      unknownLines++;
      return;
    }
    if (printed[i]++ === 0) {
      readAt[i] = at;
      const first = line.seen?.first?.time;
      if (typeof first === 'number') firstSeen[i] = first * 1000;
    }
  });
  let exit = 'running';
  let exitedAt = NaN;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exitedAt = epochMs();
      exit = `${code ?? signal}`;
      children.delete(child);
      resolve();
    }),
  );
  const watchdog = setTimeout(
    () => {
      console.error(`bench-network: watchdog expired (${transport}); killing everything`);
      cleanUp();
      process.exit(1);
    },
    (HANDSHAKE_LIMIT_S + STREAM_WARM_S + SECONDS + DRAIN_S + LATE_DUPLICATES_S + SHUTDOWN_LIMIT_S + 60) * 1000,
  );

  // 1. Handshakes.
  const why = await Promise.race([
    handshakesDone.then(() => 'all' as const),
    // Unref'd: once the handshakes are done this timer must not keep the process alive (it is 200 s at K = 10,000).
    new Promise<void>((r) => setTimeout(r, HANDSHAKE_LIMIT_S * 1000).unref()).then(() => 'limit' as const),
    exited.then(() => 'exited' as const),
  ]);
  if (why === 'exited') {
    clearTimeout(watchdog);
    cleanUp();
    throw new Error(`crawl exited (${exit}) during the handshakes:\n${stderr.join('\n')}`);
  }
  const handshakeS = (epochMs() - t0) / 1000;
  const handshakeCrawlerCpuS = cpuSeconds(pid);
  const handshakesAtStart = handshakes();
  if (why === 'limit') console.error(`bench-network: only ${handshakesAtStart} of ${K} handshakes within ${HANDSHAKE_LIMIT_S} s; going on with those`);
  if (HEAP_SNAPSHOT) {
    await sleep(HEAP_SETTLE_S * 1000);
    console.log(`[${transport}] idle: RSS ${(statusKb(pid, 'VmRSS') / 1024).toFixed(0)} MB; heap snapshot into ${HEAP_SNAPSHOT}`);
    const before = new Set(readdirSync(HEAP_SNAPSHOT));
    child.kill('SIGUSR2');
    // Writing it stops the crawler for a while: the stream starts once the file stops growing.
    let size = -1;
    for (;;) {
      await sleep(1000);
      const file = readdirSync(HEAP_SNAPSHOT).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
      const now = file === undefined ? -1 : statSync(`${HEAP_SNAPSHOT}/${file}`).size;
      if (now > 0 && now === size) break;
      size = now;
    }
  }

  // 2. The stream, on one schedule for every simulator; CPU read as the window opens and closes.
  const start = epochMs() + 100;
  for (const s of sims) tell(s, { kind: 'stream', start });
  const simPids = sims.map((s) => s.child.pid ?? 0);
  const sample = () => ({ crawler: cpuSeconds(pid), sims: simPids.reduce((a, p) => a + cpuSeconds(p), 0), machine: machineBusySeconds(), at: epochMs() });
  await sleep(createdAt(from, start, R) - epochMs());
  const open = sample();
  await sleep(createdAt(nTotal, start, R) - epochMs());
  const close = sample();
  const hwm = statusKb(pid, 'VmHWM');
  const rss = statusKb(pid, 'VmRSS');

  // 3. Drain: until every transaction of the window is printed (bounded), then a little for duplicates.
  const drainEnd = epochMs() + DRAIN_S * 1000;
  const allPrinted = (): boolean => printed.subarray(from).every((x) => x > 0);
  while (!allPrinted() && epochMs() < drainEnd && exit === 'running') await sleep(100);
  await sleep(LATE_DUPLICATES_S * 1000);
  for (const s of sims) tell(s, { kind: 'stop' });

  // 4. SIGTERM, timed; then the simulators' reports.
  const termAt = epochMs();
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(SHUTDOWN_LIMIT_S * 1000)]);
  if (exit === 'running') {
    console.error(`bench-network: the crawler did not exit within ${SHUTDOWN_LIMIT_S} s of SIGTERM; killing it`);
    child.kill('SIGKILL');
  }
  await exited;
  const shutdownS = (exitedAt - termAt) / 1000;
  const summaryS = (summaryAt - termAt) / 1000;
  const reports = await collect(sims);
  clearTimeout(watchdog);

  const firstInv = (i: number): number => Math.min(...reports.map((r) => (Number.isNaN(r.firstInv[i]) ? Infinity : r.firstInv[i])));
  const askedAt = (i: number): number => Math.min(...reports.map((r) => (Number.isNaN(r.askedAt[i]) ? Infinity : r.askedAt[i])));
  const sum = (f: (r: SimulatorReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
  let once = 0;
  let duplicates = 0;
  let missing = 0;
  let getdataItems = 0;
  const lat: number[] = [];
  const toAsk: number[] = [];
  const toLine: number[] = [];
  const stamp: number[] = [];
  for (let i = 0; i < nTotal; i++) duplicates += Math.max(0, printed[i] - 1);
  for (let i = from; i < nTotal; i++) {
    if (printed[i] === 1) once++;
    if (printed[i] === 0) missing++;
    getdataItems += sum((r) => r.asked[i]);
    if (printed[i] > 0) {
      const inv = firstInv(i);
      lat.push(readAt[i] - inv);
      toAsk.push(askedAt(i) - inv);
      toLine.push(readAt[i] - askedAt(i));
      stamp.push(firstSeen[i] - inv);
    }
  }
  const windowS = (close.at - open.at) / 1000;
  const n = nTotal - from;
  return {
    transport,
    handshakes: handshakesAtStart,
    handshakeS,
    handshakeCrawlerCpuS,
    window: n,
    printedOnce: once,
    duplicates,
    missing,
    unknownLines,
    otherLines,
    getdataPerTx: getdataItems / n,
    getdataItems,
    notfoundItems: sum((r) => r.notfoundItems),
    latency: dist(lat),
    firstInvToGetdata: dist(toAsk),
    getdataToLine: dist(toLine),
    stampError: dist(stamp),
    crawlerCpuPct: ((close.crawler - open.crawler) / windowS) * 100,
    crawlerCpuPerTxMs: ((close.crawler - open.crawler) / n) * 1000,
    simCpuPct: ((close.sims - open.sims) / windowS) * 100,
    othersCpuPct: ((close.machine - open.machine - (close.crawler - open.crawler) - (close.sims - open.sims)) / windowS) * 100,
    simLoopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
    simLoopDelayMaxMs: Math.max(...reports.map((r) => r.loopDelayMaxMs)),
    crawlerHwmMb: hwm / 1024,
    crawlerRssMb: rss / 1024,
    simRssMb: sum((r) => r.rssMb),
    accepted: sum((r) => r.accepted),
    closedDuringRun: sum((r) => r.closedDuringRun),
    protocolErrors: sum((r) => r.protocolErrors),
    invsSent: sum((r) => r.invsSent),
    invItemsSent: sum((r) => r.invItemsSent),
    shutdownS,
    summaryS,
    stderr,
    exit,
  };
}

const stream = buildStream(R * (STREAM_WARM_S + SECONDS));
console.log(
  `bench-network: K = ${K} peers, R = ${R} tx/s, window ${SECONDS} s (after ${STREAM_WARM_S} s of stream), transports ${TRANSPORTS.join(', ')}, ` +
    `${SIMULATORS} simulator processes${BURN > 0 ? `, ${BURN} busy-looping processes competing` : ''}`,
);
console.log(`crawl: ${CRAWL}${EXTRA_ARGS.length > 0 ? ` (extra options: ${EXTRA_ARGS.join(' ')})` : ''}`);
for (let b = 0; b < BURN; b++) {
  const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  children.add(burner);
}
const results: Result[] = [];
try {
  for (const t of TRANSPORTS) {
    console.log(`\n[${t}] before: ${conditions()}`);
    const r = await run(t, stream);
    results.push(r);
    console.log(`[${t}] after:  ${conditions()}`);
    printResult(K, r);
  }
} finally {
  cleanUp();
}
printTable(K, results);
