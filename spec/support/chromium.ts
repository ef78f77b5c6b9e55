/**
 * Debian's chromium, headless, driven over the DevTools protocol on a pipe (fd 3 in, fd 4 out:
 * --remote-debugging-pipe), so nothing listens on any port. Opens a page, collects its console
 * errors, evaluates expressions in it and takes screenshots.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

/** Fails with a clear message when chromium is not installed (CI installs it: .ci/run). */
export function requireChromium(): void {
  const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`${CHROMIUM} not found or not working (${r.error?.message ?? r.stderr}): install Debian's chromium (apt-get install chromium), as .ci/run does`);
  }
}

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

/** The window the page is laid out in (CSS pixels): two charts a row. */
const VIEWPORT = { width: 1280, height: 900 };

/** How long one DevTools command may take before the test fails with its name. */
const COMMAND_MS = 60_000;

export class Browser {
  /** Console errors, uncaught exceptions and error log entries (CSP violations, failed loads), as text. */
  readonly errors: string[] = [];
  private readonly child: ChildProcess;
  private readonly toBrowser: Writable;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(m: Message) => void> = [];
  private sessionId = '';
  private readonly profile = mkdtempSync(join(tmpdir(), 'bitcrawl-chromium-'));
  private stderr = '';

  private constructor() {
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-crash-reporter', '--disable-breakpad', '--remote-debugging-pipe', `--user-data-dir=${this.profile}`, '--no-first-run', 'about:blank'];
    // Its own process group (detached), so that close() can end the browser and every helper
    // process it started together, before the profile they write to is removed.
    this.child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.toBrowser = this.child.stdio[3] as Writable;
    let buf = '';
    (this.child.stdio[4] as Readable).on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\0'); i >= 0; i = buf.indexOf('\0')) {
        this.receive(JSON.parse(buf.slice(0, i)) as Message);
        buf = buf.slice(i + 1);
      }
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  static async open(): Promise<Browser> {
    requireChromium();
    const b = new Browser();
    const { targetId } = await b.send('Target.createTarget', { url: 'about:blank' }, false);
    const { sessionId } = await b.send('Target.attachToTarget', { targetId, flatten: true }, false);
    b.sessionId = sessionId as string;
    for (const domain of ['Runtime', 'Log', 'Page']) await b.send(`${domain}.enable`);
    await b.send('Emulation.setDeviceMetricsOverride', { width: VIEWPORT.width, height: VIEWPORT.height, deviceScaleFactor: 1, mobile: false });
    return b;
  }

  private receive(m: Message): void {
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result ?? {});
      return;
    }
    const params = m.params ?? {};
    if (m.method === 'Runtime.exceptionThrown') this.errors.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
    if (m.method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) this.errors.push(`console.${String(params.type)}: ${JSON.stringify(params.args)}`);
    if (m.method === 'Log.entryAdded') {
      const entry = params.entry as { level: string; text: string; url?: string };
      if (entry.level === 'error') this.errors.push(`log: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`);
    }
    for (const l of [...this.listeners]) l(m);
  }

  send(method: string, params: Record<string, unknown> = {}, inSession = true): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const msg = { id, method, params, ...(inSession ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chromium did not answer ${method} in ${COMMAND_MS} ms`)), COMMAND_MS);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.toBrowser.write(`${JSON.stringify(msg)}\0`);
    });
  }

  private event(method: string): Promise<Message> {
    return new Promise((resolve) => {
      const l = (m: Message): void => {
        if (m.method !== method) return;
        this.listeners.splice(this.listeners.indexOf(l), 1);
        resolve(m);
      };
      this.listeners.push(l);
    });
  }

  /** Loads `url` and resolves once its load event has fired. */
  async goto(url: string): Promise<void> {
    const loaded = this.event('Page.loadEventFired');
    const r = await this.send('Page.navigate', { url });
    if (typeof r.errorText === 'string') throw new Error(`could not open ${url}: ${r.errorText}`);
    await loaded;
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
    return (r.result as { value: T }).value;
  }

  /** A PNG of the whole page, or of the element matched by `selector`, at `scale`. */
  async screenshot(selector?: string, scale = 1): Promise<Buffer> {
    const box =
      selector === undefined
        ? await this.evaluate<{ x: number; y: number; width: number; height: number }>('({ x: 0, y: 0, width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })')
        : await this.evaluate<{ x: number; y: number; width: number; height: number }>(
            `(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; })()`,
          );
    const r = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { ...box, scale } });
    return Buffer.from(r.data as string, 'base64');
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      // Browser.close lets chromium shut its helpers down and flush the profile; SIGTERM is the
      // fallback when the pipe is gone.
      await this.send('Browser.close', {}, false).catch(() => this.child.kill('SIGTERM'));
      await exited;
    }
    // Whatever of the group is left (crashpad, the GPU and network services outlive the browser
    // by a moment and may still be writing to the profile) is killed before the removal.
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
}
