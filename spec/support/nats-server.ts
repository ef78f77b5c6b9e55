/**
 * A real nats-server (Debian's package, 2.9) for the tests and the benchmark: on a free loopback
 * port, JetStream on (-js) with its store in a temporary directory, stoppable and restartable on
 * the same port and store (a bus that goes away and comes back).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './harness.js';

/** How long the server may take to say it is ready. */
const READY_MS = 15_000;

/** NATS_SERVER, else nats-server on the PATH or where Debian puts it; undefined when absent. */
export function natsServerBinary(): string | undefined {
  const env = process.env.NATS_SERVER;
  if (env) return existsSync(env) ? env : undefined;
  for (const candidate of ['/usr/sbin/nats-server', '/usr/bin/nats-server']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export class NatsServer {
  private child: ChildProcess | undefined;
  private constructor(
    private readonly bin: string,
    readonly port: number,
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(bin: string): Promise<NatsServer> {
    const s = new NatsServer(bin, await freePort(), mkdtempSync(join(tmpdir(), 'bitcrawl-nats-')));
    await s.resume();
    return s;
  }

  /** Starts (again) on the same port and store; resolves when the server says it is ready. */
  resume(): Promise<void> {
    const child = spawn(this.bin, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const log: string[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server not ready in ${READY_MS / 1000} s:\n${log.join('\n')}`)), READY_MS);
      const onLine = (l: string): void => {
        log.push(l);
        if (l.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', onLine);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code}):\n${log.join('\n')}`));
      });
    });
  }

  /** Stops the server (the store stays, for resume()). */
  async pause(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.pause();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
