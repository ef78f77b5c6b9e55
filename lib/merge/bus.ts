import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerConfig, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../log/logger.js';
import { ensureStream, RECONNECT_WAIT_MS, type StreamLimits } from '../output/nats.js';

/** Past its window a held line is acknowledged; JetStream redelivers one not acknowledged this much later. */
export const ACK_WAIT_MARGIN_MS = 30_000;
/** Lines held unacknowledged at most (the server stops delivering past it until some are settled). */
export const MAX_ACK_PENDING = 100_000;
/** An ephemeral consumer (no --durable) is removed this long after its merge went away. */
export const EPHEMERAL_INACTIVE_MS = 60_000;

export interface BusOptions extends StreamLimits {
  readonly url: string;
  /** Only this network's lines: bitcrawl.<network>.> */
  readonly network: string;
  /** A durable consumer of this name: a merge restarted under it resumes where the last one stopped. */
  readonly durable?: string;
  /** Where a new consumer starts: this time (ms since the epoch), the whole stream ('all'), or new lines only. */
  readonly since?: number | 'all';
  readonly windowMs: number;
}

/** Messages asked for at once, and how long one request waits for them. */
export const FETCH_BATCH = 1_000;
export const FETCH_EXPIRES_MS = 1_000;

export interface Bus {
  readonly nc: NatsConnection;
  /**
   * The consumer's messages, one bounded pull request at a time, until stop(): then the current
   * request ends (within FETCH_EXPIRES_MS) and the iteration with it. No request of ours is left
   * waiting on the server afterwards, so lines handed back (nak) go to the next merge, not to us.
   */
  readonly messages: AsyncIterable<JsMsg>;
  stop(): void;
  /** True when the durable consumer existed already (a resumed merge). */
  readonly resumed: boolean;
}

/**
 * Connects and opens the consumer: the durable one if it exists (its own position and settings),
 * else a new one (durable or ephemeral) with explicit acknowledgements, so a line is settled only
 * once the merge has printed the group it belongs to.
 */
export async function openBus(opts: BusOptions, log: Logger): Promise<Bus> {
  const nc = await connect({ servers: opts.url.split(','), name: 'bitcrawl merge', maxReconnectAttempts: -1, reconnectTimeWait: RECONNECT_WAIT_MS });
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, opts, log);
    let name = opts.durable;
    let resumed = false;
    if (name !== undefined) {
      try {
        const info = await jsm.consumers.info(opts.stream, name);
        resumed = true;
        log.info('merge resumes its durable consumer', { consumer: name, pending: info.num_pending, unacknowledged: info.num_ack_pending });
      } catch {
        // Not there yet: created below.
      }
    }
    if (!resumed) {
      const config: Partial<ConsumerConfig> = {
        ack_policy: AckPolicy.Explicit,
        filter_subject: `bitcrawl.${opts.network}.>`,
        ack_wait: (opts.windowMs + ACK_WAIT_MARGIN_MS) * 1e6,
        max_ack_pending: MAX_ACK_PENDING,
        ...(opts.since === 'all'
          ? { deliver_policy: DeliverPolicy.All }
          : opts.since === undefined
            ? { deliver_policy: DeliverPolicy.New }
            : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(opts.since).toISOString() }),
        ...(name === undefined ? { inactive_threshold: EPHEMERAL_INACTIVE_MS * 1e6 } : { durable_name: name }),
      };
      const info = await jsm.consumers.add(opts.stream, config);
      name = info.name;
      log.info('merge consumer created', { consumer: name, durable: opts.durable !== undefined, from: config.deliver_policy });
    }
    const consumer = await jetstream(nc).consumers.get(opts.stream, name);
    let stopped = false;
    return { nc, messages: pull(consumer, () => stopped, log), stop: () => (stopped = true), resumed };
  } catch (err) {
    await nc.close();
    throw err;
  }
}

async function* pull(consumer: Consumer, stopped: () => boolean, log: Logger): AsyncGenerator<JsMsg> {
  while (!stopped()) {
    try {
      const batch = await consumer.fetch({ max_messages: FETCH_BATCH, expires: FETCH_EXPIRES_MS });
      for await (const m of batch) yield m;
    } catch (err) {
      // The bus away: the client reconnects; ask again a moment later.
      log.warn('merge: reading the stream failed, asking again', { error: (err as Error).message });
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_WAIT_MS));
    }
  }
}
