import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger.js';

import { connectOptions, ensureStream, RECONNECT_WAIT_MS, redact, type StreamLimits } from './nats-connect.js';

export { DEFAULT_MAX_AGE_S, DEFAULT_MAX_BYTES, DEFAULT_NATS_BUFFER, DEFAULT_STREAM } from './nats-defaults.js';
export { connectOptions, ensureStream, RECONNECT_WAIT_MS, redact, SUBJECTS, type StreamLimits } from './nats-connect.js';

/** The lines buffered (at most DEFAULT_NATS_BUFFER of them, nats-defaults.ts) hold at most this many bytes, whatever the count (a block line can be ~300 kB). */
export const MAX_NATS_BUFFER_BYTES = 64 * 1024 * 1024;
/** Publishes awaiting their acknowledgement at once (the rest wait in the buffer). */
export const MAX_IN_FLIGHT = 256;
/** How long one acknowledgement may take before the line is sent again (the stream drops the duplicate). */
export const PUBLISH_TIMEOUT_MS = 5_000;
/** A line the server refuses this many times while connected is given up (and counted as dropped). */
export const MAX_PUBLISH_ATTEMPTS = 5;
/** At exit, how long the buffer may take to empty before what is left is counted as unsent. */
export const CLOSE_TIMEOUT_MS = 5_000;

export interface NatsOptions extends StreamLimits {
  /** nats://host:port (or host:port), as the client takes it; several comma-separated. */
  readonly url: string;
  readonly vantage: string;
  /** Lines pending at most (DEFAULT_NATS_BUFFER). */
  readonly buffer: number;
}

export interface NatsStats {
  /** Acknowledged by the stream (JetStream) or handed to the connected client (core NATS). */
  readonly published: number;
  /** Dropped: the buffer was full, or the server refused a line MAX_PUBLISH_ATTEMPTS times. */
  readonly dropped: number;
  /** Pending now (buffered and in flight). */
  readonly pending: number;
  readonly connected: boolean;
}

interface Pending {
  readonly subject: string;
  readonly data: string;
  readonly id: string;
  attempts: number;
}

