/** What a merge counts, prints and says at exit: shared by the file and the bus merges. */
import type { Writable } from 'node:stream';
import type { Logger } from '../log/logger.js';
import type { NdjsonSink } from '../output/ndjson.js';
import { MAX_HELD_BYTES, MAX_OPEN_GROUPS, MAX_VANTAGES, type AddResult, type Closed } from './propagation.js';
import { MAX_LINE_BYTES } from './lines.js';

export interface MergeIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export interface Counts {
  txs: number;
  blocks: number;
  late: number;
  early: number;
  /** Sightings left out: their group had MAX_VANTAGES vantages already. */
  over: number;
  /** Lines (or bus messages) over MAX_LINE_BYTES, skipped. */
  long: number;
}

export function newCounts(): Counts {
  return { txs: 0, blocks: 0, late: 0, early: 0, over: 0, long: 0 };
}

/** Counts a sighting's result (late, over: logged once); true when the caller settles its token itself. */
export function counted(result: AddResult, counts: Counts, log: Logger, id: string): boolean {
  if (result === 'late') counts.late++;
  else if (result === 'over') {
    if (counts.over++ === 0) log.warn(`an item seen by more than ${MAX_VANTAGES} vantages: the others are left out of its line and counted`, { id });
  } else return false;
  return true;
}

/** A line over MAX_LINE_BYTES: counted, the first one logged. */
export function tooLong(counts: Counts, log: Logger, where: Record<string, unknown>): void {
  if (counts.long++ === 0) log.warn(`a line over ${MAX_LINE_BYTES} bytes, skipped (the others are counted)`, where);
}

export function printer<T>(out: NdjsonSink, counts: Counts, log: Logger): (closed: readonly Closed<T>[]) => void {
  return (closed) => {
    for (const c of closed) {
      if (c.view.kind === 'tx') counts.txs++;
      else counts.blocks++;
      if (c.early) {
        if (counts.early++ === 0) {
          log.warn(`more than ${MAX_OPEN_GROUPS} items open at once, or more than ${MAX_HELD_BYTES} bytes held: the oldest are printed before their window has passed`);
        }
      }
      out.write(JSON.stringify(c.view));
    }
  };
}

export function summary(io: MergeIo, counts: Counts): void {
  const extra = [
    ...(counts.over > 0 ? [`${counts.over} sightings beyond ${MAX_VANTAGES} vantages ignored`] : []),
    ...(counts.long > 0 ? [`${counts.long} lines over ${MAX_LINE_BYTES} bytes skipped`] : []),
  ];
  io.stderr.write(`crawl merge: ${counts.txs} transactions, ${counts.blocks} blocks merged; ${counts.late} late lines ignored${extra.map((e) => `; ${e}`).join('')}\n`);
}
