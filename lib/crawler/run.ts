import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { Io } from '../output/io.js';
import type { Logger } from '../log/logger.js';
import type { StatusLine } from '../log/status-line.js';
import { EXIT_FLUSH_STALL_MS, NdjsonSink } from '../output/ndjson.js';
import { redact as redactUrl } from '../output/nats-connect.js';
import { addrLine, blockLine, propagationLine, peerDownLine, peerUpLine, seenOf } from '../output/lines.js';
import { MempoolMonitor } from './mempool.js';
import { startRpc } from './rpc-start.js';
import { descriptorShortfall, openFilesLimit } from '../pool/descriptors.js';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { blockView } from '../tx/block.js';
import { CHAIN_PARAMS } from '../chain/params.js';
import { dialPeer, type SessionOptions } from '../peer/connect.js';
import { txLine, UNCONFIRMED } from '../tx/view.js';
import { crawl, type CrawlDeps, type CrawlEvent } from './crawl.js';
import { census, type CensusEvent } from './census.js';
import { DEFAULT_INVENTORY_LIMITS } from './inventory.js';
import type { CrawlOptions } from './options.js';
import { formatEndpoint, hostOfEndpoint } from '../net/endpoint.js';
import { DownLog } from './down-log.js';
import { ADDRESS_BOOK_CAPACITY, AddressBook } from './addrbook.js';
import { BoundedSet } from './bounded-set.js';
import { ADDRBOOK_SAVE_MS, loadBook, saveBook } from './addrbook-file.js';
import type { SeedLookup } from '../net/seeds.js';
import { seedAddresses } from './seed-addresses.js';
import { CensusCount } from './census-count.js';
import { Dialer } from '../net/dialer.js';
import { ecBackendReason } from '../transport/secp.js';
import { networkIds, networkOfHost, NO_REACH, reachableNetworks, type HostNetwork } from '../net/reach.js';

export const USER_AGENT = '/bitcrawl:0.1.0/';
/** Peers remembered as having connected, for the summary's count (~229 bytes each): the address book's size. */
export const CONNECTED_REMEMBERED = ADDRESS_BOOK_CAPACITY;
/** How often the terminal status line is refreshed. */
export const STATUS_EVERY_MS = 5_000;
/** What runCrawl reaches the world through; tests inject their own (never the internet). */
export interface RunDeps {
  /** DNS seed resolution: the system resolver unless given. */
  readonly lookup?: SeedLookup;
  /** One seed's deadline: DNS_LOOKUP_TIMEOUT_MS unless given. */
  readonly dnsTimeoutMs?: number;
  /** `host:port`s to start from when every DNS seed fails: the network's FIXED_SEEDS unless given. */
  readonly fixedSeeds?: readonly string[];
  /** The terminal's status line (with opts.statusToTty): io.stderr is then its stream. */
  readonly status?: StatusLine;
}

/**
 * `crawl`: runs until SIGINT/SIGTERM (SIGHUP is logged and ignored; exit 0 after closing peers, with a summary on stderr; a
 * second signal exits at once), until stdout's reader goes away (exit 0, quietly), or, with
 * --no-reconnect, until every peer is gone (exit 0 if any peer ever connected, else 1); so too
 * without it when no peer is left to redial (each was of another network: lib/pool/keep-peer.ts NOT_REDIALLED).
 */
