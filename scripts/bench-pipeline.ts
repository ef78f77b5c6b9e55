/**
 * Pipeline throughput. A loopback peer announces N distinct transactions (invs of ≤ 1,000, the
 * next once the previous has been asked for, as Core trickles) and serves each as fast as the
 * real `crawl` command asks; the clock runs from the first announcement until the crawler has
 * handled the last transaction (a ping sent after it is answered only once every earlier message
 * on that socket has gone through the pipeline). stdout goes to /dev/null.
 *
 * The pipeline runs over both transports: `--transport v1` against a peer that speaks only v1, and
 * `--transport v2` (BIP 324) against one that speaks only v2 (which encrypts each `tx` packet as
 * it sends it; v1 frames are encoded before the clock starts). For each, the crawler's CPU time
 * (user + sys from /proc/<pid>/stat, all its threads) over the same window as the clock.
 *
 * Next to it, on the same transactions, in the same run:
 * - decode-only in this process: decodeTx + txLine after a warm-up (the upper bound);
 * - `crawl decode` as a fresh process (hex lines in, JSON lines to /dev/null, start-up subtracted):
 *   decode-only under the same conditions as the crawler (a cold process, the same output path).
 *
 *   npm run bench:pipeline          (N = 100,000; or: node --import tsx scripts/bench-pipeline.ts N)
 *   BENCH_CPU_PROF=dir …            also profiles each crawler process (node --cpu-prof)
 *   BENCH_CRAWL_BIN=file …          runs that build of `crawl` instead of dist/bin/crawl.js
 *   BENCH_COMPARE_BIN=file …        only the pipeline (v1, then v2), that build against this one
 *                                   (or BENCH_CRAWL_BIN's), taking turns each round: before → after
 */
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeTx } from '../lib/wire/transaction.js';
import { txLine } from '../lib/tx/view.js';
import { toHex } from '../lib/wire/hex.js';
import { InvType } from '../lib/wire/messages.js';
import { NETWORKS } from '../lib/wire/network.js';
import { encodeMessage } from '../lib/wire/registry.js';
import { CRAWL_BIN } from '../spec/support/crawl-process.js';
import { coreHandshake, INV_BATCH, REGTEST, scriptedPeer, type ScriptedConnection } from '../spec/support/scripted-peer.js';
import { distinctTxs } from '../spec/support/txs.js';
import { median } from '../spec/support/stats.js';

/** 20,000 transactions go through in about a second: mostly a cold process and V8 warming up. */
const N = Number(process.argv[2] ?? 100_000);
/** Rounds, alternating the measures so that load on the machine hits them alike. */
const ROUNDS = 3;
/** Beyond Core's 100 requests in flight per peer, to show what the one-peer figure is bound by. */
const DEEP_IN_FLIGHT = 1_000;
const WARM_UP = 2_000;
const CRAWL = process.env.BENCH_CRAWL_BIN ?? CRAWL_BIN;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

type Transport = 'v1' | 'v2';

interface Corpus {
  readonly raws: Uint8Array[];
  readonly txids: Uint8Array[];
  /** txid (hex) → its index in raws. */
  readonly index: Map<string, number>;
  /** Each transaction's whole v1 `tx` frame, encoded before any clock starts. */
  readonly frames: Uint8Array[];
  readonly hexFile: string;
}

function corpus(n: number, dir: string): Corpus {
  const raws: Uint8Array[] = [];
  const txids: Uint8Array[] = [];
  const index = new Map<string, number>();
  const frames: Uint8Array[] = [];
  // Only bytes are kept, not decoded objects, so this process's heap stays small.
  for (const t of distinctTxs(n)) {
    index.set(toHex(t.txid), raws.length);
    raws.push(t.raw);
    txids.push(t.txid);
    frames.push(encodeMessage(NETWORKS.regtest.magic, { command: 'tx', tx: t }));
  }
  const hexFile = join(dir, 'txs.hex');
  writeFileSync(hexFile, raws.map((r) => Buffer.from(r).toString('hex')).join('\n') + '\n');
  return { raws, txids, index, frames, hexFile };
}

function decodeInProcess(raws: readonly Uint8Array[]): number {
  const net = NETWORKS.regtest;
  let bytes = 0;
  for (const r of raws.slice(0, WARM_UP)) bytes += txLine(decodeTx(r), net).length;
  const t0 = performance.now();
  for (const r of raws) bytes += txLine(decodeTx(r), net).length;
  if (bytes === 0) throw new Error('nothing decoded');
  return raws.length / ((performance.now() - t0) / 1000);
}

