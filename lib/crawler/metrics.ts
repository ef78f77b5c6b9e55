import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CODECS } from '../wire/registry.js';
import type { CrawlEvent } from './crawl.js';
import type { CensusEvent } from './census.js';
import type { NatsStats } from '../output/nats.js';

/** Direction of a message on the wire, from our side. */
export type Direction = 'in' | 'out';

/**
 * The `command` label's values: the commands we have codecs for, plus `other`. A peer may send any
 * 12 printable characters as a command; taken as label values they would grow a series each, without
 * end. Label values come from this fixed set only.
 */
export const COMMAND_LABELS: ReadonlySet<string> = new Set(Object.keys(CODECS));
export const OTHER_COMMAND = 'other';

export function commandLabel(command: string): string {
  return COMMAND_LABELS.has(command) ? command : OTHER_COMMAND;
}

/**
 * Prometheus metrics (prom-client), fed by crawl events and by each peer's message traffic.
 * Names follow Prometheus conventions: bitcrawl_<what>_<unit>_total for counters.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly peers = new Gauge({ name: 'bitcrawl_peers', help: 'Peers by state', labelNames: ['state'], registers: [this.registry] });
  private readonly messages = new Counter({
    name: 'bitcrawl_messages_total',
    help: 'P2P messages by command and direction',
    labelNames: ['command', 'direction'],
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'bitcrawl_message_bytes_total',
    help: 'P2P message bytes on the wire (v1: header and payload; v2: the encrypted packet) by command, direction and transport',
    labelNames: ['command', 'direction', 'transport'],
    registers: [this.registry],
  });
  private readonly txs = new Counter({ name: 'bitcrawl_transactions_total', help: 'Transactions received and printed (each once)', registers: [this.registry] });
  private readonly blocks = new Counter({ name: 'bitcrawl_blocks_total', help: 'New blocks received', registers: [this.registry] });
  private readonly rebuilt = new Counter({
    name: 'bitcrawl_blocks_rebuilt_total',
    help: 'New blocks rebuilt from a compact block (BIP 152); the rest of bitcrawl_blocks_total came whole',
    registers: [this.registry],
  });
  private readonly missing = new Histogram({
    name: 'bitcrawl_compact_block_missing_transactions',
    help: 'Transactions a rebuilt block lacked and asked for with getblocktxn',
    buckets: [0, 1, 5, 20, 100, 500, 2000],
    registers: [this.registry],
  });
  private readonly rebuildTime = new Histogram({
    name: 'bitcrawl_compact_block_seconds',
    help: 'From a cmpctblock to its block rebuilt (a getblocktxn round trip when transactions were missing)',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly addresses = new Counter({ name: 'bitcrawl_addresses_total', help: 'Peer addresses learned', registers: [this.registry] });
  private readonly bad = new Counter({
    name: 'bitcrawl_bad_messages_total',
    help: 'Messages skipped as undecodable or corrupt (the peer kept, as Core keeps it), by command',
    labelNames: ['command'],
    registers: [this.registry],
  });
  private readonly drops = new Counter({ name: 'bitcrawl_peer_drops_total', help: 'Peers dropped, by reason', labelNames: ['reason'], registers: [this.registry] });
  private readonly rtt = new Histogram({
    name: 'bitcrawl_ping_rtt_seconds',
    help: 'Ping round-trip time',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly mempoolTxs = new Gauge({ name: 'bitcrawl_mempool_transactions', help: 'Transactions in the mempool view', registers: [this.registry] });

  constructor() {
    // prom-client's names start process_ and nodejs_ already: bitcrawl_process_cpu_seconds_total.
    collectDefaultMetrics({ register: this.registry, prefix: 'bitcrawl_' });
    this.peers.set({ state: 'connected' }, 0);
  }

  /** The NATS sink's counts, read at each scrape: published, dropped, pending. */
  nats(stats: () => NatsStats): void {
    let published = 0;
    let dropped = 0;
    new Counter({
      name: 'bitcrawl_nats_published_total',
      help: 'Lines published to NATS (acknowledged by the stream with JetStream)',
      registers: [this.registry],
      collect() {
        const s = stats();
        this.inc(s.published - published);
        published = s.published;
      },
    });
    new Counter({
      name: 'bitcrawl_nats_dropped_total',
      help: 'Lines not published to NATS: the buffer was full while the bus was slow or away',
      registers: [this.registry],
      collect() {
        const s = stats();
        this.inc(s.dropped - dropped);
        dropped = s.dropped;
      },
    });
    new Gauge({
      name: 'bitcrawl_nats_pending_lines',
      help: 'Lines buffered or awaiting acknowledgement',
      registers: [this.registry],
      collect() {
        this.set(stats().pending);
      },
    });
    new Gauge({
      name: 'bitcrawl_nats_connected',
      help: '1 while connected to NATS',
      registers: [this.registry],
      collect() {
        this.set(stats().connected ? 1 : 0);
      },
    });
  }

  message(direction: Direction, command: string, bytes: number, transport: 'v1' | 'v2'): void {
    const label = commandLabel(command);
    this.messages.inc({ command: label, direction });
    this.bytes.inc({ command: label, direction, transport }, bytes);
  }

  badMessage(command: string): void {
    this.bad.inc({ command: commandLabel(command) });
  }

  peersConnected(n: number): void {
    this.peers.set({ state: 'connected' }, n);
  }

  mempoolSize(n: number): void {
    this.mempoolTxs.set(n);
  }

  event(ev: CrawlEvent | CensusEvent): void {
    switch (ev.type) {
      case 'peer-down':
      case 'visited':
      case 'unreachable':
        this.drops.inc({ reason: ev.reason });
        return;
      case 'rtt':
        this.rtt.observe(ev.ms / 1000);
        return;
      case 'tx':
        this.txs.inc();
        return;
      case 'block': {
        this.blocks.inc();
        const compact = ev.arrival?.compact;
        if (compact) {
          this.rebuilt.inc();
          this.missing.observe(compact.missing);
          this.rebuildTime.observe(compact.ms / 1000);
        }
        return;
      }
      case 'addr':
        this.addresses.inc();
        return;
      default:
      // peer-up: the connected count comes from peersConnected().
    }
  }

  /** Serves /metrics on 127.0.0.1 only: metrics are for the local scraper, not the network. */
  serve(port: number): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  }
}
