/** Memory measured, not assumed: the heap and ArrayBuffers a structure retains after a full GC. */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CRAWL_BIN } from './crawl-process.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap used plus ArrayBuffers (Buffers, typed arrays), after a full collection. */
export function retainedBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export const MB = 1024 * 1024;

/** RELIABILITY.md: the crawler's resident memory while its reader is stalled stays below this. */
export const STALLED_RSS_BOUND_BYTES = 200 * MB;

/** A process's resident memory (Linux /proc). */
export function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kb?.[1]) * 1024;
}

/** RELIABILITY.md: `crawl merge`'s peak resident memory under hostile input (files, publishers) stays below this. */
export const MERGE_RSS_BOUND_BYTES = 200 * MB;

/** A process's peak resident memory so far (Linux /proc VmHWM). */
export function peakRssBytes(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kb?.[1]) * 1024;
}

/** Preloaded into a child, it says the child's peak RSS (getrusage's maxRSS, kB) on stderr as it exits (read with peakRssOf). */
const PEAK_RSS_PRELOAD = fileURLToPath(new URL('./peak-rss.cjs', import.meta.url));
/** Node flags that make a child say its peak RSS as it exits. */
export const PEAK_RSS_FLAGS: readonly string[] = ['--require', PEAK_RSS_PRELOAD];
/** The same through the environment, for a child started by a helper that takes no node flags. */
export const PEAK_RSS_ENV = { NODE_OPTIONS: `--require ${PEAK_RSS_PRELOAD}` };

/** The peak RSS (bytes) a child started with PEAK_RSS_FLAGS or PEAK_RSS_ENV printed; NaN when it printed none. */
export function peakRssOf(stderr: string): number {
  return Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1]) * 1024;
}

/** Runs `crawl` with `args` to its exit (stdout ignored) with its peak RSS measured in the child: status, stderr, peak bytes. */
export async function crawlPeakRss(args: readonly string[]): Promise<{ code: number | null; stderr: string; peakRss: number }> {
  const child = spawn(process.execPath, [...PEAK_RSS_FLAGS, CRAWL_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr, peakRss: peakRssOf(stderr) };
}
