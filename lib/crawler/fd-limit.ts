import { readFileSync } from 'node:fs';

/**
 * Descriptors the process needs besides one per peer: stdio, libuv's epoll and thread-pool
 * pipes, DNS, the metrics server, files Node opens (measured: ~20 after start-up).
 */
export const FD_RESERVE = 32;

/** The soft limit on open files, from /proc/self/limits' "Max open files" line (Linux). */
export function parseOpenFilesLimit(limits: string): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (!m || m[1] === 'unlimited') return undefined;
  return Number(m[1]);
}

/** This process's soft limit on open files, or undefined where it cannot be read (not Linux). */
export function openFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}
