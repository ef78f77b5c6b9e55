/**
 * The address book file at its capacity: how long a save takes, how long it blocks the event loop
 * (the longest gap a 1 ms timer sees meanwhile), the file's size, and how long loading takes.
 *
 *   npm run bench:addrbook [-- entries]     (65,536 by default: ADDRESS_BOOK_CAPACITY)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ADDRESS_BOOK_CAPACITY, AddressBook } from '../lib/crawler/addrbook.js';
import { loadBook, saveBook } from '../lib/crawler/addrbook-file.js';
import { silentLogger } from '../lib/log/logger.js';
import { AddrNetwork, type AddrV2Entry } from '../lib/wire/messages.js';

const n = Number(process.argv[2] ?? ADDRESS_BOOK_CAPACITY);

/** A book as gossip fills it: mostly IPv4, some IPv6 and onions, from a few hundred sources, a third tried. */
function fullBook(): AddressBook {
  const book = new AddressBook();
  for (let i = 0; i < n; i++) {
    const kind = i % 10;
    const e: AddrV2Entry =
      kind < 7
        ? { time: 1_700_000_000 + i, services: 0x409n, networkId: AddrNetwork.IPV4, addr: Uint8Array.of(11 + (i >>> 24), (i >>> 16) & 255, (i >>> 8) & 255, i & 255), port: 8333 }
        : kind < 9
          ? { time: 1_700_000_000 + i, services: 0xc09n, networkId: AddrNetwork.IPV6, addr: Uint8Array.of(0x2a, 1, 4, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255), port: 8333 }
          : { time: 1_700_000_000 + i, services: 0x409n, networkId: AddrNetwork.TORV3, addr: new Uint8Array(32).fill(i & 255).map((b, j) => (j < 4 ? (i >>> (8 * j)) & 255 : b)), port: 8333 };
    const history = i % 3 === 0 ? { attempts: i % 5, lastTry: 1_765_000_000_000 + i, ...(i % 2 === 0 ? { lastSuccess: 1_764_000_000_000 + i } : {}) } : { attempts: 0 };
    book.add(e, `${11 + (i % 251)}.${i % 7}.0.1:8333`, history);
  }
  return book;
}

/** Runs `work` while a 1 ms timer measures the longest time the event loop was held. */
async function timed(work: () => unknown): Promise<{ ms: number; blockedMs: number }> {
  let last = performance.now();
  let blockedMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    blockedMs = Math.max(blockedMs, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  last = performance.now();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(tick);
  return { ms, blockedMs: Math.max(blockedMs, performance.now() - last) };
}

const dir = mkdtempSync(join(tmpdir(), 'bitcrawl-bench-addrbook-'));
try {
  const book = fullBook();
  const file = join(dir, 'peers.json');
  const saves: Array<{ ms: number; blockedMs: number }> = [];
  for (let i = 0; i < 3; i++) saves.push(await timed(() => saveBook(file, 'mainnet', book)));
  const loads: Array<{ ms: number; blockedMs: number }> = [];
  let loaded = 0;
  for (let i = 0; i < 3; i++) {
    const again = new AddressBook();
    loads.push(await timed(() => loadBook(file, 'mainnet', again, silentLogger)));
    loaded = again.size;
  }
  const best = (xs: Array<{ ms: number; blockedMs: number }>): string =>
    `${Math.min(...xs.map((x) => x.ms)).toFixed(0)} ms (event loop held at most ${Math.min(...xs.map((x) => x.blockedMs)).toFixed(0)} ms at once)`;
  console.log(`address book: ${book.size} entries, file ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB`);
  console.log(`save (best of 3): ${best(saves)}`);
  console.log(`load (best of 3): ${best(loads)}, ${loaded} entries`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
