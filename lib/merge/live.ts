import type { Logger } from '../log/logger.js';
import { NdjsonSink } from '../output/ndjson.js';
import { redact } from '../output/nats-connect.js';
import { openBus, settle, type AckToken, type BusOptions, type Settlement } from './bus.js';
import { MAX_LINE_BYTES } from './lines.js';
import { MAX_OPEN_GROUPS, MAX_REMEMBERED, Propagation, sightingOf, type Closed } from './propagation.js';
import { counted, newCounts, printer, summary, tooLong, type MergeIo } from './report.js';

/** How often open groups are checked for a passed window (at most; less with a shorter window). */
export const MERGE_TICK_MS = 250;
/** While none of our network's lines has come, how often the stream is checked for other networks' lines. */
export const NETWORK_CHECK_MS = 10_000;

/**
 * `crawl merge --nats URL`: reads the stream, groups lines by item across vantages, and prints one
 * propagation line per item once its window (from its first line's arrival) has passed. A line is
 * acknowledged only once its group has reached stdout (the write's callback said so); a group that
 * did not (the reader went away, `| head -1`) is handed back (nak), as are, on SIGINT/SIGTERM, the
 * groups still open, so a merge restarted under the same --durable name repeats none and loses none.
 * Killed without a chance to say so, the groups it held come back after the ack wait (at least
 * once: a group printed a moment before the kill may print again). Of each message only what the
 * merged line needs is held (the sighting and the reply subject to acknowledge it by).
 */
export async function mergeBus(opts: BusOptions, io: MergeIo, log: Logger): Promise<number> {
  let bus;
  try {
    bus = await openBus(opts, log);
  } catch (err) {
    io.stderr.write(`crawl merge: ${redact(opts.url)}: ${redact((err as Error).message)}\n`);
    return 1;
  }
  const { nc, messages } = bus;
  const out = new NdjsonSink(io.stdout);
  const p = new Propagation<AckToken>({ windowMs: opts.windowMs, maxOpen: MAX_OPEN_GROUPS, maxRemembered: MAX_REMEMBERED });
  const counts = newCounts();
  const printLines = printer<AckToken>(out, counts, log);
  const settleAll = (tokens: readonly AckToken[], how: Settlement): void => {
    for (const t of tokens) settle(nc, t, how);
  };
  /** Printed, then acknowledged once on stdout; handed back when it did not get there. */
  const deliver = async (closed: readonly Closed<AckToken>[]): Promise<void> => {
    if (closed.length === 0) return;
    printLines(closed);
    const ok = await out.delivered();
    for (const c of closed) settleAll(c.tokens, ok ? 'ack' : 'nak');
  };
  let chain = Promise.resolve();
  const enqueue = (closed: readonly Closed<AckToken>[]): Promise<void> => (chain = chain.then(() => deliver(closed)));
  const tick = setInterval(() => void enqueue(p.due(Date.now())), Math.min(MERGE_TICK_MS, opts.windowMs));
  // Lines of our network seen yet; until then (and until said once) the stream is checked for other networks'.
  let ours = false;
  const checkNetworks = async (): Promise<void> => {
    if (ours) return;
    const others = await bus.otherNetworks().catch(() => new Map<string, number>());
    if (ours || others.size === 0) return;
    clearInterval(networkTimer);
    const list = [...others].map(([n, lines]) => `${n} (${lines} lines)`).join(', ');
    log.warn(`the stream has lines of another network, ${list}, and this merge reads only ${opts.network}'s: give -n ${[...others.keys()][0]} to merge them`);
  };
  const networkTimer = setInterval(() => void checkNetworks(), NETWORK_CHECK_MS);
  void checkNetworks();
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info('stopping', { signal });
    bus.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  out.onClose(() => bus.stop());
  let bad = 0;
  for await (const m of messages) {
    const token: AckToken = m.reply ?? '';
    if (out.closed) {
      // The reader is gone: what still comes goes back for the next merge.
      settle(nc, token, 'nak');
      continue;
    }
    if (m.data.length > MAX_LINE_BYTES) {
      tooLong(counts, log, { subject: m.subject, bytes: m.data.length });
      settle(nc, token, 'term');
      continue;
    }
    let line: unknown;
    try {
      line = m.json();
    } catch {
      if (bad++ === 0) log.warn('not a JSON message, dropped from the consumer', { subject: m.subject });
      settle(nc, token, 'term');
      continue;
    }
    const s = sightingOf(line);
    if (!s) {
      settle(nc, token, 'ack');
      continue;
    }
    ours = true;
    const r = p.add(s, Date.now(), token, 2 * token.length);
    if (log.isDebug()) log.debug('merge: line', { kind: s.kind, id: s.id, vantage: s.vantage, result: r.result });
    if (counted(r.result, counts, log, s.id)) settle(nc, token, 'ack');
    if (r.evicted.length > 0) await enqueue(r.evicted);
    if (out.isBlocked) await out.drained();
  }
  clearInterval(tick);
  clearInterval(networkTimer);
  // What is due is printed; what is still open goes back to the stream for the next merge.
  await enqueue(p.due(Date.now()));
  settleAll(p.abandon(), 'nak');
  await out.flush();
  await nc.flush().catch(() => {});
  await nc.close();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  summary(io, counts);
  return 0;
}
