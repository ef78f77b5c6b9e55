/** Memory measured, not assumed: the heap and ArrayBuffers a structure retains after a full GC. */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';

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

/** The environment that makes a child say its peak RSS as it exits, as PEAK_RSS_IMPORT does (see peakRssOf): for a child started by a helper that takes no node flags. */
export const PEAK_RSS_ENV = { NODE_OPTIONS: `--require ${fileURLToPath(new URL('./peak-rss.cjs', import.meta.url))}` };
/** A process's peak resident memory so far (Linux /proc VmHWM). */
export function peakRssBytes(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(kb?.[1]) * 1024;
}

/** A `node --import` argument: the child prints its peak RSS (getrusage's maxRSS, kB) on stderr as it exits. */
export const PEAK_RSS_IMPORT = 'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(2,`maxrss_kb=${process.resourceUsage().maxRSS}\\n`))';

/** The peak RSS (bytes) a child started with PEAK_RSS_IMPORT printed; NaN when it printed none. */
export function peakRssOf(stderr: string): number {
  return Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1]) * 1024;
}
