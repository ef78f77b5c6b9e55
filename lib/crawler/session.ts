/**
 * The crawl session: the crawl stream composed (where it starts: --peers, the address book or
 * the DNS seeds; how peers are reached; the session options each peer gets), the address book
 * loaded and saved, the mempool monitor fed, and each event's line (lib/output/event-lines.ts)
 * handed to the sink the process gave. No signals, no exit statuses, no process streams: those
 * are the process's (lib/cli/crawl-run.ts), as btcd keeps signal.go and config.go apart from
 * server.go.
 */
import { tap, type Observable } from 'rxjs';
import type { Logger } from '../log/logger.js';
import { blockView } from '../tx/block.js';
import { CHAIN_PARAMS } from '../chain/params.js';
import { dialPeer, type SessionOptions } from '../peer/connect.js';
import { eventLine, type LineEvent, type LineOptions } from '../output/event-lines.js';
import { hostOfEndpoint } from '../net/endpoint.js';
import { Dialer } from '../net/dialer.js';
import { ecBackendReason } from '../transport/secp.js';
import { keyMaker } from '../transport/key-pool.js';
import { networkIds, networkOfHost, NO_REACH, reachableNetworks, type HostNetwork } from '../net/reach.js';
import { crawl, type CrawlDeps, type CrawlEvent } from './crawl.js';
import { census, type CensusEvent } from './census.js';
import type { CrawlOptions } from './options.js';
import { AddressBook } from './addrbook.js';
import { ADDRBOOK_SAVE_MS, loadBook, saveBook } from './addrbook-file.js';
import { seedAddresses, type SeedDeps } from './seed-addresses.js';
import { CensusCount } from './census-count.js';
import { MempoolMonitor } from './mempool.js';
import { startRpc } from './rpc-start.js';
import { descriptorShortfall, openFilesLimit } from '../pool/descriptors.js';
import type { Metrics } from './metrics.js';

export const USER_AGENT = '/bitcrawl:0.1.0/';

/** What the session writes to and is held back by: the process's sinks (lib/cli/crawl-run.ts). */
export interface SessionSinks {
  readonly log: Logger;
  /** Every output line (stdout, NATS: the process decides). */
  readonly write: (line: string) => void;
  /** Stdout backpressure: true holds every getdata and stops request deadlines (sockets are still read). */
  readonly paused: Observable<boolean>;
  /** The output buffer is over its bound (MAX_OUTPUT_BUFFER_BYTES): deliveries are asked again later, not taken. */
  readonly outputFull: () => boolean;
  /** Prometheus metrics (--metrics-port): each peer's traffic and bad messages. */
  readonly metrics?: Metrics;
}

/**
 * Opens a session: the address book loaded, the DNS seeds asked (without --peers or a book), --rpc
 * checked. Undefined when there is no peer to start from. A UsageError for the user's set-up.
 */
