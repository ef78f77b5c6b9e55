/**
 * Issue 19's "announce, then push" peer against the built `crawl`, stdout to a file (/dev/null
 * unless given) or blocked (`blocked`): prints the crawler's RSS every few seconds.
 *   node --import tsx scripts/push-flood.ts [seconds=30] [devnull|blocked]
 * Loopback only: one scripted peer on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { InvType } from '../lib/wire/messages.js';
import { scriptedPeer, coreHandshake } from '../spec/support/scripted-peer.js';
import { typicalTxs } from '../spec/support/txs.js';
import { decodeTx, encodeTx } from '../lib/wire/transaction.js';
import { CRAWL_BIN } from '../spec/support/crawl-process.js';
import { peakRssBytes, rssBytes, MB } from '../spec/support/memory.js';

const seconds = Number(process.argv[2] ?? 30);
const mode = process.argv[3] ?? 'devnull';
const BATCH = 1_000;

const base = typicalTxs();
const peer = await scriptedPeer(async (c) => {
  await coreHandshake(c);
  c.socket.on('data', () => {}); // answers nothing more; reads everything
  for (let round = 0; !c.socket.destroyed; round++) {
    const fresh = Array.from({ length: BATCH }, (_, i) => decodeTx(encodeTx({ ...base[i % base.length], locktime: round * BATCH + i })));
    c.send({ command: 'inv', items: fresh.map((t) => ({ type: InvType.WTX, hash: t.wtxid })) });
    for (const tx of fresh) c.send({ command: 'tx', tx });
    if (c.socket.writableLength > 4 * MB) await new Promise((r) => c.socket.once('drain', r));
    else await new Promise((r) => setImmediate(r));
  }
});
const out = mode === 'blocked' ? 'pipe' : openSync('/dev/null', 'w');
const child = spawn(process.execPath, [CRAWL_BIN, '--network', 'regtest', '--peers', peer.address, '--log-level', 'warn'], { stdio: ['ignore', out, 'inherit'] });
if (mode === 'blocked') child.stdout?.pause();
const started = Date.now();
const timer = setInterval(() => {
  const s = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`${s} s: RSS ${(rssBytes(child.pid!) / MB).toFixed(0)} MB, peak ${(peakRssBytes(child.pid!) / MB).toFixed(0)} MB`);
  if (Date.now() - started >= seconds * 1000) {
    clearInterval(timer);
    child.kill('SIGKILL');
    void peer.close().then(() => process.exit(0));
  }
}, 5_000);
