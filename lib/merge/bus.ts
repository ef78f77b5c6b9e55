import { connect, createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerConfig, type JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '../log/logger.js';
import { NETWORK_NAMES } from '../wire/network.js';
import { connectOptions, ensureStream, RECONNECT_WAIT_MS, redact, type StreamLimits } from '../output/nats-connect.js';

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

/**
 * Bytes asked for at once (one pull request): what the client may hold of messages not yet read.
 * JetStream answers a request whose max_bytes is below the next message's size with a 409 and never
 * delivers it, so a request asks for at least twice the server's max_payload (1 MB by default).
 */
export const FETCH_MAX_BYTES = 4 * 1024 * 1024;
/** Messages asked for at once (a request ends at whichever of the two bounds comes first). */
export const FETCH_BATCH = 1_000;
/** How long one request waits for messages. */
export const FETCH_EXPIRES_MS = 1_000;

/** What a held line keeps for its acknowledgement: the message's reply subject, not the message. */
export type AckToken = string;
export type Settlement = 'ack' | 'nak' | 'term';
const SETTLE_PAYLOAD: Record<Settlement, string> = { ack: '+ACK', nak: '-NAK', term: '+TERM' };

/** Acknowledges (or hands back, or gives up) a line by its reply subject, as JsMsg.ack() would. */
export function settle(nc: NatsConnection, token: AckToken, how: Settlement): void {
  if (token !== '') nc.publish(token, SETTLE_PAYLOAD[how]);
}

export interface Bus {
  readonly nc: NatsConnection;
  /**
   * The consumer's messages, one bounded pull request at a time, until stop(): then the current
   * request ends (within FETCH_EXPIRES_MS) and the iteration with it. No request of ours is left
   * waiting on the server afterwards, so lines handed back (nak) go to the next merge, not to us.
   * Each a plain message: its subject, data, and reply (the subject its acknowledgement goes to).
   */
  readonly messages: AsyncIterable<Msg>;
  stop(): void;
  /** True when the durable consumer existed already (a resumed merge). */
  readonly resumed: boolean;
  /** Other networks' tx and block lines in the stream (network → lines), for a merge that reads none of its own. */
  otherNetworks(): Promise<Map<string, number>>;
}

/**
 * Connects and opens the consumer: the durable one if it exists (its own position and settings),
 * else a new one (durable or ephemeral) with explicit acknowledgements, so a line is settled only
 * once the merge has printed the group it belongs to.
 */
export async function openBus(opts: BusOptions, log: Logger): Promise<Bus> {
  const nc = await connect({ ...connectOptions(opts.url), name: 'bitcrawl merge', maxReconnectAttempts: -1, reconnectTimeWait: RECONNECT_WAIT_MS });
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
    let stopped = false;
    const maxBytes = Math.max(FETCH_MAX_BYTES, 2 * (nc.info?.max_payload ?? 0));
    return {
      nc,
      messages: pull(nc, `$JS.API.CONSUMER.MSG.NEXT.${opts.stream}.${name}`, maxBytes, () => stopped, log),
      stop: () => (stopped = true),
      resumed,
      otherNetworks: () => otherNetworks(jsm, opts.stream, opts.network),
    };
  } catch (err) {
    await nc.close();
    throw err;
  }
}

/**
 * The stream's tx and block lines of each network but ours, by exact subject (bitcrawl.<net>.tx and
 * .block: one subject each, however many a publisher invents under bitcrawl.>).
 */
async function otherNetworks(jsm: JetStreamManager, stream: string, network: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const other of NETWORK_NAMES.filter((n) => n !== network)) {
    for (const event of ['tx', 'block']) {
      const subject = `bitcrawl.${other}.${event}`;
      const info = await jsm.streams.info(stream, { subjects_filter: subject });
      const n = info.state.subjects?.[subject] ?? 0;
      if (n > 0) found.set(other, (found.get(other) ?? 0) + n);
    }
  }
  return found;
}

/**
 * One pull request's messages (JetStream's API, as the client's fetch() makes it, but with both
 * bounds: its fetch takes max_bytes or max_messages, not both, and with max_bytes alone waits for the
 * request's expiry after every batch). The request ends at FETCH_BATCH messages, or with a status
 * message (408 expired, 409 max_bytes reached or the consumer gone, 404 none), or, should the
 * connection drop meanwhile, at our own deadline a little after its expiry.
 */
async function* request(nc: NatsConnection, subject: string, maxBytes: number): AsyncGenerator<Msg> {
  const inbox = createInbox();
  const sub = nc.subscribe(inbox);
  const deadline = setTimeout(() => sub.unsubscribe(), FETCH_EXPIRES_MS + RECONNECT_WAIT_MS);
  try {
    nc.publish(subject, JSON.stringify({ batch: FETCH_BATCH, max_bytes: maxBytes, expires: FETCH_EXPIRES_MS * 1e6 }), { reply: inbox });
    let received = 0;
    for await (const m of sub) {
      const status = m.headers?.code ?? 0;
      if (status !== 0 && m.data.length === 0) {
        // 100 is a heartbeat (not asked for); anything else ends the request.
        if (status === 100) continue;
        if (status !== 404 && status !== 408 && !/max ?bytes/i.test(m.headers?.description ?? '')) throw new Error(`${status} ${m.headers?.description ?? ''}`.trim());
        return;
      }
      yield m;
      if (++received >= FETCH_BATCH) return;
    }
  } finally {
    clearTimeout(deadline);
    sub.unsubscribe();
  }
}

async function* pull(nc: NatsConnection, subject: string, maxBytes: number, stopped: () => boolean, log: Logger): AsyncGenerator<Msg> {
  while (!stopped()) {
    try {
      yield* request(nc, subject, maxBytes);
    } catch (err) {
      // The bus away, the consumer gone: the client reconnects; ask again a moment later.
      log.warn('merge: reading the stream failed, asking again', { error: redact((err as Error).message) });
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_WAIT_MS));
    }
  }
}