export async function openSession(opts: CrawlOptions, sinks: SessionSinks, deps: SeedDeps = {}): Promise<CrawlSession | undefined> {
  const { log } = sinks;
  const targets = opts.peers;
  // Learned onion, I2P and CJDNS addresses only when their network is reachable (Core's g_reachable_nets).
  const reachableNets = reachableNetworks(opts.reach ?? NO_REACH);
  if (opts.transport !== 'v1') log.debug('BIP 324 curve operations', { backend: ecBackendReason, keys: keyMaker() });
  // Regtest nodes live on loopback; elsewhere only what Core's addrman would dial, unless asked.
  const dialOptions = { allowLocal: opts.allowLocal || opts.network.name === 'regtest', networks: reachableNets.ok ? networkIds(reachableNets.nets) : undefined };
  const book = new AddressBook(dialOptions);
  if (opts.addrbookPath !== undefined) loadBook(opts.addrbookPath, opts.network.name, book, log);
  // Core asks the DNS seeds only while its address manager has too few addresses (net.cpp ThreadDNSAddressSeed).
  const fromBook = targets.length === 0 && book.ranked().length > 0;
  if (fromBook) log.info('starting from the address book', { addresses: book.size });
  const seeds = targets.length > 0 || fromBook ? [] : await seedAddresses(opts, log, deps);
  if (targets.length === 0 && seeds.length === 0 && !fromBook) return undefined;
  // A census visits many more nodes at once than a crawl keeps.
  const [connections, flag] = opts.census ? [opts.census.concurrency, '--census-concurrency'] : [opts.maxPeers, '--max-peers'];
  const fdLimit = openFilesLimit();
  const shortfall = descriptorShortfall(connections, flag, fdLimit);
  if (shortfall !== undefined) log.warn(shortfall);
  const rpc = opts.rpc && (await startRpc(opts.rpc, opts.rpcTimeoutMs, opts.network.name, log));
  const mempool = new MempoolMonitor(opts, sinks.write, rpc);
  const reach = opts.reach ?? NO_REACH;
  const networkOf = (peer: string): HostNetwork => networkOfHost(hostOfEndpoint(peer), reach.cjdnsReachable);
  // Every peer reached its network's way: directly, through the SOCKS5 proxy, or the I2P bridge.
  const dialer = new Dialer({
    reach,
    connectTimeoutMs: opts.peer.connectTimeoutMs,
    i2pKeyFile: opts.i2pKeyFile,
    onI2pSession: (id, transient) => log.info('I2P SAM session created', { session: id, keys: transient ? 'transient' : opts.i2pKeyFile }),
  });
  const { metrics } = sinks;
  const session: SessionOptions = {
    ...opts.peer,
    network: opts.network,
    userAgent: USER_AGENT,
    log,
    onTraffic: metrics && ((direction, command, bytes, transport) => metrics.message(direction, command, bytes, transport)),
    onBadMessage: metrics && ((command) => metrics.badMessage(command)),
    open: dialer.open,
  };
  const crawlDeps: CrawlDeps = { log, connect: (t) => dialPeer(t.host, t.port, session, opts.transport, t.services), openFilesLimit: fdLimit, book };
  // A census is its own composition of the pool (lib/crawler/census.ts), a crawl another (crawl.ts).
  const events: Observable<SessionEvent> = opts.census
    ? census(targets, { concurrency: connections, maxHandshakes: opts.maxHandshakes, visitTimeoutMs: opts.census.visitTimeoutMs, seeds, dial: dialOptions }, crawlDeps)
    : crawl(
        targets,
        {
          reconnect: opts.reconnect,
          limits: opts.inventory,
          paused: sinks.paused,
          askAddresses: opts.discover || opts.emit.has('addr'),
          discover: opts.discover,
          maxPeers: connections,
          maxHandshakes: opts.maxHandshakes,
          seeds,
          dial: dialOptions,
          chain: CHAIN_PARAMS[opts.network.name],
          propagation: opts.emit.has('propagation') ? { windowMs: opts.propagationWindowMs, networkOf } : undefined,
          outputFull: sinks.outputFull,
        },
        crawlDeps,
      );
  return new CrawlSession(opts, sinks, events, book, mempool, dialer, networkOf);
}

/** What a session reports: a crawl's events, or a census's (lib/crawler/census.ts). */
export type SessionEvent = CrawlEvent | CensusEvent;

export class CrawlSession {
  /**
   * The crawl's events, each one's line written on its way through (a bug in shaping one event's
   * output costs that event, never the crawl). Subscribe once.
   */
  readonly events: Observable<SessionEvent>;
  private readonly lineOptions: LineOptions;
  /** Visited and unreachable nodes, per network; v2 ones too (the share of v2 nodes, as network studies report it). */
  private readonly count = new CensusCount();
  private readonly statsTimer: NodeJS.Timeout | undefined;
  private readonly saveTimer: NodeJS.Timeout | undefined;
  private saving = Promise.resolve();

