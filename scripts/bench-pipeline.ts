/**
 * Pipeline throughput. A loopback peer announces N distinct transactions (invs of ≤ 1,000, the
 * next once the previous has been asked for, as Core trickles) and serves each as fast as the
 * real `crawl` command asks; the clock runs from the first announcement until the crawler has
 * handled the last transaction (a ping sent after it is answered only once every earlier message
 * on that socket has gone through the pipeline). stdout goes to /dev/null.
 *
 * Next to it, on the same transactions, in the same run:
 * - decode-only in this process: decodeTx + txLine after a warm-up (the upper bound);
 * - `crawl decode` as a fresh process (hex lines in, JSON lines to /dev/null, start-up subtracted):
 *   decode-only under the same conditions as the crawler (a cold process, the same output path).
 *
 *   npm run bench:pipeline          (N = 100,000; or: node --import tsx scripts/bench-pipeline.ts N)
 *   BENCH_CPU_PROF=dir …            also profiles each crawler process (node --cpu-prof)
 */
import { spawn } from 'node:child_process';
import { openSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeTx } from '../lib/tx/transaction.js';
import { txLine } from '../lib/tx/view.js';
import { toHex } from '../lib/wire/hex.js';
import { InvType } from '../lib/wire/messages.js';
import { NETWORKS } from '../lib/wire/network.js';
import { encodeMessage } from '../lib/wire/registry.js';
import { CRAWL_BIN } from '../spec/helpers/crawl-process.js';
import { coreHandshake, INV_BATCH, scriptedPeer, type ScriptedConnection } from '../spec/helpers/scripted-peer.js';
import { distinctTxs } from '../spec/helpers/txs.js';

/** 20,000 transactions go through in about a second: mostly a cold process and V8 warming up. */
const N = Number(process.argv[2] ?? 100_000);
/** Rounds, alternating the measures so that load on the machine hits them alike. */
const ROUNDS = 3;
/** Beyond Core's 100 requests in flight per peer, to show what the one-peer figure is bound by. */
const DEEP_IN_FLIGHT = 1_000;
const WARM_UP = 2_000;

interface Corpus {
  readonly raws: Uint8Array[];
  readonly txids: Uint8Array[];
  /** txid (hex) → the whole `tx` frame, encoded before any clock starts. */
  readonly frames: Map<string, Uint8Array>;
  readonly hexFile: string;
}

function corpus(n: number, dir: string): Corpus {
  const raws: Uint8Array[] = [];
  const txids: Uint8Array[] = [];
  const frames = new Map<string, Uint8Array>();
  // Only bytes are kept, not decoded objects, so this process's heap stays small.
  for (const t of distinctTxs(n)) {
    raws.push(t.raw);
    txids.push(t.txid);
    frames.set(toHex(t.txid), encodeMessage(NETWORKS.regtest.magic, { command: 'tx', tx: t }));
  }
  const hexFile = join(dir, 'txs.hex');
  writeFileSync(hexFile, raws.map((r) => Buffer.from(r).toString('hex')).join('\n') + '\n');
  return { raws, txids, frames, hexFile };
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
  const child = spawn(process.execPath, [CRAWL_BIN, ...args], {
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

async function pipeline(c: Corpus, extraArgs: readonly string[] = []): Promise<number> {
  let started = 0;
  let finished: (secs: number) => void = () => {};
  const done = new Promise<number>((r) => (finished = r));
  const serve = async (conn: ScriptedConnection): Promise<void> => {
    await coreHandshake(conn);
    started = performance.now();
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
        const frame = c.frames.get(toHex(item.hash));
        if (!frame) continue;
        conn.sendRaw(frame);
        served++;
      }
      if (asked >= announced && announced < c.txids.length) announceNext();
      conn.socket.uncork();
    }
    conn.send({ command: 'ping', nonce: 4242n });
    while ((await conn.next('pong')).nonce !== 4242n);
    finished((performance.now() - started) / 1000);
  };
  const peer = await scriptedPeer(serve);
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, CRAWL_BIN, '--network', 'regtest', '--peers', peer.address, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
  });
  const secs = await done;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await peer.close();
  return c.txids.length / secs;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number): string => Math.round(x).toLocaleString('en');

const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-bench-'));
const c = corpus(N, dir);
const runs = { inProcess: [] as number[], command: [] as number[], crawl: [] as number[], deep: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  runs.inProcess.push(decodeInProcess(c.raws));
  runs.command.push(await decodeCommand(c, dir));
  runs.crawl.push(await pipeline(c));
  runs.deep.push(await pipeline(c, ['--max-in-flight', String(DEEP_IN_FLIGHT)]));
}
rmSync(dir, { recursive: true, force: true });
const r = { inProcess: median(runs.inProcess), command: median(runs.command), crawl: median(runs.crawl), deep: median(runs.deep) };
const avg = Math.round(c.raws.reduce((a, x) => a + x.length, 0) / c.raws.length);
console.log(`transactions: ${fmt(N)} distinct, ${avg} bytes on average (shared vectors ≤ 2 kB, locktime varied); medians of ${ROUNDS} alternating rounds`);
console.log(`decode only, in process (decodeTx + txLine, warm):   ${fmt(r.inProcess)} tx/s`);
console.log(`decode only, \`crawl decode\` process → /dev/null:     ${fmt(r.command)} tx/s`);
console.log(`pipeline, loopback peer → \`crawl\` → /dev/null:       ${fmt(r.crawl)} tx/s`);
console.log(`pipeline with --max-in-flight ${DEEP_IN_FLIGHT}:                ${fmt(r.deep)} tx/s`);
console.log(`pipeline / decode-only in process: ${(r.crawl / r.inProcess).toFixed(2)} (${(r.deep / r.inProcess).toFixed(2)} with --max-in-flight ${DEEP_IN_FLIGHT})`);
console.log(`pipeline / \`crawl decode\`:         ${(r.crawl / r.command).toFixed(2)} (${(r.deep / r.command).toFixed(2)} with --max-in-flight ${DEEP_IN_FLIGHT})`);
