/**
 * The crawl as a process (btcd keeps signal.go and config.go apart from server.go): the output
 * sinks (stdout, NATS), the metrics server, signals, the status line, the counts and logs of each
 * event, the summary and the exit status. The crawl itself is the session's (lib/crawler/session.ts).
 */
import { BehaviorSubject, type Subscription } from 'rxjs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Io } from '../output/io.js';
import type { Logger } from '../log/logger.js';
import type { StatusLine } from '../log/status-line.js';
import { EXIT_FLUSH_STALL_MS, NdjsonSink } from '../output/ndjson.js';
import { redact as redactUrl } from '../output/nats-connect.js';
import { formatEndpoint } from '../net/endpoint.js';
import type { CrawlOptions } from '../crawler/options.js';
import { DownLog } from '../crawler/down-log.js';
import { ADDRESS_BOOK_CAPACITY } from '../crawler/addrbook.js';
import { BoundedSet } from '../crawler/bounded-set.js';
import type { SeedDeps } from '../crawler/seed-addresses.js';
import { openSession, type CrawlSession, type SessionEvent } from '../crawler/session.js';
import type { Metrics } from '../crawler/metrics.js';
import { EXIT, type ExitStatus } from './exit.js';
import { onStopSignals } from './signals.js';

/** Peers remembered as having connected, for the summary's count (~229 bytes each): the address book's size. */
export const CONNECTED_REMEMBERED = ADDRESS_BOOK_CAPACITY;
/** How often the terminal status line is refreshed. */
export const STATUS_EVERY_MS = 5_000;

/** What runCrawl reaches the world through; tests inject their own (never the internet). */
export interface RunDeps extends SeedDeps {
  /** The terminal's status line (with opts.statusToTty): io.stderr is then its stream. */
  readonly status?: StatusLine;
}

/** What the summary, the status line and the exit status count. */
class Counts {
  txs = 0;
  blocks = 0;
  addresses = 0;
  /** Distinct peers that completed a handshake (one forgotten from `connected` and back counts again). */
  peersConnected = 0;
  /** The latest CONNECTED_REMEMBERED peers that completed a handshake. */
  readonly connected = new BoundedSet<string>(CONNECTED_REMEMBERED);
  readonly up = new Set<string>();
}

/**
 * One crawl event → counts, metrics and logs (its line is the session's). `downLog` says which
 * drops are worth a warning (configured peers) and which a debug line.
 */
function account(ev: SessionEvent, c: Counts, log: Logger, downLog: DownLog, session: CrawlSession, metrics: Metrics | undefined): void {
  metrics?.event(ev);
  switch (ev.type) {
    case 'peer-up':
    case 'visiting':
      c.up.add(ev.peer);
      downLog.up(ev.peer);
      metrics?.peersConnected(c.up.size);
      if (!c.connected.has(ev.peer)) c.peersConnected++;
      c.connected.add(ev.peer);
      log.info('peer connected', {
        peer: ev.peer,
        version: ev.info.version,
        agent: ev.info.userAgent,
        height: ev.info.startHeight,
        wtxidrelay: ev.info.wtxidRelay,
        addrv2: ev.info.addrv2,
        transport: ev.info.transport,
      });
      return;
    case 'visited':
    case 'unreachable':
      // A census prints each visit's end; its drops are no news.
      c.up.delete(ev.peer);
      metrics?.peersConnected(c.up.size);
      return;
    case 'peer-down': {
      const wasUp = c.up.delete(ev.peer);
      metrics?.peersConnected(c.up.size);
      const note = downLog.down(ev.peer, ev.reason, ev.message, wasUp);
      log[note.level](note.message, note.meta);
      return;
    }
    case 'addr':
      c.addresses++;
      return;
    case 'rtt':
      log.debug('pong', { peer: ev.peer, rtt_ms: ev.ms });
      return;
    case 'tx':
      c.txs++;
      metrics?.mempoolSize(session.mempoolSize);
      return;
    case 'block':
      c.blocks++;
      metrics?.mempoolSize(session.mempoolSize);
      return;
    case 'propagation':
      return;
  }
}

/**
 * `crawl`: runs until SIGINT/SIGTERM (SIGHUP is logged and ignored; exit 0 after closing peers, with a summary on stderr; a
 * second signal exits at once), until stdout's reader goes away (exit 0, quietly), or, with
 * --no-reconnect, until every peer is gone (exit 0 if any peer ever connected, else 1); so too
 * without it when no peer is left to redial (each was of another network: crawl.ts NOT_REDIALLED).
 */
