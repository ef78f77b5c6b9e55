/**
 * Runs the built `crawl` command as a child process, as a user would, and reads its stdout
 * NDJSON and stderr log lines as they come. Tests wait for lines, never for fixed times.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SeenView, TxView } from '../../lib/tx/view.js';

export const CRAWL_BIN = fileURLToPath(new URL('../../dist/bin/crawl.js', import.meta.url));

type Waiter<T> = { match: (x: T) => boolean; resolve: (x: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** Lines as they come, and waits for one with a deadline that says what was awaited. */
export class LineStream<T> {
  readonly all: T[] = [];
  private waiters: Waiter<T>[] = [];
  private done: Error | undefined;

  push(x: T): void {
    this.all.push(x);
    for (const w of this.waiters.filter((w) => w.match(x))) {
      clearTimeout(w.timer);
      w.resolve(x);
    }
    this.waiters = this.waiters.filter((w) => !w.match(x));
  }

  end(err: Error): void {
    this.done = err;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters = [];
  }

  /** The first line (seen so far or still to come) that matches, within `ms`. */
  wait(match: (x: T) => boolean, ms: number, what: string, from = 0): Promise<T> {
    const found = this.all.slice(from).find(match);
    if (found !== undefined) return Promise.resolve(found);
    if (this.done) return Promise.reject(this.done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== resolve);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiters.push({ match, resolve, reject, timer });
    });
  }
}

export type JsonLine = Record<string, unknown> & { event?: string };

/** A tx line as `crawl` prints it (lib/tx/view.ts TxView), its `seen` as a crawl fills it: every announcement field there. */
export type TxLine = Omit<TxView, 'seen'> & { seen: Required<Omit<SeenView, 'block'>> };

export class CrawlProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines = new LineStream<JsonLine>();
  readonly logs = new LineStream<string>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `fdLimit`: run under `ulimit -n fdLimit` (a soft and hard limit on open files). */
  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}, opts: { readonly fdLimit?: number } = {}) {
    const command = [process.execPath, CRAWL_BIN, ...args];
    const [file, argv] =
      opts.fdLimit === undefined ? [command[0], command.slice(1)] : ['bash', ['-c', 'ulimit -n "$0" && exec "$@"', String(opts.fdLimit), ...command]];
    this.child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: 'pipe' });
    createInterface({ input: this.child.stdout }).on('line', (l) => {
      // A process killed mid-write leaves half a line: say so in the logs rather than throw.
      try {
        this.lines.push(JSON.parse(l) as JsonLine);
      } catch {
        this.logs.push(`unparsable stdout line: ${l.slice(0, 80)}`);
      }
    });
    createInterface({ input: this.child.stderr }).on('line', (l) => this.logs.push(l));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        const err = new Error(`crawl exited (${code ?? signal}); stderr:\n${this.logs.all.join('\n')}`);
        this.lines.end(err);
        this.logs.end(err);
        resolve({ code, signal });
      }),
    );
  }

  /** A timeout names the crawler's last log lines: what it was doing is the first thing a failure needs. `from`: the first line index looked at. */
  waitLine(match: (l: JsonLine) => boolean, what: string, ms = 15_000, from = 0): Promise<JsonLine> {
    return this.lines.wait(match, ms, what, from).catch((err: Error) => this.withLogs(err));
  }

  waitLog(pattern: RegExp, ms = 15_000): Promise<string> {
    return this.logs.wait((l) => pattern.test(l), ms, `log ${pattern}`).catch((err: Error) => this.withLogs(err));
  }

  private withLogs(err: Error): never {
    if (!err.message.startsWith('timed out')) throw err;
    throw new Error(`${err.message}; the crawler's last log lines:\n${this.logs.all.slice(-40).join('\n')}`);
  }

  txLines(): JsonLine[] {
    return this.lines.all.filter((l) => l.event === 'tx');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Runs `crawl` to completion with the given stdin; returns status and output. */
export function runCrawl(args: readonly string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CRAWL_BIN, ...args], { stdio: 'pipe', env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}