export async function runCrawl(opts: CrawlOptions, io: Io, log: Logger, deps: RunDeps = {}): Promise<number> {
  const targets = opts.peers;
  // Regtest nodes live on loopback; elsewhere only what Core's addrman would dial, unless asked.
  // Learned onion, I2P and CJDNS addresses only when their network is reachable (Core's g_reachable_nets).
  const reachableNets = reachableNetworks(opts.reach ?? NO_REACH);
  if (opts.transport !== 'v1') log.debug('BIP 324 curve operations', { backend: ecBackendReason });
  const dialOptions = { allowLocal: opts.allowLocal || opts.network.name === 'regtest', networks: reachableNets.ok ? networkIds(reachableNets.nets) : undefined };
  const book = new AddressBook(dialOptions);
  if (opts.addrbookPath !== undefined) loadBook(opts.addrbookPath, opts.network.name, book, log);
  // Core asks the DNS seeds only while its address manager has too few addresses (net.cpp ThreadDNSAddressSeed).
  const fromBook = targets.length === 0 && book.ranked().length > 0;
  if (fromBook) log.info('starting from the address book', { addresses: book.size });
  const seeds = targets.length > 0 || fromBook ? [] : await seedAddresses(opts, log, deps);
  if (targets.length === 0 && seeds.length === 0 && !fromBook) {
    io.stderr.write('crawl: no peers to connect to\n');
    return 1;
  }
  // A census visits many more nodes at once than a crawl keeps.
  const [connections, flag] = opts.census ? [opts.censusConcurrency, '--census-concurrency'] : [opts.maxPeers, '--max-peers'];
  const fdLimit = openFilesLimit();
  const shortfall = descriptorShortfall(connections, flag, fdLimit);
  if (shortfall !== undefined) log.warn(shortfall);
  const stdout = new NdjsonSink(io.stdout);
  // The NATS client and prom-client are loaded only when asked for (--nats, --metrics-port).
  const nats = opts.nats && new (await import('../output/nats.js')).NatsSink(opts.nats, opts.network.name, log);
  const toStdout = opts.stdout ?? true;
  /** Every output line: to stdout (unless --no-stdout) and to NATS (with --nats). */
  const sink = {
    write(line: string): void {
      if (toStdout) stdout.write(line);
      nats?.write(line);
    },
  };
  const paused = new BehaviorSubject(false);
  stdout.onPressure((blocked) => {
    log.debug(blocked ? 'stdout blocked: holding getdata, request deadlines stopped' : 'stdout drained: sending getdata again');
    paused.next(blocked);
  });
  const startedAt = Date.now();
  let txs = 0;
  let blocks = 0;
  let addresses = 0;
  /**
   * Peers that completed a handshake (for the summary and the exit status): the latest
   * CONNECTED_REMEMBERED, and how many distinct ones (one forgotten and back counts again).
   */
  const connected = new BoundedSet<string>(CONNECTED_REMEMBERED);
  let peersConnected = 0;
  const rpc = opts.rpc && (await startRpc(opts.rpc, opts.rpcTimeoutMs, opts.network.name, log));
  const mempool = new MempoolMonitor(opts, (line) => sink.write(line), rpc);
  const metrics = opts.metricsPort === undefined ? undefined : new (await import('./metrics.js')).Metrics();
  let metricsServer: Server | undefined;
  if (metrics && opts.metricsPort !== undefined) {
    try {
      metricsServer = await metrics.serve(opts.metricsPort);
    } catch (err) {
      io.stderr.write(`crawl: cannot serve metrics on 127.0.0.1:${opts.metricsPort}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  if (metricsServer) log.info('metrics', { url: `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics` });
  if (metrics && nats) metrics.nats(() => nats.stats);
  // The bus never holds the crawl back: its sink buffers within a bound and counts what it drops.
  nats?.start().catch((err: unknown) => log.error('nats failed: lines will not be published', { error: redactUrl(err instanceof Error ? err.message : String(err)) }));
  const up = new Set<string>();
  const configured = new Set(opts.peers.map(formatEndpoint));
  const downLog = new DownLog((peer) => opts.reconnect && configured.has(peer), (peer) => configured.has(peer));
  /** Visited and unreachable nodes, per network; v2 ones too (the share of v2 nodes, as network studies report it). */
  const count = new CensusCount();
  const reach = opts.reach ?? NO_REACH;
  const networkOf = (peer: string): HostNetwork => networkOfHost(hostOfEndpoint(peer), reach.cjdnsReachable);
  // Every peer reached its network's way: directly, through the SOCKS5 proxy, or the I2P bridge.
  const dialer = new Dialer({
    reach,
    connectTimeoutMs: opts.connectTimeoutMs,
    i2pKeyFile: opts.i2pKeyFile,
    onI2pSession: (id, transient) => log.info('I2P SAM session created', { session: id, keys: transient ? 'transient' : opts.i2pKeyFile }),
  });
  // A status line on stderr every few seconds, only for a person watching a terminal.
  let lastTxs = 0;
  const statusLine = opts.statusToTty ? deps.status : undefined;
  const statusTimer =
    statusLine &&
    setInterval(() => {
      const rate = (txs - lastTxs) / (STATUS_EVERY_MS / 1000);
      lastTxs = txs;
      statusLine.show(`peers ${up.size} | ${rate.toFixed(1)} tx/s | ${txs} txs | mempool ${mempool.size} | ${blocks} blocks`);
    }, STATUS_EVERY_MS);
  const statsTimer =
    opts.mempoolStatsMs > 0 ? setInterval(() => sink.write(mempool.statsLine(Date.now())), opts.mempoolStatsMs) : undefined;

  /** The address book to its file (atomically, one save at a time); a failure is logged, never the end of the crawl. */
  let saving = Promise.resolve();
  const saveAddresses = (): Promise<void> =>
    (saving = saving.then(async () => {
      if (opts.addrbookPath === undefined) return;
      try {
        await saveBook(opts.addrbookPath, opts.network.name, book);
        log.debug('address book saved', { file: opts.addrbookPath, addresses: book.size });
      } catch (err) {
        log.error('address book not saved', { file: opts.addrbookPath, error: err instanceof Error ? err.message : String(err) });
      }
    }));
  const saveTimer = opts.addrbookPath === undefined ? undefined : setInterval(() => void saveAddresses(), ADDRBOOK_SAVE_MS);
  saveTimer?.unref();

  return new Promise<number>((resolve) => {
    let finished = false;
    // Assigned below, once crawl() is subscribed; finish() may run before that (a synchronous end).
    // eslint-disable-next-line prefer-const
    let subscription: Subscription | undefined;
    const finish = async (status: number, summary: boolean): Promise<void> => {
      if (finished) return;
      finished = true;
      subscription?.unsubscribe();
      clearInterval(statsTimer);
      mempool.close();
      clearInterval(statusTimer);
      statusLine?.end();
      metricsServer?.close();
      dialer.close();
      clearInterval(saveTimer);
      await saveAddresses();
      if (book.embeddedSkipped > 0) log.info('addresses skipped: IPv4, Tor v2 or internal inside IPv6 (Core ignores them)', { skipped: book.embeddedSkipped });
      // A second signal while stdout drains still exits at once (onSignal stays until here); a
      // reader that takes nothing for EXIT_FLUSH_STALL_MS is given up on.
      const unwritten = await stdout.flushWithin();
      const unsent = await nats?.close();
      if (nats) {
        const { published, dropped } = nats.stats;
        (dropped > 0 || (unsent ?? 0) > 0 ? log.warn : log.info)('nats: published', { published, dropped, unsent });
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onHangup);
      if (summary) {
        const secs = ((Date.now() - startedAt) / 1000).toFixed(1);
        const lost = unwritten > 0 ? `; stdout not read for ${EXIT_FLUSH_STALL_MS / 1000} s: ${unwritten} bytes of output not written` : '';
        io.stderr.write(`crawl: ${txs} transactions, ${blocks} blocks from ${peersConnected} peers, ${addresses} addresses learned in ${secs} s${lost}\n`);
      } else if (unwritten > 0) log.warn('stdout not read: output not written', { bytes: unwritten });
      resolve(status);
      // Its pending write would keep the process alive for as long as the reader sleeps.
      if (unwritten > 0) process.exit(status);
    };
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) process.exit(130);
      log.info('stopping', { signal });
      void finish(0, true);
    };
    // SIGHUP does not stop a daemon: bitcoind only reopens debug.log (init.cpp HandleSIGHUP). We
    // log to stderr and have nothing to reopen, so it is logged and otherwise ignored.
    const onHangup = (): void => log.info('SIGHUP ignored: nothing to reload (SIGINT or SIGTERM stops crawl)');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onHangup);
    stdout.onClose((reason, err) => {
      if (reason === 'error') log.error('stdout failed', { error: err?.message });
      void finish(reason === 'epipe' ? 0 : 1, false);
    });

    /** One crawl or census event → counters, logs and output lines. */
    const handle = (ev: CrawlEvent | CensusEvent): void => {
      metrics?.event(ev);
      switch (ev.type) {
        case 'peer-up':
        case 'visiting':
          up.add(ev.peer);
          downLog.up(ev.peer);
          metrics?.peersConnected(up.size);
          if (!connected.has(ev.peer)) peersConnected++;
          connected.add(ev.peer);
          log.info('peer connected', {
            peer: ev.peer,
            version: ev.info.version,
            agent: ev.info.userAgent,
            height: ev.info.startHeight,
            wtxidrelay: ev.info.wtxidRelay,
            addrv2: ev.info.addrv2,
            transport: ev.info.transport,
          });
          if (ev.type === 'peer-up' && opts.emit.has('peer')) sink.write(peerUpLine(ev.peer, networkOf(ev.peer), ev.info, ev.time));
          return;
        case 'peer-down': {
          const wasUp = up.delete(ev.peer);
          metrics?.peersConnected(up.size);
          const note = downLog.down(ev.peer, ev.reason, ev.message, wasUp);
          log[note.level](note.message, note.meta);
          if (opts.emit.has('peer')) sink.write(peerDownLine(ev.peer, networkOf(ev.peer), ev.reason, ev.message, ev.time));
          return;
        }
        case 'visited': {
          up.delete(ev.peer);
          metrics?.peersConnected(up.size);
          const network = networkOf(ev.peer);
          count.visit(network, ev.info.transport === 'v2');
          sink.write(peerUpLine(ev.peer, network, ev.info, ev.time, 'visited', ev.rttMs));
          return;
        }
        case 'unreachable': {
          const network = networkOf(ev.peer);
          count.miss(network, ev.reason);
          sink.write(peerDownLine(ev.peer, network, ev.reason, ev.message, ev.time, 'unreachable'));
          return;
        }
        case 'propagation':
          sink.write(propagationLine(ev.item, ev.connected));
          return;
        case 'addr':
          addresses++;
          if (opts.emit.has('addr')) sink.write(addrLine(ev.address, ev.time));
          return;
        case 'rtt':
          log.debug('pong', { peer: ev.peer, rtt_ms: ev.ms });
          return;
        case 'tx':
          txs++;
          mempool.tx(ev.tx, ev.time, (fee) => {
            if (opts.emit.has('tx')) sink.write(txLine(ev.tx, opts.network, { raw: opts.raw, status: UNCONFIRMED, seen: seenOf(ev.peer, ev.time, ev.announcements), fee }));
          });
          metrics?.mempoolSize(mempool.size);
          return;
        case 'block': {
          blocks++;
          const view = blockView(ev.block);
          const held = mempool.block(ev.block.txs, view.hash, view.height, view.time, ev.peer, ev.time);
          metrics?.mempoolSize(mempool.size);
          log.info('block', { peer: ev.peer, hash: view.hash, txs: view.tx_count, seen: held.seen, unseen: held.unseen });
          if (opts.emit.has('block')) sink.write(blockLine(view, ev.peer, ev.time, held.seen, held.unseen));
          return;
        }
      }
    };

    const session: SessionOptions = {
      network: opts.network,
      handshakeTimeoutMs: opts.handshakeTimeoutMs,
      connectTimeoutMs: opts.connectTimeoutMs,
      pingIntervalMs: opts.pingIntervalMs,
      pingTimeoutMs: opts.pingTimeoutMs,
      userAgent: USER_AGENT,
      log,
      onTraffic: metrics && ((direction, command, bytes, transport) => metrics.message(direction, command, bytes, transport)),
      onBadMessage: metrics && ((command) => metrics.badMessage(command)),
      open: dialer.open,
    };
    const crawlDeps: CrawlDeps = {
      log,
      connect: (t) => dialPeer(t.host, t.port, session, opts.transport, t.services),
      openFilesLimit: fdLimit,
      book,
    };
    // Regtest nodes live on loopback; elsewhere only what Core's addrman would dial, unless asked.
    // Learned onion, I2P and CJDNS addresses only when their network is reachable (Core's g_reachable_nets).
    // A census is its own composition of the pool (lib/crawler/census.ts); here it differs besides only in its size (above) and its summary (at the end).
    const events: Observable<CrawlEvent | CensusEvent> = opts.census
      ? census(targets, { concurrency: connections, maxHandshakes: opts.maxHandshakes, visitTimeoutMs: opts.visitTimeoutMs, seeds, dial: dialOptions }, crawlDeps)
      : crawl(
          targets,
          {
            reconnect: opts.reconnect,
            limits: { ...DEFAULT_INVENTORY_LIMITS, requestTimeoutMs: opts.requestTimeoutMs, maxTxInFlightPerPeer: opts.maxInFlight },
            paused,
            askAddresses: opts.discover || opts.emit.has('addr'),
            discover: opts.discover,
            maxPeers: connections,
            maxHandshakes: opts.maxHandshakes,
            seeds,
            dial: dialOptions,
            chain: CHAIN_PARAMS[opts.network.name],
            propagation: opts.emit.has('propagation') ? { windowMs: opts.propagationWindowMs, networkOf } : undefined,
            // What stdout's reader has not taken is bounded (MAX_OUTPUT_BUFFER_BYTES): past it nothing is taken in.
            outputFull: () => stdout.full,
          },
          crawlDeps,
        );
    subscription = events.subscribe({
      next(ev) {
        // A bug in shaping one event's output costs that event, never the process.
        try {
          handle(ev);
        } catch (err) {
          log.error('internal error, event skipped', { event: ev.type, peer: 'peer' in ev ? ev.peer : undefined, error: err instanceof Error ? err.message : String(err) });
        }
      },
      error(err: unknown) {
        log.error('crawl failed', { error: err instanceof Error ? err.message : String(err) });
        void finish(3, true);
      },
      complete() {
        // With --no-reconnect every peer is gone; in a census no address is left to visit.
        if (opts.census) {
          count.notVisited(book.entries(), reach);
          for (const line of count.summary()) io.stderr.write(`${line}\n`);
          // A census that visited every address it had is done, however many answered.
          void finish(0, true);
          return;
        }
        log.info('no peers left');
        void finish(peersConnected > 0 ? 0 : 1, true);
      },
    });
  });
}
