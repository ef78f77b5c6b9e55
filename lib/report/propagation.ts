/**
 * The propagation section's aggregates: how far apart in time an item was announced. From tx
 * lines (`seen.last.time - seen.first.time`: the spread among one crawler's peers), `crawl merge`
 * lines (`spread_ms` between vantages, and each vantage's lag behind the first) and per-item
 * propagation lines (`delay_ms.p50`, `.p90`: the announcers' delays after the first). Pure.
 */
import { Counter, Histogram, TimeSeries } from './bounded.js';
import { isRecord, MAX_NAME_CHARS, nonNeg, num, numAt, type Json } from './fields.js';

export type ItemKind = 'tx' | 'block';
/** Which per-item figure a histogram holds. */
export type Measure = 'spread' | 'vantages' | 'p50' | 'p90';
export const MEASURES: readonly Measure[] = ['p50', 'p90', 'spread', 'vantages'];

/** Vantages (crawlers merged by `crawl merge`) followed one by one; the rest go under "(other)". */
export const MAX_VANTAGES = 64;
/** Time buckets of a time series at most; the first bucket width is a minute (TIME_BUCKET_S). */
export const MAX_TIME_BUCKETS = 240;
export const TIME_BUCKET_S = 60;

export class KindAggregate {
  items = 0;
  readonly measures = new Map<Measure, Histogram>();
  /** Per measure, per time bucket: the histogram of that figure. */
  readonly overTime = new Map<Measure, TimeSeries<Histogram>>();
  /** Per vantage: its lag behind the first vantage, ms (merge lines). */
  readonly lag = new Map<string, Histogram>();
  readonly firsts = new Counter(MAX_VANTAGES);

  measure(m: Measure): Histogram {
    let h = this.measures.get(m);
    if (h === undefined) {
      h = new Histogram();
      this.measures.set(m, h);
    }
    return h;
  }

  record(time: number, values: Partial<Record<Measure, number>>): void {
    this.items++;
    for (const m of MEASURES) {
      const v = values[m];
      if (v === undefined) continue;
      this.measure(m).add(v);
      let series = this.overTime.get(m);
      if (series === undefined) {
        series = new TimeSeries<Histogram>(TIME_BUCKET_S, MAX_TIME_BUCKETS, () => new Histogram(), (a, b) => a.addAll(b));
        this.overTime.set(m, series);
      }
      series.at(time).add(v);
    }
  }

  lagOf(vantage: string): Histogram {
    const name = this.lag.has(vantage) || this.lag.size < MAX_VANTAGES ? vantage : '(other)';
    let h = this.lag.get(name);
    if (h === undefined) {
      h = new Histogram();
      this.lag.set(name, h);
    }
    return h;
  }
}

export class PropagationAggregate {
  readonly kinds: Record<ItemKind, KindAggregate> = { tx: new KindAggregate(), block: new KindAggregate() };

  /** A tx line: its spread among this crawler's peers. Returns its time, or undefined for a bad shape. */
  addTx(o: Json): number | undefined {
    const seen = o.seen;
    if (!isRecord(seen)) return undefined;
    const time = num(seen.time);
    if (time === undefined) return undefined;
    const first = numAt(seen, 'first', 'time');
    const last = numAt(seen, 'last', 'time');
    const spread = first !== undefined && last !== undefined && last >= first ? Math.round((last - first) * 1000) : undefined;
    this.kinds.tx.record(first ?? time, spread === undefined ? {} : { spread });
    return time;
  }

  /** A propagation line of either shape. Returns its time, or undefined for a bad shape. */
  addPropagation(o: Json): number | undefined {
    const kind = o.kind === 'tx' || o.kind === 'block' ? o.kind : undefined;
    if (kind === undefined) return undefined;
    const agg = this.kinds[kind];
    if (isRecord(o.delay_ms)) {
      const time = numAt(o, 'first', 'time');
      const p50 = nonNeg(o.delay_ms.p50);
      const p90 = nonNeg(o.delay_ms.p90);
      if (time === undefined || p50 === undefined || p90 === undefined) return undefined;
      agg.record(time, { p50, p90 });
      return time;
    }
    const spread = nonNeg(o.spread_ms);
    if (!isRecord(o.vantages) || spread === undefined) return undefined;
    const firsts: Array<[string, number]> = [];
    for (const [name, v] of Object.entries(o.vantages)) {
      const first = isRecord(v) ? num(v.first) : undefined;
      if (first !== undefined && name.length <= MAX_NAME_CHARS) firsts.push([name, first]);
      if (firsts.length >= MAX_VANTAGES) break;
    }
    if (firsts.length === 0) return undefined;
    const time = Math.min(...firsts.map(([, t]) => t));
    agg.record(time, { vantages: spread });
    for (const [name, first] of firsts) {
      agg.lagOf(name).add(Math.round((first - time) * 1000));
    }
    if (typeof o.first_vantage === 'string') agg.firsts.add(o.first_vantage.slice(0, MAX_NAME_CHARS));
    return time;
  }

  get items(): number {
    return this.kinds.tx.items + this.kinds.block.items;
  }
}
