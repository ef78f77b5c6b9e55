/**
 * Everything a report shows, gathered from lines in one pass. Pure: `line()` takes one line's text,
 * and memory is the aggregates' (each bounded), never the lines'.
 */
import { Counter } from './bounded.js';
import { BlocksAggregate } from './blocks.js';
import { CensusAggregate, MAX_SMALL_KEYS } from './census.js';
import { isRecord, MAX_NAME_CHARS, num, type Json } from './fields.js';
import { MempoolAggregate } from './mempool.js';
import { MAX_VANTAGES, PropagationAggregate } from './propagation.js';

/** Why a line was not used. */
export type SkipReason = 'not JSON' | 'unknown kind' | 'bad shape' | 'overlong' | 'truncated';
export const SKIP_REASONS: readonly SkipReason[] = ['not JSON', 'unknown kind', 'bad shape', 'overlong', 'truncated'];

/** The line kinds a report reads: the `event` field. */
export const KINDS = ['peer', 'tx', 'block', 'addr', 'propagation', 'mempool', 'replaced', 'confirmed', 'evicted', 'reorg'] as const;
export type LineKind = (typeof KINDS)[number];

/** Where a line came from: the file it was read from and its line number there. */
export interface Skipped {
  readonly reason: SkipReason;
  readonly file: string;
  readonly line: number;
}

/** The first few skipped lines are named in the header; the rest only counted. */
export const MAX_SKIPPED_NAMED = 10;

export class Report {
  readonly files: string[] = [];
  lines = 0;
  readonly kinds = new Map<LineKind, number>();
  readonly skipped = new Map<SkipReason, number>();
  readonly firstSkipped: Skipped[] = [];
  firstTime = Infinity;
  lastTime = -Infinity;
  /** The `vantage` field of lines published on a bus, and the vantages of merge lines. */
  readonly vantages = new Counter(MAX_VANTAGES);
  readonly census = new CensusAggregate();
  readonly propagation = new PropagationAggregate();
  readonly mempool = new MempoolAggregate();
  readonly blocks = new BlocksAggregate();
  /** Unknown `event` values seen (named in the header). */
  readonly unknownKinds = new Counter(MAX_SMALL_KEYS);

  /** One line's text from `file` (its `n`-th line); `atEnd`: the file ended without its newline. */
  line(text: string, file: string, n: number, atEnd = false): void {
    if (text.trim() === '') return;
    this.lines++;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      this.skip(atEnd ? 'truncated' : 'not JSON', file, n);
      return;
    }
    if (!isRecord(o) || typeof o.event !== 'string') {
      this.skip('unknown kind', file, n);
      return;
    }
    const kind = (KINDS as readonly string[]).includes(o.event) ? (o.event as LineKind) : undefined;
    if (kind === undefined) {
      this.unknownKinds.add(o.event.slice(0, MAX_NAME_CHARS));
      this.skip('unknown kind', file, n);
      return;
    }
    const time = this.read(kind, o);
    if (time === undefined) {
      this.skip('bad shape', file, n);
      return;
    }
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    if (time < this.firstTime) this.firstTime = time;
    if (time > this.lastTime) this.lastTime = time;
    if (typeof o.vantage === 'string' && o.vantage !== '') this.vantages.add(o.vantage.slice(0, MAX_NAME_CHARS));
  }

  /** A line that was not read whole: longer than the bound, or cut off at the end of its file. */
  skip(reason: SkipReason, file: string, n: number): void {
    if (reason === 'overlong') this.lines++;
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    if (this.firstSkipped.length < MAX_SKIPPED_NAMED) this.firstSkipped.push({ reason, file, line: n });
  }

  get skippedTotal(): number {
    let n = 0;
    for (const c of this.skipped.values()) n += c;
    return n;
  }

  count(...kinds: LineKind[]): number {
    return kinds.reduce((s, k) => s + (this.kinds.get(k) ?? 0), 0);
  }

  /** Folds a known line into its section; its time (unix seconds), or undefined for a bad shape. */
  private read(kind: LineKind, o: Json): number | undefined {
    switch (kind) {
      case 'peer': {
        const time = num(o.time);
        return time !== undefined && this.census.add(o) ? time : undefined;
      }
      case 'tx':
        return this.propagation.addTx(o);
      case 'block':
      case 'reorg':
        return this.blocks.add(o);
      case 'addr':
        return isRecord(o.seen) ? num(o.seen.time) : undefined;
      case 'propagation': {
        const time = this.propagation.addPropagation(o);
        if (time !== undefined && isRecord(o.vantages)) for (const name of Object.keys(o.vantages).slice(0, MAX_VANTAGES)) this.vantages.add(name.slice(0, MAX_NAME_CHARS));
        return time;
      }
      default:
        return this.mempool.add(o);
    }
  }
}
