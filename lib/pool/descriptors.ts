/**
 * File descriptors, in one place: the soft limit, the warning when the pool's size needs more, and
 * running out of them (EMFILE/ENFILE: lib/net/open.ts names it `no-descriptors`) while dialling.
 */
import { readFileSync } from 'node:fs';
import { defer, switchMap, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { Logger } from '../log/logger.js';
import type { DropReason } from '../peer/errors.js';

/** After running out of file descriptors, new dials wait this long. */
export const EMFILE_PAUSE_MS = 1_000;

/**
 * Descriptors the process needs besides one per peer: stdio, libuv's epoll and thread-pool
 * pipes, DNS, the metrics server, files Node opens (measured: ~20 after start-up).
 */
export const FD_RESERVE = 32;

/** A dial that ends so ran out of descriptors: our limit, not the address's; the pool dials it again. */
export const OUT_OF_DESCRIPTORS: DropReason = 'no-descriptors';

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

/** The warning when `connections` (set by `flag`) need more descriptors than the soft limit `fdLimit`; undefined when they fit. */
export function descriptorShortfall(connections: number, flag: string, fdLimit: number | undefined): string | undefined {
  if (fdLimit === undefined || connections + FD_RESERVE <= fdLimit) return undefined;
  return `${flag} ${connections} needs about ${connections + FD_RESERVE} file descriptors, more than the soft limit of ${fdLimit}: raise it (ulimit -n) or lower ${flag}`;
}

/**
 * Out of file descriptors (EMFILE) is our limit, not a peer's fault: after it, new dials wait
 * EMFILE_PAUSE_MS (connections closing meanwhile free descriptors), and the user is told once.
 */
export class DescriptorGate {
  private resumeAt = 0;
  private warned = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly log: Logger,
    /** The soft limit on open files, for the warning. */
    private readonly limit: number | undefined,
  ) {}

  /** `dial`, once new dials may go out again. */
  gate<T>(dial: () => Observable<T>): Observable<T> {
    return defer(() => {
      const wait = this.resumeAt - this.scheduler.now();
      return wait > 0 ? timer(wait, this.scheduler).pipe(switchMap(dial)) : dial();
    });
  }

  /** A dial failed for want of a descriptor. */
  exhausted(): void {
    this.resumeAt = this.scheduler.now() + EMFILE_PAUSE_MS;
    if (this.warned) return;
    this.warned = true;
    this.log.warn('out of file descriptors (EMFILE): new connections wait and are retried; raise the limit (ulimit -n) or lower --max-peers', {
      limit: this.limit,
    });
  }
}
