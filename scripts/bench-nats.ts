/**
 * What publishing to NATS costs: the network benchmark (scripts/bench-network.ts) run twice on the
 * same K × R, once as it is and once with `--nats` to a local nats-server with JetStream (a fresh
 * store), so crawler CPU, RSS and latency can be read side by side. The second run's crawler
 * publishes every line (acknowledged, into the BITCRAWL stream). A subscriber here measures the
 * bus latency: its arrival time minus the line's `seen.time` (when the crawler received the
 * transaction; same clock, ms resolution), p50/p99/max over every tx line.
 *
 *   node --import tsx scripts/bench-nats.ts K R SECONDS [bench-network options, e.g. --transport v1]
 *
 * Needs nats-server (Debian's package; NATS_SERVER to name another). Only loopback is used.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsServer, natsServerBinary } from '../spec/support/nats-server.js';
import { percentile } from '../spec/support/stats.js';

const NETWORK = fileURLToPath(new URL('./bench-network.ts', import.meta.url));
const args = process.argv.slice(2);
const bin = natsServerBinary();
if (!bin) {
  console.error('bench-nats: no nats-server (apt-get install nats-server, or set NATS_SERVER)');
  process.exit(1);
}

function run(extra: string): Promise<number | null> {
  console.log(`\n=== bench-network ${args.join(' ')}${extra ? `  BENCH_CRAWL_ARGS='${extra}'` : '  (no --nats)'}`);
  const env = { ...process.env, BENCH_CRAWL_ARGS: [process.env.BENCH_CRAWL_ARGS ?? '', extra].join(' ').trim() };
  const child = spawn(process.execPath, ['--import', 'tsx', NETWORK, ...args], { env, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

const server = await NatsServer.start(bin);
const stop = (): void => void server.stop().then(() => process.exit(130));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  await run('');
  const sub = await connect({ servers: server.url });
  const delays: number[] = [];
  sub.subscribe('bitcrawl.*.tx', {
    callback: (_err, m) => {
      const line = m.json<{ seen?: { time?: number } }>();
      if (typeof line.seen?.time === 'number') delays.push(Date.now() - line.seen.time * 1000);
    },
  });
  await run(`--nats ${server.url} --vantage bench`);
  await sub.close();
  delays.sort((a, b) => a - b);
  console.log(`\nbus latency (crawler received the tx → line arrived at a subscriber), ${delays.length} lines: p50 ${percentile(delays, 50).toFixed(0)} / p99 ${percentile(delays, 99).toFixed(0)} / max ${(delays.at(-1) ?? NaN).toFixed(0)} ms`);
  const nc = await connect({ servers: server.url });
  const info = await (await jetstreamManager(nc)).streams.info('BITCRAWL').catch(() => undefined);
  console.log(`\nBITCRAWL stream: ${info?.state.messages ?? 0} messages, ${info?.state.bytes ?? 0} bytes`);
  await nc.close();
} finally {
  await server.stop();
}