export async function runCrawl(opts: CrawlOptions, io: Io, log: Logger, deps: RunDeps = {}): Promise<ExitStatus> {
  const stdout = new NdjsonSink(io.stdout);
  // The NATS client and prom-client are loaded only when asked for (--nats, --metrics-port).
  const nats = opts.nats && new (await import('../output/nats.js')).NatsSink(opts.nats, opts.network.name, log);
  const toStdout = opts.stdout ?? true;
  /** Every output line: to stdout (unless --no-stdout) and to NATS (with --nats). */
  const write = (line: string): void => {
    if (toStdout) stdout.write(line);
    nats?.write(line);
  };
  const paused = new BehaviorSubject(false);
  stdout.onPressure((blocked) => {
    log.debug(blocked ? 'stdout blocked: holding getdata, request deadlines stopped' : 'stdout drained: sending getdata again');
    paused.next(blocked);
  });
  const metrics = opts.metricsPort === undefined ? undefined : new (await import('../crawler/metrics.js')).Metrics();
  // What stdout's reader has not taken is bounded (MAX_OUTPUT_BUFFER_BYTES): past it nothing is taken in.
  const session = await openSession(opts, { log, write, paused, outputFull: () => stdout.full, metrics }, deps);
  if (session === undefined) {
    io.stderr.write('crawl: no peers to connect to\n');
    return EXIT.NO_PEERS;
  }
  let metricsServer: Server | undefined;
  if (metrics && opts.metricsPort !== undefined) {
    try {
      metricsServer = await metrics.serve(opts.metricsPort);
    } catch (err) {
      io.stderr.write(`crawl: cannot serve metrics on 127.0.0.1:${opts.metricsPort}: ${(err as Error).message}\n`);
      await session.close();
      return EXIT.NO_PEERS;
    }
  }
  if (metricsServer) log.info('metrics', { url: `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics` });
  if (metrics && nats) metrics.nats(() => nats.stats);
  // The bus never holds the crawl back: its sink buffers within a bound and counts what it drops.
  nats?.start().catch((err: unknown) => log.error('nats failed: lines will not be published', { error: redactUrl(err instanceof Error ? err.message : String(err)) }));
  const startedAt = Date.now();
  const c = new Counts();
  const configured = new Set(opts.peers.map(formatEndpoint));
  const downLog = new DownLog((peer) => opts.reconnect && configured.has(peer), (peer) => configured.has(peer));
  // A status line on stderr every few seconds, only for a person watching a terminal.
  let lastTxs = 0;
  const statusLine = opts.statusToTty ? deps.status : undefined;
  const statusTimer =
    statusLine &&
    setInterval(() => {
      const rate = (c.txs - lastTxs) / (STATUS_EVERY_MS / 1000);
      lastTxs = c.txs;
      statusLine.show(`peers ${c.up.size} | ${rate.toFixed(1)} tx/s | ${c.txs} txs | mempool ${session.mempoolSize} | ${c.blocks} blocks`);
    }, STATUS_EVERY_MS);

  return new Promise<ExitStatus>((resolve) => {
    let finished = false;
    // Assigned below, once the session is subscribed; finish() may run before that (a synchronous end).
    // eslint-disable-next-line prefer-const
    let subscription: Subscription | undefined;
    const finish = async (status: ExitStatus, summary: boolean): Promise<void> => {
      if (finished) return;
      finished = true;
      subscription?.unsubscribe();
      clearInterval(statusTimer);
      statusLine?.end();
      metricsServer?.close();
      await session.close();
      // A second signal while stdout drains still exits at once (the signals are listened to until
      // here); a reader that takes nothing for EXIT_FLUSH_STALL_MS is given up on.
      const unwritten = await stdout.flushWithin();
      const unsent = await nats?.close();
      if (nats) {
        const { published, dropped } = nats.stats;
        (dropped > 0 || (unsent ?? 0) > 0 ? log.warn : log.info)('nats: published', { published, dropped, unsent });
      }
      stopListening();
      if (summary) {
        const secs = ((Date.now() - startedAt) / 1000).toFixed(1);
        const lost = unwritten > 0 ? `; stdout not read for ${EXIT_FLUSH_STALL_MS / 1000} s: ${unwritten} bytes of output not written` : '';
        io.stderr.write(`crawl: ${c.txs} transactions, ${c.blocks} blocks from ${c.peersConnected} peers, ${c.addresses} addresses learned in ${secs} s${lost}\n`);
      } else if (unwritten > 0) log.warn('stdout not read: output not written', { bytes: unwritten });
      resolve(status);
      // Its pending write would keep the process alive for as long as the reader sleeps.
      if (unwritten > 0) process.exit(status);
    };
    const stopListening = onStopSignals(log, () => void finish(EXIT.OK, true));
    stdout.onClose((reason, err) => {
      if (reason === 'error') log.error('stdout failed', { error: err?.message });
      void finish(reason === 'epipe' ? EXIT.OK : EXIT.OUTPUT_FAILED, false);
    });

    subscription = session.events.subscribe({
      next(ev) {
        // A bug in counting one event costs that event, never the process.
        try {
          account(ev, c, log, downLog, session, metrics);
        } catch (err) {
          log.error('internal error, event skipped', { event: ev.type, peer: 'peer' in ev ? ev.peer : undefined, error: err instanceof Error ? err.message : String(err) });
        }
      },
      error(err: unknown) {
        log.error('crawl failed', { error: err instanceof Error ? err.message : String(err) });
        void finish(EXIT.FAILED, true);
      },
      complete() {
        // With --no-reconnect every peer is gone; in a census no address is left to visit.
        if (opts.census) {
          for (const line of session.censusSummary()) io.stderr.write(`${line}\n`);
          // A census that visited every address it had is done, however many answered.
          void finish(EXIT.OK, true);
          return;
        }
        log.info('no peers left');
        void finish(c.peersConnected > 0 ? EXIT.OK : EXIT.NO_PEERS, true);
      },
    });
  });
}
