import type { Writable } from 'node:stream';

/**
 * Lines gathered before one write: one socket chunk yields many lines at once, and stdout on a
 * file or /dev/null is written synchronously, a system call per write.
 */
export const MAX_BATCH_BYTES = 64 * 1024;

/**
 * Output written and not yet taken by the reader, past which the crawl accepts no delivery (it is
 * left to be fetched again once the reader is back: lib/crawler/crawl.ts). While the reader is
 * blocked only what was asked for before comes in (getdata is held): 125 peers × 100 in flight ×
 * ~1 kB per line is ~12 MB in practice: this is reached only by very large transactions.
 */
export const MAX_OUTPUT_BUFFER_BYTES = 32 * 1024 * 1024;

/**
 * At exit, how long the reader may take none of what is left before we give up on it and exit
 * anyway (a reader that never reads kept a stopped crawl alive for ever). Well inside systemd's
 * default stop timeout (DefaultTimeoutStopSec, 90 s), after which it would kill us.
 */
export const EXIT_FLUSH_STALL_MS = 10_000;

/**
 * Writes JSON lines to a stream (stdout) and reports backpressure, so the producer can hold what
 * makes new lines (the crawl holds its getdata and stops request deadlines; the peer sockets are
 * still read, so pings and invs keep flowing) instead of buffering without end. Lines written in one burst of
 * synchronous work go out in one write, at the end of the burst (or at MAX_BATCH_BYTES). A closed
 * reader (EPIPE, as with `| head -1`) is a normal way for the output to end, not an error.
 */
export class NdjsonSink {
  private batch = '';
  private flushQueued = false;
  private closedReason: 'epipe' | 'error' | undefined;
  private blocked = false;
  /** Writes handed to the stream, and those it has reported done (its write callback, in order). */
  private handed = 0;
  private done = 0;
  private failed = false;
  private readonly doneWaiters: Array<{ n: number; resolve: (ok: boolean) => void }> = [];
  private readonly pressureListeners = new Set<(blocked: boolean) => void>();
  private readonly closeListeners = new Set<(reason: 'epipe' | 'error', err?: Error) => void>();
  lines = 0;

  constructor(private readonly stream: Writable) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      this.close(err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' ? 'epipe' : 'error', err);
    });
    stream.on('drain', () => this.setBlocked(false));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Bytes written and not yet taken by the reader (those in the stream's buffer and ours). */
  get pendingBytes(): number {
    return this.stream.writableLength + this.batch.length;
  }

  /** Over MAX_OUTPUT_BUFFER_BYTES: what would be printed must not be accepted now. */
  get full(): boolean {
    return this.blocked && this.pendingBytes > MAX_OUTPUT_BUFFER_BYTES;
  }

  /** True while the reader is behind: sources should stay paused. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Returns false when the caller should wait for `drained()` before writing more. */
  write(line: string): boolean {
    if (this.closedReason) return false;
    this.lines++;
    this.batch += line + '\n';
    if (this.batch.length >= MAX_BATCH_BYTES) this.writeBatch();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.writeBatch());
    }
    return !this.blocked && !this.closedReason;
  }

  private writeBatch(): void {
    this.flushQueued = false;
    if (this.batch === '' || this.closedReason) return;
    // A stream destroyed under us (its reader gone) may not say so with an error event.
    if (this.stream.destroyed) {
      this.close('epipe');
      return;
    }
    const text = this.batch;
    this.batch = '';
    this.handed++;
    if (!this.stream.write(text, (err) => this.written(err))) this.setBlocked(true);
  }

  private written(err: Error | null | undefined): void {
    this.done++;
    if (err) this.failed = true;
    this.settleWaiters();
  }

  private settleWaiters(): void {
    for (let i = this.doneWaiters.length - 1; i >= 0; i--) {
      const w = this.doneWaiters[i];
      if (this.failed || this.closedReason) w.resolve(false);
      else if (this.done >= w.n) w.resolve(true);
      else continue;
      this.doneWaiters.splice(i, 1);
    }
  }

  /**
   * Resolves true once everything written so far has reached the stream's destination (the stream's
   * write callback said so), false if any of it did not (the reader went away, a write failed): what
   * a caller acknowledges to its source only once it is out.
   */
  delivered(): Promise<boolean> {
    this.writeBatch();
    return new Promise((resolve) => {
      this.doneWaiters.push({ n: this.handed, resolve });
      this.settleWaiters();
    });
  }

  /** Resolves when the stream can take more (at once if it can now). */
  drained(): Promise<void> {
    if (!this.blocked || this.closedReason) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.pressureListeners.delete(onPressure);
        this.closeListeners.delete(done);
        resolve();
      };
      const onPressure = (blocked: boolean): void => {
        if (!blocked) done();
      };
      this.pressureListeners.add(onPressure);
      this.closeListeners.add(done);
    });
  }

  onPressure(listener: (blocked: boolean) => void): () => void {
    this.pressureListeners.add(listener);
    return () => this.pressureListeners.delete(listener);
  }

  onClose(listener: (reason: 'epipe' | 'error', err?: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Resolves once everything written has been flushed (or the reader is gone). */
  flush(): Promise<void> {
    this.writeBatch();
    if (this.closedReason || this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => resolve();
      this.stream.once('drain', done);
      this.closeListeners.add(done);
    });
  }

  /**
   * flush(), given up once the reader has taken nothing for `stallMs`: resolves with the bytes
   * left unwritten then (0: all written, or the reader is gone).
   */
  async flushWithin(stallMs: number = EXIT_FLUSH_STALL_MS): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<void>((resolve) => {
      let left = this.pendingBytes;
      let since = Date.now();
      timer = setInterval(() => {
        const now = Date.now();
        if (this.pendingBytes < left) [left, since] = [this.pendingBytes, now];
        else if (now - since >= stallMs) resolve();
      }, Math.min(1_000, stallMs));
    });
    try {
      await Promise.race([this.flush(), stalled]);
    } finally {
      clearInterval(timer);
    }
    return this.closed ? 0 : this.pendingBytes;
  }

  private close(reason: 'epipe' | 'error', err?: Error): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const l of [...this.closeListeners]) l(reason, err);
    this.settleWaiters();
  }

  private setBlocked(blocked: boolean): void {
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    for (const l of [...this.pressureListeners]) l(blocked);
  }
}