const EVENT_PREFIX = /^\{"event":"([a-z_]+)"/;

/** The event name of a line: every line we print starts with it; otherwise it is read. */
export function eventOf(line: string): string {
  const m = EVENT_PREFIX.exec(line);
  if (m) return m[1];
  const parsed = JSON.parse(line) as { event?: unknown };
  return typeof parsed.event === 'string' && /^[a-z_]+$/.test(parsed.event) ? parsed.event : 'other';
}

/** The line as published: the same JSON object plus `vantage` (added last). */
export function withVantage(line: string, vantage: string): string {
  return `${line.slice(0, line.lastIndexOf('}'))},"vantage":${JSON.stringify(vantage)}}`;
}

/**
 * Publishes every output line to NATS on `bitcrawl.<network>.<event>`, with `vantage` added. With
 * JetStream, into a stream (created if missing) with acknowledged publishes and a message id per
 * line, so a line sent again after a lost acknowledgement is stored once. Never blocks the crawl:
 * while the bus is slow or away lines wait in a bounded buffer, the client reconnects on its own,
 * and what does not fit is dropped, counted and logged.
 */
export class NatsSink {
  private readonly queue: Pending[] = [];
  private head = 0;
  private bytes = 0;
  private inFlight = 0;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private up = false;
  private closing = false;
  private seq = 0;
  /** Drops since the last "dropping" warning, reported when the buffer takes lines again. */
  private droppingSince = 0;
  private readonly runId = randomBytes(6).toString('hex');
  private readonly idleWaiters: Array<() => void> = [];
  /** Ends the wait between first connection attempts (on close). */
  private wake: (() => void) | undefined;
  published = 0;
  dropped = 0;

  constructor(
    private readonly opts: NatsOptions,
    private readonly network: string,
    private readonly log: Logger,
  ) {}

  get stats(): NatsStats {
    return { published: this.published, dropped: this.dropped, pending: this.pending, connected: this.up };
  }

  get pending(): number {
    return this.queue.length - this.head + this.inFlight;
  }

  /**
   * Connects (the crawl does not wait for it): until the first connection succeeds it is tried again
   * every RECONNECT_WAIT_MS, as the client itself does after a disconnection; close() ends that.
   */
  async start(): Promise<void> {
    let nc: NatsConnection | undefined;
    for (let attempt = 1; !nc; attempt++) {
      if (this.closing) return;
      try {
        nc = await connect({
          ...connectOptions(this.opts.url),
          name: `bitcrawl ${this.opts.vantage}`,
          maxReconnectAttempts: -1,
          reconnectTimeWait: RECONNECT_WAIT_MS,
          timeout: PUBLISH_TIMEOUT_MS,
        });
      } catch (err) {
        if (attempt === 1) this.log.warn('nats: cannot connect yet, buffering and trying again', { url: redact(this.opts.url), error: redact((err as Error).message) });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RECONNECT_WAIT_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    if (this.closing) {
      await nc.close();
      return;
    }
    this.nc = nc;
    void this.watch(nc);
    this.js = await this.openStream(nc);
    this.up = true;
    this.log.info('nats connected', { server: redact(nc.getServer()), jetstream: this.js !== undefined, stream: this.js ? this.opts.stream : undefined });
    this.pump();
  }

  /** JetStream's stream, created if missing; undefined when the server has no JetStream (core publishes). */
  private async openStream(nc: NatsConnection): Promise<JetStreamClient | undefined> {
    let jsm;
    try {
      jsm = await jetstreamManager(nc);
    } catch (err) {
      this.log.warn('nats: no JetStream on this server, publishing without acknowledgements', { error: redact((err as Error).message) });
      return undefined;
    }
    await ensureStream(jsm, this.opts, this.log);
    return jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS });
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
          this.up = false;
          this.log.warn('nats disconnected: buffering', { server: redact(s.server), pending: this.pending, buffer: this.opts.buffer });
          break;
        case 'reconnect':
          this.up = true;
          this.log.info('nats reconnected', { server: redact(s.server), pending: this.pending });
          this.pump();
          break;
        case 'error':
          this.log.warn('nats error', { error: redact(s.error.message) });
          break;
        default:
      }
    }
  }

  /** One output line (without newline). Never throws, never waits. */
  write(line: string): void {
    if (this.closing) return;
    let event: string;
    try {
      event = eventOf(line);
    } catch {
      return;
    }
    const data = withVantage(line, this.opts.vantage);
    if (this.pending >= this.opts.buffer || this.bytes + data.length > MAX_NATS_BUFFER_BYTES) {
      this.drop(1, 'buffer full');
      return;
    }
    if (this.droppingSince > 0) {
      this.log.warn('nats buffer has room again', { dropped: this.droppingSince, dropped_total: this.dropped });
      this.droppingSince = 0;
    }
    this.queue.push({ subject: `bitcrawl.${this.network}.${event}`, data, id: `${this.runId}.${++this.seq}`, attempts: 0 });
    this.bytes += data.length;
    this.pump();
  }

  private drop(n: number, why: string): void {
    if (this.droppingSince === 0) this.log.warn(`nats: ${why}, dropping lines until it has room`, { buffer: this.opts.buffer, pending: this.pending, connected: this.up });
    this.dropped += n;
    this.droppingSince += n;
  }

  private take(): Pending | undefined {
    if (this.head >= this.queue.length) return undefined;
    const p = this.queue[this.head++];
    // Compact now and then, so the array does not keep what was taken.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return p;
  }

  private pump(): void {
    const nc = this.nc;
    if (!nc || !this.up) return;
    const js = this.js;
    while (this.inFlight < MAX_IN_FLIGHT) {
      const p = this.take();
      if (!p) break;
      if (!js) {
        try {
          nc.publish(p.subject, p.data);
          this.settle(p);
        } catch (err) {
          this.retry(p, err);
        }
        continue;
      }
      this.inFlight++;
      js.publish(p.subject, p.data, { msgID: p.id, timeout: PUBLISH_TIMEOUT_MS }).then(
        () => {
          this.inFlight--;
          this.settle(p);
          this.pump();
        },
        (err: unknown) => {
          this.inFlight--;
          this.retry(p, err);
          this.pump();
        },
      );
    }
    this.checkIdle();
  }

  private settle(p: Pending): void {
    this.bytes -= p.data.length;
    this.published++;
  }

  /** Back to the front of the buffer; attempts count only while connected (an outage is not the line's fault). */
  private retry(p: Pending, err: unknown): void {
    if (this.up && ++p.attempts >= MAX_PUBLISH_ATTEMPTS) {
      this.bytes -= p.data.length;
      this.log.warn('nats: a line was refused too often, dropped', { subject: p.subject, error: redact(err instanceof Error ? err.message : String(err)) });
      this.dropped++;
      return;
    }
    if (this.head > 0) this.queue[--this.head] = p;
    else this.queue.unshift(p);
  }

  private checkIdle(): void {
    if (this.pending > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves once nothing is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Publishes what is buffered (for at most `timeoutMs`), then closes; returns the lines left unsent. */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<number> {
    this.closing = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    if (this.nc) {
      await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    }
    clearTimeout(timer);
    const unsent = this.pending;
    this.up = false;
    const nc = this.nc;
    this.nc = undefined;
    if (nc) await nc.close().catch(() => {});
    return unsent;
  }
}
