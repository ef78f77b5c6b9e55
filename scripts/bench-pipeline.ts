/**
 * Pipeline throughput: a loopback peer announces N distinct transactions and serves each as fast
 * as the real `crawl` command asks for it; we time from the first announcement until the crawler
 * has handled the last one (a ping after the last tx is answered only once every earlier message
 * on that socket has gone through the pipeline). stdout goes to /dev/null. In the same run, the
 * decode-only rate (decodeTx + txLine, in process) on the same transactions.
 *
 *   npm run bench:pipeline            (N = 20,000; or: node --import tsx scripts/bench-pipeline.ts N)
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { decodeTx } from '../lib/tx/transaction.js';
import { txLine } from '../lib/tx/view.js';
import { toHex } from '../lib/wire/hex.js';
import { InvType } from '../lib/wire/messages.js';
import type { DecodedTx } from '../lib/tx/types.js';
import { NETWORKS } from '../lib/wire/network.js';
import { encodeMessage } from '../lib/wire/registry.js';
import { CRAWL_BIN } from '../spec/helpers/crawl-process.js';
import { coreHandshake, INV_BATCH, scriptedPeer, type ScriptedConnection } from '../spec/helpers/scripted-peer.js';
import { distinctTxs } from '../spec/helpers/txs.js';

const N = Number(process.argv[2] ?? 20_000);

function decodeOnlyRate(raws: Uint8Array[]): number {
  const net = NETWORKS.regtest;
  let bytes = 0;
  for (const r of raws.slice(0, 2_000)) bytes += txLine(decodeTx(r), net).length; // warm-up
  const t0 = performance.now();
  for (const r of raws) bytes += txLine(decodeTx(r), net).length;
  const secs = (performance.now() - t0) / 1000;
  if (bytes === 0) throw new Error('nothing decoded');
  return raws.length / secs;
}

async function pipelineRate(txs: DecodedTx[], extraArgs: readonly string[] = []): Promise<number> {
  // Frames are encoded before the clock starts: the peer should cost the measurement little.
  const byHash = new Map<string, Uint8Array>();
  for (const t of txs) byHash.set(toHex(t.txid), encodeMessage(NETWORKS.regtest.magic, { command: 'tx', tx: t }));
  let served = 0;
  let started = 0;
  let finished: (secs: number) => void = () => {};
  const done = new Promise<number>((r) => (finished = r));
  const serve = async (c: ScriptedConnection): Promise<void> => {
    await coreHandshake(c);
    started = performance.now();
    // Announced as Core would: invs of at most 1,000, the next when the crawler has asked for the
    // previous (the crawler keeps at most 5,000 unanswered announcements per peer, as Core does).
    let announced = 0;
    let asked = 0;
    const announceNext = (): void => {
      const batch = txs.slice(announced, announced + INV_BATCH);
      announced += batch.length;
      c.send({ command: 'inv', items: batch.map((t) => ({ type: InvType.TX, hash: t.txid })) });
    };
    announceNext();
    for (;;) {
      const m = await c.next('getdata');
      asked += m.items.length;
      c.socket.cork();
      for (const item of m.items) {
        const frame = byHash.get(toHex(item.hash));
        if (!frame) continue;
        c.sendRaw(frame);
        served++;
      }
      if (asked >= announced && announced < txs.length) announceNext();
      c.socket.uncork();
      if (served === txs.length) break;
    }
    c.send({ command: 'ping', nonce: 4242n });
    for (;;) {
      const m = await c.next('pong');
      if (m.nonce === 4242n) break;
    }
    finished((performance.now() - started) / 1000);
  };
  const peer = await scriptedPeer(serve);
  const devnull = openSync('/dev/null', 'w');
  // BENCH_CPU_PROF=dir profiles the crawler (node --cpu-prof) to see what limits it.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, CRAWL_BIN, '--network', 'regtest', '--peers', peer.address, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', devnull, 'inherit'],
  });
  const secs = await done;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await peer.close();
  return txs.length / secs;
}

/** Rounds, alternating the two measures so that load on the machine hits both alike. */
const ROUNDS = 3;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const txs = distinctTxs(N);
const raws = txs.map((t) => t.raw);
/** Beyond Core's 100 requests in flight per peer, to show what the one-peer figure is bound by. */
const DEEP_IN_FLIGHT = 1_000;
const decodes: number[] = [];
const pipelines: number[] = [];
const deepPipelines: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  decodes.push(decodeOnlyRate(raws));
  pipelines.push(await pipelineRate(txs));
  deepPipelines.push(await pipelineRate(txs, ['--max-in-flight', String(DEEP_IN_FLIGHT)]));
}
const decode = median(decodes);
const pipeline = median(pipelines);
const deep = median(deepPipelines);
const avg = Math.round(raws.reduce((a, r) => a + r.length, 0) / raws.length);
console.log(`transactions: ${N} distinct, ${avg} bytes on average (shared vectors ≤ 2 kB, locktime varied)`);
console.log(`decode only (decodeTx + txLine, in process): ${Math.round(decode).toLocaleString('en')} tx/s`);
console.log(`whole pipeline (loopback peer → crawl → /dev/null): ${Math.round(pipeline).toLocaleString('en')} tx/s`);
console.log(`whole pipeline with --max-in-flight ${DEEP_IN_FLIGHT}: ${Math.round(deep).toLocaleString('en')} tx/s`);
console.log(`pipeline / decode-only: ${(pipeline / decode).toFixed(2)}; with --max-in-flight ${DEEP_IN_FLIGHT}: ${(deep / decode).toFixed(2)} (medians of ${ROUNDS} alternating rounds)`);
