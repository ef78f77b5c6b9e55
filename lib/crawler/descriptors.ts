import { defer, switchMap, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { Logger } from '../log/logger.js';

/** After running out of file descriptors, new dials wait this long. */
export const EMFILE_PAUSE_MS = 1_000;

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