async function runToDevNull(args: readonly string[], stdinFile?: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CRAWL, ...args], {
    stdio: [stdinFile ? openSync(stdinFile, 'r') : 'ignore', openSync('/dev/null', 'w'), 'inherit'],
  });
  await new Promise((r) => child.on('exit', r));
  return (performance.now() - t0) / 1000;
}

/** `crawl decode` on the corpus, less the time the same process takes on no input. */
async function decodeCommand(c: Corpus, dir: string): Promise<number> {
  const empty = join(dir, 'empty.hex');
  writeFileSync(empty, '');
  const startup = await runToDevNull(['decode', '--network', 'regtest'], empty);
  const whole = await runToDevNull(['decode', '--network', 'regtest'], c.hexFile);
  return c.raws.length / (whole - startup);
}

/** CPU seconds (user + sys, every thread) the process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // fields 14 and 15: utime, stime
}

interface PipelineRun {
  readonly txPerSec: number;
  /** The crawler's CPU seconds between the first announcement and the last pong. */
  readonly crawlerCpu: number;
  /** This process's (the peer's) over the same window. */
  readonly peerCpu: number;
  readonly seconds: number;
}

async function pipeline(c: Corpus, transport: Transport, extraArgs: readonly string[] = [], crawl = CRAWL): Promise<PipelineRun> {
  let pid = 0;
  let finished: (run: PipelineRun) => void = () => {};
  const done = new Promise<PipelineRun>((r) => (finished = r));
  const serve = async (conn: ScriptedConnection): Promise<void> => {
    await coreHandshake(conn);
    const started = performance.now();
    const cpu0 = cpuSeconds(pid);
    const peer0 = process.cpuUsage();
    let announced = 0;
    let asked = 0;
    let served = 0;
    const announceNext = (): void => {
      const batch = c.txids.slice(announced, announced + INV_BATCH);
      announced += batch.length;
      conn.send({ command: 'inv', items: batch.map((hash) => ({ type: InvType.TX, hash })) });
    };
    announceNext();
    while (served < c.txids.length) {
      const m = await conn.next('getdata');
      asked += m.items.length;
      conn.socket.cork();
      for (const item of m.items) {
        const i = c.index.get(toHex(item.hash));
        if (i === undefined) continue;
        // v2 packets are encrypted in order, so only as they are sent.
        if (transport === 'v1') conn.sendRaw(c.frames[i]);
        else conn.send({ command: 'unknown', name: 'tx', payload: c.raws[i] });
        served++;
      }
      if (asked >= announced && announced < c.txids.length) announceNext();
      conn.socket.uncork();
    }
    conn.send({ command: 'ping', nonce: 4242n });
    while ((await conn.next('pong')).nonce !== 4242n);
    const seconds = (performance.now() - started) / 1000;
    const peer = process.cpuUsage(peer0);
    finished({ txPerSec: c.txids.length / seconds, crawlerCpu: cpuSeconds(pid) - cpu0, peerCpu: (peer.user + peer.system) / 1e6, seconds });
  };
  const peer = await scriptedPeer(serve, '127.0.0.1', REGTEST.magic, transport);
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const args = ['--network', 'regtest', '--peers', peer.address, '--transport', transport, '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, [...prof, crawl, ...args], { stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'] });
  pid = child.pid ?? 0;
  const run = await done;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await peer.close();
  return run;
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en');

const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-bench-'));
const c = corpus(N, dir);

