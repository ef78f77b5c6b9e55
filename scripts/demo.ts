/**
 * `npm run demo`: a regtest node (bcoin), a wallet transaction every second or so (legacy and
 * segwit in turn, a block every ten), and `crawl` printing what it sees, pretty: transactions,
 * blocks, the peer, the transactions each block confirmed, and every 10 s the mempool monitor's
 * line (its feerate histogram cut to the levels that hold something). Ctrl-C stops everything
 * cleanly.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startRegtest } from '../spec/support/regtest.js';

const CRAWL_BIN = fileURLToPath(new URL('../dist/bin/crawl.js', import.meta.url));
const ARGS = ['--emit', 'tx,block,peer,confirmed', '--mempool-stats', '10'];
const SEND_EVERY_MS = 1_200;
const BLOCK_EVERY = 10;

const color = process.stdout.isTTY;
const dim = (s: string): string => (color ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string): string => (color ? `\x1b[1m${s}\x1b[0m` : s);

console.error(bold('Starting a bcoin regtest node and funding its wallets (a few seconds)…'));
const node = await startRegtest();
await node.fund();
const peer = `127.0.0.1:${node.p2pPort}`;
console.error(bold(`Node ready at ${peer}. Running: crawl --network regtest --peers ${peer} ${ARGS.join(' ')}`));
console.error(dim('Press Ctrl-C to stop.\n'));

const crawl = spawn(process.execPath, [CRAWL_BIN, '--network', 'regtest', '--peers', peer, ...ARGS], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
createInterface({ input: crawl.stdout }).on('line', (line) => {
  const obj = JSON.parse(line) as { event: string; fee_histogram?: [number, number, number][] };
  // A mempool line's histogram has a level per feerate band: only those that hold something.
  if (obj.fee_histogram) obj.fee_histogram = obj.fee_histogram.filter(([, vsize]) => vsize > 0);
  console.log(`${bold(`── ${obj.event} ──`)}\n${JSON.stringify(obj, null, obj.event === 'confirmed' ? undefined : 2)}`);
});

let sent = 0;
let stopping = false;
const timer = setInterval(() => {
  const n = ++sent;
  const send = n % 2 === 0 ? node.sendSegwit() : node.sendLegacy();
  send
    .then((tx) => {
      console.error(dim(`wallet sent ${n % 2 === 0 ? 'segwit' : 'legacy'} ${tx.txid}`));
      if (n % BLOCK_EVERY === 0) return node.mine(1).then(([hash]) => console.error(dim(`mined block ${hash}`)));
    })
    .catch((err: unknown) => {
      if (!stopping) console.error(dim(`send failed: ${err instanceof Error ? err.message : String(err)}`));
    });
}, SEND_EVERY_MS);

async function stop(): Promise<void> {
  if (stopping) process.exit(130);
  stopping = true;
  clearInterval(timer);
  crawl.kill('SIGINT');
  await new Promise((r) => crawl.once('exit', r));
  await node.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
crawl.on('exit', (code) => {
  if (!stopping) {
    console.error(`crawl exited unexpectedly (${code})`);
    void node.stop().then(() => process.exit(1));
  }
});