  constructor(
    private readonly opts: CrawlOptions,
    private readonly sinks: SessionSinks,
    events: Observable<SessionEvent>,
    readonly book: AddressBook,
    private readonly mempool: MempoolMonitor,
    private readonly dialer: Dialer,
    private readonly networkOf: (peer: string) => HostNetwork,
  ) {
    this.lineOptions = { emit: opts.emit, raw: opts.raw, network: opts.network };
    this.events = events.pipe(
      tap((ev) => {
        try {
          this.print(ev);
        } catch (err) {
          sinks.log.error('internal error, event skipped', { event: ev.type, peer: 'peer' in ev ? ev.peer : undefined, error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
    this.statsTimer = opts.mempoolStatsMs > 0 ? setInterval(() => sinks.write(mempool.statsLine(Date.now())), opts.mempoolStatsMs) : undefined;
    this.saveTimer = opts.addrbookPath === undefined ? undefined : setInterval(() => void this.save(), ADDRBOOK_SAVE_MS);
    this.saveTimer?.unref();
  }

  /** Transactions in the mempool view. */
  get mempoolSize(): number {
    return this.mempool.size;
  }

  /** The census's closing lines for stderr (after the crawl completed): what was visited, per network, and why not. */
  censusSummary(): string[] {
    this.count.notVisited(this.book.entries(), this.opts.reach ?? NO_REACH);
    return this.count.summary();
  }

  /** Stops the timers, prints the lines still waiting for --rpc, saves the address book. */
  async close(): Promise<void> {
    clearInterval(this.statsTimer);
    this.mempool.close();
    this.dialer.close();
    clearInterval(this.saveTimer);
    await this.save();
    if (this.book.embeddedSkipped > 0) this.sinks.log.info('addresses skipped: IPv4, Tor v2 or internal inside IPv6 (Core ignores them)', { skipped: this.book.embeddedSkipped });
  }

  /** The address book to its file (atomically, one save at a time); a failure is logged, never the end of the crawl. */
  private save(): Promise<void> {
    const path = this.opts.addrbookPath;
    const { log } = this.sinks;
    return (this.saving = this.saving.then(async () => {
      if (path === undefined) return;
      try {
        await saveBook(path, this.opts.network.name, this.book);
        log.debug('address book saved', { file: path, addresses: this.book.size });
      } catch (err) {
        log.error('address book not saved', { file: path, error: err instanceof Error ? err.message : String(err) });
      }
    }));
  }

  private line(ev: LineEvent): void {
    const line = eventLine(ev, this.lineOptions);
    if (line !== undefined) this.sinks.write(line);
  }

  /** One event of the crawl or the census → the mempool view or the census's tally, and its line. */
  private print(ev: SessionEvent): void {
    switch (ev.type) {
      case 'peer-up':
      case 'peer-down':
        return this.line({ ...ev, network: this.networkOf(ev.peer) });
      case 'visiting':
      case 'rtt':
        return;
      case 'visited': {
        const network = this.networkOf(ev.peer);
        this.count.visit(network, ev.info.transport === 'v2');
        return this.line({ ...ev, network });
      }
      case 'unreachable': {
        const network = this.networkOf(ev.peer);
        this.count.miss(network, ev.reason);
        return this.line({ ...ev, network });
      }
      case 'addr':
      case 'propagation':
        return this.line(ev);
      case 'tx':
        this.mempool.tx(ev.tx, ev.time, (fee) => this.line({ type: 'tx', peer: ev.peer, tx: ev.tx, time: ev.time, announcements: ev.announcements, fee }));
        return;
      case 'block': {
        const view = blockView(ev.block);
        const held = ev.stale ? this.mempool.staleBlock(ev.block, view.hash, view.height, view.time, ev.peer) : this.mempool.block(ev.block, ev.ancestors, view.hash, view.height, view.time, ev.peer, ev.time);
        const reorg = 'reorg' in held ? held.reorg : undefined;
        this.sinks.log.info('block', { peer: ev.peer, hash: view.hash, txs: view.tx_count, seen: held.seen, unseen: held.unseen, compact: ev.arrival?.compact, ...(ev.stale ? { stale: true } : {}), ...(reorg ? { mempool_reorg: reorg } : {}) });
        return this.line({ type: 'block', peer: ev.peer, view, time: ev.time, seen: held.seen, unseen: held.unseen, stale: ev.stale, arrival: ev.arrival });
      }
      case 'reorg':
        this.sinks.log.info('reorg', { from: ev.reorg.oldTip.hash, to: ev.reorg.newTip.hash, depth: ev.reorg.depth, peer: ev.reorg.peer });
        return this.line(ev);
    }
  }
}
