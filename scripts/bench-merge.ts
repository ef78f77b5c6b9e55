/**
 * What `crawl merge --nats` reads per second: N transactions from each of V vantages published into
 * a local nats-server's stream (small tx lines, as crawlers publish them), then one merge from the
 * start of the stream (`--since all --window 1`), timed from its start to its N-th propagation
 * line; its peak RSS as well.
 *
 *   node --import tsx scripts/bench-merge.ts [N=20000] [V=2] [CRAWL_JS=dist/bin/crawl.js]
 *
 * Needs nats-server (Debian's package; NATS_SERVER to name another). Only loopback is used.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsServer, natsServerBinary } from '../spec/support/nats-server.js';
import { MB, PEAK_RSS_ENV, peakRssOf } from '../spec/support/memory.js';

const n = Number(process.argv[2] ?? 20_000);
const v = Number(process.argv[3] ?? 2);
const crawlJs = process.argv[4] ?? fileURLToPath(new URL('../dist/bin/crawl.js', import.meta.url));
const bin = natsServerBinary();
if (!bin) {
  console.error('bench-merge: no nats-server (apt-get install nats-server, or set NATS_SERVER)');
  process.exit(1);
}

const server = await NatsServer.start(bin);
try {
  const nc = await connect({ servers: server.url });
  await (await jetstreamManager(nc)).streams.add({ name: 'BITCRAWL', subjects: ['bitcrawl.>'] });
  const js = jetstream(nc);
  let acks: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < v; k++) {
      const line = { event: 'tx', txid: i.toString(16).padStart(64, '0'), seen: { peer: '127.0.0.1:8333', time: 1e9 + i, first: { peer: '127.0.0.1:8333', time: 1e9 + i }, peers: 8 }, vantage: `v${k}` };
      acks.push(js.publish('bitcrawl.regtest.tx', JSON.stringify(line)));
    }
    if (acks.length >= 1000) {
      await Promise.all(acks);
      acks = [];
    }
  }
  await Promise.all(acks);
  await nc.close();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [crawlJs, 'merge', '-n', 'regtest', '--nats', server.url, '--since', 'all', '--window', '1'], {
    env: { ...process.env, ...PEAK_RSS_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lines = 0;
  let elapsedMs = 0;
  let peak = NaN;
  createInterface({ input: child.stderr }).on('line', (l) => (peak = Number.isNaN(peakRssOf(l)) ? peak : peakRssOf(l)));
  await new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', () => {
      if (++lines === n) {
        elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill('SIGTERM');
        resolve();
      }
    });
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const msgs = n * v;
  console.log(`${crawlJs}: ${msgs} lines (${n} tx × ${v} vantages) merged in ${(elapsedMs / 1000).toFixed(2)} s (incl. the 1 s window and start-up): ${Math.round(msgs / (elapsedMs / 1000))} lines/s; peak RSS ${Math.round(peak / MB)} MiB`);
} finally {
  await server.stop();
}
