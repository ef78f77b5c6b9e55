import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../log/logger.js';
import { NdjsonSink } from '../output/ndjson.js';
import { openBus, type BusOptions } from './bus.js';
import { MAX_OPEN_GROUPS, MAX_REMEMBERED, Propagation, sightingOf, type Closed } from './propagation.js';

/** How often open groups are checked for a passed window (at most; less with a shorter window). */
export const MERGE_TICK_MS = 250;

export interface MergeIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

interface Counts {
  txs: number;
  blocks: number;
  late: number;
  early: number;
}

function printer<T>(out: NdjsonSink, counts: Counts, log: Logger): (closed: readonly Closed<T>[]) => void {
  return (closed) => {
    for (const c of closed) {
      if (c.view.kind === 'tx') counts.txs++;
      else counts.blocks++;
      if (c.early) {
        if (counts.early++ === 0) log.warn(`more than ${MAX_OPEN_GROUPS} items open at once: the oldest are printed before their window has passed`);
      }
      out.write(JSON.stringify(c.view));
    }
  };
}

function summary(io: MergeIo, counts: Counts): void {
  io.stderr.write(`crawl merge: ${counts.txs} transactions, ${counts.blocks} blocks merged; ${counts.late} late lines ignored\n`);
}

/** The vantage of a file's lines that do not name one: its name without the extension. */
export function vantageOfFile(path: string): string {
  return basename(path, extname(path));
}

/**
 * `crawl merge FILE…`: each file a vantage's NDJSON output (its lines' `vantage`, else the file's
 * name); every transaction and block seen in any, one propagation line each, once all are read.
 * Lines that are not JSON are counted and skipped, as are other line kinds.
 */
export async function mergeFiles(files: readonly string[], io: MergeIo, log: Logger): Promise<number> {
  const out = new NdjsonSink(io.stdout);
  const p = new Propagation({ windowMs: Infinity, maxOpen: MAX_OPEN_GROUPS, maxRemembered: MAX_REMEMBERED });
  const counts: Counts = { txs: 0, blocks: 0, late: 0, early: 0 };
  const print = printer(out, counts, log);
  let failed = false;
  for (const file of files) {
    const vantage = vantageOfFile(file);
    let bad = 0;
    let n = 0;
    try {
      const input = createReadStream(file);
      const lines = createInterface({ input, crlfDelay: Infinity });
      for await (const text of lines) {
        n++;
        if (text.trim() === '') continue;
        let line: unknown;
        try {
          line = JSON.parse(text);
        } catch {
          if (bad++ === 0) log.warn('not a JSON line, skipped', { file, line: n });
          continue;
        }
        const s = sightingOf(line, vantage);
        if (s) print(p.add(s, 0, undefined).evicted);
        if (out.isBlocked) await out.drained();
      }
    } catch (err) {
      io.stderr.write(`crawl merge: ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}\n`);
      failed = true;
      continue;
    }
    if (bad > 0) log.warn('lines skipped', { file, bad });
  }
  print(p.flush());
  await out.flush();
  summary(io, counts);
  return failed ? 1 : 0;
}

/**
 * `crawl merge --nats URL`: reads the stream, groups lines by item across vantages, and prints one
 * propagation line per item once its window (from its first line's arrival) has passed. A line is
 * acknowledged only after its group was printed; on SIGINT/SIGTERM the groups still open are handed
 * back to the stream (nak), so a merge restarted under the same --durable name repeats none and
 * loses none. Killed without a chance to say so, the groups it held come back after the ack wait
 * (at least once: a group printed a moment before the kill may print again).
 */
export async function mergeBus(opts: BusOptions, io: MergeIo, log: Logger): Promise<number> {
  let bus;
  try {
    bus = await openBus(opts, log);
  } catch (err) {
    io.stderr.write(`crawl merge: ${opts.url}: ${(err as Error).message}\n`);
    return 1;
  }
  const { nc, messages } = bus;
  const out = new NdjsonSink(io.stdout);
  const p = new Propagation<JsMsg>({ windowMs: opts.windowMs, maxOpen: MAX_OPEN_GROUPS, maxRemembered: MAX_REMEMBERED });
  const counts: Counts = { txs: 0, blocks: 0, late: 0, early: 0 };
  const printLines = printer<JsMsg>(out, counts, log);
  /** Printed, then acknowledged: a line is settled only once its group is on stdout. */
  const settle = async (closed: readonly Closed<JsMsg>[]): Promise<void> => {
    if (closed.length === 0) return;
    printLines(closed);
    await out.flush();
    for (const c of closed) for (const m of c.tokens) m.ack();
  };
  let chain = Promise.resolve();
  const enqueue = (closed: readonly Closed<JsMsg>[]): Promise<void> => (chain = chain.then(() => settle(closed)));
  const tick = setInterval(() => void enqueue(p.due(Date.now())), Math.min(MERGE_TICK_MS, opts.windowMs));
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
    let line: unknown;
    try {
      line = m.json();
    } catch {
      if (bad++ === 0) log.warn('not a JSON message, dropped from the consumer', { subject: m.subject, seq: m.seq });
      m.term();
      continue;
    }
    const s = sightingOf(line);
    if (!s) {
      m.ack();
      continue;
    }
    const r = p.add(s, Date.now(), m);
    if (log.isDebug()) log.debug('merge: line', { kind: s.kind, id: s.id, vantage: s.vantage, result: r.result });
    if (r.result === 'late') {
      counts.late++;
      m.ack();
    }
    if (r.evicted.length > 0) await enqueue(r.evicted);
    if (out.isBlocked) await out.drained();
  }
  clearInterval(tick);
  // What is due is printed; what is still open goes back to the stream for the next merge.
  await enqueue(p.due(Date.now()));
  for (const m of p.abandon()) m.nak();
  await out.flush();
  await nc.flush().catch(() => {});
  await nc.close();
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  summary(io, counts);
  return 0;
}