const compare = process.env.BENCH_COMPARE_BIN;
if (compare !== undefined) {
  const rounds = 4;
  for (const t of ['v1', 'v2'] as const) {
    const before: PipelineRun[] = [];
    const after: PipelineRun[] = [];
    for (let round = 0; round < rounds; round++) {
      // Which build goes first alternates, so that load on the machine hits them alike.
      const order = round % 2 === 0 ? [compare, CRAWL] : [CRAWL, compare];
      for (const bin of order) (bin === compare ? before : after).push(await pipeline(c, t, [], bin));
    }
    const each = (rs: readonly PipelineRun[]): string => rs.map((x) => fmt(x.txPerSec)).join(', ');
    const us = (rs: readonly PipelineRun[]): number => (median(rs.map((x) => x.crawlerCpu)) / N) * 1e6;
    const tps = (rs: readonly PipelineRun[]): number => median(rs.map((x) => x.txPerSec));
    console.log(`${t}: ${compare}: ${each(before)} tx/s (median ${fmt(tps(before))}), crawler ${us(before).toFixed(1)} µs/tx`);
    console.log(`${t}: ${CRAWL}: ${each(after)} tx/s (median ${fmt(tps(after))}), crawler ${us(after).toFixed(1)} µs/tx`);
    console.log(`${t}: after / before: tx/s ${(tps(after) / tps(before)).toFixed(2)}, CPU a tx ${(us(after) / us(before)).toFixed(2)}`);
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const deep = ['--max-in-flight', String(DEEP_IN_FLIGHT)];
const runs = { inProcess: [] as number[], command: [] as number[], v1: [] as PipelineRun[], v2: [] as PipelineRun[], deepV1: [] as PipelineRun[], deepV2: [] as PipelineRun[] };
for (let round = 0; round < ROUNDS; round++) {
  runs.inProcess.push(decodeInProcess(c.raws));
  runs.command.push(await decodeCommand(c, dir));
  // v1 and v2 take turns, and which goes first alternates too.
  const order: Transport[] = round % 2 === 0 ? ['v1', 'v2'] : ['v2', 'v1'];
  for (const t of order) runs[t].push(await pipeline(c, t));
  for (const t of order) runs[t === 'v1' ? 'deepV1' : 'deepV2'].push(await pipeline(c, t, deep));
}
rmSync(dir, { recursive: true, force: true });

const rate = (rs: readonly PipelineRun[]): number => median(rs.map((x) => x.txPerSec));
const cpu = (rs: readonly PipelineRun[]): number => median(rs.map((x) => x.crawlerCpu));
const ratios = (a: readonly PipelineRun[], b: readonly PipelineRun[]): string => a.map((x, i) => (x.crawlerCpu / b[i].crawlerCpu).toFixed(2)).join(', ');
const summary = (rs: readonly PipelineRun[]): string => {
  const secs = median(rs.map((x) => x.seconds));
  return (
    `${fmt(rate(rs))} tx/s; crawler CPU ${cpu(rs).toFixed(2)} s = ${((cpu(rs) / N) * 1e6).toFixed(1)} µs/tx ` +
    `(${(cpu(rs) / secs).toFixed(2)} cores); peer CPU ${median(rs.map((x) => x.peerCpu)).toFixed(2)} s`
  );
};
const r = { inProcess: median(runs.inProcess), command: median(runs.command), crawl: rate(runs.v1), deep: rate(runs.deepV1) };
const avg = Math.round(c.raws.reduce((a, x) => a + x.length, 0) / c.raws.length);
console.log(`transactions: ${fmt(N)} distinct, ${avg} bytes on average (shared vectors ≤ 2 kB, locktime varied); medians of ${ROUNDS} alternating rounds`);
console.log(`decode only, in process (decodeTx + txLine, warm):   ${fmt(r.inProcess)} tx/s`);
console.log(`decode only, \`crawl decode\` process → /dev/null:     ${fmt(r.command)} tx/s`);
console.log(`pipeline, loopback peer → \`crawl\` → /dev/null, v1:   ${summary(runs.v1)}`);
console.log(`pipeline, the same over v2 (BIP 324):               ${summary(runs.v2)}`);
console.log(`pipeline with --max-in-flight ${DEEP_IN_FLIGHT}, v1:            ${summary(runs.deepV1)}`);
console.log(`pipeline with --max-in-flight ${DEEP_IN_FLIGHT}, v2:            ${summary(runs.deepV2)}`);
console.log(`pipeline / decode-only in process: ${(r.crawl / r.inProcess).toFixed(2)} (${(r.deep / r.inProcess).toFixed(2)} with --max-in-flight ${DEEP_IN_FLIGHT}), v1`);
console.log(`pipeline / \`crawl decode\`:         ${(r.crawl / r.command).toFixed(2)} (${(r.deep / r.command).toFixed(2)} with --max-in-flight ${DEEP_IN_FLIGHT}), v1`);
console.log(
  `v2 / v1 crawler CPU: ${(cpu(runs.v2) / cpu(runs.v1)).toFixed(2)} (rounds: ${ratios(runs.v2, runs.v1)}); ` +
    `with --max-in-flight ${DEEP_IN_FLIGHT}: ${(cpu(runs.deepV2) / cpu(runs.deepV1)).toFixed(2)} (rounds: ${ratios(runs.deepV2, runs.deepV1)})`,
);
console.log(`v2 / v1 tx/s: ${(rate(runs.v2) / rate(runs.v1)).toFixed(2)}; with --max-in-flight ${DEEP_IN_FLIGHT}: ${(rate(runs.deepV2) / rate(runs.deepV1)).toFixed(2)}`);
