/**
 * A census over a simulated network on 127.0.0.0/8: N addresses, of which a share answer like
 * Core (handshake, pong, an empty addrv2), a share accept and never speak (silent), and the rest
 * have nothing listening (refused). One listener on 0.0.0.0 serves every 127.x.y.z and decides by
 * the address dialled; only loopback is dialled. The real `crawl --census` gets the addresses with
 * --peers-file; reported: its wall time to exit, and the visited/unreachable counts by reason.
 *
 *   node --import tsx scripts/bench-census.ts [N] [--alive A] [--silent S] [--concurrency C] [--visit-timeout T]
 *   BENCH_CRAWL_BIN=file    runs that build of `crawl` instead of dist/bin/crawl.js
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CRAWL_BIN } from '../spec/support/crawl-process.js';
import { ScriptedConnection, coreHandshake } from '../spec/support/scripted-peer.js';
import { statusKb } from './network/proc.js';

const argv = process.argv.slice(2);
const flag = (name: string, d: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : d);
const N = Number(argv.find((a, i) => !a.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--')) ?? 10_000);
const ALIVE = flag('--alive', Math.round(N * 0.3));
const SILENT = flag('--silent', Math.round(N * 0.2));
const CONCURRENCY = flag('--concurrency', 2_000);
const VISIT_S = flag('--visit-timeout', 15);
if (![N, ALIVE, SILENT].every(Number.isInteger) || ALIVE + SILENT > N || N > 60_000) throw new Error('usage: bench-census.ts [N ≤ 60,000] [--alive A] [--silent S]');

/** The i-th address of a block: 127.<block>.<hi>.<lo>. */
const host = (block: number, i: number): string => `127.${block}.${(i >> 8) & 255}.${i & 255}`;
const ALIVE_BLOCK = 2;
const SILENT_BLOCK = 3;
const REFUSED_BLOCK = 4;

const server = createServer((socket) => {
  const local = socket.localAddress ?? '';
  if (local.startsWith(`127.${SILENT_BLOCK}.`) || local.startsWith(`::ffff:127.${SILENT_BLOCK}.`)) {
    socket.on('error', () => {});
    return; // silent: accepts, never speaks
  }
  const c = new ScriptedConnection(socket);
  void (async () => {
    await coreHandshake(c);
    for (;;) {
      const m = await c.next();
      if (m.command === 'ping') c.send({ command: 'pong', nonce: m.nonce });
      if (m.command === 'getaddr') c.send({ command: 'addrv2', addrs: [] });
    }
  })().catch(() => socket.destroy());
});
await new Promise<void>((r) => server.listen({ port: 0, host: '0.0.0.0', backlog: 4096 }, r));
const port = (server.address() as { port: number }).port;
// Refused: an address with nothing listening on its port.
const refusedPort = port === 65535 ? port - 1 : port + 1;
const lines: string[] = [];
for (let i = 0; i < ALIVE; i++) lines.push(`${host(ALIVE_BLOCK, i)}:${port}`);
for (let i = 0; i < SILENT; i++) lines.push(`${host(SILENT_BLOCK, i)}:${port}`);
for (let i = 0; i < N - ALIVE - SILENT; i++) lines.push(`${host(REFUSED_BLOCK, i)}:${refusedPort}`);
// Mixed, as a real network's addresses come.
for (let i = lines.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [lines[i], lines[j]] = [lines[j], lines[i]];
}
const dir = mkdtempSync(join(tmpdir(), 'bench-census-'));
const file = join(dir, 'peers.txt');
writeFileSync(file, lines.join('\n') + '\n');

const started = performance.now();
/** A fixed build (BENCH_CRAWL_BIN=<build>/bin/crawl.js), as bench-network takes it. */
const CRAWL = process.env.BENCH_CRAWL_BIN ?? CRAWL_BIN;
const child = spawn(process.execPath, [CRAWL, '--network', 'regtest', '--census', '--peers-file', file, '--transport', 'v1', '--census-concurrency', String(CONCURRENCY), '--visit-timeout', String(VISIT_S), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
const counts = new Map<string, number>();
let peakRss = 0;
const rssTimer = setInterval(() => {
  try {
    peakRss = Math.max(peakRss, statusKb(child.pid ?? 0, 'VmHWM'));
  } catch {
    // exited
  }
}, 500);
createInterface({ input: child.stdout }).on('line', (l) => {
  const x = JSON.parse(l) as { state?: string; reason?: string };
  const key = x.state === 'visited' ? 'visited' : `unreachable: ${x.reason}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
});
const summary: string[] = [];
createInterface({ input: child.stderr }).on('line', (l) => summary.push(l));
const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
clearInterval(rssTimer);
const secs = (performance.now() - started) / 1000;
server.close();
rmSync(dir, { recursive: true, force: true });
const total = [...counts.values()].reduce((a, b) => a + b, 0);
console.log(`census of ${N} addresses (${ALIVE} alive, ${SILENT} silent, ${N - ALIVE - SILENT} refused), --census-concurrency ${CONCURRENCY}, --visit-timeout ${VISIT_S}`);
console.log(`  exit ${code} after ${secs.toFixed(1)} s; ${total} nodes reported (each once: ${total === N}); crawler peak RSS ${(peakRss / 1024).toFixed(0)} MB`);
for (const [k, v] of [...counts].sort()) console.log(`  ${k}: ${v}`);
for (const l of summary.filter((x) => x.startsWith('crawl: census'))) console.log(`  ${l}`);
process.exit(0);
